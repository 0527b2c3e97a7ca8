/**
 * Contract reverts and provider failures as typed errors. Only `chain/` catches provider errors;
 * it wraps them with the original as `cause`. A custom error of the contracts becomes the class
 * named after it (`ChequeNotIncreasing` → `ChequeNotIncreasingError`) with its arguments by name.
 */
import { Interface, isError } from "ethers";
import { SettlementError, stringify } from "../errors.js";

export class ContractRevertError<A extends Record<string, unknown> = Record<string, unknown>> extends SettlementError {
  override readonly name: string = "ContractRevertError";
  constructor(
    /** The Solidity error name, e.g. "ChequeNotIncreasing". */
    readonly errorName: string,
    /** Its arguments by parameter name. */
    readonly args: A,
    opts: { cause?: unknown; data?: string } = {},
  ) {
    super(`contract reverted: ${errorName}(${Object.values(args).map(stringify).join(", ")})`, {
      cause: opts.cause,
      details: opts.data,
    });
  }
}

type Args<T> = T & Record<string, unknown>;
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

type RevertCtor = new (
  errorName: string,
  args: Record<string, unknown>,
  opts?: { cause?: unknown; data?: string },
) => ContractRevertError;
const classes = new Map<string, RevertCtor>();

/** Register the typed class for a Solidity error name (used by each domain's chain client). */
export function registerRevertClass(errorName: string, ctor: RevertCtor): void {
  classes.set(errorName, ctor);
}
for (const [n, c] of Object.entries({
  NotIssuer: NotIssuerError,
  InvalidIssuerSignature: InvalidIssuerSignatureError,
  InvalidBeneficiarySignature: InvalidBeneficiarySignatureError,
  ChequeNotIncreasing: ChequeNotIncreasingError,
  CallerPayoutExceedsPayout: CallerPayoutExceedsPayoutError,
  RelayedChequeWouldBounce: RelayedChequeWouldBounceError,
  ZeroRecipient: ZeroRecipientError,
  InsufficientLiquidBalance: InsufficientLiquidBalanceError,
  HardDepositExceedsBalance: HardDepositExceedsBalanceError,
  DecreaseExceedsHardDeposit: DecreaseExceedsHardDepositError,
  NoDecreasePrepared: NoDecreasePreparedError,
  DecreaseNotDue: DecreaseNotDueError,
  TimeoutSignatureUsed: TimeoutSignatureUsedError,
  InitializedAtCreation: InitializedAtCreationError,
  NotAClone: NotACloneError,
  ZeroIssuer: ZeroIssuerError,
}))
  registerRevertClass(n, c as RevertCtor);

/** The node could not be reached, dropped the transaction, or answered with something unexpected. */
export class ProviderError extends SettlementError {
  override readonly name = "ProviderError" as const;
  constructor(
    /** ethers' error code, e.g. "NETWORK_ERROR", "TIMEOUT", "NONCE_EXPIRED". */
    readonly code: string,
    message: string,
    cause: unknown,
  ) {
    super(`provider error (${code}): ${message}`, { cause });
  }
  /** Worth retrying with back-off: the failure says nothing about the call itself. */
  get retryable(): boolean {
    return [
      "NETWORK_ERROR",
      "TIMEOUT",
      "SERVER_ERROR",
      "NONCE_EXPIRED",
      "REPLACEMENT_UNDERPRICED",
      "TRANSACTION_REPLACED",
      "UNKNOWN_ERROR",
    ].includes(this.code);
  }
}

/** A transaction was mined but reverted without data we can decode (out of gas, …). */
export class TransactionRevertedError extends SettlementError {
  override readonly name = "TransactionRevertedError" as const;
  constructor(
    readonly txHash: string | undefined,
    cause?: unknown,
  ) {
    super(`transaction reverted${txHash ? ` (${txHash})` : ""}`, { cause });
  }
}

const interfaces: Interface[] = [];
/** Make a contract's custom errors decodable by `toSettlementError`. */
export function registerErrorAbi(iface: Interface): void {
  interfaces.push(iface);
}

