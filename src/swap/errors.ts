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
  constructor(readonly length: number, readonly maxLength: number) {
    super(`frame of ${length} bytes exceeds the limit of ${maxLength}`);
  }
}

/** The peer's handshake is unacceptable (threshold out of bounds, other chain, bad address). */
export class HandshakeRejectedError extends SettlementError {
  override readonly name = "HandshakeRejectedError" as const;
  constructor(readonly reason: string, details?: string) {
    super(`handshake rejected: ${reason}`, { details });
  }
}

/** The announced payment threshold is outside the configured bounds. */
export class ThresholdOutOfBoundsError extends SettlementError {
  override readonly name = "ThresholdOutOfBoundsError" as const;
  constructor(readonly threshold: bigint, readonly min: bigint, readonly max: bigint) {
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
  constructor(readonly peer: string, readonly untilMs: number) {
    super(`peer ${peer} is embargoed until ${new Date(untilMs).toISOString()}`);
  }
}

/** The peer refused our request (it wants payment first, or it embargoed us). */
export class ServiceRefusedError extends SettlementError {
  override readonly name = "ServiceRefusedError" as const;
  constructor(readonly reason: string) {
    super(`service refused: ${reason}`);
  }
}

/** We cannot pay: the chequebook's uncommitted balance does not cover the cheque. */
export class InsufficientChequebookFundsError extends SettlementError {
  override readonly name = "InsufficientChequebookFundsError" as const;
  constructor(readonly amount: bigint, readonly available: bigint) {
    super(`cannot issue ${amount}: only ${available} uncommitted in the chequebook`);
  }
}

// ------------------------------------------------------------------ receiving a cheque: one class per failure

export abstract class ChequeRejectedError extends SettlementError {}

export class WrongBeneficiaryError extends ChequeRejectedError {
  override readonly name = "WrongBeneficiaryError" as const;
  constructor(readonly expected: string, readonly got: string) {
    super(`cheque is for ${got}, not us (${expected})`);
  }
}
export class WrongChainError extends ChequeRejectedError {
  override readonly name = "WrongChainError" as const;
  constructor(readonly expected: bigint, readonly got: bigint) {
    super(`cheque is for chain ${got}, we are on ${expected}`);
  }
}
export class ChequebookChangedError extends ChequeRejectedError {
  override readonly name = "ChequebookChangedError" as const;
  constructor(readonly expected: string, readonly got: string) {
    super(`peer pays from ${got}, but its chequebook is ${expected}`);
  }
}
export class NonIncreasingChequeError extends ChequeRejectedError {
  override readonly name = "NonIncreasingChequeError" as const;
  constructor(readonly cumulativePayout: bigint, readonly lastCumulativePayout: bigint) {
    super(`cumulative payout ${cumulativePayout} is not above the last received ${lastCumulativePayout}`);
  }
}
export class ChequeBelowMinimumError extends ChequeRejectedError {
  override readonly name = "ChequeBelowMinimumError" as const;
  constructor(readonly amount: bigint, readonly minimum: bigint) {
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
  constructor(readonly issuer: string, readonly recovered: string | undefined) {
    super(`cheque not signed by the chequebook's issuer ${issuer}${recovered ? ` (signed by ${recovered})` : ""}`);
  }
}
export class InsufficientLiquidityError extends ChequeRejectedError {
  override readonly name = "InsufficientLiquidityError" as const;
  constructor(readonly required: bigint, readonly available: bigint) {
    super(`chequebook can pay ${available} of the ${required} it would owe us`);
  }
}

/** No response to a request in time. The reservation is released; the peer may still have
 * metered it, which the next cheque or handshake reconciles (views can differ by that request). */
export class RequestTimeoutError extends SettlementError {
  override readonly name = "RequestTimeoutError" as const;
  constructor(readonly protocol: string, readonly ms: number) {
    super(`no response to a ${protocol} request within ${ms} ms`);
  }
}
