import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, type Signer } from "ethers";
import { TestToken__factory, type TestToken } from "../../typechain-types/index.js";
import {
  InvalidReceiptSignatureError,
  InvalidShareTokenError,
  NothingToClaimError,
  ServicePlansClient,
} from "../../src/chain/plans.js";
import { ShareIssuer, type ShareToken } from "../../src/plans/issuer.js";
import { checkPlan, ShareCollector, type Submission } from "../../src/plans/collector.js";
import { ForgedShareTokenError } from "../../src/plans/errors.js";
import { computePayouts } from "../../src/plans/payout.js";
import { bytesToHex } from "../../src/crypto/index.js";
import { expectError } from "../../test-support/helpers.js";

/** Deterministic PRNG so a failing run can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe("e2e: a service plan across ten providers on three-hop paths", function () {
  this.timeout(120_000);

  it("pays every honest provider its pro-rata share, at least the floor; the forger and the fake gain nothing", async () => {
    const { ethers } = await network.create();
    const [funder, anyone] = (await ethers.getSigners()) as Signer[];
    const token: TestToken = await new TestToken__factory(funder).deploy();
    await token.mint(await funder.getAddress(), 10n ** 24n);
    const plans = await ServicePlansClient.deploy(funder);
    const domain = await plans.domain();
    const customer = Wallet.createRandom(); // the customer client's hot key
    const providers = Array.from({ length: 10 }, () => Wallet.createRandom().address);
    const honest = providers.slice(0, 8);
    const forger = providers[8]; // a relay that is on paths but holds no receipt: it forges
    const fake = providers[9]; // the customer's own fake provider
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

    const budget = 10n ** 18n;
    const shareCap = 8_000n;
    const { planId } = await plans.createPlan({
      token: await token.getAddress(),
      signer: customer.address,
      budget,
      bond: budget,
      shareCap,
      submitDeadline: now + 7_200n,
      claimDeadline: now + 7_200n + 86_400n,
    });
    const plan = await plans.getPlan(planId);
    for (const _provider of providers) checkPlan(plan, { minFloorPerShare: budget / shareCap }, now); // providers check before serving

    const issuer = new ShareIssuer({ planId, domain, signer: customer.privateKey as `0x${string}`, chainLength: 200 });
    const collectors = new Map(
      providers.map((p) => [
        p,
        new ShareCollector({ planId, provider: p, domain, planSigner: plan.signer, maxGap: 8 }),
      ]),
    );
    const deliver = (p: string, token: ShareToken) => collectors.get(p)!.accept(token);

    // traffic: 2,000 packets, each over three distinct relays; 2% of tokens are lost in transit;
    // the forger replaces the tokens of the hops after it with forged words
    const rand = rng(42);
    let forgedCaught = 0;
    for (let n = 0; n < 2_000; n++) {
      const path: string[] = [];
      while (path.length < 3) {
        const r = providers[Math.floor(rand() * 9)]; // honest relays and the forger
        if (!path.includes(r)) path.push(r);
      }
      let forging = false;
      for (const hop of path) {
        if (hop === forger) {
          forging = true;
          continue; // the customer pays only providers that hold its receipts
        }
        const { token, receipt } = await issuer.next(hop);
        if (receipt) collectors.get(hop)!.acceptReceipt(receipt);
        if (rand() < 0.02) continue; // lost
        if (forging) {
          await expectError(
            () => deliver(hop, { ...token, word: token.word.map((b, i) => (i === 0 ? b ^ 1 : b)) }),
            ForgedShareTokenError,
          );
          forgedCaught++;
          continue;
        }
        deliver(hop, token);
      }
    }
    expect(forgedCaught).to.be.greaterThan(0);

    // the customer issues shares to its own fake provider, staying under the cap
    const honestShares = honest.reduce((sum, p) => sum + collectors.get(p)!.shares, 0n);
    expect(honestShares <= shareCap).to.equal(true);
    const fakeShares = shareCap - honestShares;
    const fakeCollector = collectors.get(fake)!;
    for (let i = 0n; i < fakeShares; i++) {
      const { token, receipt } = await issuer.next(fake);
      if (receipt) fakeCollector.acceptReceipt(receipt);
      fakeCollector.accept(token);
    }

    // every provider with shares submits, in batches, through a third party
    const subs = [...honest, fake].map((p) => collectors.get(p)!.bestSubmission()).filter((s): s is Submission => !!s);
    await plans.connect(anyone).submitBatch(subs, 5);
    for (const p of [...honest, fake]) {
      expect((await plans.sharesOf(planId, p)).shares, p).to.equal(collectors.get(p)!.shares);
    }
    // the forger tries: a forged word under a real receipt, and a receipt it signed itself
    const stolen = { ...subs[0], provider: forger as `0x${string}` };
    await expectError(plans.submit(stolen), InvalidReceiptSignatureError);
    const forgedWord = { ...subs[0], depth: subs[0].depth + 1n, word: bytesToHex(new Uint8Array(32).fill(7)) }; // claims one more share
    await expectError(plans.submit(forgedWord), InvalidShareTokenError);
    const own = new ShareIssuer({
      planId,
      domain,
      signer: Wallet.createRandom().privateKey as `0x${string}`,
      chainLength: 10,
    });
    const ownToken = await own.next(forger);
    const ownSub: Submission = {
      ...ownToken.receipt!,
      provider: forger as `0x${string}`,
      depth: 1n,
      word: bytesToHex(ownToken.token.word),
      signature: ownToken.receipt!.signature,
    };
    await expectError(plans.submit(ownSub), InvalidReceiptSignatureError);

    // claims after the submission deadline, compared with the TypeScript model to the wei
    await ethers.provider.send("evm_increaseTime", [7_201]);
    await ethers.provider.send("evm_mine", []);
    const shares = new Map([...honest, fake].map((p) => [p, collectors.get(p)!.shares]));
    const model = computePayouts({ budget, bond: budget, shareCap, shares });
    expect(model.overIssued).to.equal(false);
    for (const p of [...honest, fake]) {
      const { amount } = await plans.claim(planId, p);
      expect(amount, p).to.equal(model.payouts.get(p));
      expect(await token.balanceOf(p)).to.equal(amount);
      if (honest.includes(p)) expect(amount >= shares.get(p)! * model.floorPerShare, "floor").to.equal(true);
    }
    await expectError(plans.claim(planId, forger), NothingToClaimError);
    expect(await token.balanceOf(forger)).to.equal(0n);

    // sweep: the funder gets the dust and the bond back; with its fake's payout it is no better off
    // than an honest funder, who would have received the unused part below the cap instead
    await ethers.provider.send("evm_increaseTime", [86_401]);
    const swept = await plans.sweep(planId);
    expect(swept.returned).to.equal(model.sweep);
    const honestModel = computePayouts({
      budget,
      bond: budget,
      shareCap,
      shares: new Map(honest.map((p) => [p, shares.get(p)!])),
    });
    expect(swept.returned + model.payouts.get(fake)! <= honestModel.sweep).to.equal(true);
    expect(await token.balanceOf(plans.address)).to.equal(0n);
  });
});
