/**
 * The custom errors of the chequebook, its factory (issue 9: review findings C-1 … C-9) and the batch
 * cash-out contracts (issue 11), as declared under contracts/swap: one class per error, named after it
 * (`ChequeNotIncreasing` → `ChequeNotIncreasingError`), with its arguments by name.
 */
import { ContractRevertError, type Args } from "./revert-error.js";

// Chequebook / factory
// Chequebook / factory
export class NotIssuerError extends ContractRevertError<Args<{ caller: string; issuer: string }>> {
  override readonly name = "NotIssuerError" as const;
}
export class InvalidIssuerSignatureError extends ContractRevertError<
  Args<{ issuer: string; beneficiary: string; cumulativePayout: bigint }>
> {
  override readonly name = "InvalidIssuerSignatureError" as const;
}
export class InvalidBeneficiarySignatureError extends ContractRevertError<Args<{ beneficiary: string }>> {
  override readonly name = "InvalidBeneficiarySignatureError" as const;
}
export class ChequeNotIncreasingError extends ContractRevertError<
  Args<{ cumulativePayout: bigint; alreadyPaidOut: bigint }>
> {
  override readonly name = "ChequeNotIncreasingError" as const;
}
export class CallerPayoutExceedsPayoutError extends ContractRevertError<
  Args<{ callerPayout: bigint; totalPayout: bigint }>
> {
  override readonly name = "CallerPayoutExceedsPayoutError" as const;
}
export class RelayedChequeWouldBounceError extends ContractRevertError<
  Args<{ requestPayout: bigint; available: bigint }>
> {
  override readonly name = "RelayedChequeWouldBounceError" as const;
}
export class ZeroRecipientError extends ContractRevertError {
  override readonly name = "ZeroRecipientError" as const;
}
export class InsufficientLiquidBalanceError extends ContractRevertError<
  Args<{ amount: bigint; liquidBalance: bigint }>
> {
  override readonly name = "InsufficientLiquidBalanceError" as const;
}
export class HardDepositExceedsBalanceError extends ContractRevertError<
  Args<{ totalHardDeposit: bigint; balance: bigint }>
> {
  override readonly name = "HardDepositExceedsBalanceError" as const;
}
export class DecreaseExceedsHardDepositError extends ContractRevertError<
  Args<{ decreaseAmount: bigint; hardDeposit: bigint }>
> {
  override readonly name = "DecreaseExceedsHardDepositError" as const;
}
export class NoDecreasePreparedError extends ContractRevertError<Args<{ beneficiary: string }>> {
  override readonly name = "NoDecreasePreparedError" as const;
}
export class DecreaseNotDueError extends ContractRevertError<Args<{ canBeDecreasedAt: bigint; timestamp: bigint }>> {
  override readonly name = "DecreaseNotDueError" as const;
}
export class TimeoutSignatureUsedError extends ContractRevertError<Args<{ digest: string }>> {
  override readonly name = "TimeoutSignatureUsedError" as const;
}
export class InitializedAtCreationError extends ContractRevertError {
  override readonly name = "InitializedAtCreationError" as const;
}
export class NotACloneError extends ContractRevertError {
  override readonly name = "NotACloneError" as const;
}
export class ZeroIssuerError extends ContractRevertError {
  override readonly name = "ZeroIssuerError" as const;
}
export class CashoutSignatureUsedError extends ContractRevertError<Args<{ digest: string }>> {
  override readonly name = "CashoutSignatureUsedError" as const;
}
export class HardDepositTooLargeError extends ContractRevertError<Args<{ totalHardDeposit: bigint; max: bigint }>> {
  override readonly name = "HardDepositTooLargeError" as const;
}
export class TimeoutEpochMismatchError extends ContractRevertError<
  Args<{ beneficiary: string; signedEpoch: bigint; currentEpoch: bigint }>
> {
  override readonly name = "TimeoutEpochMismatchError" as const;
}
export class TimeoutTooLargeError extends ContractRevertError<
  Args<{ defaultHardDepositTimeout: bigint; max: bigint }>
> {
  override readonly name = "TimeoutTooLargeError" as const;
}
export class ChequebookAlreadyDeployedError extends ContractRevertError<
  Args<{ chequebook: string; deployer: string; salt: string }>
> {
  override readonly name = "ChequebookAlreadyDeployedError" as const;
}

// CashoutRouter / BatchCashoutExecutor
export class GasPerEntryTooLowError extends ContractRevertError<Args<{ gasPerEntry: bigint; min: bigint }>> {
  override readonly name = "GasPerEntryTooLowError" as const;
}
export class OnlySelfError extends ContractRevertError<Args<{ caller: string }>> {
  override readonly name = "OnlySelfError" as const;
}
export class InsufficientGasForEntryError extends ContractRevertError<
  Args<{ index: bigint; gasLeft: bigint; needed: bigint }>
> {
  override readonly name = "InsufficientGasForEntryError" as const;
}
