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
