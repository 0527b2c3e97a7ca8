import { expect } from "chai";
import { Wallet, id, type BaseWallet, type Signer } from "ethers";
import { ERC1271Wallet__factory, type TestToken } from "../../typechain-types/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../../src/chain/chequebook.js";
import { EthersChainFacts } from "../../src/chain/facts.js";
import { signCheque } from "../../src/cheque/index.js";
import { Ledger } from "../../src/accounting/ledger.js";
import { MemoryStore } from "../../src/store/memory.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { ChequeReceiver, type IncomingCheque } from "../../src/swap/receiver.js";
import { SwapNode } from "../../src/swap/node.js";
import { memoryPair } from "../../src/swap/transport.js";
import {
  BadChequeSignatureError,
  ChequeBelowMinimumError,
  ChequebookChangedError,
  InsufficientLiquidityError,
  NonIncreasingChequeError,
  ServiceRefusedError,
  UnknownChequebookError,
  WrongBeneficiaryError,
  WrongChainError,
} from "../../src/swap/errors.js";
import { expectError } from "../../test-support/helpers.js";
import { chainSetup, type ChainSetup, type Ethers } from "../../test-support/chain-setup.js";
import type { Hex } from "../../src/crypto/index.js";

describe("e2e: SWAP in hard mode against the contracts", function () {
  this.timeout(60_000);
  let ethers: Ethers;
  let deployer: Signer;
  let chainId: bigint;
  let token: TestToken;
  let factory: ChequebookFactoryClient;
  let facts: EthersChainFacts;
  let n = 0;

  let chequebookOf: ChainSetup["chequebook"];
  const chequebookFor = (issuer: BaseWallet, funds: bigint): Promise<Hex> => chequebookOf(issuer.address, funds);

  before(async () => {
    ({ ethers, deployer, chainId, token, factory, chequebook: chequebookOf } = await chainSetup());
    facts = new EthersChainFacts(ethers.provider, chainId, [factory.address]);
  });

  describe("receiving: one typed failure per check, each leaving no trace", () => {
    const us = Wallet.createRandom();
    const issuer = Wallet.createRandom();
    let store: MemoryStore;
    let ledger: Ledger;
    let receiver: ChequeReceiver;
    let chequebook: Hex;

    async function cheque(over: Partial<IncomingCheque> = {}, key: BaseWallet = issuer): Promise<IncomingCheque> {
      const base = { chequebook, beneficiary: us.address, cumulativePayout: 100n, chainId, ...over };
      const signature = await signCheque(base, base.chainId, key.privateKey as Hex);
      return { ...base, signature, ...(over.signature ? { signature: over.signature } : {}) };
    }
    async function expectNoTrace<E extends Error>(
      p: Promise<unknown>,
      Class: abstract new (...a: never[]) => E,
    ): Promise<E> {
      const before = { balance: ledger.balance("peer"), received: store.listReceived().length };
      const err = await expectError(p, Class);
      expect(ledger.balance("peer")).to.equal(before.balance);
      expect(store.listReceived().length).to.equal(before.received);
      return err;
    }

    beforeEach(async () => {
      store = new MemoryStore();
      ledger = new Ledger(store);
      ledger.commit({ ...ledger.get("peer"), balance: 500n }, true); // the peer owes us 500
      chequebook = await chequebookFor(issuer, 1_000n);
      receiver = new ChequeReceiver(store, ledger, {
        beneficiary: us.address as Hex,
        chainId,
        mode: "hard",
        minChequeValue: 10n,
        facts,
      });
    });

    it("accepts a valid cheque, stores it, credits it once", async () => {
      const c = await cheque();
      expect((await receiver.receive("peer", c)).credited).to.equal(100n);
      expect(ledger.balance("peer")).to.equal(400n);
      expect(store.lastReceived(chequebook)?.cumulativePayout).to.equal(100n);
      const again = await receiver.receive("peer", c);
      expect(again).to.deep.include({ credited: 0n, duplicate: true });
      expect(ledger.balance("peer")).to.equal(400n);
    });
    it("wrong beneficiary", async () => {
      const err = await expectNoTrace(
        receiver.receive("peer", await cheque({ beneficiary: issuer.address })),
        WrongBeneficiaryError,
      );
      expect(err.got).to.equal(issuer.address);
    });
    it("wrong chain", async () => {
      const err = await expectNoTrace(
        receiver.receive("peer", await cheque({ chainId: chainId + 1n })),
        WrongChainError,
      );
      expect(err.got).to.equal(chainId + 1n);
    });
    it("different chequebook for a known peer", async () => {
      await receiver.receive("peer", await cheque());
      const other = await chequebookFor(issuer, 1_000n);
      const err = await expectNoTrace(
        receiver.receive("peer", await cheque({ chequebook: other, cumulativePayout: 50n })),
        ChequebookChangedError,
      );
      expect(err.expected).to.equal(chequebook);
    });
    it("not increasing", async () => {
      await receiver.receive("peer", await cheque({ cumulativePayout: 200n }));
      const err = await expectNoTrace(
        receiver.receive("peer", await cheque({ cumulativePayout: 150n })),
        NonIncreasingChequeError,
      );
      expect(err.lastCumulativePayout).to.equal(200n);
    });
    it("below the minimum", async () => {
      const err = await expectNoTrace(
        receiver.receive("peer", await cheque({ cumulativePayout: 9n })),
        ChequeBelowMinimumError,
      );
      expect(err.minimum).to.equal(10n);
    });
    it("chequebook not from a known factory", async () => {
      const rogue = Wallet.createRandom().address as Hex; // not deployed by the factory
      const err = await expectNoTrace(
        receiver.receive("peer", await cheque({ chequebook: rogue })),
        UnknownChequebookError,
      );
      expect(err.chequebook).to.equal(rogue);
    });
    it("bad signature", async () => {
      const err = await expectNoTrace(
        receiver.receive("peer", await cheque({}, Wallet.createRandom())),
        BadChequeSignatureError,
      );
      expect(err.issuer).to.equal(issuer.address);
    });
    it("insufficient liquidity", async () => {
      const err = await expectNoTrace(
        receiver.receive("peer", await cheque({ cumulativePayout: 1_001n })),
        InsufficientLiquidityError,
      );
      expect(err).to.deep.include({ required: 1_001n, available: 1_000n });
    });
    it("accepts cheques of an ERC-1271 contract-wallet issuer", async () => {
      const owner = Wallet.createRandom();
      const wallet = await new ERC1271Wallet__factory(deployer).deploy(owner.address);
      const d = await factory.deployChequebook({
        issuer: await wallet.getAddress(),
        defaultHardDepositTimeout: 60,
        salt: id(`w${n++}`),
      });
      await token.mint(d.address, 500n);
      chequebook = d.address;
      expect((await receiver.receive("peer", await cheque({}, owner))).credited).to.equal(100n);
    });
  });

  it("two nodes follow the Waku SWAP flow end to end and the cheque is cashed for real tokens", async () => {
    const clientKey = Wallet.createRandom().connect(ethers.provider);
    const serverKey = Wallet.createRandom().connect(ethers.provider);
    await deployer.sendTransaction({ to: serverKey.address, value: 10n ** 18n });
    const clientBook = await chequebookFor(clientKey, 1_000n);
    const serverBook = await chequebookFor(serverKey, 1_000n);
    let now = Date.now();
    const common = {
      chainId,
      facts,
      flushIntervalMs: 0,
      now: () => now,
      handlers: { store: (p: Uint8Array) => Uint8Array.from(p) },
    };
    const client = new SwapNode({
      ...common,
      store: new SqliteStore(":memory:"),
      policy: { mode: "hard", paymentThreshold: 100n },
      beneficiary: clientKey.address,
      chequebook: clientBook,
      signer: clientKey.privateKey as Hex,
    });
    const server = new SwapNode({
      ...common,
      store: new SqliteStore(":memory:"),
      policy: { mode: "hard", paymentThreshold: 100n, tolerancePercent: 20n, embargoMsPerUnit: 10 },
      beneficiary: serverKey.address,
      chequebook: serverBook,
      signer: serverKey.privateKey as Hex,
    });
    const received: bigint[] = [];
    let duplicates = 0;
    server.on("cheque-received", (e) => (e.duplicate ? duplicates++ : received.push(e.credited)));
    const connect = async () => {
      const [a, b] = memoryPair();
      return (await Promise.all([client.connect(a, "server"), server.connect(b, "client")]))[0];
    };

    // handshake, then priced store-style traffic: a cheque at the threshold, validated on chain and credited
    let session = await connect();
    for (let i = 0; i < 130; i++) await session.request("store", Uint8Array.from([i]));
    await new Promise((r) => setTimeout(r, 50));
    expect(received).to.deep.equal([100n]);
    expect(server.ledger.balance("client")).to.equal(30n);
    expect(client.ledger.balance("server")).to.equal(-30n);

    // the client stops paying: the server defects past 120 and disconnects with an embargo
    client.paymentsEnabled = false;
    for (let i = 0; i < 90; i++) await session.request("store");
    await expectError(session.request("store"), ServiceRefusedError);
    await new Promise((r) => setTimeout(r, 20));
    expect(session.closed).to.equal(true);
    expect(server.ledger.get("client").embargoUntil).to.equal(now + 120 * 10);

    // after the embargo the client reconnects and pays; service resumes
    now += 120 * 10 + 1;
    client.paymentsEnabled = true;
    session = await connect();
    await client.accounting.settle("server");
    await new Promise((r) => setTimeout(r, 50));
    expect(received).to.deep.equal([100n, 120n]);
    expect(duplicates).to.equal(1); // the last cheque is re-sent on reconnect and credited once only
    expect(server.ledger.balance("client")).to.equal(0n);
    expect((await session.request("store")).serviceClass).to.equal("paid");

    // cash-out of the received cheque moves real tokens
    const last = server.store.lastReceived(clientBook)!;
    const book = new ChequebookClient(clientBook, serverKey);
    const res = await book.cashChequeBeneficiary({
      chequebook: clientBook,
      beneficiary: serverKey.address,
      cumulativePayout: last.cumulativePayout,
      signature: last.signature as Hex,
    });
    expect(res.totalPayout).to.equal(220n);
    expect(await token.balanceOf(serverKey.address)).to.equal(220n);
    expect(await book.balance()).to.equal(780n);
    client.close();
    server.close();
  });
});
