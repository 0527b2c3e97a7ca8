/**
 * Fee-aware cash-out decisions, pure (no chain): which cheques to cash now, in which batches, and
 * why the others wait. Used by `CashoutService` (gas from a simulation of each batch: what it will
 * use, not the higher limit it is sent with) and by
 * the 30-day replay benchmark (gas from a measured model).
 *
 * Rules, in order:
 * 1. nothing owed / nothing in the chequebook → not due (reported);
 * 2. payout < `minAmount` → waits, reported ("below the minimum"), never dropped: the cheque stays
 *    on record and is cashed once later cheques raise it;
 * 3. gas price above `maxGasPriceWei` → waits, unless payout ≥ `alwaysCashAmount` (the ceiling);
 * 4. the rest, largest first, in batches of `batchSize` (⌈N / batchSize⌉ transactions); a batch
 *    is sent when its fee ≤ `maxFeePercent` % of what it cashes. When it is not, its largest
 *    prefix of length len/2, len/4, … 1 that meets the cap is sent and the rest waits. A batch
 *    holding an always-cash item is sent whatever the fee.
 */
import { InvalidArgumentError } from "../errors.js";

export interface FeePolicy {
  /** Never cash a cheque paying less than this (token base units). */
  minAmount: bigint;
  /** Maximum fee as a percentage of the value a transaction cashes. Default 5. */
  maxFeePercent?: number;
  /** Do not cash while the gas price (wei) is above this, unless the always-cash ceiling is hit. */
  maxGasPriceWei?: bigint;
  /** A cheque paying at least this (token base units) is cashed whatever the fee and gas price. */
  alwaysCashAmount?: bigint;
  /** Cheques per transaction (capped by the casher's `maxBatch`). */
  batchSize?: number;
}

export const DEFAULT_MAX_FEE_PERCENT = 5;

/** Token base units per unit of gas, ×1e9 (so cheap L2 gas and 6-decimal tokens stay exact). */
export type NanoTokenPerGas = bigint;
export const NANO = 1_000_000_000n;

/** Price of gas in token units: from configuration or an oracle (token/native price feed, …). */
export type GasPriceOracle = (gasPriceWei: bigint) => NanoTokenPerGas | Promise<NanoTokenPerGas>;

/** Assumes 1 wei of the native coin = 1 token base unit (same decimals, same value). */
export const nativeAtParOracle: GasPriceOracle = (gasPriceWei) => gasPriceWei * NANO;
/** A fixed price of gas in token base units ×1e9 (from configuration: `--gas-price`). */
export const fixedGasPrice =
  (nanoPerGas: NanoTokenPerGas): GasPriceOracle =>
  () =>
    nanoPerGas;

/** Fee in token base units of `gas` at `nanoPerGas`, rounded up. */
export function feeInToken(gas: bigint, nanoPerGas: NanoTokenPerGas): bigint {
  return (gas * nanoPerGas + NANO - 1n) / NANO;
}

export interface DueItem<K> {
  key: K;
  /** What cashing now would pay (token base units). */
  payout: bigint;
}

export interface PlannedBatch<K> {
  items: DueItem<K>[];
  gas: bigint;
  fee: bigint;
  /** fee / Σ payout, in percent. */
  feePercent: number;
  /** Sent because an item reached the always-cash ceiling. */
  forced: boolean;
}

export interface CashoutDecision<K> {
  batches: PlannedBatch<K>[];
  waiting: { item: DueItem<K>; reason: string }[];
}

export function checkPolicy(p: FeePolicy): void {
  if (p.minAmount < 0n) throw new InvalidArgumentError("minAmount", p.minAmount, "≥ 0");
  const pct = p.maxFeePercent ?? DEFAULT_MAX_FEE_PERCENT;
  if (!(pct >= 0 && pct <= 100)) throw new InvalidArgumentError("maxFeePercent", pct, "a percentage in [0, 100]");
  if (p.batchSize !== undefined && !(Number.isInteger(p.batchSize) && p.batchSize >= 1 && p.batchSize <= 1000))
    throw new InvalidArgumentError("batchSize", p.batchSize, "an integer in [1, 1000]");
}

