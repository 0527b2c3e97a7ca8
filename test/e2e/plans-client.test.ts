import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, type Signer } from "ethers";
import { ERC1271Wallet__factory, TestToken__factory } from "../../typechain-types/index.js";
import {
  AmountsTooLargeError,
  ClaimWindowTooShortError,
  DEFAULT_MIN_CLAIM_WINDOW,
  InvalidMinClaimWindowError,
  PlanExistsError,
  planIdOf,
  ServicePlansClient,
} from "../../src/chain/plans.js";
import { ProviderClient } from "../../src/facade.js";
import { checkPlanSigner } from "../../src/plans/collector.js";
import { PlanRejectedError } from "../../src/plans/errors.js";
import { signShareReceipt } from "../../src/plans/receipt.js";
import { InvalidArgumentError } from "../../src/errors.js";
import type { Hex } from "../../src/crypto/index.js";
import { expectError } from "../../test-support/helpers.js";

describe("e2e: ServicePlansClient — funder-bound ids, claim windows, batches, claimMany", function () {
  this.timeout(120_000);

  async function setup() {
    const { ethers } = await network.create();
    const [funder, other] = (await ethers.getSigners()) as Signer[];
    const tokens = await Promise.all([0, 1].map(() => new TestToken__factory(funder).deploy()));
    for (const t of tokens) await t.mint(await funder.getAddress(), 10n ** 24n);
    const plans = await ServicePlansClient.deploy(funder);
    const customer = Wallet.createRandom();
    const now = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const terms = async (token: string) => {
      const t = await now();
      return {
        token,
        signer: customer.address,
        budget: 1_000n,
        bond: 1_000n,
        shareCap: 100n,
        submitDeadline: t + 3_600n,
        claimDeadline: t + 3_600n + DEFAULT_MIN_CLAIM_WINDOW,
      };
    };
    const plain = async (planId: bigint, provider: string, shares: bigint) => {
      const domain = await plans.domain();
      const r = {
        planId,
        provider: provider as Hex,
        baseShares: shares,
        anchor: ("0x" + "00".repeat(32)) as Hex,
        length: 0n,
      };
      return {
        ...r,
        depth: 0n,
        word: r.anchor,
        signature: await signShareReceipt(r, domain, customer.privateKey as Hex),
      };
    };
    return { ethers, funder, other, tokens, plans, customer, now, terms, plain };
  }

  it("the id binds funder and salt: known before creation, never reused; a random salt by default", async () => {
    const { funder, tokens, plans, terms } = await setup();
    const salt = ("0x" + "5a".repeat(32)) as Hex;
    const expected = planIdOf(await funder.getAddress(), salt);
    const created = await plans.createPlan({ ...(await terms(await tokens[0].getAddress())), salt });
    expect(created.planId).to.equal(expected);
    expect(created.salt).to.equal(salt);
    expect(await plans.contract.planIdOf(await funder.getAddress(), salt)).to.equal(expected);
    const err = await expectError(
      plans.createPlan({ ...(await terms(await tokens[0].getAddress())), salt }),
      PlanExistsError,
    );
    expect(err.args.planId).to.equal(expected);
    const random = await plans.createPlan(await terms(await tokens[0].getAddress())); // existing callers: no salt
    expect(random.planId).to.equal(planIdOf(await funder.getAddress(), random.salt));
    expect(random.planId).to.not.equal(expected);
    expect(() => planIdOf(Wallet.createRandom().address, "0x1234")).to.throw(InvalidArgumentError);
  });

  it("enforces the minimum claim window and typed bounds on chain", async () => {
    const { funder, tokens, plans, terms } = await setup();
    expect(await plans.minClaimWindow()).to.equal(DEFAULT_MIN_CLAIM_WINDOW);
    const base = await terms(await tokens[0].getAddress());
    const short = await expectError(
      plans.createPlan({ ...base, claimDeadline: base.submitDeadline + DEFAULT_MIN_CLAIM_WINDOW - 1n }),
      ClaimWindowTooShortError,
    );
    expect(short.args.minimum).to.equal(DEFAULT_MIN_CLAIM_WINDOW);
    const big = await expectError(plans.createPlan({ ...base, budget: 2n ** 128n, bond: 1n }), AmountsTooLargeError);
    expect(big.args.budget).to.equal(2n ** 128n);
    await expectError(ServicePlansClient.deploy(funder, { minClaimWindow: 0n }), InvalidMinClaimWindowError);
    const short1h = await ServicePlansClient.deploy(funder, { minClaimWindow: 3_600n });
    expect(await short1h.minClaimWindow()).to.equal(3_600n);
  });

  it("submitBatch reports skipped entries; claimMany pays many plans in one transaction", async () => {
    const { ethers, tokens, plans, terms, plain, other } = await setup();
    const provider = Wallet.createRandom().address;
    const ids: bigint[] = [];
    for (const t of [tokens[1], tokens[0], tokens[1]])
      ids.push((await plans.createPlan(await terms(await t.getAddress()))).planId);
    const subs = await Promise.all(ids.map((id, i) => plain(id, provider, BigInt(10 * (i + 1)))));
    const forged = { ...(await plain(ids[0], await other.getAddress(), 5n)), baseShares: 6n };
    const [res] = await plans.submitBatch([...subs, forged]);
    expect(res.skipped).to.deep.equal([
      {
        index: 3,
        planId: ids[0],
        provider: await other.getAddress(),
        reason: plans.contract.interface.getError("InvalidReceiptSignature")!.selector,
      },
    ]);
    await ethers.provider.send("evm_increaseTime", [3_601]);
    await ethers.provider.send("evm_mine", []);
    const out = await plans.claimMany([...ids, 424242n], provider);
    expect([...out.amounts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))).to.deep.equal(
      ids.map((id, i) => [id, BigInt(10 * (i + 1)) * 10n] as [bigint, bigint]).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    expect(out.skipped).to.deep.equal([
      { planId: 424242n, reason: plans.contract.interface.getError("UnknownPlan")!.selector },
    ]);
    expect(await tokens[1].balanceOf(provider)).to.equal(100n + 300n);
    expect(await tokens[0].balanceOf(provider)).to.equal(200n);
    await expectError(plans.claimMany([], provider), InvalidArgumentError);
  });

  it("a provider refuses a plan whose receipt signer is a contract wallet", async () => {
    const { funder, other, tokens, plans, terms } = await setup();
    const wallet = await new ERC1271Wallet__factory(funder).deploy(await funder.getAddress());
    const { planId } = await plans.createPlan({
      ...(await terms(await tokens[0].getAddress())),
      signer: await wallet.getAddress(),
    });
    const provider = new ProviderClient(plans.address, other, await other.getAddress());
    const err = await expectError(provider.join(planId, { minSubmitWindow: 0n }), PlanRejectedError);
    expect(err.reason).to.contain("is a contract");
    await checkPlanSigner({ planId, signer: await funder.getAddress() }, (a) => plans.codeAt(a)); // an EOA passes
  });
});
