/**
 * Thresholds and the tit-for-tat policy (Waku SWAP accounting, Bee's mechanics): cooperate first;
 * defect once a peer's debt passes the disconnect threshold (payment threshold × (1 + tolerance)),
 * with an embargo proportional to the debt; cooperate again once it pays. Per request the policy
 * says which service class the peer gets, so a server can serve paying peers first.
 */
import { InvalidArgumentError } from "../errors.js";

export type Mode = "soft" | "mock" | "hard";
export type ServiceClass = "paid" | "free" | "refused";

export interface PolicyConfig {
  /** soft: account and log only; mock: cheques and policy, no chain; hard: full on-chain checks. */
  mode: Mode;
  /** The payment threshold we announce: pay us once you owe this much. */
  paymentThreshold: bigint;
  /** Disconnect a peer at paymentThreshold × (100 + tolerancePercent) / 100. Default 50. */
  tolerancePercent?: bigint;
  /** Pay a peer once our debt reaches its threshold × (100 − earlyPaymentPercent) / 100. Default 0. */
  earlyPaymentPercent?: bigint;
  /** Bounds for the thresholds peers announce. Default: our own threshold ÷ 1,000 (at least 1) to
   * our threshold × 1,000. */
  minPeerThreshold?: bigint;
  maxPeerThreshold?: bigint;
  /** Embargo after a disconnect for debt: this many ms per unit of debt (capped). Default 0.01 ms. */
  embargoMsPerUnit?: number;
  maxEmbargoMs?: number;
  /** Free tier: debt forgiven at this rate per second, counted from connection time. */
  freePerSecond?: bigint;
  /** The smallest cheque we accept (the increase, not the cumulative). Default 1. */
  minChequeValue?: bigint;
  /** Price per unit of service, per protocol; default 1 (the spec's karma counter). */
  prices?: Record<string, bigint>;
  /** Most units one request may be priced at (a handler reporting more is capped). Default 1,000,000. */
  maxUnitsPerRequest?: number;
  /** How far a peer's announced balance may exceed our own view of our debt to it, summed over a
   * connection, before we treat it as fraud. Default: twice the peer's announced payment threshold. */
  syncTolerance?: bigint;
  /** Contract-wallet (ERC-1271) issuers whose chequebook has no hard deposits: the bound on
   * uncashed + exposure that stands in for the guarantee (docs/swap-protocol.md, "Credit to
   * contract-wallet issuers"). Default: our payment threshold. 0: no credit. */
  contractIssuerMaxUncashed?: bigint;
  /** Contract-wallet issuers: our own ceiling on uncashed + exposure, on top of what the chain
   * guarantees (the revocation risk we accept). Default: none. 0 refuses paid work for them. */
  contractIssuerMaxCredit?: bigint;
}

export interface ResolvedPolicy extends Required<
  Omit<PolicyConfig, "prices" | "syncTolerance" | "contractIssuerMaxCredit">
> {
  prices: Record<string, bigint>;
  syncTolerance?: bigint;
  contractIssuerMaxCredit?: bigint;
  disconnectThreshold: bigint;
}

export function resolvePolicy(c: PolicyConfig): ResolvedPolicy {
  if (!["soft", "mock", "hard"].includes(c.mode))
    throw new InvalidArgumentError("mode", c.mode, '"soft", "mock" or "hard"');
  if (c.paymentThreshold <= 0n)
    throw new InvalidArgumentError("paymentThreshold", c.paymentThreshold, "a positive amount");
  const tolerancePercent = c.tolerancePercent ?? 50n;
  const earlyPaymentPercent = c.earlyPaymentPercent ?? 0n;
  if (earlyPaymentPercent < 0n || earlyPaymentPercent >= 100n)
    throw new InvalidArgumentError("earlyPaymentPercent", earlyPaymentPercent, "0..99");
  if (tolerancePercent < 0n) throw new InvalidArgumentError("tolerancePercent", tolerancePercent, ">= 0");
  if (
    c.maxUnitsPerRequest !== undefined &&
    !(Number.isSafeInteger(c.maxUnitsPerRequest) && c.maxUnitsPerRequest >= 1 && c.maxUnitsPerRequest <= 2 ** 32 - 1)
  ) {
    throw new InvalidArgumentError("maxUnitsPerRequest", c.maxUnitsPerRequest, "an integer in 1..2^32-1");
  }
  for (const k of ["contractIssuerMaxUncashed", "contractIssuerMaxCredit"] as const) {
    const v = c[k];
    if (v !== undefined && v < 0n) throw new InvalidArgumentError(k, v, ">= 0");
  }
  for (const [name, v] of Object.entries(c.prices ?? {}))
    if (v < 0n) throw new InvalidArgumentError(`prices.${name}`, v, ">= 0");
  return {
    mode: c.mode,
    paymentThreshold: c.paymentThreshold,
    tolerancePercent,
    earlyPaymentPercent,
    minPeerThreshold: c.minPeerThreshold ?? (c.paymentThreshold / 1000n > 0n ? c.paymentThreshold / 1000n : 1n),
    maxPeerThreshold: c.maxPeerThreshold ?? c.paymentThreshold * 1000n,
    embargoMsPerUnit: c.embargoMsPerUnit ?? 0.01,
    maxEmbargoMs: c.maxEmbargoMs ?? 10 * 60_000,
    freePerSecond: c.freePerSecond ?? 0n,
    minChequeValue: c.minChequeValue ?? 1n,
    prices: c.prices ?? {},
    maxUnitsPerRequest: c.maxUnitsPerRequest ?? 1_000_000,
    syncTolerance: c.syncTolerance,
    contractIssuerMaxUncashed: c.contractIssuerMaxUncashed ?? c.paymentThreshold,
    contractIssuerMaxCredit: c.contractIssuerMaxCredit,
    disconnectThreshold: (c.paymentThreshold * (100n + tolerancePercent)) / 100n,
  };
}

/** The server's price: at least one unit per served request, at most `maxUnitsPerRequest`. */
export function priceOf(policy: ResolvedPolicy, protocol: string, units: number | bigint): bigint {
  let u = BigInt(units);
  if (u < 1n) u = 1n;
  const max = BigInt(policy.maxUnitsPerRequest);
  if (u > max) u = max;
  return (policy.prices[protocol] ?? 1n) * u;
}

/** When we pay a peer that announced `peerThreshold`. */
export function payAt(policy: ResolvedPolicy, peerThreshold: bigint): bigint {
  const at = (peerThreshold * (100n - policy.earlyPaymentPercent)) / 100n;
  return at > 0n ? at : 1n;
}

/** Embargo for a peer disconnected owing `debt`. */
export function embargoMs(policy: ResolvedPolicy, debt: bigint): number {
  return Math.max(0, Math.min(policy.maxEmbargoMs, Math.ceil(Number(debt) * policy.embargoMsPerUnit)));
}
