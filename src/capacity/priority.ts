/**
 * The one priority function. Allocation, eviction and quotes all call `priorityOf`, so what a quote
 * promises is what the pool does (geth's LES had one estimate for quotes and another for eviction,
 * and they disagreed).
 *
 * Three bands, compared as plain numbers: every priority-class client outranks every standard one,
 * every standard one every free one — so any paying client outranks every free one.
 *   priority: 2·BAND + ms its credit still holds its capacity above the minimum
 *   standard: 1·BAND + (BAND − 1 − decayed usage debt)    (post-paid; lighter recent use ranks higher)
 *   free:     0·BAND + (BAND − 1 − decayed usage debt of its address group)
 * Shrinking a priority client's capacity makes its credit last longer, so its priority never falls
 * when it is shrunk: the eviction loop can re-evaluate it after each step.
 */
import { holdingMs } from "./pricing.js";

export type CapacityClass = "priority" | "standard" | "free";

/** Scheduler tier: strict precedence, lower first. */
export const TIER: Record<CapacityClass, number> = { priority: 0, standard: 1, free: 2 };

export const BAND = 1e12;

export interface PriorityInput {
  cls: CapacityClass;
  /** Priority class: credit at `now`, the locked price, and the capacity above the minimum it pays for. */
  credit?: bigint;
  priceMicro?: bigint;
  extra?: number;
  /** Standard and free: decayed usage debt (cost units). */
  usageDebt?: number;
}

export function priorityOf(p: PriorityInput): number {
  if (p.cls === "priority") {
    const ms = holdingMs(p.priceMicro ?? 1n, p.extra ?? 0, p.credit ?? 0n);
    return 2 * BAND + Math.min(BAND - 1, ms);
  }
  const debt = Math.min(BAND - 1, Math.max(0, p.usageDebt ?? 0));
  return (p.cls === "standard" ? BAND : 0) + (BAND - 1 - debt);
}

export function classOfPriority(priority: number): CapacityClass {
  return priority >= 2 * BAND ? "priority" : priority >= BAND ? "standard" : "free";
}
