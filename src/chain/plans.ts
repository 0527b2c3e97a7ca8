/** Typed client for the ServicePlans singleton. */
import type { ContractRunner, Signer } from "ethers";
import { ServicePlans__factory, type ServicePlans } from "../../typechain-types/index.js";
import { toAddress, toUint256, type AmountLike } from "../values.js";
import type { Hex } from "../crypto/index.js";
import type { Submission } from "../plans/collector.js";
import type { PlansDomain } from "../plans/receipt.js";
import { call, ContractRevertError, registerErrorAbi, registerRevertClass } from "./errors.js";
import { send, type TxResult } from "./tx.js";
import { TokenClient } from "./token.js";

registerErrorAbi(ServicePlans__factory.createInterface());

type A<T> = T & Record<string, unknown>;
export class SubmissionClosedError extends ContractRevertError<A<{ planId: bigint; submitDeadline: bigint; timestamp: bigint }>> { override readonly name = "SubmissionClosedError" as const; }
export class InvalidShareTokenError extends ContractRevertError<A<{ word: string; depth: bigint; anchor: string }>> { override readonly name = "InvalidShareTokenError" as const; }
export class InvalidReceiptSignatureError extends ContractRevertError<A<{ planId: bigint; provider: string; signer: string }>> { override readonly name = "InvalidReceiptSignatureError" as const; }
export class ClaimNotOpenError extends ContractRevertError<A<{ planId: bigint; submitDeadline: bigint; timestamp: bigint }>> { override readonly name = "ClaimNotOpenError" as const; }
export class ClaimClosedError extends ContractRevertError<A<{ planId: bigint; claimDeadline: bigint; timestamp: bigint }>> { override readonly name = "ClaimClosedError" as const; }
export class AlreadyClaimedError extends ContractRevertError<A<{ planId: bigint; provider: string }>> { override readonly name = "AlreadyClaimedError" as const; }
export class NothingToClaimError extends ContractRevertError<A<{ planId: bigint; provider: string }>> { override readonly name = "NothingToClaimError" as const; }
export class SweepNotOpenError extends ContractRevertError<A<{ planId: bigint; claimDeadline: bigint; timestamp: bigint }>> { override readonly name = "SweepNotOpenError" as const; }
export class AlreadySweptError extends ContractRevertError<A<{ planId: bigint }>> { override readonly name = "AlreadySweptError" as const; }
export class UnknownPlanError extends ContractRevertError<A<{ planId: bigint }>> { override readonly name = "UnknownPlanError" as const; }
export class InvalidDeadlinesError extends ContractRevertError<A<{ submitDeadline: bigint; claimDeadline: bigint; timestamp: bigint }>> { override readonly name = "InvalidDeadlinesError" as const; }
export class NotFunderError extends ContractRevertError<A<{ caller: string; funder: string }>> { override readonly name = "NotFunderError" as const; }
export class ZeroSignerError extends ContractRevertError { override readonly name = "ZeroSignerError" as const; }
export class ZeroBudgetError extends ContractRevertError { override readonly name = "ZeroBudgetError" as const; }
export class IncorrectNativeValueError extends ContractRevertError<A<{ expected: bigint; sent: bigint }>> { override readonly name = "IncorrectNativeValueError" as const; }
export class DepthExceedsLengthError extends ContractRevertError<A<{ depth: bigint; length: bigint }>> { override readonly name = "DepthExceedsLengthError" as const; }
export class SharesOverflowError extends ContractRevertError<A<{ baseShares: bigint; depth: bigint }>> { override readonly name = "SharesOverflowError" as const; }
for (const [n, c] of Object.entries({
  SubmissionClosed: SubmissionClosedError, InvalidShareToken: InvalidShareTokenError, InvalidReceiptSignature: InvalidReceiptSignatureError,
  ClaimNotOpen: ClaimNotOpenError, ClaimClosed: ClaimClosedError, AlreadyClaimed: AlreadyClaimedError, NothingToClaim: NothingToClaimError,
  SweepNotOpen: SweepNotOpenError, AlreadySwept: AlreadySweptError, UnknownPlan: UnknownPlanError, InvalidDeadlines: InvalidDeadlinesError,
  NotFunder: NotFunderError, ZeroSigner: ZeroSignerError, ZeroBudget: ZeroBudgetError, IncorrectNativeValue: IncorrectNativeValueError,
  DepthExceedsLength: DepthExceedsLengthError, SharesOverflow: SharesOverflowError,
})) registerRevertClass(n, c as never);

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

  static async deploy(signer: Signer): Promise<ServicePlansClient> {
    const c = await call(async () => {
      const d = await new ServicePlans__factory(signer).deploy();
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

  /** Create a plan (approving the token first when needed); returns its id. */
  async createPlan(args: CreatePlanArgs): Promise<TxResult & { planId: bigint }> {
    const token = toAddress(args.token, "token");
    const budget = toUint256(args.budget, "budget");
    const bond = toUint256(args.bond, "bond");
    const total = budget + bond;
    const value = token === NATIVE_TOKEN ? total : 0n;
    if (token !== NATIVE_TOKEN) await this.#approve(token, total);
    const res = await send(() =>
      this.contract.createPlan(
        token, toAddress(args.signer, "signer"), budget, bond, toUint256(args.shareCap, "shareCap"),
        toUint256(args.submitDeadline, "submitDeadline"), toUint256(args.claimDeadline, "claimDeadline"), { value },
      ),
    );
    const log = res.receipt.logs.map((l) => this.contract.interface.parseLog(l)).find((l) => l?.name === "PlanCreated");
    return { ...res, planId: log!.args.planId as bigint };
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
        planId: id, signer: toAddress(p.signer), funder: toAddress(p.funder), token: toAddress(p.token),
        budget: p.budget, bond: p.bond, shareCap: p.shareCap, totalShares: p.totalShares, paidOut: p.paidOut,
        submitDeadline: p.submitDeadline, claimDeadline: p.claimDeadline, swept: p.swept,
      };
    });
  }

  sharesOf(planId: AmountLike, provider: string): Promise<{ shares: bigint; claimed: boolean }> {
    return call(async () => {
      const [shares, claimed] = await this.contract.sharesOf(toUint256(planId, "planId"), toAddress(provider, "provider"));
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

  /** Submit in batches of `chunk` (stale entries are skipped on chain, never revert a batch). */
  async submitBatch(subs: Submission[], chunk = 20): Promise<TxResult[]> {
    const out: TxResult[] = [];
    for (let i = 0; i < subs.length; i += chunk) {
      const part = subs.slice(i, i + chunk);
      out.push(await send(() => this.contract.submitBatch(part)));
    }
    return out;
  }

  async claim(planId: AmountLike, provider: string): Promise<TxResult & { amount: bigint }> {
    const res = await send(() => this.contract.claim(toUint256(planId, "planId"), toAddress(provider, "provider")));
    const log = res.receipt.logs.map((l) => this.contract.interface.parseLog(l)).find((l) => l?.name === "Claimed");
    return { ...res, amount: (log?.args.amount as bigint) ?? 0n };
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
