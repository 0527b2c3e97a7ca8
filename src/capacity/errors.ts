import { SettlementError } from "../errors.js";

/** Why a client lost its place in the pool. */
export type EvictionReason =
  /** A client of higher priority needed the capacity. */
  | "outbid"
  /** The server's total capacity shrank. */
  | "capacity-reduced"
  /** The client disconnected or was removed by the operator. */
  | "closed"
  /** Not seen for `idleMs` (standard and free clients). */
  | "idle";

/** The requested capacity cannot be granted now: `available` is the most that could be. */
export class CapacityUnavailableError extends SettlementError {
  override readonly name = "CapacityUnavailableError" as const;
  constructor(
    readonly client: string,
    readonly requested: number,
    readonly available: number,
  ) {
    super(`capacity ${requested} for ${client} refused: at most ${available} can be granted now`);
  }
}

/** The client's credit does not pay for the capacity it asked for, for the time it asked for. */
export class InsufficientCreditError extends SettlementError {
  override readonly name = "InsufficientCreditError" as const;
  constructor(
    readonly client: string,
    readonly required: bigint,
    readonly credit: bigint,
  ) {
    super(`capacity for ${client} costs ${required}, credit is ${credit}`);
  }
}

/** The client was disconnected from the pool; `reason` says why. */
export class ClientEvictedError extends SettlementError {
  override readonly name = "ClientEvictedError" as const;
  constructor(
    readonly client: string,
    readonly reason: EvictionReason,
    readonly priority: number,
  ) {
    super(`client ${client} disconnected: ${reason}`, { details: `priority ${priority}` });
  }
}

/** The client is not connected to the pool. */
export class UnknownClientError extends SettlementError {
  override readonly name = "UnknownClientError" as const;
  constructor(readonly client: string) {
    super(`client ${client} is not connected`);
  }
}

/** Flow control: the client outran its buffer. It must wait `resumeAfterMs`; the request was neither
 * served nor charged. */
export class FlowStoppedError extends SettlementError {
  override readonly name = "FlowStoppedError" as const;
  constructor(
    readonly client: string,
    readonly cost: number,
    readonly buffer: number,
    readonly resumeAfterMs: number,
  ) {
    super(`client ${client} must stop for ${resumeAfterMs} ms (request cost ${cost}, buffer ${buffer})`);
  }
}

/** The free tier of the client's address group is used up until its usage debt decays. */
export class FreeAllowanceExceededError extends SettlementError {
  override readonly name = "FreeAllowanceExceededError" as const;
  constructor(
    readonly group: string,
    readonly debt: number,
    readonly allowance: number,
    readonly retryAfterMs: number,
  ) {
    super(`free allowance of group ${group} used up (${debt.toFixed(1)} of ${allowance}); retry in ${retryAfterMs} ms`);
  }
}

/** The client's queue is full: the request is refused (not served, not charged). */
export class QueueFullError extends SettlementError {
  override readonly name = "QueueFullError" as const;
  constructor(
    readonly client: string,
    readonly limit: number,
  ) {
    super(`queue of ${client} is full (${limit} requests)`);
  }
}

/** A request costs more than the client's whole flow-control buffer: it can never be served at this
 * capacity (buy more, or split it). Refused without stopping the client. */
export class RequestTooCostlyError extends SettlementError {
  override readonly name = "RequestTooCostlyError" as const;
  constructor(
    readonly client: string,
    readonly cost: number,
    readonly bufferLimit: number,
  ) {
    super(`request of ${cost} cost units exceeds ${client}'s buffer of ${bufferLimit}`);
  }
}
