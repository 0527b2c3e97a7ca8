/**
 * The client API of the service-model proposal, as a small facade over the plan clients.
 * Customer: queryConditions, establishContract, checkBalance, increaseFund, closeContract.
 * Provider: bookToken, closeContract.
 */
import type { Signer } from "ethers";
import { ServicePlansClient, type PlanInfo } from "./chain/plans.js";
import { ShareIssuer, type IssuedToken, type ShareToken } from "./plans/issuer.js";
import { checkPlan, checkPlanSigner, ShareCollector, type PlanPolicy } from "./plans/collector.js";
import type { SignedShareReceipt } from "./plans/receipt.js";
import type { SignerLike } from "./crypto/signer.js";
import type { AmountLike } from "./values.js";

export class CustomerClient {
  readonly #plans: ServicePlansClient;
  #issuer?: ShareIssuer;
  planId?: bigint;

  /** `funder` pays; `receiptSigner` is the client's hot key that signs receipts. */
  constructor(
    servicePlans: string,
    readonly funder: Signer,
    readonly receiptSigner: SignerLike,
    readonly receiptSignerAddress: string,
  ) {
    this.#plans = new ServicePlansClient(servicePlans, funder);
  }

  /** The terms of a plan (budget, cap, bond, deadlines, shares so far). */
  queryConditions(planId: AmountLike): Promise<PlanInfo> {
    return this.#plans.getPlan(planId);
  }

  /** Fund a plan and get ready to issue share tokens for it (`salt`: see `CreatePlanArgs`). */
  async establishContract(terms: {
    token: string;
    budget: AmountLike;
    bond: AmountLike;
    shareCap: AmountLike;
    submitDeadline: AmountLike;
    claimDeadline: AmountLike;
    chainLength?: number;
    salt?: string;
  }): Promise<bigint> {
    const { planId } = await this.#plans.createPlan({ ...terms, signer: this.receiptSignerAddress });
    this.planId = planId;
    this.#issuer = new ShareIssuer({
      planId,
      domain: await this.#plans.domain(),
      signer: this.receiptSigner,
      chainLength: terms.chainLength,
    });
    return planId;
  }

  /** The share token for the next unit of traffic to `provider`. */
  token(provider: string): Promise<IssuedToken> {
    return this.#issuer!.next(provider);
  }

  /** Budget, shares on chain, and what the cap still guarantees. */
  async checkBalance(): Promise<{
    budget: bigint;
    totalShares: bigint;
    shareCap: bigint;
    paidOut: bigint;
    remainingAtFloor: bigint;
  }> {
    const p = await this.#plans.getPlan(this.planId!);
    return {
      budget: p.budget,
      totalShares: p.totalShares,
      shareCap: p.shareCap,
      paidOut: p.paidOut,
      remainingAtFloor: p.shareCap > p.totalShares ? p.shareCap - p.totalShares : 0n,
    };
  }

  increaseFund(amount: AmountLike) {
    return this.#plans.topUp(this.planId!, amount);
  }

  /** After the claim deadline: sweep what is not owed back to the funder. */
  closeContract() {
    return this.#plans.sweep(this.planId!);
  }
}

export class ProviderClient {
  readonly #plans: ServicePlansClient;
  collector?: ShareCollector;

  constructor(
    servicePlans: string,
    readonly signer: Signer,
    readonly payoutAddress: string,
  ) {
    this.#plans = new ServicePlansClient(servicePlans, signer);
  }

  /** Check a plan against our policy and start collecting its tokens (throws `PlanRejectedError`). */
  async join(planId: AmountLike, policy: PlanPolicy = {}): Promise<PlanInfo> {
    const plan = await this.#plans.getPlan(planId);
    const now = BigInt((await this.signer.provider!.getBlock("latest"))!.timestamp);
    checkPlan(plan, policy, now);
    await checkPlanSigner(plan, (a) => this.#plans.codeAt(a));
    this.collector = new ShareCollector({
      planId: plan.planId,
      provider: this.payoutAddress,
      domain: await this.#plans.domain(),
      planSigner: plan.signer,
    });
    return plan;
  }

  /** Accept a token carried by traffic (and its receipt when it opens a chain). */
  bookToken(token: ShareToken, receipt?: SignedShareReceipt): bigint {
    if (receipt) this.collector!.acceptReceipt(receipt);
    return this.collector!.accept(token);
  }

  /** Before the submit deadline: submit the best proof. After it: claim. */
  async closeContract(): Promise<{ submitted: boolean; claimed?: bigint }> {
    const c = this.collector!;
    const plan = await this.#plans.getPlan(c.planId);
    const now = BigInt((await this.signer.provider!.getBlock("latest"))!.timestamp);
    if (now <= plan.submitDeadline) {
      const sub = c.bestSubmission();
      if (sub) await this.#plans.submit(sub);
      return { submitted: !!sub };
    }
    return { submitted: false, claimed: (await this.#plans.claim(c.planId, c.provider)).amount };
  }
}
