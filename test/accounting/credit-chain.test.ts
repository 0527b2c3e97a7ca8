/**
 * Credit to a contract-wallet (ERC-1271) issuer, against a real chequebook on the in-process
 * Hardhat network: the server serves such a peer while uncashed + debt stays within the hard
 * deposit the chequebook guarantees it, refuses (Overdraft) one unit beyond, sees a prepared
 * decrease once its liquidity cache expires, and treats EOA issuers as before.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, id, type BaseWallet, type HDNodeWallet, type Signer } from "ethers";
import {
  Chequebook__factory,
  ERC1271Wallet__factory,
  TestToken__factory,
  type ERC1271Wallet,
  type TestToken,
} from "../../typechain-types/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../../src/chain/chequebook.js";
import { EthersChainFacts } from "../../src/chain/facts.js";
import { MemoryStore } from "../../src/store/memory.js";
import { SwapNode } from "../../src/swap/node.js";
import type { PeerSession } from "../../src/swap/session.js";
import { memoryPair } from "../../src/swap/transport.js";
import { ServiceRefusedError } from "../../src/swap/errors.js";
import { expectError } from "../../test-support/helpers.js";
import type { Hex } from "../../src/crypto/index.js";

const chequebookAbi = Chequebook__factory.createInterface();

describe("credit: contract-wallet issuers are bounded by their hard deposit (real chequebook)", function () {
  this.timeout(60_000);
  let ethers: Awaited<ReturnType<typeof network.create>>["ethers"];
  let deployer: Signer;
  let chainId: bigint;
  let token: TestToken;
  let factory: ChequebookFactoryClient;
  let n = 0;
  let now = 1_000_000;
  const TTL = 1_000;

  before(async () => {
    ({ ethers } = await network.create());
    [deployer] = await ethers.getSigners();
    chainId = (await ethers.provider.getNetwork()).chainId;
    token = await new TestToken__factory(deployer).deploy();
    factory = await ChequebookFactoryClient.deploy(deployer, await token.getAddress());
  });

  /** A chequebook whose issuer is an ERC-1271 wallet owned by `owner` (funded with gas). */
  async function walletChequebook(owner: HDNodeWallet, funds: bigint): Promise<{ wallet: ERC1271Wallet; book: Hex }> {
    await deployer.sendTransaction({ to: owner.address, value: 10n ** 18n });
    const wallet = await new ERC1271Wallet__factory(deployer).deploy(owner.address);
    const d = await factory.deployChequebook({
      issuer: await wallet.getAddress(),
      defaultHardDepositTimeout: 3_600,
      salt: id(`credit${n++}`),
    });
    await token.mint(d.address, funds);
    return { wallet, book: d.address };
  }

  /** The wallet (as issuer) calls the chequebook. */
  async function asIssuer(owner: HDNodeWallet, wallet: ERC1271Wallet, book: Hex, fn: string, args: unknown[]) {
    const data = chequebookAbi.encodeFunctionData(fn as "increaseHardDeposit", args as [string, bigint]);
    const tx = await wallet.connect(owner.connect(ethers.provider)).execute(book, data);
    await tx.wait();
  }

  function nodes(client: { key: BaseWallet; book: Hex; issuer: string }, serverPolicy = {}) {
    const server = Wallet.createRandom();
    const facts = new EthersChainFacts(ethers.provider, chainId, [factory.address], {
      liquidityTtlMs: TTL,
      now: () => now,
    });
    const common = { chainId, facts, flushIntervalMs: 0, now: () => now, handlers: { store: () => new Uint8Array(1) } };
    const c = new SwapNode({
      ...common,
      store: new MemoryStore(),
      policy: { mode: "hard", paymentThreshold: 100n },
      beneficiary: client.key.address,
      chequebook: client.book,
      signer: client.key.privateKey as Hex,
      issuer: client.issuer,
    });
    const s = new SwapNode({
      ...common,
      store: new MemoryStore(),
      policy: { mode: "hard", paymentThreshold: 100n, ...serverPolicy },
      beneficiary: server.address,
    });
    return { client: c, server: s, serverAddress: server.address, serverKey: server, facts };
  }

  async function connect(client: SwapNode, server: SwapNode): Promise<PeerSession> {
    const [a, b] = memoryPair();
    return (await Promise.all([client.connect(a, "server"), server.connect(b, "client")]))[0];
  }

  async function serve(session: PeerSession, times: number): Promise<void> {
    for (let i = 0; i < times; i++) expect((await session.request("store")).serviceClass).to.equal("paid");
  }

  /** The next request is refused with `Overdraft`, and nothing is billed for it. */
  async function refusedOverdraft(server: SwapNode, session: PeerSession): Promise<void> {
    const before = server.ledger.balance("client");
    const err = await expectError(session.request("store"), ServiceRefusedError);
    expect(err.code).to.equal("Overdraft");
    expect(session.closed).to.equal(false); // no disconnect, no embargo: the issuer must raise its deposit
    expect(server.ledger.balance("client")).to.equal(before);
    expect(server.ledger.get("client").embargoUntil).to.equal(0);
  }

  it("serves exactly up to the hard deposit (uncashed + debt), refuses one unit over, re-reads after the TTL", async () => {
    const owner = Wallet.createRandom();
    const { wallet, book } = await walletChequebook(owner, 1_000n);
    const { client, server, serverAddress } = nodes({ key: owner, book, issuer: await wallet.getAddress() });
    await asIssuer(owner, wallet, book, "increaseHardDeposit", [serverAddress, 50n]);
    const session = await connect(client, server);
    expect(server.credit?.view("client")).to.deep.include({ kind: "contract", source: "hardDeposit", limit: 50n });

    // 30 of debt, then a cheque of 30 (uncashed): 20 more fit, exactly at the bound
    await serve(session, 30);
    const received = new Promise((r) => server.once("cheque-received", r));
    await client.accounting.settle("server");
    await received;
    expect(server.ledger.balance("client")).to.equal(0n);
    await serve(session, 20);
    expect(server.ledger.balance("client")).to.equal(20n);
    await refusedOverdraft(server, session);

    // the issuer raises the deposit by 10: seen once the cache expired, then 10 more (not 11)
    await asIssuer(owner, wallet, book, "increaseHardDeposit", [serverAddress, 10n]);
    await server.credit!.refresh("client");
    await refusedOverdraft(server, session); // still the cached 50 within the TTL
    now += TTL;
    await server.credit!.refresh("client");
    expect(server.credit?.view("client")?.limit).to.equal(60n);
    await serve(session, 10);
    await refusedOverdraft(server, session);

    // a prepared decrease counts at once, but only once the cache expired
    await asIssuer(owner, wallet, book, "increaseHardDeposit", [serverAddress, 20n]); // 80: 20 of room
    now += TTL;
    await server.credit!.refresh("client");
    await asIssuer(owner, wallet, book, "prepareDecreaseHardDeposit", [serverAddress, 30n]); // 80 − 30 = 50
    await server.credit!.refresh("client");
    expect(server.credit?.view("client")?.limit).to.equal(80n); // cached
    await serve(session, 1);
    now += TTL;
    await server.credit!.refresh("client");
    expect(server.credit?.view("client")?.limit).to.equal(50n);
    await refusedOverdraft(server, session); // 30 uncashed + 31 debt > 50
    client.close();
    server.close();
  });

  it("a cash-out consumes the deposit: room comes back only when the issuer tops it up", async () => {
    const owner = Wallet.createRandom();
    const { wallet, book } = await walletChequebook(owner, 1_000n);
    const { client, server, serverAddress, serverKey } = nodes({ key: owner, book, issuer: await wallet.getAddress() });
    await asIssuer(owner, wallet, book, "increaseHardDeposit", [serverAddress, 40n]);
    const session = await connect(client, server);
    await serve(session, 40);
    const received = new Promise((r) => server.once("cheque-received", r));
    await client.accounting.settle("server");
    await received;
    await refusedOverdraft(server, session);
    // cash the cheque: paidOut 40, hard deposit 0, nothing uncashed: still no room
    const last = server.store.lastReceived(book)!;
    await deployer.sendTransaction({ to: serverAddress, value: 10n ** 17n });
    const cashed = await new ChequebookClient(book, serverKey.connect(ethers.provider)).cashChequeBeneficiary({
      chequebook: book,
      beneficiary: serverAddress as Hex,
      cumulativePayout: last.cumulativePayout,
      signature: last.signature as Hex,
    });
    expect(cashed.totalPayout).to.equal(40n);
    now += TTL;
    await server.credit!.refresh("client");
    expect(server.credit?.view("client")).to.deep.include({ limit: 0n, paidOut: 40n });
    await refusedOverdraft(server, session);
    await asIssuer(owner, wallet, book, "increaseHardDeposit", [serverAddress, 5n]);
    now += TTL;
    await server.credit!.refresh("client");
    await serve(session, 5);
    await refusedOverdraft(server, session);
    client.close();
    server.close();
  });

  it("our own ceiling (contractIssuerMaxCredit) caps a larger hard deposit", async () => {
    const owner = Wallet.createRandom();
    const { wallet, book } = await walletChequebook(owner, 1_000n);
    const { client, server, serverAddress } = nodes(
      { key: owner, book, issuer: await wallet.getAddress() },
      { contractIssuerMaxCredit: 20n },
    );
    await asIssuer(owner, wallet, book, "increaseHardDeposit", [serverAddress, 500n]);
    const session = await connect(client, server);
    await serve(session, 20);
    await refusedOverdraft(server, session);
    client.close();
    server.close();
  });

  it("EOA issuers are unaffected: no hard deposit, served up to the disconnect threshold", async () => {
    const key = Wallet.createRandom();
    const d = await factory.deployChequebook({
      issuer: key.address,
      defaultHardDepositTimeout: 60,
      salt: id(`eoa${n++}`),
    });
    await token.mint(d.address, 1_000n);
    const { client, server } = nodes({ key, book: d.address, issuer: key.address }, { tolerancePercent: 50n });
    client.paymentsEnabled = false;
    const session = await connect(client, server);
    expect(server.credit?.view("client")).to.equal(undefined);
    await serve(session, 150); // disconnect threshold 150, no hard deposit at all
    const err = await expectError(session.request("store"), ServiceRefusedError);
    expect(err.code).to.equal("PaymentRequired");
    client.close();
    server.close();
  });

  it("facts: an address without a hardDeposits view guarantees nothing (asked once); a prepared decrease counts at once", async () => {
    const facts = new EthersChainFacts(ethers.provider, chainId, [factory.address], {
      liquidityTtlMs: TTL,
      now: () => now,
    });
    const beneficiary = Wallet.createRandom().address;
    const notAChequebook = Wallet.createRandom().address; // answers every call with no data
    expect(await facts.guarantee(notAChequebook, beneficiary)).to.equal(undefined);
    const calls = facts.calls;
    expect(await facts.guarantee(notAChequebook, beneficiary)).to.equal(undefined);
    expect(facts.calls).to.equal(calls);

    const owner = Wallet.createRandom();
    const { wallet, book } = await walletChequebook(owner, 100n);
    await asIssuer(owner, wallet, book, "increaseHardDeposit", [beneficiary, 70n]);
    expect(await facts.guarantee(book, beneficiary)).to.deep.equal({ guaranteed: 70n, paidOut: 0n });
    await asIssuer(owner, wallet, book, "prepareDecreaseHardDeposit", [beneficiary, 70n]);
    facts.invalidateLiquidity(book);
    expect(await facts.guarantee(book, beneficiary)).to.deep.equal({ guaranteed: 0n, paidOut: 0n });
  });
});
