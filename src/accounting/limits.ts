/**
 * What a mode changes in the accounting, as one strategy object per mode instead of `mode` checks
 * spread over the code: `soft` accounts and logs only (no limit, no payment, no refusal); `mock`
 * and `hard` enforce the thresholds (they differ in how cheques are verified, not in limits: see
 * swap/verifier.ts).
 */
import type { Mode, ResolvedPolicy } from "./policy.js";

export const UNBOUNDED = 1n << 255n;

export interface LimitsPolicy {
  /** Highest exposure (net debt plus reservations) we let a peer reach before refusing service. */
  serveLimit(policy: ResolvedPolicy): bigint;
  /** Highest debt we let ourselves run up with a peer that announced `peerThreshold`. */
  consumeLimit(peerThreshold: bigint, paying: boolean): bigint;
  /** Whether we pay with cheques at all. */
  readonly pays: boolean;
  /** Whether a defaulting issuer or a peer past the disconnect threshold is refused. */
  readonly refuses: boolean;
}

const soft: LimitsPolicy = {
  serveLimit: () => UNBOUNDED,
  consumeLimit: () => UNBOUNDED,
  pays: false,
  refuses: false,
};

const enforced: LimitsPolicy = {
  serveLimit: (p) => p.disconnectThreshold,
  // while we do not pay (on purpose), we let the peer decide when to refuse us
  consumeLimit: (threshold, paying) => (paying ? threshold : UNBOUNDED),
  pays: true,
  refuses: true,
};

export function limitsFor(mode: Mode): LimitsPolicy {
  return mode === "soft" ? soft : enforced;
}
