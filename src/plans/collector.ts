/**
 * Provider side: accepts a share token with one hash against the last accepted word of its chain,
 * tolerates a bounded gap of lost packets, rejects forged and replayed tokens with typed errors,
 * keeps the best receipt and deepest word, and says when to ask for a fresh receipt so that the
 * on-chain submission (one hash per word of depth) stays cheap.
 */
import { bytesToHex, hexToBytes, type Hex } from "../crypto/index.js";
import { toAddress } from "../values.js";
import { InvalidArgumentError } from "../errors.js";
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

/**
 * The longest receipt chain a collector accepts by default. A chain step costs ≈ 94 gas on chain
 * (BENCHMARKS.md), a submission ≈ 62,000 + 94 × depth: 100,000 steps ≈ 9.5M gas, well inside one
 * block and inside the 2^24 (16,777,216) gas cap per transaction of EIP-7825 (Osaka).
 */
export const DEFAULT_MAX_RECEIPT_LENGTH = 100_000;
/** The deepest word that still fits one transaction under EIP-7825: (2^24 − 62,000) / 94 ≈ 177,800, rounded down. */
export const MAX_SUBMITTABLE_RECEIPT_LENGTH = 170_000;

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
  /**
   * Longest receipt chain accepted (default 100,000, at most MAX_SUBMITTABLE_RECEIPT_LENGTH): a
   * deeper word could not be submitted in one transaction, so the service behind it would be unpaid.
   */
  maxReceiptLength?: number;
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
  readonly #maxLength: bigint;
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
    const maxLength = opts.maxReceiptLength ?? DEFAULT_MAX_RECEIPT_LENGTH;
    if (!Number.isSafeInteger(maxLength) || maxLength < 1 || maxLength > MAX_SUBMITTABLE_RECEIPT_LENGTH) {
      throw new InvalidArgumentError("maxReceiptLength", maxLength, `1 to ${MAX_SUBMITTABLE_RECEIPT_LENGTH}`);
    }
    this.#maxLength = BigInt(maxLength);
  }

  /** Shares this provider can prove now. */
  get shares(): bigint {
    return this.#bestShares;
  }

  /** Accept a signed receipt (sent with the first token of each chain). */
  acceptReceipt(receipt: SignedShareReceipt): void {
    if (receipt.planId !== this.planId)
      throw new InvalidReceiptError(`plan ${receipt.planId}, expected ${this.planId}`);
    if (toAddress(receipt.provider) !== this.provider)
      throw new InvalidReceiptError(`provider ${receipt.provider}, expected ${this.provider}`);
    if (receipt.length > this.#maxLength) {
      throw new InvalidReceiptError(
        `chain length ${receipt.length} beyond the ${this.#maxLength} a submission can carry`,
      );
    }
    if (this.#chains.has(receipt.anchor)) return;
    // a receipt restarting below what we already prove would make us serve for nothing
    if (receipt.baseShares < this.#bestShares) {
      throw new InvalidReceiptError(
        `baseShares ${receipt.baseShares} below the ${this.#bestShares} shares already proven`,
      );
    }
    // ECDSA only, as on chain: a receipt must stay valid whatever the signer's owner does later
    if (!verifyShareReceipt(receipt, this.#domain, receipt.signature, this.#planSigner)) {
      throw new InvalidReceiptError("not signed by the plan's signer");
    }
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
  /** Refuse uncapped plans (no floor price: a funder can dilute honest providers). Default true. */
  requireCap?: boolean;
  /**
   * Minimum guaranteed price per share, floor(budget / shareCap), in token base units; at least 1
   * (default 1): a cap so large that the floor rounds to 0 guarantees nothing. Only capped plans
   * carry the floor guarantee.
   */
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
  const minFloor = policy.minFloorPerShare ?? 1n;
  if (minFloor < 1n) throw new InvalidArgumentError("minFloorPerShare", minFloor, "at least 1 base unit per share");
  const requireCap = policy.requireCap ?? true;
  if (requireCap && plan.shareCap === 0n) reject("no share cap, so no floor price");
  if (plan.shareCap !== 0n) {
    const floor = plan.budget / plan.shareCap;
    if (floor < minFloor) reject(`floor price ${floor} per share below ${minFloor}`);
    if (plan.totalShares !== undefined && plan.totalShares > plan.shareCap) reject("already over-issued");
  }
  const minBondBps = policy.minBondBps ?? 10_000n;
  if (plan.bond * 10_000n < plan.budget * minBondBps)
    reject(`bond ${plan.bond} below ${minBondBps} bps of budget ${plan.budget}`);
  if (plan.submitDeadline < now + (policy.minSubmitWindow ?? 3_600n)) reject("submission deadline too close");
  if (plan.claimDeadline < plan.submitDeadline + (policy.minClaimWindow ?? 86_400n)) reject("claim window too short");
}

/** Reads the code at an address (injected: `ServicePlansClient.codeAt`, or a stub in tests). */
export type CodeReader = (address: Hex) => Promise<string>;

/** An EIP-7702 delegation designator (0xef0100 ‖ address): the account is still an EOA whose key signs. */
const DELEGATION = /^0xef0100[0-9a-f]{40}$/i;

/**
 * Throws `PlanRejectedError` when the plan's receipt signer has code (a contract wallet): receipts
 * must be ECDSA signatures of a key, which the contract accepts and no owner can revoke. An
 * EIP-7702-delegated EOA still signs with its own key and is accepted.
 */
export async function checkPlanSigner(plan: { planId: bigint; signer: string }, codeAt: CodeReader): Promise<void> {
  const signer = toAddress(plan.signer, "signer");
  const code = await codeAt(signer);
  if (code !== "0x" && code !== "" && !DELEGATION.test(code)) {
    throw new PlanRejectedError(
      plan.planId,
      `receipt signer ${signer} is a contract: receipts must be ECDSA signatures of a key`,
    );
  }
}
