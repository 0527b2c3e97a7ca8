/** Typed client for the ServicePlans singleton. */
import { AbiCoder, keccak256, randomBytes, hexlify, type ContractRunner, type Signer } from "ethers";
import { ServicePlans__factory, type ServicePlans } from "../../typechain-types/index.js";
import { toAddress, toUint256, type AmountLike } from "../values.js";
import { InvalidArgumentError } from "../errors.js";
import type { Hex } from "../crypto/index.js";
import type { Submission } from "../plans/collector.js";
import type { PlansDomain } from "../plans/receipt.js";
import { call } from "./errors.js";
import { UnknownPlanError } from "./plans-errors.js";
import { send, type TxResult } from "./tx.js";
import { TokenClient } from "./token.js";

// the revert classes live with the decoder's table (./revert-classes.ts); re-exported here for their users
export {
  SubmissionClosedError,
  InvalidShareTokenError,
  InvalidReceiptSignatureError,
  ClaimNotOpenError,
  ClaimClosedError,
  AlreadyClaimedError,
  NothingToClaimError,
  SweepNotOpenError,
  AlreadySweptError,
  UnknownPlanError,
  InvalidDeadlinesError,
  NotFunderError,
  ZeroSignerError,
  ZeroBudgetError,
  IncorrectNativeValueError,
  DepthExceedsLengthError,
  SharesOverflowError,
  PlanExistsError,
  AmountsTooLargeError,
  ShareCapTooLargeError,
  ClaimWindowTooShortError,
  InvalidMinClaimWindowError,
  BudgetTooLargeError,
  TotalSharesOverflowError,
} from "./plans-errors.js";

/** The shortest claim window a deployment enforces when nothing else is configured (1 day, as on chain). */
export const DEFAULT_MIN_CLAIM_WINDOW = 86_400n;

/** The id `createPlan` gives `funder`'s plan with `salt` (PROTOCOL.md §4): receipts can be signed before it exists. */
export function planIdOf(funder: string, salt: string | Uint8Array): bigint {
  return BigInt(
    keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [toAddress(funder, "funder"), toSalt(salt)])),
  );
}

function toSalt(salt: string | Uint8Array): Hex {
  const ok = typeof salt === "string" ? /^0x[0-9a-fA-F]{64}$/.test(salt) : salt.length === 32;
  if (!ok) throw new InvalidArgumentError("salt", salt, "32 bytes (0x + 64 hex digits)");
  return hexlify(salt).toLowerCase() as Hex;
}

/** One `submitBatch` entry skipped on chain, with the selector of the error `submit` would revert with. */
export interface SkippedSubmission {
  index: number;
  planId: bigint;
  provider: Hex;
  reason: string;
}

export const NATIVE_TOKEN = "0x0000000000000000000000000000000000000000" as Hex;

export interface PlanInfo {
  planId: bigint;
  signer: Hex;
  funder: Hex;
  token: Hex;
  budget: bigint;
  bond: bigint;
  shareCap: bigint;
  totalShares: bigint;
  paidOut: bigint;
  submitDeadline: bigint;
  claimDeadline: bigint;
  swept: boolean;
}

export interface CreatePlanArgs {
  /** ERC20 address, or NATIVE_TOKEN for ETH. */
  token: string;
  signer: string;
  budget: AmountLike;
  bond: AmountLike;
  shareCap: AmountLike;
  submitDeadline: AmountLike;
  claimDeadline: AmountLike;
  /** 32 bytes chosen by the funder; the id is `planIdOf(funder, salt)`. Default: random. */
  salt?: string | Uint8Array;
}

export class ServicePlansClient {
  readonly address: Hex;
  readonly contract: ServicePlans;
  readonly #runner: ContractRunner;

  constructor(address: string, runner: ContractRunner) {
    this.address = toAddress(address, "servicePlans");
    this.#runner = runner;
    this.contract = ServicePlans__factory.connect(this.address, runner);
  }

