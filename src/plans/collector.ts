/**
 * Provider side: accepts a share token with one hash against the last accepted word of its chain,
 * tolerates a bounded gap of lost packets, rejects forged and replayed tokens with typed errors,
 * keeps the best receipt and deepest word, and says when to ask for a fresh receipt so that the
 * on-chain submission (one hash per word of depth) stays cheap.
 */
import { bytesToHex, hexToBytes, type Hex } from "../crypto/index.js";
import { toAddress } from "../values.js";
import {
  ForgedShareTokenError,
  InvalidReceiptError,
  PlanRejectedError,
  ReplayedShareTokenError,
  ShareTokenGapError,
  UnknownReceiptError,
} from "./errors.js";
import { equalWords, walkChain } from "./hashchain.js";
import type { ShareToken } from "./issuer.js";
import { verifyShareReceipt, type PlansDomain, type SignedShareReceipt } from "./receipt.js";

/** The arguments of `ServicePlans.submit`. */
export interface Submission {
  planId: bigint;
  provider: Hex;
  baseShares: bigint;
  anchor: Hex;
  length: bigint;
  depth: bigint;
  word: Hex;
  signature: Hex;
}

export interface ShareCollectorOptions {
  planId: bigint;
  /** This provider's payout address (receipts must name it). */
  provider: string;
  domain: PlansDomain;
  /** The plan's receipt signer (from the contract). */
  planSigner: string;
  /** Largest accepted jump in index (lost packets + 1). Default 16. */
  maxGap?: number;
  /** Depth after which a fresh receipt is wanted (bounds the submit cost). Default 1,000. */
  refreshAfter?: number;
  /** Signature check for contract-wallet signers (ERC-1271, on chain). Default: ECDSA only. */
  verifyReceipt?: (receipt: SignedShareReceipt) => boolean;
}

interface Tracked {
  receipt: SignedShareReceipt;
  lastIndex: number;
  lastWord: Uint8Array;
  length: number;
}

export class ShareCollector {
  readonly planId: bigint;
  readonly provider: Hex;
  readonly #domain: PlansDomain;
  readonly #planSigner: Hex;
  readonly #maxGap: number;
  readonly #refreshAfter: number;
  readonly #verify: (r: SignedShareReceipt) => boolean;
  readonly #chains = new Map<string, Tracked>();
  #current?: Tracked;
  #best?: Tracked;
  #bestShares = 0n;
  /** Tokens accepted / rejected so far. */
  accepted = 0;
  rejected = 0;

  constructor(opts: ShareCollectorOptions) {
    this.planId = opts.planId;
    this.provider = toAddress(opts.provider, "provider");
    this.#domain = opts.domain;
    this.#planSigner = toAddress(opts.planSigner, "planSigner");
    this.#maxGap = opts.maxGap ?? 16;
    this.#refreshAfter = opts.refreshAfter ?? 1_000;
    this.#verify = opts.verifyReceipt ?? ((r) => verifyShareReceipt(r, this.#domain, r.signature, this.#planSigner));
  }

  /** Shares this provider can prove now. */
  get shares(): bigint {
    return this.#bestShares;
  }

