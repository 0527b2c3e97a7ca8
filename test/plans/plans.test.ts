import { expect } from "chai";
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import { bytesToHex, hexToBytes } from "../../src/crypto/index.js";
import { HashChain, stepsToWord, walkChain } from "../../src/plans/hashchain.js";
import {
  hashShareReceipt,
  plansDomainSeparator,
  recoverShareReceiptSigner,
  signShareReceipt,
  verifyShareReceipt,
} from "../../src/plans/receipt.js";
import { ShareIssuer } from "../../src/plans/issuer.js";
import {
  checkPlan,
  checkPlanSigner,
  DEFAULT_MAX_RECEIPT_LENGTH,
  MAX_SUBMITTABLE_RECEIPT_LENGTH,
  ShareCollector,
} from "../../src/plans/collector.js";
import {
  ForgedShareTokenError,
  InvalidReceiptError,
  PlanRejectedError,
  ReplayedShareTokenError,
  ShareTokenGapError,
  UnknownReceiptError,
} from "../../src/plans/errors.js";
import { computePayouts } from "../../src/plans/payout.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { expectError } from "../../test-support/helpers.js";

const V = JSON.parse(readFileSync(new URL("../vectors/plans.json", import.meta.url), "utf8"));
const domain = { chainId: BigInt(V.chainId), verifyingContract: V.verifyingContract };
const receipt = { planId: 7n, provider: V.receipt.provider, baseShares: 1000n, anchor: V.receipt.anchor, length: 5n };

describe("plans: receipts and hash chains (golden vector shared with ServicePlans.t.sol)", () => {
  it("domain, digest, signature and signer match", async () => {
    expect(plansDomainSeparator(domain)).to.equal(V.domainSeparator);
    expect(hashShareReceipt(receipt, domain)).to.equal(V.digest);
    expect(await signShareReceipt(receipt, domain, V.privateKey)).to.equal(V.signature);
    expect(await signShareReceipt(receipt, domain, new Wallet(V.privateKey))).to.equal(V.signature);
    expect(recoverShareReceiptSigner(receipt, domain, V.signature)).to.equal(V.signer);
    expect(verifyShareReceipt(receipt, domain, V.signature, V.signer)).to.equal(true);
  });
  it("a receipt is worthless for another plan, provider, chain or contract", () => {
    expect(verifyShareReceipt({ ...receipt, planId: 8n }, domain, V.signature, V.signer)).to.equal(false);
    expect(verifyShareReceipt({ ...receipt, provider: V.signer }, domain, V.signature, V.signer)).to.equal(false);
    expect(verifyShareReceipt(receipt, { ...domain, chainId: 1n }, V.signature, V.signer)).to.equal(false);
    expect(verifyShareReceipt(receipt, { ...domain, verifyingContract: V.signer }, V.signature, V.signer)).to.equal(
      false,
    );
    expect(verifyShareReceipt(receipt, domain, "0xdead", V.signer)).to.equal(false);
  });
  it("the chain from the vector's seed has the vector's words", () => {
    const chain = HashChain.fromSeed(5, hexToBytes(V.seed));
    expect(chain.anchor).to.equal(V.receipt.anchor);
    for (let i = 0; i <= 5; i++) expect(bytesToHex(chain.word(i))).to.equal(V.words[i]);
    expect(bytesToHex(walkChain(chain.word(4), 4))).to.equal(chain.anchor);
    expect(stepsToWord(chain.word(4), chain.word(1), 8)).to.equal(3);
    expect(
      stepsToWord(
        hexToBytes(V.seed).map((b) => b ^ 1),
        chain.word(1),
        8,
      ),
    ).to.equal(0);
  });
  it("validates receipt fields before signing", async () => {
    await expectError(
      signShareReceipt({ ...receipt, anchor: "0x12" as `0x${string}` }, domain, V.privateKey),
      InvalidArgumentError,
    );
    await expectError(signShareReceipt({ ...receipt, baseShares: -1n }, domain, V.privateKey), InvalidArgumentError);
  });
});