  /** Deploy a ServicePlans singleton enforcing `minClaimWindow` seconds (default 1 day) between the deadlines. */
  static async deploy(signer: Signer, opts: { minClaimWindow?: AmountLike } = {}): Promise<ServicePlansClient> {
    const minClaimWindow = toUint256(opts.minClaimWindow ?? DEFAULT_MIN_CLAIM_WINDOW, "minClaimWindow");
    const c = await call(async () => {
      const d = await new ServicePlans__factory(signer).deploy(minClaimWindow);
      await d.waitForDeployment();
      return d;
    });
    return new ServicePlansClient(await c.getAddress(), signer);
  }

  connect(runner: ContractRunner): ServicePlansClient {
    return new ServicePlansClient(this.address, runner);
  }

  async domain(): Promise<PlansDomain> {
    const net = await call(() => this.contract.runner!.provider!.getNetwork());
    return { chainId: net.chainId, verifyingContract: this.address };
  }

  /**
   * Create a plan (approving the token first when needed); returns its id, `planIdOf(funder, salt)`.
   * Pass `salt` to know the id before the plan exists (to sign receipts ahead); a random one otherwise.
   */
  async createPlan(args: CreatePlanArgs): Promise<TxResult & { planId: bigint; salt: Hex }> {
    const token = toAddress(args.token, "token");
    const budget = toUint256(args.budget, "budget");
    const bond = toUint256(args.bond, "bond");
    const salt = toSalt(args.salt ?? randomBytes(32));
    const total = budget + bond;
    const value = token === NATIVE_TOKEN ? total : 0n;
    if (token !== NATIVE_TOKEN) await this.#approve(token, total);
    const res = await send(() =>
      this.contract.createPlan(
        token,
        toAddress(args.signer, "signer"),
        budget,
        bond,
        toUint256(args.shareCap, "shareCap"),
        toUint256(args.submitDeadline, "submitDeadline"),
        toUint256(args.claimDeadline, "claimDeadline"),
        salt,
        { value },
      ),
    );
    const log = res.receipt.logs.map((l) => this.contract.interface.parseLog(l)).find((l) => l?.name === "PlanCreated");
    return { ...res, planId: log!.args.planId as bigint, salt };
  }

  /** The code at `address` ("0x" for an account without code), e.g. for `checkPlanSigner`. */
  codeAt(address: string): Promise<string> {
    return call(() => this.contract.runner!.provider!.getCode(toAddress(address, "address")));
  }

  /** The deployment's minimum claim window, seconds. */
  minClaimWindow(): Promise<bigint> {
    return call(() => this.contract.minClaimWindow());
  }

  async topUp(planId: AmountLike, amount: AmountLike): Promise<TxResult> {
    const id = toUint256(planId, "planId");
    const value = toUint256(amount);
    const plan = await this.getPlan(id);
    if (plan.token !== NATIVE_TOKEN) await this.#approve(plan.token, value);
    return send(() => this.contract.topUp(id, value, { value: plan.token === NATIVE_TOKEN ? value : 0n }));
  }

  getPlan(planId: AmountLike): Promise<PlanInfo> {
    const id = toUint256(planId, "planId");
    return call(async () => {
      const p = await this.contract.getPlan(id);
      return {
        planId: id,
        signer: toAddress(p.signer),
        funder: toAddress(p.funder),
        token: toAddress(p.token),
        budget: p.budget,
        bond: p.bond,
        shareCap: p.shareCap,
        totalShares: p.totalShares,
        paidOut: p.paidOut,
        submitDeadline: p.submitDeadline,
        claimDeadline: p.claimDeadline,
        swept: p.swept,
      };
    });
  }

  sharesOf(planId: AmountLike, provider: string): Promise<{ shares: bigint; claimed: boolean }> {
    return call(async () => {
      const [shares, claimed] = await this.contract.sharesOf(
        toUint256(planId, "planId"),
        toAddress(provider, "provider"),
      );
      return { shares, claimed };
    });
  }

  previewClaim(planId: AmountLike, provider: string): Promise<bigint> {
    return call(() => this.contract.previewClaim(toUint256(planId, "planId"), toAddress(provider, "provider")));
  }

  isOverIssued(planId: AmountLike): Promise<boolean> {
    return call(() => this.contract.isOverIssued(toUint256(planId, "planId")));
  }