function revertData(e: unknown): string | undefined {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  // ethers nests the revert data differently per provider; walk the usual places.
  while (cur && typeof cur === "object" && !seen.has(cur)) {
    seen.add(cur);
    const o = cur as Record<string, unknown>;
    if (typeof o.data === "string" && /^0x[0-9a-fA-F]{8}/.test(o.data)) return o.data;
    // Hardhat/EDR answers eth_sendTransaction reverts with `data: { data, reason, transactionHash }`
    cur =
      (typeof o.data === "object" ? o.data : undefined) ??
      o.error ??
      (o.info as Record<string, unknown> | undefined)?.error ??
      o.cause;
  }
  return undefined;
}

/** Turn anything a provider or contract call threw into a typed `SettlementError`. */
export function toSettlementError(e: unknown): SettlementError {
  if (e instanceof SettlementError) return e;
  const data = revertData(e);
  if (data) {
    for (const iface of interfaces) {
      let parsed;
      try {
        parsed = iface.parseError(data);
      } catch {
        parsed = null;
      }
      if (parsed) {
        const args: Record<string, unknown> = {};
        parsed.fragment.inputs.forEach((input, i) => (args[input.name || String(i)] = parsed.args[i]));
        const Ctor = classes.get(parsed.name) ?? ContractRevertError;
        return new Ctor(parsed.name, args, { cause: e, data });
      }
    }
    return new ContractRevertError("unknown", { data }, { cause: e, data });
  }
  if (isError(e, "CALL_EXCEPTION")) return new TransactionRevertedError(e.receipt?.hash ?? undefined, e);
  const code = (e as { code?: unknown })?.code;
  const message =
    (e as { shortMessage?: string; message?: string })?.shortMessage ?? (e as Error)?.message ?? String(e);
  return new ProviderError(typeof code === "string" ? code : "UNKNOWN_ERROR", message, e);
}

/** Run a provider call, converting whatever it throws. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toSettlementError(e);
  }
}

// Chequebook / factory (issue 9: review findings C-1 … C-9) and the batch cash-out contracts (issue 11).
// Every custom error in the ABI of Chequebook, ChequebookFactory, CashoutRouter and BatchCashoutExecutor has
// a class here (checked by test/e2e/chequebook-findings.test.ts), including the OpenZeppelin ones they inherit.
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
export class ReentrancyGuardReentrantCallError extends ContractRevertError {
  override readonly name = "ReentrancyGuardReentrantCallError" as const;
}
export class SafeERC20FailedOperationError extends ContractRevertError<Args<{ token: string }>> {
  override readonly name = "SafeERC20FailedOperationError" as const;
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
export class FailedDeploymentError extends ContractRevertError {
  override readonly name = "FailedDeploymentError" as const;
}
for (const [n, c] of Object.entries({
  CashoutSignatureUsed: CashoutSignatureUsedError,
  HardDepositTooLarge: HardDepositTooLargeError,
  TimeoutEpochMismatch: TimeoutEpochMismatchError,
  ReentrancyGuardReentrantCall: ReentrancyGuardReentrantCallError,
  SafeERC20FailedOperation: SafeERC20FailedOperationError,
  TimeoutTooLarge: TimeoutTooLargeError,
  ChequebookAlreadyDeployed: ChequebookAlreadyDeployedError,
  FailedDeployment: FailedDeploymentError,
}))
  registerRevertClass(n, c as RevertCtor);

/** The typed class registered for a Solidity error name, if any. */
export function revertClassFor(errorName: string): RevertCtor | undefined {
  return classes.get(errorName);
}
export class GasPerEntryTooLowError extends ContractRevertError<Args<{ gasPerEntry: bigint; min: bigint }>> {
  override readonly name = "GasPerEntryTooLowError" as const;
}
export class OnlySelfError extends ContractRevertError<Args<{ caller: string }>> {
  override readonly name = "OnlySelfError" as const;
}
for (const [n, c] of Object.entries({ GasPerEntryTooLow: GasPerEntryTooLowError, OnlySelf: OnlySelfError }))
  registerRevertClass(n, c as unknown as RevertCtor);
export class InsufficientGasForEntryError extends ContractRevertError<
  Args<{ index: bigint; gasLeft: bigint; needed: bigint }>
> {
  override readonly name = "InsufficientGasForEntryError" as const;
}
registerRevertClass("InsufficientGasForEntry", InsufficientGasForEntryError as unknown as RevertCtor);