describe("plans: ShareIssuer → ShareCollector", () => {
  const customer = Wallet.createRandom();
  const provider = Wallet.createRandom().address;
  const dom = { chainId: 31337n, verifyingContract: Wallet.createRandom().address };
  function pair(opts: { chainLength?: number; maxGap?: number; refreshAfter?: number } = {}) {
    const issuer = new ShareIssuer({
      planId: 1n,
      domain: dom,
      signer: customer.privateKey as `0x${string}`,
      chainLength: opts.chainLength ?? 50,
    });
    const collector = new ShareCollector({
      planId: 1n,
      provider,
      domain: dom,
      planSigner: customer.address,
      maxGap: opts.maxGap ?? 4,
      refreshAfter: opts.refreshAfter,
    });
    return { issuer, collector };
  }
  async function deliver(issuer: ShareIssuer, collector: ShareCollector) {
    const { token, receipt } = await issuer.next(provider);
    if (receipt) collector.acceptReceipt(receipt);
    return collector.accept(token);
  }

  it("accepts every token with one hash, across chain refreshes", async () => {
    const { issuer, collector } = pair({ chainLength: 10 });
    for (let i = 1; i <= 35; i++) expect(await deliver(issuer, collector)).to.equal(BigInt(i));
    expect(issuer.sharesIssued(provider)).to.equal(35n);
    const sub = collector.bestSubmission()!;
    expect(sub.baseShares + sub.depth).to.equal(35n);
    expect(sub.baseShares).to.equal(30n);
  });

  it("tolerates a bounded gap of lost packets, refuses a larger one", async () => {
    const { issuer, collector } = pair({ maxGap: 3 });
    await deliver(issuer, collector);
    await issuer.next(provider);
    await issuer.next(provider); // two lost
    expect(await deliver(issuer, collector)).to.equal(4n);
    for (let i = 0; i < 3; i++) await issuer.next(provider);
    const { token } = await issuer.next(provider); // gap 4 > 3
    const err = await expectError(() => collector.accept(token), ShareTokenGapError);
    expect(err.gap).to.equal(4);
    expect(collector.shares).to.equal(4n);
  });

  it("rejects replayed and forged tokens, and tokens of unknown chains", async () => {
    const { issuer, collector } = pair();
    const first = await issuer.next(provider);
    collector.acceptReceipt(first.receipt!);
    collector.accept(first.token);
    const replay = await expectError(() => collector.accept(first.token), ReplayedShareTokenError);
    expect(replay.index).to.equal(1);
    const { token } = await issuer.next(provider);
    const forged = { ...token, word: token.word.map((b) => b ^ 0xff) };
    await expectError(() => collector.accept(forged), ForgedShareTokenError);
    expect(collector.accept(token)).to.equal(2n); // the real one still goes through
    await expectError(
      () => collector.accept({ ...token, anchor: bytesToHex(new Uint8Array(32)) }),
      UnknownReceiptError,
    );
    expect(collector.rejected).to.equal(3);
    expect(collector.accepted).to.equal(2);
  });

  it("rejects receipts for another plan or provider, or signed by another key", async () => {
    const { issuer, collector } = pair();
    const { receipt } = await issuer.next(provider);
    await expectError(() => collector.acceptReceipt({ ...receipt!, planId: 2n }), InvalidReceiptError);
    await expectError(() => collector.acceptReceipt({ ...receipt!, provider: customer.address }), InvalidReceiptError);
    const forger = new ShareIssuer({
      planId: 1n,
      domain: dom,
      signer: Wallet.createRandom().privateKey as `0x${string}`,
      chainLength: 5,
    });
    const fake = await forger.next(provider);
    await expectError(() => collector.acceptReceipt(fake.receipt!), InvalidReceiptError);
    await expectError(() => collector.accept(fake.token), UnknownReceiptError);
  });

  it("refuses a receipt that restarts below the shares already proven", async () => {
    const { issuer, collector } = pair({ chainLength: 100 });
    for (let i = 0; i < 10; i++) await deliver(issuer, collector);
    const cheat = {
      planId: 1n,
      provider,
      baseShares: 3n,
      anchor: ("0x" + "11".repeat(32)) as `0x${string}`,
      length: 50n,
    };
    const signed = { ...cheat, signature: await signShareReceipt(cheat, dom, customer.privateKey as `0x${string}`) };
    const err = await expectError(() => collector.acceptReceipt(signed), InvalidReceiptError);
    expect(err.message).to.contain("below the 10 shares");
    expect(collector.shares).to.equal(10n);
  });

  it("bounds the receipt length to what one transaction can submit (P-7)", async () => {
    const { collector } = pair();
    const signed = async (length: bigint) => {
      const r = { planId: 1n, provider, baseShares: 0n, anchor: ("0x" + "22".repeat(32)) as `0x${string}`, length };
      return { ...r, signature: await signShareReceipt(r, dom, customer.privateKey as `0x${string}`) };
    };
    collector.acceptReceipt(await signed(BigInt(DEFAULT_MAX_RECEIPT_LENGTH))); // at the bound: accepted
    const err = await expectError(
      async () => collector.acceptReceipt(await signed(BigInt(DEFAULT_MAX_RECEIPT_LENGTH) + 1n)),
      InvalidReceiptError,
    );
    expect(err.message).to.contain("beyond the 100000");
    await expectError(async () => collector.acceptReceipt(await signed(1_000_000_000n)), InvalidReceiptError);
    // configurable, but never beyond what fits one transaction
    const wide = new ShareCollector({
      planId: 1n,
      provider,
      domain: dom,
      planSigner: customer.address,
      maxReceiptLength: MAX_SUBMITTABLE_RECEIPT_LENGTH,
    });
    wide.acceptReceipt(await signed(BigInt(MAX_SUBMITTABLE_RECEIPT_LENGTH)));
    for (const bad of [0, MAX_SUBMITTABLE_RECEIPT_LENGTH + 1, 1.5]) {
      await expectError(
        () =>
          new ShareCollector({
            planId: 1n,
            provider,
            domain: dom,
            planSigner: customer.address,
            maxReceiptLength: bad,
          }),
        InvalidArgumentError,
      );
    }
  });

  it("asks for a fresh receipt once the chain is deep enough", async () => {
    const { issuer, collector } = pair({ chainLength: 100, refreshAfter: 5 });
    for (let i = 0; i < 4; i++) await deliver(issuer, collector);
    expect(collector.needsFreshReceipt()).to.equal(false);
    await deliver(issuer, collector);
    expect(collector.needsFreshReceipt()).to.equal(true);
    const fresh = await issuer.refresh(provider);
    expect(fresh.baseShares).to.equal(5n);
    collector.acceptReceipt(fresh);
    expect(collector.needsFreshReceipt()).to.equal(false);
    expect(await deliver(issuer, collector)).to.equal(6n);
  });
});

