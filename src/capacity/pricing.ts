/**
 * The demand-driven price of capacity (the auction's clearing rule).
 *
 * Unit: `priceMicro` is the price of holding 1 cost unit per second of capacity for 1 second, in
 * token base units × 10⁶ (so sub-unit prices stay exact in bigint arithmetic).
 *
 * Rule: while the pool is sold out (a grant or connection was refused for lack of capacity, or paid
 * capacity holds at least `soldOutFraction` of the total) the price rises exponentially, doubling
 * every `riseDoublingMs`; otherwise it decays back, halving every `decayHalvingMs`.
 * It never leaves [minPriceMicro, maxPriceMicro]. A grant locks the price of its moment for its
 * duration, so a quote stays true for the client that acts on it at the same instant, and a holder's
 * drain rate never changes under it.
 */
import { InvalidArgumentError } from "../errors.js";

export interface PriceConfig {
  /** Floor and starting price (token base units × 10⁶ per cost-unit-second). */
  minPriceMicro: bigint;
  /** Ceiling. Default 1,000 × min. */
  maxPriceMicro?: bigint;
  /** While sold out the price doubles every this many ms. Default 60,000. */
  riseDoublingMs?: number;
  /** Otherwise it halves every this many ms (down to the floor). Default 300,000. */
  decayHalvingMs?: number;
}

export interface PriceState {
  priceMicro: bigint;
  at: number;
}

export class DemandPrice {
  readonly min: bigint;
  readonly max: bigint;
  readonly riseMs: number;
  readonly decayMs: number;
  #state: PriceState;
  #soldOut = false;

  constructor(config: PriceConfig, initial?: PriceState) {
    if (config.minPriceMicro <= 0n)
      throw new InvalidArgumentError("minPriceMicro", config.minPriceMicro, "a positive price");
    this.min = config.minPriceMicro;
    this.max = config.maxPriceMicro ?? config.minPriceMicro * 1000n;
    if (this.max < this.min)
      throw new InvalidArgumentError("maxPriceMicro", this.max, `>= minPriceMicro (${this.min})`);
    this.riseMs = config.riseDoublingMs ?? 60_000;
    this.decayMs = config.decayHalvingMs ?? 300_000;
    if (!(this.riseMs > 0) || !(this.decayMs > 0))
      throw new InvalidArgumentError(
        "riseDoublingMs/decayHalvingMs",
        [this.riseMs, this.decayMs],
        "positive durations",
      );
    this.#state = initial
      ? { priceMicro: this.#clamp(initial.priceMicro), at: initial.at }
      : { priceMicro: this.min, at: 0 };
  }

  /** The price at `now`. Pure: does not move the time base. */
  at(now: number): bigint {
    const { priceMicro, at } = this.#state;
    const dt = now - at;
    if (dt <= 0 || at === 0) return priceMicro;
    const factor = this.#soldOut ? Math.pow(2, dt / this.riseMs) : Math.pow(2, -dt / this.decayMs);
    // float factor on a bigint: relative error ~1e-15, well inside the price's own granularity
    const scaled = BigInt(Math.round(Number(priceMicro) * factor));
    return this.#clamp(scaled);
  }

  /** Record whether the pool is sold out from `now` on. */
  setSoldOut(soldOut: boolean, now: number): void {
    if (soldOut === this.#soldOut && this.#state.at !== 0) return;
    this.#state = { priceMicro: this.at(now), at: now };
    this.#soldOut = soldOut;
  }

  get soldOut(): boolean {
    return this.#soldOut;
  }

  snapshot(now: number): PriceState {
    return { priceMicro: this.at(now), at: now };
  }

  #clamp(p: bigint): bigint {
    return p < this.min ? this.min : p > this.max ? this.max : p;
  }
}

/** What holding `extra` capacity above the minimum for `ms` costs at `priceMicro` (rounded up). */
export function holdingCost(priceMicro: bigint, extra: number, ms: number): bigint {
  if (extra <= 0 || ms <= 0) return 0n;
  const n = priceMicro * BigInt(extra) * BigInt(Math.ceil(ms));
  const d = 1_000_000_000n; // 10⁶ (micro) × 1000 (ms → s)
  return (n + d - 1n) / d;
}

/** How many ms `credit` holds `extra` capacity at `priceMicro` (rounded down). */
export function holdingMs(priceMicro: bigint, extra: number, credit: bigint): number {
  if (extra <= 0) return Number.POSITIVE_INFINITY;
  if (credit <= 0n) return 0;
  return Number((credit * 1_000_000_000n) / (priceMicro * BigInt(extra)));
}
