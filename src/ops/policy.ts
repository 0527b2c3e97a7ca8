/** The cash-out policy from command-line options, then the environment (the cron script has only the environment). */
import type { TokenInfo } from "../chain/token.js";
import { fixedGasPrice } from "../settlement/fees.js";
import type { CashoutPolicy } from "../settlement/cashout.js";
import { parseAmount } from "./units.js";

export interface PolicyOptions {
  baseUnits?: boolean;
  minAmount?: string;
  /** < 0: not given. */
  maxFeePercent?: number;
  maxGasPriceGwei?: string;
  alwaysCash?: string;
  /** 0: not given. */
  batchSize?: number;
  gasPrice?: string;
}

/** The policy from options, then the environment (SWAP_MIN_AMOUNT, SWAP_MAX_FEE_PERCENT, SWAP_MAX_GAS_PRICE_GWEI, SWAP_ALWAYS_CASH, SWAP_GAS_PRICE). */
export function cashoutPolicy(
  a: PolicyOptions,
  token: Pick<TokenInfo, "decimals" | "symbol">,
  env = process.env,
): CashoutPolicy {
  const pick = (flag: string | undefined, envName: string) => (flag ? flag : env[envName] || "");
  const amount = (text: string, arg: string) => parseAmount(text, token, { baseUnits: a.baseUnits, argument: arg });
  const minAmount = pick(a.minAmount, "SWAP_MIN_AMOUNT");
  const gasCap = pick(a.maxGasPriceGwei, "SWAP_MAX_GAS_PRICE_GWEI");
  const always = pick(a.alwaysCash, "SWAP_ALWAYS_CASH");
  const gasPrice = pick(a.gasPrice, "SWAP_GAS_PRICE");
  const pct =
    a.maxFeePercent !== undefined && a.maxFeePercent >= 0
      ? a.maxFeePercent
      : env.SWAP_MAX_FEE_PERCENT
        ? Number(env.SWAP_MAX_FEE_PERCENT)
        : undefined;
  return {
    minAmount: minAmount ? amount(minAmount, "minAmount") : 1n,
    maxFeePercent: pct,
    maxGasPriceWei: gasCap
      ? parseAmount(gasCap, { decimals: 9, symbol: "gwei" }, { argument: "maxGasPriceGwei" })
      : undefined,
    alwaysCashAmount: always ? amount(always, "alwaysCash") : undefined,
    batchSize:
      a.batchSize && a.batchSize > 0 ? a.batchSize : env.SWAP_BATCH_SIZE ? Number(env.SWAP_BATCH_SIZE) : undefined,
    // token units per gas, kept with 9 extra decimals
    gasPrice: gasPrice
      ? fixedGasPrice(
          parseAmount(gasPrice, { decimals: token.decimals + 9, symbol: token.symbol }, { argument: "gasPrice" }),
        )
      : undefined,
  };
}