describe("plans: plan checks and the payout model", () => {
  const base = {
    planId: 1n,
    budget: 1000n,
    bond: 1000n,
    shareCap: 100n,
    submitDeadline: 10_000n,
    claimDeadline: 100_000n,
  };
  it("accepts a protective plan", () => {
    checkPlan(base, { minFloorPerShare: 10n }, 0n);
  });
  it("refuses each unprotective term", async () => {
    const cases: [Partial<typeof base> & { totalShares?: bigint }, object, string][] = [
      [{ shareCap: 0n }, {}, "no share cap"],
      [{}, { minFloorPerShare: 11n }, "floor price"],
      [{ bond: 999n }, {}, "bond"],
      [{ submitDeadline: 100n }, {}, "submission deadline"],
      [{ claimDeadline: 10_001n }, {}, "claim window"],
      [{ totalShares: 101n }, {}, "over-issued"],
    ];
    for (const [terms, policy, why] of cases) {
      const err = await expectError(() => checkPlan({ ...base, ...terms }, policy, 0n), PlanRejectedError);
      expect(err.reason, why).to.contain(why);
    }
  });
  it("refuses by default a plan whose floor rounds to 0, even with a cap (P-2)", async () => {
    checkPlan({ ...base, budget: 100n, bond: 100n }, {}, 0n); // floor exactly 1: accepted
    const huge = await expectError(() => checkPlan({ ...base, budget: 99n, bond: 99n }, {}, 0n), PlanRejectedError);
    expect(huge.reason).to.contain("floor price 0 per share below 1");
    await expectError(() => checkPlan({ ...base, shareCap: 10n ** 30n }, {}, 0n), PlanRejectedError);
    await expectError(() => checkPlan({ ...base, shareCap: 0n }, {}, 0n), PlanRejectedError);
    // an explicit opt-out of the cap accepts an uncapped plan (it carries no floor guarantee)
    checkPlan({ ...base, shareCap: 0n }, { requireCap: false }, 0n);
    // the floor is configurable, never below one base unit
    await expectError(() => checkPlan(base, { minFloorPerShare: 0n }, 0n), InvalidArgumentError);
  });
  it("refuses a plan whose receipt signer has code; accepts a key and an EIP-7702-delegated key (P-1)", async () => {
    const signer = Wallet.createRandom().address;
    const seen: string[] = [];
    const reader = (code: string) => async (a: string) => (seen.push(a), code);
    await checkPlanSigner({ planId: 1n, signer }, reader("0x"));
    await checkPlanSigner({ planId: 1n, signer }, reader("0xef0100" + "ab".repeat(20)));
    const err = await expectError(checkPlanSigner({ planId: 1n, signer }, reader("0x6080604052")), PlanRejectedError);
    expect(err.reason).to.contain("is a contract");
    await expectError(checkPlanSigner({ planId: 1n, signer }, reader("0xef0100" + "ab".repeat(21))), PlanRejectedError);
    expect(seen.every((a) => a === signer)).to.equal(true);
  });
  it("computes floored pro-rata payouts, sweep and forfeiture", () => {
    const shares = new Map([
      ["a", 1n],
      ["b", 2n],
    ]);
    const r = computePayouts({ budget: 1000n, bond: 50n, shareCap: 0n, shares });
    expect([...r.payouts.values()]).to.deep.equal([333n, 666n]);
    expect(r.sweep).to.equal(51n);
    const capped = computePayouts({ budget: 1000n, bond: 50n, shareCap: 10n, shares });
    expect(capped.payouts.get("a")).to.equal(100n);
    expect(capped.sweep).to.equal(750n);
    const over = computePayouts({ budget: 1000n, bond: 50n, shareCap: 2n, shares, claimants: new Set(["a"]) });
    expect(over.overIssued).to.equal(true);
    expect(over.forfeited).to.equal(50n);
    expect(over.sweep).to.equal(667n);
  });
});
