/**
 * A value that decays exponentially with a half-life, stored with its time base so it survives a
 * restart exactly: value(t) = value · 2^(−(t − at) / halfLifeMs). This is the free-usage debt (and
 * the usage debt of paying clients): geth's LES lost its expiry in a refactor, so here the decay is
 * one function, persisted with its time base, and tested across a restart of the production store.
 */
export interface Decaying {
  value: number;
  /** Time base (ms since epoch) at which `value` holds. */
  at: number;
}

export function decayedValue(d: Decaying, now: number, halfLifeMs: number): number {
  if (d.value === 0) return 0;
  const dt = now - d.at;
  if (dt <= 0) return d.value;
  return d.value * Math.pow(2, -dt / halfLifeMs);
}

/** `d` decayed to `now` plus `amount`. */
export function addDecaying(d: Decaying, amount: number, now: number, halfLifeMs: number): Decaying {
  return { value: decayedValue(d, now, Math.max(1, halfLifeMs)) + amount, at: Math.max(now, d.at) };
}

/** Ms until `d` has decayed to `target` (0 if already there). */
export function msUntilDecayedTo(d: Decaying, target: number, now: number, halfLifeMs: number): number {
  const v = decayedValue(d, now, halfLifeMs);
  if (v <= target) return 0;
  if (target <= 0) return Number.POSITIVE_INFINITY;
  return Math.ceil(halfLifeMs * Math.log2(v / target));
}