/** Why a simulated cash-out will not be sent: the (typed) error's name and its one-line message. */
export function simulationFailure(e: unknown): string {
  return `simulation failed: ${(e as { name?: string }).name ?? "error"}: ${(e as { shortMessage?: string; message?: string }).shortMessage ?? (e as Error).message}`;
}

/**
 * Decide. `estimate(items)` is the gas the one transaction cashing `items` uses (it may throw: the
 * items then wait with the error as reason); `nanoPerGas` the price of gas in token units.
 */
export async function decideCashouts<K>(
  due: DueItem<K>[],
  policy: FeePolicy,
  ctx: {
    gasPriceWei: bigint;
    nanoPerGas: NanoTokenPerGas;
    maxBatch: number;
    estimate: (items: DueItem<K>[]) => Promise<bigint>;
  },
): Promise<CashoutDecision<K>> {
  checkPolicy(policy);
  const maxPct = policy.maxFeePercent ?? DEFAULT_MAX_FEE_PERCENT;
  const always = policy.alwaysCashAmount;
  const isForced = (i: DueItem<K>) => always !== undefined && i.payout >= always;
  const waiting: CashoutDecision<K>["waiting"] = [];
  let ready: DueItem<K>[] = [];
  for (const item of due) {
    if (item.payout < policy.minAmount || item.payout === 0n)
      waiting.push({ item, reason: `below the minimum ${policy.minAmount}` });
    else if (policy.maxGasPriceWei !== undefined && ctx.gasPriceWei > policy.maxGasPriceWei && !isForced(item))
      waiting.push({ item, reason: `gas price ${ctx.gasPriceWei} wei above the cap ${policy.maxGasPriceWei}` });
    else ready.push(item);
  }
  ready = ready.sort((a, b) => (b.payout > a.payout ? 1 : b.payout < a.payout ? -1 : 0));
  const size = Math.max(1, Math.min(policy.batchSize ?? ctx.maxBatch, ctx.maxBatch));
  const batches: PlannedBatch<K>[] = [];
  const price = async (items: DueItem<K>[]): Promise<PlannedBatch<K>> => {
    const gas = await ctx.estimate(items);
    const fee = feeInToken(gas, ctx.nanoPerGas);
    const value = items.reduce((s, i) => s + i.payout, 0n);
    return {
      items,
      gas,
      fee,
      feePercent: value === 0n ? Infinity : Number((fee * 1_000_000n) / value) / 10_000,
      forced: items.some(isForced),
    };
  };
  const withinCap = (b: PlannedBatch<K>) =>
    b.forced || b.fee * 10_000n <= BigInt(Math.round(maxPct * 100)) * b.items.reduce((s, i) => s + i.payout, 0n);
  for (let start = 0; start < ready.length; start += size) {
    const chunk = ready.slice(start, start + size);
    let chosen: PlannedBatch<K> | undefined;
    let lastReason = "";
    for (let len = chunk.length; len >= 1; len = len === 1 ? 0 : Math.max(1, Math.floor(len / 2))) {
      let b: PlannedBatch<K>;
      try {
        b = await price(chunk.slice(0, len));
      } catch (e) {
        lastReason = simulationFailure(e);
        if (len === 1) break;
        continue;
      }
      if (withinCap(b)) {
        chosen = b;
        break;
      }
      lastReason = `fee ${b.fee} is ${b.feePercent.toFixed(2)}% of ${b.items.reduce((s, i) => s + i.payout, 0n)}, above the cap ${maxPct}%`;
    }
    if (chosen) batches.push(chosen);
    for (const item of chunk.slice(chosen?.items.length ?? 0))
      waiting.push({ item, reason: chosen ? `left for a later batch: ${lastReason}` : lastReason });
  }
  return { batches, waiting };
}
