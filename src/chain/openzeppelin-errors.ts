/**
 * OpenZeppelin 5's custom errors that reach our callers: the ERC-6093 token errors and SafeERC20's (a token
 * call inside one of our contracts, or the token itself, reverted) and those of the libraries the
 * contracts inherit (ReentrancyGuard, Create2/Clones, Address, ShortStrings, SafeCast).
 */
import { ContractRevertError, type Args } from "./revert-error.js";

// ERC-6093 (IERC20Errors) and SafeERC20
export class ERC20InsufficientBalanceError extends ContractRevertError<
  Args<{ sender: string; balance: bigint; needed: bigint }>
> {
  override readonly name = "ERC20InsufficientBalanceError" as const;
}
export class ERC20InsufficientAllowanceError extends ContractRevertError<
  Args<{ spender: string; allowance: bigint; needed: bigint }>
> {
  override readonly name = "ERC20InsufficientAllowanceError" as const;
}
export class ERC20InvalidSenderError extends ContractRevertError<Args<{ sender: string }>> {
  override readonly name = "ERC20InvalidSenderError" as const;
}
export class ERC20InvalidReceiverError extends ContractRevertError<Args<{ receiver: string }>> {
  override readonly name = "ERC20InvalidReceiverError" as const;
}
export class ERC20InvalidApproverError extends ContractRevertError<Args<{ approver: string }>> {
  override readonly name = "ERC20InvalidApproverError" as const;
}
export class ERC20InvalidSpenderError extends ContractRevertError<Args<{ spender: string }>> {
  override readonly name = "ERC20InvalidSpenderError" as const;
}
export class SafeERC20FailedDecreaseAllowanceError extends ContractRevertError<
  Args<{ spender: string; currentAllowance: bigint; requestedDecrease: bigint }>
> {
  override readonly name = "SafeERC20FailedDecreaseAllowanceError" as const;
}
export class SafeERC20FailedOperationError extends ContractRevertError<Args<{ token: string }>> {
  override readonly name = "SafeERC20FailedOperationError" as const;
}

// libraries the contracts inherit
export class ReentrancyGuardReentrantCallError extends ContractRevertError {
  override readonly name = "ReentrancyGuardReentrantCallError" as const;
}
export class FailedDeploymentError extends ContractRevertError {
  override readonly name = "FailedDeploymentError" as const;
}
export class FailedCallError extends ContractRevertError {
  override readonly name = "FailedCallError" as const;
}
export class InsufficientBalanceError extends ContractRevertError<Args<{ balance: bigint; needed: bigint }>> {
  override readonly name = "InsufficientBalanceError" as const;
}
export class InvalidShortStringError extends ContractRevertError {
  override readonly name = "InvalidShortStringError" as const;
}
export class StringTooLongError extends ContractRevertError<Args<{ str: string }>> {
  override readonly name = "StringTooLongError" as const;
}
export class SafeCastOverflowedUintDowncastError extends ContractRevertError<Args<{ bits: bigint; value: bigint }>> {
  override readonly name = "SafeCastOverflowedUintDowncastError" as const;
}
