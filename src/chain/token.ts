import { Contract, type ContractRunner } from "ethers";
import { toAddress, toUint256, type AmountLike } from "../values.js";
import { call } from "./errors.js";
import { send, simulate, type TxResult } from "./tx.js";
import type { Hex } from "../crypto/index.js";

const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address,address) view returns (uint256)",
  "function approve(address,uint256) returns (bool)",
  "function transfer(address,uint256) returns (bool)",
  "function decimals() view returns (uint8)",
  "function symbol() view returns (string)",
  "function mint(address,uint256)",
];

// OpenZeppelin 5's ERC-6093 token errors and SafeERC20's: decoded by name and arguments wherever a token
// call inside one of our contracts (or the token itself) reverts; re-exported here for their users
export {
  ERC20InsufficientBalanceError,
  ERC20InsufficientAllowanceError,
  ERC20InvalidSenderError,
  ERC20InvalidReceiverError,
  ERC20InvalidApproverError,
  ERC20InvalidSpenderError,
  SafeERC20FailedDecreaseAllowanceError,
  SafeERC20FailedOperationError,
} from "./openzeppelin-errors.js";

/** A token's display facts, read once. */
export interface TokenInfo {
  address: Hex;
  symbol: string;
  decimals: number;
}

/** The few ERC20 calls the settlement flows need. */
export class TokenClient {
  readonly address: Hex;
  readonly #c: Contract;
  constructor(address: string, runner: ContractRunner) {
    this.address = toAddress(address, "token");
    this.#c = new Contract(this.address, ERC20_ABI, runner);
  }
  balanceOf(who: string): Promise<bigint> {
    return call(() => this.#c.balanceOf(toAddress(who)));
  }
  allowance(owner: string, spender: string): Promise<bigint> {
    return call(() => this.#c.allowance(toAddress(owner), toAddress(spender)));
  }
  approve(spender: string, amount: AmountLike): Promise<TxResult> {
    return send(() => this.#c.approve(toAddress(spender), toUint256(amount)));
  }
  transfer(to: string, amount: AmountLike): Promise<TxResult> {
    return send(() => this.#c.transfer(toAddress(to), toUint256(amount)));
  }
  symbol(): Promise<string> {
    return call(() => this.#c.symbol());
  }
  async decimals(): Promise<number> {
    return Number(await call<bigint>(() => this.#c.decimals()));
  }
  async info(): Promise<TokenInfo> {
    const [symbol, decimals] = await Promise.all([this.symbol(), this.decimals()]);
    return { address: this.address, symbol, decimals };
  }
  /** The open `mint` of the test token (development chains only: the caller checks). Simulated first. */
  async mint(to: string, amount: AmountLike): Promise<TxResult> {
    const args = [toAddress(to), toUint256(amount)] as const;
    await simulate(() => this.#c.mint.estimateGas(...args));
    return send(() => this.#c.mint(...args));
  }
}
