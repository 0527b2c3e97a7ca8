// swap deploy's Ignition path on a chain that is not a development chain (an in-process chain with
// chain id 100): the journal, the address book, idempotent reruns, and the --verify wiring through
// an injected verifier (hardhat-verify's upload needs the network; it is not exercised offline).
import { expect } from "chai";
import { network } from "hardhat";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestToken__factory, ChequebookFactory__factory, ServicePlans__factory } from "../../typechain-types/index.js";
import { DEFAULT_MIN_CLAIM_WINDOW } from "../../src/chain/plans.js";
import { deploySystem, NotLocalChainError } from "../../src/ops/operator.js";
import { verifyRequests, qualifiedName, type VerifyRequest } from "../../src/ops/verify.js";
import { IgnitionDeploymentError, swapArtifactResolver, UnknownContractError } from "../../src/ops/ignition.js";
import { expectError } from "../../test-support/helpers.js";

describe("ops: deploying through Ignition, with --verify", function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), "swap-ignition-"));
    dirs.push(d);
    return d;
  };

  it("on a live chain: deploys for the given token, journals, writes the book, verifies each contract with its constructor args; a rerun reuses", async () => {
    const conn = await network.create({ override: { chainId: 100 } });
    const [signer] = await conn.ethers.getSigners();
    const token = await new TestToken__factory(signer).deploy();
    await token.waitForDeployment();
    const tokenAddress = await token.getAddress();
    const root = tmp();
    const calls: VerifyRequest[] = [];
    const verify = async (r: VerifyRequest) => (calls.push(r), true);
    const blockBefore = await conn.ethers.provider.getBlockNumber();

    const r = await deploySystem({
      signer: signer!,
      provider: conn.provider,
      network: "gnosis",
      root,
      token: tokenAddress,
      confirmations: 1,
      verify,
    });
    const d = r.deployment;
    expect(d).to.deep.include({ chainId: "100", network: "gnosis", token: tokenAddress });
    const factory = ChequebookFactory__factory.connect(d.factory, conn.ethers.provider);
    expect(await factory.master()).to.equal(d.chequebookImplementation);
    const plans = ServicePlans__factory.connect(d.servicePlans, conn.ethers.provider);
    expect(await plans.minClaimWindow()).to.equal(DEFAULT_MIN_CLAIM_WINDOW);
    expect(d.blocks.factory).to.be.greaterThan(blockBefore);
    // a live chain's book goes to <root>/deployments (shipped), Ignition's journal to its own folder
    expect(r.file).to.equal(join(root, "deployments", "gnosis.json"));
    expect(JSON.parse(readFileSync(r.file, "utf8"))).to.deep.include({
      factory: d.factory,
      servicePlans: d.servicePlans,
    });
    expect(existsSync(join(root, "ignition", "deployments", "chain-100", "journal.jsonl"))).to.equal(true);
    // --verify: every deployed contract, in order, with the constructor arguments it was deployed with
    expect(calls).to.deep.equal([
      {
        address: d.factory,
        contract: "contracts/swap/ChequebookFactory.sol:ChequebookFactory",
        constructorArgs: [tokenAddress],
      },
      {
        address: d.chequebookImplementation,
        contract: "contracts/swap/Chequebook.sol:Chequebook",
        constructorArgs: [tokenAddress],
      },
      {
        address: d.servicePlans,
        contract: "contracts/plans/ServicePlans.sol:ServicePlans",
        constructorArgs: [86_400n],
      },
      {
        address: d.cashoutRouter,
        contract: "contracts/swap/batch/CashoutRouter.sol:CashoutRouter",
        constructorArgs: [],
      },
    ]);
    expect(r.verified).to.deep.equal(calls);

    // a rerun with the same token is Ignition's reconciliation: same contracts, nothing new mined
    const blockAfter = await conn.ethers.provider.getBlockNumber();
    const again = await deploySystem({
      signer: signer!,
      provider: conn.provider,
      network: "gnosis",
      root,
      token: tokenAddress,
      confirmations: 1,
    });
    expect(again.deployment).to.deep.include({
      factory: d.factory,
      servicePlans: d.servicePlans,
      chequebookImplementation: d.chequebookImplementation,
    });
    expect(await conn.ethers.provider.getBlockNumber()).to.equal(blockAfter);

    // another token on the same journal: Ignition refuses (reconciliation), nothing is mined, the book stays
    const book = readFileSync(r.file, "utf8");
    const other = "0x" + "77".repeat(20);
    const e = await expectError(
      deploySystem({
        signer: signer!,
        provider: conn.provider,
        network: "gnosis",
        root,
        token: other,
        confirmations: 1,
      }),
      IgnitionDeploymentError,
    );
    expect(e.kind).to.equal("RECONCILIATION_ERROR");
    expect(Object.keys(e.errors)).to.include("SwapSettlement#ChequebookFactory");
    expect(e.deploymentDir).to.equal(join(root, "ignition", "deployments", "chain-100"));
    expect(await conn.ethers.provider.getBlockNumber()).to.equal(blockAfter);
    expect(readFileSync(r.file, "utf8")).to.equal(book);
    await conn.close();
  });

  it("refuses --verify on a development chain before sending anything", async () => {
    const conn = await network.create();
    const [signer] = await conn.ethers.getSigners();
    const before = await conn.ethers.provider.getBlockNumber();
    let called = 0;
    const e = await expectError(
      deploySystem({
        signer: signer!,
        provider: conn.provider,
        network: "localhost",
        root: tmp(),
        verify: async () => (called++, true),
      }),
      NotLocalChainError,
    );
    expect(e).to.deep.include({ chainId: 31337n, action: "verifying on a block explorer" });
    expect(e.details).to.contain("drop --verify");
    expect(called).to.equal(0);
    expect(await conn.ethers.provider.getBlockNumber()).to.equal(before);
    await conn.close();
  });

  it("a development deployment deploys the test token too; the verify list then includes it", async () => {
    const conn = await network.create();
    const [signer] = await conn.ethers.getSigners();
    const root = tmp();
    const { deployment: d, file } = await deploySystem({
      signer: signer!,
      provider: conn.provider,
      network: "localhost",
      root,
    });
    expect(await conn.ethers.provider.getCode(d.token)).to.not.equal("0x");
    expect(await TestToken__factory.connect(d.token, conn.ethers.provider).totalSupply()).to.equal(0n);
    expect(file).to.equal(join(root, ".swap", "deployments", "localhost.json"));
    expect(existsSync(join(root, "ignition")), "no journal for a throw-away chain").to.equal(false);
    expect(verifyRequests(d, { testToken: true })[0]).to.deep.equal({
      address: d.token,
      contract: qualifiedName("TestToken"),
      constructorArgs: [],
    });
    await conn.close();
  });

  it("the artifact resolver knows only the system's contracts", async () => {
    const a = await swapArtifactResolver.loadArtifact("ServicePlans");
    expect(a.sourceName).to.equal("contracts/plans/ServicePlans.sol");
    expect(a.bytecode).to.match(/^0x[0-9a-f]+$/);
    await expectError(swapArtifactResolver.loadArtifact("Ownable"), UnknownContractError);
  });
});
