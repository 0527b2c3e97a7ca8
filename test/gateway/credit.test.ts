/**
 * The gateway's settlement adapter applies the node's credit rule to contract-wallet (ERC-1271)
 * payers: against a real chequebook on the in-process Hardhat network, a payer whose issuer is a
 * contract is served on credit up to the hard deposit its chequebook holds for the gateway and
 * refused one unit beyond (nothing billed); an EOA-issued chequebook is unaffected.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, id, type Signer } from "ethers";
import { Chequebook__factory, ERC1271Wallet__factory, TestToken__factory } from "../../typechain-types/index.js";
import { ChequebookFactoryClient } from "../../src/chain/chequebook.js";
import { EthersChainFacts } from "../../src/chain/facts.js";
import { MemoryStore } from "../../src/store/memory.js";
import { OverdraftError, SwapSettlement } from "../../src/gateway/swap-adapter.js";
import { expectError } from "../../test-support/helpers.js";

describe("gateway: credit to contract-wallet payers is bounded by their hard deposit (real chequebook)", function () {
  this.timeout(60_000);
  let ethers: Awaited<ReturnType<typeof network.create>>["ethers"];
  let deployer: Signer;
  let chainId: bigint;
  let factory: ChequebookFactoryClient;
  let tokenAddress: string;
  const gateway = Wallet.createRandom();
  const now = () => 1_000_000;

  before(async () => {
    ({ ethers } = await network.create());
    [deployer] = await ethers.getSigners();
    chainId = (await ethers.provider.getNetwork()).chainId;
    const token = await new TestToken__factory(deployer).deploy();
    tokenAddress = await token.getAddress();
    factory = await ChequebookFactoryClient.deploy(deployer, tokenAddress);
  });

  function settlement(): SwapSettlement {
    return new SwapSettlement({
      store: new MemoryStore(),
      allowVolatileStore: true,
      policy: { mode: "hard", paymentThreshold: 100n },
      pricePerCostUnit: 1n,
      chainId,
      beneficiary: gateway.address,
      facts: new EthersChainFacts(ethers.provider, chainId, [factory.address], { liquidityTtlMs: 0, now }),
      now,
    });
  }

  /** Serve `times` requests of one cost unit each (reserved, then applied as the server does). */
  function serve(s: SwapSettlement, peer: string, times: number): void {
    for (let i = 0; i < times; i++) s.reserve(peer, 1).apply();
  }

  it("serves a contract-wallet payer up to its hard deposit and refuses one unit more, billing nothing", async () => {
    const owner = Wallet.createRandom();
    await deployer.sendTransaction({ to: owner.address, value: 10n ** 18n });
    const wallet = await new ERC1271Wallet__factory(deployer).deploy(owner.address);
    const issuer = await wallet.getAddress();
    const { address: book } = await factory.deployChequebook({
      issuer,
      defaultHardDepositTimeout: 3_600,
      salt: id("gateway-credit"),
    });
    await (await TestToken__factory.connect(tokenAddress, deployer).mint(book, 1_000n)).wait();
    const data = Chequebook__factory.createInterface().encodeFunctionData("increaseHardDeposit", [
      gateway.address,
      40n,
    ]);
    await (await wallet.connect(owner.connect(ethers.provider)).execute(book, data)).wait();

    const s = settlement();
    const peer = `cb:${book}`;
    expect(await s.checkIssuer(book, issuer)).to.equal(true);
    await s.admit(peer, book, issuer);
    s.registerPeer(peer, issuer, now());
    expect(s.credit?.view(peer)).to.deep.include({ kind: "contract", source: "hardDeposit", limit: 40n });

    serve(s, peer, 40); // exactly at the bound
    expect(s.exposure(peer)).to.equal(40n);
    const err = await expectError(() => s.reserve(peer, 1), OverdraftError);
    expect([err.peer, err.direction, err.limit]).to.deep.equal([peer, "serve", 40n]);
    expect(s.exposure(peer)).to.equal(40n); // the refused request reserved nothing
  });

  it("an EOA-issued chequebook is not bounded by a hard deposit (it has none)", async () => {
    const issuer = Wallet.createRandom();
    const { address: book } = await factory.deployChequebook({
      issuer: issuer.address,
      defaultHardDepositTimeout: 0,
      salt: id("gateway-eoa"),
    });
    const s = settlement();
    const peer = `cb:${book}`;
    await s.admit(peer, book, issuer.address);
    s.registerPeer(peer, issuer.address, now());
    serve(s, peer, 41); // beyond what the contract-wallet payer above was allowed
    expect(s.exposure(peer)).to.equal(41n);
  });
});
