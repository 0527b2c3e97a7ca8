import { expect } from "chai";
import { network } from "hardhat";
import { Wallet } from "ethers";
import { TestToken__factory } from "../../typechain-types/index.js";
import { ServicePlansClient } from "../../src/chain/plans.js";
import { CustomerClient, ProviderClient } from "../../src/facade.js";
import { PlanRejectedError } from "../../src/plans/errors.js";
import type { Hex } from "../../src/crypto/index.js";
import { expectError } from "../../test-support/helpers.js";

describe("e2e: the service-model client API (facade)", function () {
  this.timeout(60_000);

  it("customer establishes, checks, increases and closes; provider books tokens and closes", async () => {
    const { ethers } = await network.create();
    const [funder, providerSigner] = await ethers.getSigners();
    const token = await new TestToken__factory(funder).deploy();
    await token.mint(funder.address, 10n ** 24n);
    const plans = await ServicePlansClient.deploy(funder);
    const hot = Wallet.createRandom();
    const customer = new CustomerClient(plans.address, funder, hot.privateKey as Hex, hot.address);
    const t0 = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const planId = await customer.establishContract({
      token: await token.getAddress(),
      budget: 1_000n,
      bond: 1_000n,
      shareCap: 100n,
      submitDeadline: t0 + 7_200n,
      claimDeadline: t0 + 100_000n,
      chainLength: 20,
    });
    expect((await customer.queryConditions(planId)).budget).to.equal(1_000n);

    const provider = new ProviderClient(plans.address, providerSigner, providerSigner.address);
    await expectError(provider.join(planId, { minFloorPerShare: 11n }), PlanRejectedError); // 1000/100 = 10 per share
    await provider.join(planId, { minFloorPerShare: 10n });
    for (let i = 0; i < 30; i++) {
      const { token: t, receipt } = await customer.token(providerSigner.address);
      provider.bookToken(t, receipt);
    }
    expect(await provider.closeContract()).to.deep.equal({ submitted: true });
    await customer.increaseFund(500n);
    expect(await customer.checkBalance()).to.deep.include({ budget: 1_500n, totalShares: 30n, remainingAtFloor: 70n });

    await ethers.provider.send("evm_increaseTime", [7_201]);
    await ethers.provider.send("evm_mine", []);
    expect(await provider.closeContract()).to.deep.equal({ submitted: false, claimed: 450n }); // 30 × 1500 / 100
    await ethers.provider.send("evm_increaseTime", [100_000]);
    const before = await token.balanceOf(funder.address);
    const swept = await customer.closeContract();
    expect(swept.returned).to.equal(2_500n - 450n);
    expect((await token.balanceOf(funder.address)) - before).to.equal(2_050n);
  });
});