  /** Accept a signed receipt (sent with the first token of each chain). */
  acceptReceipt(receipt: SignedShareReceipt): void {
    if (receipt.planId !== this.planId) throw new InvalidReceiptError(`plan ${receipt.planId}, expected ${this.planId}`);
    if (toAddress(receipt.provider) !== this.provider) throw new InvalidReceiptError(`provider ${receipt.provider}, expected ${this.provider}`);
    if (receipt.length > 1_000_000_000n) throw new InvalidReceiptError(`chain length ${receipt.length} too long`);
    if (this.#chains.has(receipt.anchor)) return;
    // a receipt restarting below what we already prove would make us serve for nothing
    if (receipt.baseShares < this.#bestShares) {
      throw new InvalidReceiptError(`baseShares ${receipt.baseShares} below the ${this.#bestShares} shares already proven`);
    }
    if (!this.#verify(receipt)) throw new InvalidReceiptError("not signed by the plan's signer");
    const t: Tracked = { receipt, lastIndex: 0, lastWord: hexToBytes(receipt.anchor), length: Number(receipt.length) };
    this.#chains.set(receipt.anchor, t);
    this.#current = t;
    this.#consider(t);
  }

  /** Accept a token: one hash in the common case. Returns the provider's shares after it. */
  accept(token: ShareToken): bigint {
    const t = this.#current?.receipt.anchor === token.anchor ? this.#current : this.#chains.get(token.anchor);
    if (!t) {
      this.rejected++;
      throw new UnknownReceiptError(token.anchor);
    }
    const gap = token.index - t.lastIndex;
    if (gap <= 0) {
      this.rejected++;
      throw new ReplayedShareTokenError(token.index, t.lastIndex);
    }
    if (gap > this.#maxGap || token.index > t.length) {
      this.rejected++;
      throw new ShareTokenGapError(gap, this.#maxGap);
    }
    if (!equalWords(walkChain(token.word, gap), t.lastWord)) {
      this.rejected++;
      throw new ForgedShareTokenError(token.index, t.lastIndex);
    }
    t.lastIndex = token.index;
    t.lastWord = token.word.slice();
    this.accepted++;
    this.#current = t;
    this.#consider(t);
    return this.#bestShares;
  }

  /** Whether to ask the customer for a fresh receipt (the current chain is deep enough). */
  needsFreshReceipt(): boolean {
    const t = this.#current;
    return !!t && t.lastIndex >= Math.min(this.#refreshAfter, t.length);
  }

  /** The submission proving the most shares, or undefined when there is nothing to submit. */
  bestSubmission(): Submission | undefined {
    const t = this.#best;
    if (!t) return undefined;
    const r = t.receipt;
    return {
      planId: r.planId,
      provider: this.provider,
      baseShares: r.baseShares,
      anchor: r.anchor,
      length: r.length,
      depth: BigInt(t.lastIndex),
      word: r.length === 0n ? (("0x" + "00".repeat(32)) as Hex) : bytesToHex(t.lastWord),
      signature: r.signature,
    };
  }

  #consider(t: Tracked): void {
    const shares = t.receipt.baseShares + BigInt(t.lastIndex);
    if (shares > this.#bestShares || !this.#best) {
      this.#bestShares = shares;
      this.#best = t;
    }
  }
}

/** What a provider requires of a plan before serving it. */
export interface PlanPolicy {
  /** Refuse uncapped plans (no floor price). Default true. */
  requireCap?: boolean;
  /** Minimum guaranteed price per share, floor(budget / shareCap), in token base units. */
  minFloorPerShare?: bigint;
  /** Minimum bond as a fraction of the budget, in basis points (10,000 = bond ≥ budget). Default 10,000. */
  minBondBps?: bigint;
  /** Seconds left before the submission deadline. Default 3,600. */
  minSubmitWindow?: bigint;
  /** Seconds between the deadlines to claim in. Default 86,400. */
  minClaimWindow?: bigint;
}

export interface PlanTerms {
  planId: bigint;
  budget: bigint;
  bond: bigint;
  shareCap: bigint;
  submitDeadline: bigint;
  claimDeadline: bigint;
  totalShares?: bigint;
}

/** Throws `PlanRejectedError` unless the plan's cap, bond and deadlines protect the provider. */
export function checkPlan(plan: PlanTerms, policy: PlanPolicy, now: bigint): void {
  const reject = (reason: string) => {
    throw new PlanRejectedError(plan.planId, reason);
  };
  const requireCap = policy.requireCap ?? true;
  if (requireCap && plan.shareCap === 0n) reject("no share cap, so no floor price");
  if (plan.shareCap !== 0n) {
    const floor = plan.budget / plan.shareCap;
    if (policy.minFloorPerShare !== undefined && floor < policy.minFloorPerShare) {
      reject(`floor price ${floor} per share below ${policy.minFloorPerShare}`);
    }
    if (plan.totalShares !== undefined && plan.totalShares > plan.shareCap) reject("already over-issued");
  }
  const minBondBps = policy.minBondBps ?? 10_000n;
  if (plan.bond * 10_000n < plan.budget * minBondBps) reject(`bond ${plan.bond} below ${minBondBps} bps of budget ${plan.budget}`);
  if (plan.submitDeadline < now + (policy.minSubmitWindow ?? 3_600n)) reject("submission deadline too close");
  if (plan.claimDeadline < plan.submitDeadline + (policy.minClaimWindow ?? 86_400n)) reject("claim window too short");
}
