import { SettlementError } from "../errors.js";

/** A frame could not be decoded (bad varint, bad protobuf, no message set). The session survives. */
export class FrameDecodeError extends SettlementError {
  override readonly name = "FrameDecodeError" as const;
  constructor(reason: string, cause?: unknown) {
    super(`cannot decode frame: ${reason}`, { cause });
  }
}

/** A frame announced a length beyond the limit. */
export class FrameTooLargeError extends SettlementError {
  override readonly name = "FrameTooLargeError" as const;
  constructor(
    readonly length: number,
    readonly maxLength: number,
  ) {
    super(`frame of ${length} bytes exceeds the limit of ${maxLength}`);
  }
}

/** The peer's handshake is unacceptable (threshold out of bounds, other chain, bad address). */
export class HandshakeRejectedError extends SettlementError {
  override readonly name = "HandshakeRejectedError" as const;
  constructor(
    readonly reason: string,
    details?: string,
  ) {
    super(`handshake rejected: ${reason}`, { details });
  }
}

/** The announced payment threshold is outside the configured bounds. */
export class ThresholdOutOfBoundsError extends SettlementError {
  override readonly name = "ThresholdOutOfBoundsError" as const;
  constructor(
    readonly threshold: bigint,
    readonly min: bigint,
    readonly max: bigint,
  ) {
    super(`payment threshold ${threshold} outside [${min}, ${max}]`);
  }
}

/** The transport is closed. */
export class ConnectionClosedError extends SettlementError {
  override readonly name = "ConnectionClosedError" as const;
  constructor(reason = "connection closed") {
    super(reason);
  }
}

/** A reconnect attempt during the peer's embargo. */
export class EmbargoedError extends SettlementError {
  override readonly name = "EmbargoedError" as const;
  constructor(
    readonly peer: string,
    readonly untilMs: number,
  ) {
    super(`peer ${peer} is embargoed until ${new Date(untilMs).toISOString()}`);
  }
}

/** Typed refusal reasons on the wire (`ServiceResponse.code`). */
export type RefusalCode =
  | "UnknownProtocol"
  | "PaymentRequired"
  | "IssuerDefaulting"
  | "StoreUnavailable"
  | "Overdraft"
  | "ServiceFailed"
  | "Busy";

/** The peer refused our request (it wants payment first, or it embargoed us). `code` is the typed
 * reason the peer sent (empty from peers that do not send one). */
export class ServiceRefusedError extends SettlementError {
  override readonly name = "ServiceRefusedError" as const;
  constructor(
    readonly reason: string,
    readonly code: RefusalCode | "" = "",
  ) {
    super(`service refused: ${reason}`);
  }
}

/** A per-node cap (connections, pending handshakes) is reached: the new connection is closed. */
export class ConnectionLimitError extends SettlementError {
  override readonly name = "ConnectionLimitError" as const;
  constructor(
    readonly kind: "connections" | "handshakes",
    readonly limit: number,
  ) {
    super(`too many ${kind}: limit ${limit}`);
  }
}

/** A number sent by the peer is outside the range we accept. */
export class PeerValueOutOfRangeError extends SettlementError {
  override readonly name = "PeerValueOutOfRangeError" as const;
  constructor(
    readonly field: string,
    readonly value: bigint,
    readonly max: bigint,
  ) {
    super(`peer sent ${field} = ${value}, above the limit ${max}`);
  }
}

/** The peer's announced balance view is further from ours than the tolerance: treated as fraud. */
export class BalanceMismatchError extends SettlementError {
  override readonly name = "BalanceMismatchError" as const;
  constructor(
    readonly peer: string,
    readonly announced: bigint,
    readonly local: bigint,
    readonly drift: bigint,
    readonly tolerance: bigint,
  ) {
    super(
      `peer ${peer} claims we owe ${announced}, we hold ${local}: drift ${drift} exceeds the tolerance ${tolerance}`,
    );
  }
}

/** The peer sent too many malformed frames within the window: disconnected and embargoed. */
export class TooManyBadFramesError extends SettlementError {
  override readonly name = "TooManyBadFramesError" as const;
  constructor(
    readonly count: number,
    readonly windowMs: number,
  ) {
    super(`${count} malformed frames within ${windowMs} ms`);
  }
}