  submit(s: Submission): Promise<TxResult> {
    return send(() => this.contract.submit(s));
  }

  /**
   * Submit in batches of `chunk`. Stale entries are skipped silently on chain; entries that cannot
   * apply (forged, closed plan, overflow, …) are skipped too and listed in `skipped`.
   */
  async submitBatch(subs: Submission[], chunk = 20): Promise<(TxResult & { skipped: SkippedSubmission[] })[]> {
    const out: (TxResult & { skipped: SkippedSubmission[] })[] = [];
    for (let i = 0; i < subs.length; i += chunk) {
      const part = subs.slice(i, i + chunk);
      const res = await send(() => this.contract.submitBatch(part));
      const skipped = this.#events(res, "SubmissionSkipped").map((a) => ({
        index: i + Number(a.index),
        planId: a.planId as bigint,
        provider: toAddress(a.provider as string),
        reason: a.reason as string,
      }));
      out.push({ ...res, skipped });
    }
    return out;
  }

  async claim(planId: AmountLike, provider: string): Promise<TxResult & { amount: bigint }> {
    const res = await send(() => this.contract.claim(toUint256(planId, "planId"), toAddress(provider, "provider")));
    const log = res.receipt.logs.map((l) => this.contract.interface.parseLog(l)).find((l) => l?.name === "Claimed");
    return { ...res, amount: (log?.args.amount as bigint) ?? 0n };
  }

  /**
   * Claim many plans for one provider in one transaction (sorted by token: one transfer per token).
   * Plans that cannot be claimed are skipped on chain and listed with the error selector.
   */
  async claimMany(
    planIds: AmountLike[],
    provider: string,
  ): Promise<TxResult & { amounts: Map<bigint, bigint>; skipped: { planId: bigint; reason: string }[] }> {
    if (planIds.length === 0 || planIds.length > 256)
      throw new InvalidArgumentError("planIds", planIds.length, "1 to 256 plans");
    const ids = planIds.map((p) => toUint256(p, "planId"));
    // unknown plans sort first and are skipped on chain like any other plan that cannot be claimed
    const tokenOf = (id: bigint) =>
      this.getPlan(id).then(
        (p) => p.token as string,
        (e) => {
          if (e instanceof UnknownPlanError) return "";
          throw e;
        },
      );
    const tokens = new Map(await Promise.all(ids.map(async (id) => [id, await tokenOf(id)] as const)));
    ids.sort((a, b) => (tokens.get(a)! < tokens.get(b)! ? -1 : tokens.get(a)! > tokens.get(b)! ? 1 : 0));
    const res = await send(() => this.contract.claimMany(ids, toAddress(provider, "provider")));
    const amounts = new Map(this.#events(res, "Claimed").map((a) => [a.planId as bigint, a.amount as bigint] as const));
    const skipped = this.#events(res, "ClaimSkipped").map((a) => ({
      planId: a.planId as bigint,
      reason: a.reason as string,
    }));
    return { ...res, amounts, skipped };
  }

  #events(res: TxResult, name: string): Record<string, unknown>[] {
    return res.receipt.logs
      .filter((l) => l.address.toLowerCase() === this.address.toLowerCase())
      .map((l) => this.contract.interface.parseLog(l))
      .filter((l) => l?.name === name)
      .map((l) => l!.args.toObject());
  }

  async sweep(planId: AmountLike): Promise<TxResult & { returned: bigint; forfeited: bigint }> {
    const res = await send(() => this.contract.sweep(toUint256(planId, "planId")));
    const log = res.receipt.logs.map((l) => this.contract.interface.parseLog(l)).find((l) => l?.name === "Swept");
    return { ...res, returned: log!.args.returned as bigint, forfeited: log!.args.forfeited as bigint };
  }

  async #approve(token: string, amount: bigint): Promise<void> {
    const t = new TokenClient(token, this.#runner);
    const owner = await (this.#runner as Signer).getAddress();
    if ((await t.allowance(owner, this.address)) < amount) await t.approve(this.address, amount);
  }
}
