/**
 * Flow control (LES's buffer/recharge model). Each client is told its buffer limit (cost units) and
 * recharge rate (= its capacity, cost units per second). Every accepted request takes its cost from
 * the buffer; the buffer refills at the recharge rate up to the limit. A request that does not fit
 * is refused with `FlowStoppedError` telling the client when to resume; it is neither served nor
 * charged, and so is every request the client sends before that moment.
 */
import { InvalidArgumentError } from "../errors.js";
import { FlowStoppedError, RequestTooCostlyError } from "./errors.js";

export interface FlowParams {
  /** Buffer limit in cost units. */
  bufferLimit: number;
  /** Recharge rate in cost units per second (the client's capacity). */
  rechargeRate: number;
}

interface Bucket {
  level: number;
  at: number;
  stoppedUntil: number;
}

export class FlowControl {
  readonly #buckets = new Map<string, Bucket>();
  /** Requests refused because the client outran its buffer or sent during a stop. */
  stops = 0;

  /** `bufferSeconds`: the buffer holds this many seconds of the client's capacity. Default 2. */
  constructor(readonly bufferSeconds = 2) {
    if (!(bufferSeconds > 0 && bufferSeconds <= 3600))
      throw new InvalidArgumentError("bufferSeconds", bufferSeconds, "in (0, 3600]");
  }

  params(capacity: number): FlowParams {
    return { bufferLimit: capacity * this.bufferSeconds, rechargeRate: capacity };
  }

  /** Take `cost` from the client's buffer or throw `FlowStoppedError` (nothing taken). */
  take(client: string, cost: number, capacity: number, now: number): number {
    const { bufferLimit, rechargeRate } = this.params(capacity);
    if (cost > bufferLimit) throw new RequestTooCostlyError(client, cost, bufferLimit);
    let b = this.#buckets.get(client);
    if (!b) {
      b = { level: bufferLimit, at: now, stoppedUntil: 0 };
      this.#buckets.set(client, b);
    }
    const level = Math.min(bufferLimit, b.level + ((now - b.at) * rechargeRate) / 1000);
    b.level = level;
    b.at = now;
    if (now < b.stoppedUntil) {
      this.stops++;
      throw new FlowStoppedError(client, cost, level, b.stoppedUntil - now);
    }
    if (cost > level) {
      const resumeAfterMs = Math.ceil(((cost - level) * 1000) / rechargeRate);
      b.stoppedUntil = now + resumeAfterMs;
      this.stops++;
      throw new FlowStoppedError(client, cost, level, resumeAfterMs);
    }
    b.level = level - cost;
    return b.level;
  }

  /** Give back a request's cost (it was taken but then not served). */
  refund(client: string, cost: number): void {
    const b = this.#buckets.get(client);
    if (b) b.level += cost;
  }

  forget(client: string): void {
    this.#buckets.delete(client);
  }
}
