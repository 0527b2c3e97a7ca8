import { Contract, Interface, type ContractRunner } from "ethers";
import { toAddress, toUint256, type AmountLike } from "../values.js";
import {
  call,
  ContractRevertError,
  registerErrorAbi,
  registerRevertClass,
  SafeERC20FailedOperationError,
} from "./errors.js";

// one class per error name: SafeERC20FailedOperation is declared in errors.ts (the chequebook's ABI has it too)
export { SafeERC20FailedOperationError };
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

// OpenZeppelin 5's ERC-6093 token errors and SafeERC20's errors: decoded by name and arguments
// wherever a token call inside one of our contracts (or the token itself) reverts.
const TOKEN_ERRORS = new Interface([
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InvalidSender(address sender)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InvalidApprover(address approver)",
  "error ERC20InvalidSpender(address spender)",
  "error SafeERC20FailedOperation(address token)",
  "error SafeERC20FailedDecreaseAllowance(address spender, uint256 currentAllowance, uint256 requestedDecrease)",
]);
registerErrorAbi(TOKEN_ERRORS);
type A<T> = T & Record<string, unknown>;
export class ERC20InsufficientBalanceError extends ContractRevertError<
  A<{ sender: string; balance: bigint; needed: bigint }>
> {
  override readonly name = "ERC20InsufficientBalanceError" as const;
}
export class ERC20InsufficientAllowanceError extends ContractRevertError<
  A<{ spender: string; allowance: bigint; needed: bigint }>
> {
  override readonly name = "ERC20InsufficientAllowanceError" as const;
}
export class ERC20InvalidSenderError extends ContractRevertError<A<{ sender: string }>> {
  override readonly name = "ERC20InvalidSenderError" as const;
}
export class ERC20InvalidReceiverError extends ContractRevertError<A<{ receiver: string }>> {
  override readonly name = "ERC20InvalidReceiverError" as const;
}
export class ERC20InvalidApproverError extends ContractRevertError<A<{ approver: string }>> {
  override readonly name = "ERC20InvalidApproverError" as const;
}
export class ERC20InvalidSpenderError extends ContractRevertError<A<{ spender: string }>> {
  override readonly name = "ERC20InvalidSpenderError" as const;
}
export class SafeERC20FailedDecreaseAllowanceError extends ContractRevertError<
  A<{ spender: string; currentAllowance: bigint; requestedDecrease: bigint }>
> {
  override readonly name = "SafeERC20FailedDecreaseAllowanceError" as const;
}
for (const [n, c] of Object.entries({
  ERC20InsufficientBalance: ERC20InsufficientBalanceError,
  ERC20InsufficientAllowance: ERC20InsufficientAllowanceError,
  ERC20InvalidSender: ERC20InvalidSenderError,
  ERC20InvalidReceiver: ERC20InvalidReceiverError,
  ERC20InvalidApprover: ERC20InvalidApproverError,
  ERC20InvalidSpender: ERC20InvalidSpenderError,
  SafeERC20FailedOperation: SafeERC20FailedOperationError,
  SafeERC20FailedDecreaseAllowance: SafeERC20FailedDecreaseAllowanceError,
}))
  registerRevertClass(n, c as never);

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
