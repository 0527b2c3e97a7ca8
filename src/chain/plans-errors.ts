/**
 * The custom errors of ServicePlans (contracts/plans/IServicePlans.sol): one class per error, named after
 * it (`SubmissionClosed` → `SubmissionClosedError`), with its arguments by name.
 */
import { ContractRevertError, type Args } from "./revert-error.js";

export class SubmissionClosedError extends ContractRevertError<
  Args<{ planId: bigint; submitDeadline: bigint; timestamp: bigint }>
> {
  override readonly name = "SubmissionClosedError" as const;
}
export class InvalidShareTokenError extends ContractRevertError<Args<{ word: string; depth: bigint; anchor: string }>> {
  override readonly name = "InvalidShareTokenError" as const;
}
export class InvalidReceiptSignatureError extends ContractRevertError<
  Args<{ planId: bigint; provider: string; signer: string }>
> {
  override readonly name = "InvalidReceiptSignatureError" as const;
}
export class ClaimNotOpenError extends ContractRevertError<
  Args<{ planId: bigint; submitDeadline: bigint; timestamp: bigint }>
> {
  override readonly name = "ClaimNotOpenError" as const;
}
export class ClaimClosedError extends ContractRevertError<
  Args<{ planId: bigint; claimDeadline: bigint; timestamp: bigint }>
> {
  override readonly name = "ClaimClosedError" as const;
}
export class AlreadyClaimedError extends ContractRevertError<Args<{ planId: bigint; provider: string }>> {
  override readonly name = "AlreadyClaimedError" as const;
}
export class NothingToClaimError extends ContractRevertError<Args<{ planId: bigint; provider: string }>> {
  override readonly name = "NothingToClaimError" as const;
}
export class SweepNotOpenError extends ContractRevertError<
  Args<{ planId: bigint; claimDeadline: bigint; timestamp: bigint }>
> {
  override readonly name = "SweepNotOpenError" as const;
}
export class AlreadySweptError extends ContractRevertError<Args<{ planId: bigint }>> {
  override readonly name = "AlreadySweptError" as const;
}
export class UnknownPlanError extends ContractRevertError<Args<{ planId: bigint }>> {
  override readonly name = "UnknownPlanError" as const;
}
export class InvalidDeadlinesError extends ContractRevertError<
  Args<{ submitDeadline: bigint; claimDeadline: bigint; timestamp: bigint }>
> {
  override readonly name = "InvalidDeadlinesError" as const;
}
export class NotFunderError extends ContractRevertError<Args<{ caller: string; funder: string }>> {
  override readonly name = "NotFunderError" as const;
}
export class ZeroSignerError extends ContractRevertError {
  override readonly name = "ZeroSignerError" as const;
}
export class ZeroBudgetError extends ContractRevertError {
  override readonly name = "ZeroBudgetError" as const;
}
export class IncorrectNativeValueError extends ContractRevertError<Args<{ expected: bigint; sent: bigint }>> {
  override readonly name = "IncorrectNativeValueError" as const;
}
export class DepthExceedsLengthError extends ContractRevertError<Args<{ depth: bigint; length: bigint }>> {
  override readonly name = "DepthExceedsLengthError" as const;
}
export class SharesOverflowError extends ContractRevertError<Args<{ baseShares: bigint; depth: bigint }>> {
  override readonly name = "SharesOverflowError" as const;
}
// errors added with the review fixes (issue 9: P-3, P-5, P-6, bounds before arithmetic)
export class PlanExistsError extends ContractRevertError<Args<{ planId: bigint }>> {
  override readonly name = "PlanExistsError" as const;
}
export class AmountsTooLargeError extends ContractRevertError<Args<{ budget: bigint; bond: bigint }>> {
  override readonly name = "AmountsTooLargeError" as const;
}
export class ShareCapTooLargeError extends ContractRevertError<Args<{ shareCap: bigint }>> {
  override readonly name = "ShareCapTooLargeError" as const;
}
export class ClaimWindowTooShortError extends ContractRevertError<
  Args<{ submitDeadline: bigint; claimDeadline: bigint; minimum: bigint }>
> {
  override readonly name = "ClaimWindowTooShortError" as const;
}
export class InvalidMinClaimWindowError extends ContractRevertError<Args<{ minClaimWindow: bigint }>> {
  override readonly name = "InvalidMinClaimWindowError" as const;
}
export class BudgetTooLargeError extends ContractRevertError<Args<{ planId: bigint; budget: bigint; amount: bigint }>> {
  override readonly name = "BudgetTooLargeError" as const;
}
export class TotalSharesOverflowError extends ContractRevertError<
  Args<{ planId: bigint; totalShares: bigint; increase: bigint }>
> {
  override readonly name = "TotalSharesOverflowError" as const;
}