/** The session's inbox is full even with reading paused (a peer flooding within one read). */
export class InboxOverflowError extends SettlementError {
  override readonly name = "InboxOverflowError" as const;
  constructor(readonly limit: number) {
    super(`more than ${limit} frames waiting`);
  }
}

/** A message that makes no sense at this point of the protocol (e.g. a second handshake). */
export class UnexpectedMessageError extends SettlementError {
  override readonly name = "UnexpectedMessageError" as const;
  constructor(readonly what: string) {
    super(`unexpected ${what}`);
  }
}

/** We cannot pay: the chequebook's uncommitted balance does not cover the cheque. */
export class InsufficientChequebookFundsError extends SettlementError {
  override readonly name = "InsufficientChequebookFundsError" as const;
  constructor(
    readonly amount: bigint,
    readonly available: bigint,
  ) {
    super(`cannot issue ${amount}: only ${available} uncommitted in the chequebook`);
  }
}

// ------------------------------------------------------------------ receiving a cheque: one class per failure

export abstract class ChequeRejectedError extends SettlementError {}

export class WrongBeneficiaryError extends ChequeRejectedError {
  override readonly name = "WrongBeneficiaryError" as const;
  constructor(
    readonly expected: string,
    readonly got: string,
  ) {
    super(`cheque is for ${got}, not us (${expected})`);
  }
}
export class WrongChainError extends ChequeRejectedError {
  override readonly name = "WrongChainError" as const;
  constructor(
    readonly expected: bigint,
    readonly got: bigint,
  ) {
    super(`cheque is for chain ${got}, we are on ${expected}`);
  }
}
export class ChequebookChangedError extends ChequeRejectedError {
  override readonly name = "ChequebookChangedError" as const;
  constructor(
    readonly expected: string,
    readonly got: string,
  ) {
    super(`peer pays from ${got}, but its chequebook is ${expected}`);
  }
}
export class NonIncreasingChequeError extends ChequeRejectedError {
  override readonly name = "NonIncreasingChequeError" as const;
  constructor(
    readonly cumulativePayout: bigint,
    readonly lastCumulativePayout: bigint,
  ) {
    super(`cumulative payout ${cumulativePayout} is not above the last received ${lastCumulativePayout}`);
  }
}
export class ChequeBelowMinimumError extends ChequeRejectedError {
  override readonly name = "ChequeBelowMinimumError" as const;
  constructor(
    readonly amount: bigint,
    readonly minimum: bigint,
  ) {
    super(`cheque pays ${amount}, below the minimum ${minimum}`);
  }
}
export class UnknownChequebookError extends ChequeRejectedError {
  override readonly name = "UnknownChequebookError" as const;
  constructor(readonly chequebook: string) {
    super(`chequebook ${chequebook} was not deployed by a known factory`);
  }
}
export class BadChequeSignatureError extends ChequeRejectedError {
  override readonly name = "BadChequeSignatureError" as const;
  constructor(
    readonly issuer: string,
    readonly recovered: string | undefined,
  ) {
    super(`cheque not signed by the chequebook's issuer ${issuer}${recovered ? ` (signed by ${recovered})` : ""}`);
  }
}
export class InsufficientLiquidityError extends ChequeRejectedError {
  override readonly name = "InsufficientLiquidityError" as const;
  constructor(
    readonly required: bigint,
    readonly available: bigint,
  ) {
    super(`chequebook can pay ${available} of the ${required} it would owe us`);
  }
}

/** A contract-wallet (ERC-1271) issuer's cheque would leave more uncashed than our policy for such
 * issuers allows (its wallet can stop honouring the signature at any time). */
export class ContractIssuerLimitError extends ChequeRejectedError {
  override readonly name = "ContractIssuerLimitError" as const;
  constructor(
    readonly uncashed: bigint,
    readonly limit: bigint,
  ) {
    super(`contract-wallet issuer: ${uncashed} uncashed exceeds the limit ${limit}`);
  }
}

/** No response to a request in time. The reservation is released; the peer may still have
 * metered it, which the next cheque or handshake reconciles (views can differ by that request). */
export class RequestTimeoutError extends SettlementError {
  override readonly name = "RequestTimeoutError" as const;
  constructor(
    readonly protocol: string,
    readonly ms: number,
  ) {
    super(`no response to a ${protocol} request within ${ms} ms`);
  }
}
