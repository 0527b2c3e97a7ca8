import { expect } from "chai";
import { network } from "hardhat";
import { TestToken__factory, Chequebook__factory } from "../../typechain-types/index.js";
import { ServicePlansClient } from "../../src/chain/plans.js";
import { runDemo } from "../../src/demo/scenario.js";

describe("e2e: the demo's report matches the chain", function () {
  this.timeout(120_000);

  it("funded amounts, cash-outs, disconnects, plan payouts and the sweep (unspent budget + bond) are the on-chain figures", async () => {
    const { ethers, networkName } = await network.create();
    const [funder] = await ethers.getSigners();
    const r = await runDemo({ provider: ethers.provider, funder, network: networkName });
    expect(r.checks.filter((c) => !c.ok)).to.deep.equal([]);
    const token = TestToken__factory.connect(r.deployment.token, ethers.provider);

    // each chequebook holds what was funded minus what it paid out
    for (const f of r.funded) {
      const book = Chequebook__factory.connect(f.chequebook, ethers.provider);
      expect((await token.balanceOf(f.chequebook)) + (await book.totalPaidOut())).to.equal(f.amount);
    }
    // the cash-outs are what the chequebooks paid each beneficiary
    const byPair = new Map<string, bigint>();
    for (const c of r.cashouts)
      byPair.set(
        `${c.chequebook}|${c.beneficiary}`,
        (byPair.get(`${c.chequebook}|${c.beneficiary}`) ?? 0n) + c.totalPayout,
      );
    for (const [pair, total] of byPair) {
      const [cb, beneficiary] = pair.split("|");
      expect(await Chequebook__factory.connect(cb, ethers.provider).paidOut(beneficiary)).to.equal(total);
    }
    expect(r.cashouts.length).to.be.greaterThan(0);
    // one disconnect (bob refused dave), counted once
    expect(r.disconnects.map((d) => [d.node, d.peer])).to.deep.equal([["bob", "dave"]]);
    // the plan: budget and bond as on chain, payouts sum to paidOut, sweep = unspent budget + bond
    const plan = await new ServicePlansClient(r.deployment.servicePlans, ethers.provider).getPlan(r.plan.planId);
    expect(r.plan).to.deep.include({
      budget: plan.budget,
      bond: plan.bond,
      totalShares: plan.totalShares,
      forfeited: 0n,
    });
    expect(r.plan.payouts.reduce((s, p) => s + p.amount, 0n)).to.equal(plan.paidOut);
    expect(r.plan.unspentBudget).to.equal(plan.budget - plan.paidOut);
    expect(r.plan.bondReturned).to.equal(plan.bond);
    expect(r.plan.swept).to.equal(r.plan.unspentBudget + r.plan.bondReturned);
    expect(await token.balanceOf(r.deployment.servicePlans)).to.equal(0n);
  });
});
