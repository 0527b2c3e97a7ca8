/**
 * The payout rule of ServicePlans.sol in TypeScript, to the wei: `mulDiv(budget, shares, denominator)`
 * rounded down, `denominator = max(totalShares, shareCap)` (or `totalShares` when `shareCap = 0`).
 */
export interface PayoutInput {
  budget: bigint;
  bond: bigint;
  shareCap: bigint;
  /** Final shares per provider (after the submission deadline). */
  shares: ReadonlyMap<string, bigint>;
  /** Providers that will claim (default: all). Unclaimed payouts go back with the sweep. */
  claimants?: ReadonlySet<string>;
}

export interface PayoutResult {
  totalShares: bigint;
  denominator: bigint;
  overIssued: boolean;
  /** What each provider's claim pays. */
  payouts: Map<string, bigint>;
  /** What the sweep returns to the funder. */
  sweep: bigint;
  /** The bond kept locked forever (over-issued plans). */
  forfeited: bigint;
  /** The guaranteed minimum per share: floor(budget / shareCap), 0 without a cap. */
  floorPerShare: bigint;
}

export function computePayouts(input: PayoutInput): PayoutResult {
  let totalShares = 0n;
  for (const s of input.shares.values()) totalShares += s;
  const denominator = input.shareCap > totalShares ? input.shareCap : totalShares;
  const payouts = new Map<string, bigint>();
  let paid = 0n;
  for (const [provider, s] of input.shares) {
    const amount = denominator === 0n ? 0n : (input.budget * s) / denominator;
    payouts.set(provider, amount);
    if (!input.claimants || input.claimants.has(provider)) paid += amount;
  }
  const overIssued = input.shareCap !== 0n && totalShares > input.shareCap;
  const forfeited = overIssued ? input.bond : 0n;
  return {
    totalShares,
    denominator,
    overIssued,
    payouts,
    sweep: input.budget + input.bond - paid - forfeited,
    forfeited,
    floorPerShare: input.shareCap === 0n ? 0n : input.budget / input.shareCap,
  };
}
