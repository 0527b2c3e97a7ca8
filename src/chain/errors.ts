/**
 * Contract reverts and provider failures as typed errors. Only `chain/` catches provider errors;
 * it wraps them with the original as `cause`. A custom error of the contracts becomes the class
 * named after it (`ChequeNotIncreasing` → `ChequeNotIncreasingError`) with its arguments by name:
 * the decoder reads the generated error ABI and the one name → class table (./revert-classes.ts),
 * so importing any module decodes every error and no module registers anything at import time.
 */
import { Interface, isError } from "ethers";
import { SettlementError } from "../errors.js";
import { contractErrorsAbi } from "../abi/generated.js";
import { ContractRevertError } from "./revert-error.js";
import { REVERT_CLASSES, type RevertClass } from "./revert-classes.js";

export { ContractRevertError } from "./revert-error.js";
export * from "./chequebook-errors.js";
export * from "./plans-errors.js";
export * from "./openzeppelin-errors.js";
export type { RevertClass } from "./revert-classes.js";

/** The typed class of a contract's custom error name (`"ChequeNotIncreasing"`), if it is one of theirs. */
export function revertClassFor(errorName: string): RevertClass | undefined {
  // each class narrows its arguments; the decoder passes what the ABI decoded for that very error
  const classes: Readonly<Record<string, RevertClass>> = REVERT_CLASSES as unknown as Record<string, RevertClass>;
  return Object.hasOwn(classes, errorName) ? classes[errorName] : undefined;
}

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

let decoder: Interface | undefined;
/** One ethers Interface over every custom error of the contracts, built on the first revert decoded. */
function errorInterface(): Interface {
  return (decoder ??= new Interface(contractErrorsAbi));
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
    let parsed;
    try {
      parsed = errorInterface().parseError(data);
    } catch {
      parsed = null; // a known selector with undecodable arguments: reported as unknown, with its data
    }
    if (!parsed) return new ContractRevertError("unknown", { data }, { cause: e, data });
    const args: Record<string, unknown> = {};
    parsed.fragment.inputs.forEach((input, i) => (args[input.name || String(i)] = parsed.args[i]));
    const Ctor = revertClassFor(parsed.name) ?? ContractRevertError;
    return new Ctor(parsed.name, args, { cause: e, data });
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
