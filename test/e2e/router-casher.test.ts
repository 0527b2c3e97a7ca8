import { expect } from "chai";
import { Transaction, Wallet, ZeroAddress, ZeroHash, type Signer, type HDNodeWallet } from "ethers";
import { CashoutRouter__factory, Chequebook__factory, type TestToken } from "../../typechain-types/index.js";
import { ChequebookClient } from "../../src/chain/chequebook.js";
import { signCashout, signCheque } from "../../src/cheque/index.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { CashoutService } from "../../src/settlement/cashout.js";
import {
  RouterBatchCasher,
  routerBatchLimit,
  DEFAULT_GAS_PER_ENTRY,
  TX_GAS_CAP,
} from "../../src/settlement/router-casher.js";
import { SingleChequeCasher, type CashItem, type CasherContext } from "../../src/settlement/casher.js";
import { feeInToken, fixedGasPrice, NANO } from "../../src/settlement/fees.js";
import type { TxRequest } from "../../src/chain/transactions.js";
import { InvalidArgumentError } from "../../src/errors.js";
import type { Hex } from "../../src/crypto/index.js";
import type { ReceivedCheque } from "../../src/store/types.js";
import { expectError } from "../../test-support/helpers.js";
import { chainSetup, type ChainSetup, type Ethers } from "../../test-support/chain-setup.js";

class Crash extends Error {}

const routerInterface = CashoutRouter__factory.createInterface();
const chequebookInterface = Chequebook__factory.createInterface();

describe("e2e: cash-out service through the batch router", function () {
  this.timeout(120_000);
  let ethers: Ethers;
  let deployer: Signer;
  let chainId: bigint;
  let token: TestToken;
  let router: Hex;
  let chequebookOf: ChainSetup["chequebook"];

  before(async () => {
    ({ ethers, deployer, chainId, token, router, chequebook: chequebookOf } = await chainSetup());
  });

  const policy = { minAmount: 1n, gasPrice: () => 0n }; // gas priced at 0: these tests are about batching

  /** A beneficiary with gas and a store, and `add(funds, cumulative)` giving it a cheque from a new chequebook. */
  async function node() {
    const me = Wallet.createRandom().connect(ethers.provider) as HDNodeWallet;
    await (await deployer.sendTransaction({ to: me.address, value: 10n ** 18n })).wait();
    const store = new SqliteStore(":memory:");
    const books: { address: Hex; issuer: HDNodeWallet; peer: string }[] = [];
    const add = async (funds: bigint, cumulative: bigint) => {
      const issuer = Wallet.createRandom().connect(ethers.provider) as HDNodeWallet;
      const d = { address: await chequebookOf(issuer.address, funds, 60) };
      const peer = `peer-${books.length}`;
      const c = { chequebook: d.address, beneficiary: me.address, cumulativePayout: cumulative };
      store.putReceived({
        ...c,
        signature: await signCheque(c, chainId, issuer.privateKey as Hex),
        peer,
        chainId,
        receivedAt: Date.now(),
      });
      const book = { address: d.address as Hex, issuer, peer };
      books.push(book);
      return book;
    };
    return { me, store, books, add };
  }
  const casher = (opts: { maxBatch?: number } = {}) => new RouterBatchCasher({ router, ...opts });

  it("cashes the cheques of four chequebooks in ONE transaction: records, balances, events", async () => {
    const { me, store, books, add } = await node();
    for (const amount of [100n, 400n, 300n, 200n]) await add(1_000n, amount);
    const svc = new CashoutService({ store, signer: me, policy, casher: casher() });
    const plan = await svc.plan();
    expect(plan.candidates.map((c) => [c.batch, c.route])).to.deep.equal([
      [1, "batch"],
      [1, "batch"],
      [1, "batch"],
      [1, "batch"],
    ]);
    const r = await svc.run();
    expect(r.failed).to.deep.equal([]);
    expect(r.sent.map((x) => [x.chequebook, x.status, x.totalPayout])).to.have.deep.members([
      [books[1].address, "mined", 400n],
      [books[2].address, "mined", 300n],
      [books[3].address, "mined", 200n],
      [books[0].address, "mined", 100n],
    ]);
    const hashes = new Set(r.sent.map((x) => x.txHash));
    expect(hashes.size).to.equal(1);
    expect(await ethers.provider.getTransactionCount(me.address)).to.equal(1);
    const tx = await ethers.provider.getTransaction([...hashes][0]!);
    expect(tx!.to).to.equal(router);
    expect(tx!.data.slice(0, 10)).to.equal(routerInterface.getFunction("cashManyCompact")!.selector);
    expect(await token.balanceOf(me.address)).to.equal(1_000n);
    for (const b of books)
      expect(await token.balanceOf(b.address)).to.equal(1_000n - store.lastReceived(b.address)!.cumulativePayout);
    // on chain: one ChequeCashed per chequebook, the router as caller, no skip
    const receipt = (await ethers.provider.getTransactionReceipt(tx!.hash))!;
    const cashed = receipt.logs
      .filter((l) => books.some((b) => b.address === l.address))
      .map((l) => chequebookInterface.parseLog(l))
      .filter((p) => p?.name === "ChequeCashed");
    expect(
      cashed.map((p) => [p!.args.beneficiary, p!.args.recipient, p!.args.caller, p!.args.totalPayout]),
    ).to.have.deep.members([
      [me.address, me.address, router, 400n],
      [me.address, me.address, router, 300n],
      [me.address, me.address, router, 200n],
      [me.address, me.address, router, 100n],
    ]);
    expect(receipt.logs.filter((l) => l.address === router)).to.deep.equal([]);
    for (const b of books)
      expect(svc.history(b.address).map((x) => [x.status, x.gasUsed, x.caller])).to.deep.equal([
        ["mined", receipt.gasUsed, me.address],
      ]);
    // nothing left: no second transaction
    expect((await svc.run()).sent).to.deep.equal([]);
    expect(await ethers.provider.getTransactionCount(me.address)).to.equal(1);
  });

  it("an entry that fails between the plan and the block is skipped, the others paid; it is retried (a bounce alone, then the rest)", async () => {
    const { me, store, books, add } = await node();
    await add(1_000n, 300n);
    const victim = await add(1_000n, 500n);
    await add(1_000n, 200n);
    await (await deployer.sendTransaction({ to: victim.issuer.address, value: 10n ** 17n })).wait();
    // the victim's issuer withdraws all but 50 after the plan's simulation (which prices the batch
    // through `gasUsed`), while the batch is built for sending
    let encodes = 0;
    class Racing extends RouterBatchCasher {
      override async encode(items: CashItem[], ctx: CasherContext) {
        if (++encodes === 1)
          await (await new ChequebookClient(victim.address, victim.issuer).contract.withdraw(950n)).wait();
        return super.encode(items, ctx);
      }
    }
    const events: string[] = [];
    const svc = new CashoutService({
      store,
      signer: me,
      policy,
      casher: new Racing({ router }),
      onBounce: (p) => events.push(`bounce ${p}`),
      onPaid: (p) => events.push(`paid ${p}`),
    });
    const r = await svc.run();
    expect(encodes).to.equal(1);
    expect(r.sent.map((x) => [x.chequebook, x.status, x.totalPayout])).to.have.deep.members([
      [victim.address, "failed", 0n],
      [books[0].address, "mined", 300n],
      [books[2].address, "mined", 200n],
    ]);
    expect(r.sent.find((x) => x.chequebook === victim.address)!.error).to.equal(
      "skipped: Reverted: RelayedChequeWouldBounce",
    );
    expect(new Set(r.sent.map((x) => x.txHash)).size).to.equal(1);
    const receipt = (await ethers.provider.getTransactionReceipt(r.sent[0].txHash!))!;
    const skips = receipt.logs.filter((l) => l.address === router).map((l) => routerInterface.parseLog(l)!.args);
    const sentEntries = routerInterface.parseTransaction({
      data: (await ethers.provider.getTransaction(receipt.hash))!.data,
    })!.args[2] as { chequebook: string }[];
    const at = sentEntries.findIndex((e) => e.chequebook === victim.address);
    expect(at).to.be.greaterThanOrEqual(0);
    expect(skips.map((a) => [a.index, a.chequebook, a.beneficiary, a.reason, a.errorSelector])).to.deep.equal([
      [BigInt(at), victim.address, me.address, 3n, chequebookInterface.getError("RelayedChequeWouldBounce")!.selector],
    ]);
    expect(await token.balanceOf(me.address)).to.equal(500n);
    expect(await token.balanceOf(victim.address)).to.equal(50n);
    expect(events).to.have.members(["paid peer-0", "paid peer-2"]);

    // next run: the cheque would bounce, which a relayed cash-out cannot do: it goes alone, directly
    const plan = await svc.plan();
    expect(plan.candidates.find((c) => c.chequebook === victim.address)).to.deep.include({
      bounces: true,
      totalPayout: 50n,
      batch: 1,
      route: "direct",
    });
    const second = await svc.run();
    expect(second.sent.map((x) => [x.chequebook, x.status, x.totalPayout])).to.deep.equal([
      [victim.address, "bounced", 50n],
    ]);
    expect((await ethers.provider.getTransaction(second.sent[0].txHash!))!.to).to.equal(victim.address);
    expect(events.slice(2)).to.deep.equal(["bounce peer-1"]);

    // funded again: the rest is cashed (a batch of one: directly, cheaper than through the router)
    await (await token.mint(victim.address, 1_000n)).wait();
    const third = await svc.run();
    expect(third.sent.map((x) => [x.chequebook, x.status, x.totalPayout])).to.deep.equal([
      [victim.address, "mined", 450n],
    ]);
    expect((await ethers.provider.getTransaction(third.sent[0].txHash!))!.to).to.equal(victim.address);
    expect(svc.history(victim.address).map((x) => [x.status, x.totalPayout])).to.deep.equal([
      ["failed", 0n],
      ["bounced", 50n],
      ["mined", 450n],
    ]);
    expect(await token.balanceOf(me.address)).to.equal(1_000n);
  });

  it("a cheque the router would skip is found by its own simulation and waits; it never enters a batch", async () => {
    const { me, store, books, add } = await node();
    await add(1_000n, 300n);
    const forged = await add(1_000n, 600n);
    const c = { chequebook: forged.address, beneficiary: me.address, cumulativePayout: 600n };
    store.putReceived({
      ...store.lastReceived(forged.address)!,
      signature: await signCheque(c, chainId, Wallet.createRandom().privateKey as Hex),
    });
    const svc = new CashoutService({ store, signer: me, policy, casher: casher() });
    const plan = await svc.plan();
    const row = plan.candidates.find((x) => x.chequebook === forged.address)!;
    expect(row.batch).to.equal(undefined);
    expect(row.reason).to.match(
      /^simulation failed: InvalidIssuerSignatureError: contract reverted: InvalidIssuerSignature\(/,
    );
    const r = await svc.run();
    expect(r.sent.map((x) => [x.chequebook, x.status, x.totalPayout])).to.deep.equal([
      [books[0].address, "mined", 300n],
    ]);
    expect(r.waiting.map((x) => x.chequebook)).to.deep.equal([forged.address]);
    expect(svc.history(forged.address)).to.deep.equal([]);
    expect(await token.balanceOf(forged.address)).to.equal(1_000n);
  });

  it("only cheques at or above the minimum are simulated one by one; the others wait, reported", async () => {
    const { me, store, books, add } = await node();
    await add(1_000n, 100n);
    await add(1_000n, 300n);
    const probed: string[] = [];
    class Counting extends RouterBatchCasher {
      override async probe(item: CashItem, ctx: CasherContext) {
        probed.push(item.cheque.chequebook);
        return super.probe(item, ctx);
      }
    }
    const svc = new CashoutService({
      store,
      signer: me,
      policy: { ...policy, minAmount: 250n },
      casher: new Counting({ router }),
    });
    const plan = await svc.plan();
    expect(probed).to.deep.equal([books[1].address]);
    expect(plan.candidates.find((c) => c.chequebook === books[0].address)!.reason).to.equal("below the minimum 250");
    expect(plan.candidates.find((c) => c.chequebook === books[1].address)).to.deep.include({
      batch: 1,
      route: "batch",
    });
  });

  for (const [count, batch] of [
    [7, 3],
    [6, 3],
    [5, 1],
  ] as const) {
    it(`cashOutAll with ${count} due cheques and batch size ${batch} sends ⌈${count}/${batch}⌉ = ${Math.ceil(count / batch)} transactions`, async () => {
      const { me, store, books, add } = await node();
      for (let i = 0; i < count; i++) await add(1_000n, 100n + BigInt(i));
      const svc = new CashoutService({ store, signer: me, policy, casher: casher({ maxBatch: batch }) });
      const records = await svc.cashOutAll();
      expect(records.map((x) => x.status)).to.deep.equal(Array(count).fill("mined"));
      const hashes = [...new Set(records.map((x) => x.txHash))];
      expect(hashes).to.have.length(Math.ceil(count / batch));
      expect(await ethers.provider.getTransactionCount(me.address)).to.equal(Math.ceil(count / batch));
      // a batch of one is the beneficiary's own call to the chequebook
      for (const x of records) {
        const alone = records.filter((y) => y.txHash === x.txHash).length === 1;
        expect((await ethers.provider.getTransaction(x.txHash!))!.to).to.equal(alone ? x.chequebook : router);
      }
      expect(await token.balanceOf(me.address)).to.equal(
        books.reduce((s, b) => s + store.lastReceived(b.address)!.cumulativePayout, 0n),
      );
    });
  }

  it("the policy's batch size caps the casher's: 5 cheques at batchSize 2 → 3 transactions", async () => {
    const { me, store, add } = await node();
    for (let i = 0; i < 5; i++) await add(1_000n, 100n + BigInt(i));
    const svc = new CashoutService({ store, signer: me, policy: { ...policy, batchSize: 2 }, casher: casher() });
    expect((await svc.plan()).batchSize).to.equal(2);
    await svc.cashOutAll();
    expect(await ethers.provider.getTransactionCount(me.address)).to.equal(3);
  });

  describe("the fee decision prices a batch at the gas it uses, not at its gas limit", () => {
    const N = 10;
    const PAYOUT = 10n ** 15n;
    const VALUE = BigInt(N) * PAYOUT;
    const CAP = (VALUE * 5n) / 100n; // the default 5% cap, in token base units
    /** The price of gas (token base units ×1e9) at which `gas` costs `percentOfCap` % of the cap. */
    const priceFor = (gas: bigint, percentOfCap: bigint) => (CAP * percentOfCap * NANO) / (100n * gas);
    const ctxOf = (me: HDNodeWallet): CasherContext => ({
      chainId,
      beneficiary: me.address as Hex,
      signCashout: (auth) => signCashout(auth, chainId, me.privateKey as Hex),
    });

    it(`${N} cheques: predicted within 5% of the receipt; sent at 98% of the cap, deferred at 102%`, async () => {
      const { me, store, books, add } = await node();
      for (let i = 0; i < N; i++) await add(10n ** 18n, PAYOUT);
      const svc = (nanoPerGas: bigint) =>
        new CashoutService({
          store,
          signer: me,
          policy: { minAmount: 1n, gasPrice: fixedGasPrice(nanoPerGas) },
          casher: casher(),
        });
      // later cash-outs (each chequebook has paid us before), the review's case: ≈ 42,000 gas each
      expect((await svc(0n).run()).sent).to.have.length(N);
      for (const b of books) {
        const c = { chequebook: b.address, beneficiary: me.address, cumulativePayout: 2n * PAYOUT };
        const signature = await signCheque(c, chainId, b.issuer.privateKey as Hex);
        store.putReceived({ ...c, signature, peer: b.peer, chainId, receivedAt: Date.now() });
      }
      const predicted = (await svc(0n).plan()).candidates[0].gas!;
      // what the service used to price: the transaction's own eth_estimateGas (its gas limit)
      const items = books.map((b) => ({ cheque: store.lastReceived(b.address)!, recipient: me.address as Hex }));
      const req = await casher().encode(items, ctxOf(me));
      const limit = await ethers.provider.estimateGas({ from: me.address, to: req.to, data: req.data });

      // just over the cap: the batch and every smaller prefix wait, nothing is sent
      const over = priceFor(predicted, 102n);
      const deferred = await svc(over).run();
      expect(deferred.sent).to.deep.equal([]);
      expect(deferred.waiting.map((c) => c.reason)).to.satisfy(
        (r: string[]) => r.length === N && r.every((x) => /above the cap 5%/.test(x)),
      );
      expect(await ethers.provider.getTransactionCount(me.address)).to.equal(1);

      // just under the cap: the whole batch goes, in one transaction
      const under = priceFor(predicted, 98n);
      const plan = await svc(under).plan();
      expect(plan.candidates.map((c) => [c.batch, c.route, c.gas])).to.deep.equal(
        Array(N).fill([1, "batch", predicted]),
      );
      expect(feeInToken(limit, under)).to.be.greaterThan(CAP); // priced at the limit it would have waited
      const sent = await svc(under).run();
      expect(sent.sent.map((r) => [r.status, r.totalPayout])).to.deep.equal(Array(N).fill(["mined", PAYOUT]));
      const receipt = (await ethers.provider.getTransactionReceipt(sent.sent[0].txHash!))!;
      expect(await ethers.provider.getTransactionCount(me.address)).to.equal(2);
      expect(Transaction.from((await ethers.provider.getTransaction(receipt.hash))!).gasLimit).to.equal(
        (limit * 12n) / 10n,
      ); // the limit is still the estimate's
      const used = receipt.gasUsed;
      expect(Number(predicted > used ? predicted - used : used - predicted) / Number(used)).to.be.lessThan(0.05);
      expect(limit).to.be.greaterThan((used * 125n) / 100n); // the margin the old figure carried
      // both decisions were right for the gas actually used
      expect(feeInToken(used, under)).to.be.at.most(CAP);
      expect(feeInToken(used, over)).to.be.greaterThan(CAP);
    });

    for (const [form, checkFirst, recipients] of [
      ["cashManyCompact", false, "one"],
      ["cashMany", true, "several"],
    ] as const) {
      it(`${form} (checkFirst ${checkFirst}): gasUsed predicts the receipt within 5% at ${N} cheques`, async () => {
        const { me, books, add, store } = await node();
        for (let i = 0; i < N; i++) await add(10n ** 18n, PAYOUT);
        const c = new RouterBatchCasher({ router, checkFirst });
        const elsewhere = Wallet.createRandom().address;
        const items = books.map((b, i) => ({
          cheque: store.lastReceived(b.address)!,
          recipient: (recipients === "one" || i % 2 ? me.address : elsewhere) as Hex,
        }));
        const estimates: TxRequest[] = [];
        const predicted = await c.gasUsed(items, ctxOf(me), (r) => {
          estimates.push(r);
          return ethers.provider.estimateGas({ from: me.address, to: r.to, data: r.data });
        });
        expect(estimates.map((r) => routerInterface.parseTransaction(r)!.name)).to.deep.equal([form]);
        expect(routerInterface.parseTransaction(estimates[0])!.args[recipients === "one" ? 2 : 0]).to.have.length(
          N + 1,
        );
        const req = await c.encode(items, ctxOf(me));
        const receipt = (await (await me.sendTransaction({ to: req.to, data: req.data })).wait())!;
        expect(c.decode(receipt, items).map((r) => r.status)).to.deep.equal(Array(N).fill("paid"));
        const used = receipt.gasUsed;
        expect(Number(predicted > used ? predicted - used : used - predicted) / Number(used)).to.be.lessThan(0.05);
      });
    }

    it("a batch of one is priced at the direct call's own estimate", async () => {
      const { me, books, add, store } = await node();
      await add(10n ** 18n, PAYOUT);
      const item = { cheque: store.lastReceived(books[0].address)!, recipient: me.address as Hex };
      const seen: TxRequest[] = [];
      const gas = await casher().gasUsed([item], ctxOf(me), async (r) => {
        seen.push(r);
        return 77_777n;
      });
      expect(gas).to.equal(77_777n);
      expect(seen).to.deep.equal([await new SingleChequeCasher().encode([item])]);
    });
  });

  it("crash after recording the signed batch: nothing on chain; resume broadcasts the same bytes once and never pays twice", async () => {
    const { me, store, books, add } = await node();
    for (const amount of [100n, 200n, 300n]) await add(1_000n, amount);
    const crashing = new CashoutService({
      store,
      signer: me,
      policy,
      casher: casher(),
      crashPoint: (p) => {
        if (p === "cashout:recorded") throw new Crash();
      },
    });
    await expectError(crashing.run(), Crash);
    const pending = store.listCashouts({ status: "pending" });
    expect(pending).to.have.length(3);
    expect(new Set(pending.map((p) => p.txHash)).size).to.equal(1);
    expect(new Set(pending.map((p) => p.rawTx)).size).to.equal(1);
    expect(Transaction.from(pending[0].rawTx!).to).to.equal(router);
    expect(await ethers.provider.getTransaction(pending[0].txHash!)).to.equal(null);
    expect(await ethers.provider.getTransactionCount(me.address)).to.equal(0);
    // a new cheque arrives before the restart: the pending batch still settles what it sent
    const c = { chequebook: books[0].address, beneficiary: me.address, cumulativePayout: 150n };
    store.putReceived({
      ...store.lastReceived(books[0].address)!,
      ...c,
      signature: await signCheque(c, chainId, books[0].issuer.privateKey as Hex),
    });

    const restarted = new CashoutService({ store, signer: me, policy, casher: casher() });
    const r = await restarted.run();
    expect(r.resumed.map((x) => [x.chequebook, x.status, x.totalPayout, x.txHash])).to.have.deep.members([
      [books[0].address, "mined", 100n, pending[0].txHash],
      [books[1].address, "mined", 200n, pending[0].txHash],
      [books[2].address, "mined", 300n, pending[0].txHash],
    ]);
    expect(r.sent.map((x) => [x.chequebook, x.status, x.totalPayout])).to.deep.equal([
      [books[0].address, "mined", 50n],
    ]); // the new cheque's increase only
    expect(await ethers.provider.getTransactionCount(me.address)).to.equal(2);
    expect(await token.balanceOf(me.address)).to.equal(650n);
    expect(await restarted.resume()).to.deep.equal([]);
    expect((await restarted.run()).sent).to.deep.equal([]);
    expect(await token.balanceOf(me.address)).to.equal(650n);
  });

  it("crash after broadcasting the batch: resume finds it mined and sends nothing", async () => {
    const { me, store, add } = await node();
    for (const amount of [100n, 200n]) await add(1_000n, amount);
    const crashing = new CashoutService({
      store,
      signer: me,
      policy,
      casher: casher(),
      crashPoint: (p) => {
        if (p === "cashout:broadcast") throw new Crash();
      },
    });
    await expectError(crashing.run(), Crash);
    expect(await ethers.provider.getTransactionCount(me.address)).to.equal(1);
    const done = await new CashoutService({ store, signer: me, policy, casher: casher() }).resume();
    expect(done.map((x) => [x.status, x.totalPayout])).to.have.deep.members([
      ["mined", 100n],
      ["mined", 200n],
    ]);
    expect(await ethers.provider.getTransactionCount(me.address)).to.equal(1);
    expect(await token.balanceOf(me.address)).to.equal(300n);
  });

  it("a pending router batch is settled after a restart without the router configured", async () => {
    const { me, store, books, add } = await node();
    await add(1_000n, 100n);
    await add(1_000n, 200n);
    const crashing = new CashoutService({
      store,
      signer: me,
      policy,
      casher: casher(),
      crashPoint: (p) => {
        if (p === "cashout:recorded") throw new Crash();
      },
    });
    await expectError(crashing.run(), Crash);
    expect(Transaction.from(store.listCashouts({ status: "pending" })[0].rawTx!).to).to.equal(router);
    const done = await new CashoutService({ store, signer: me, policy }).resume();
    expect(done.map((x) => [x.chequebook, x.status, x.totalPayout])).to.have.deep.members([
      [books[0].address, "mined", 100n],
      [books[1].address, "mined", 200n],
    ]);
  });

  describe("encode / decode", () => {
    const me = Wallet.createRandom();
    const ctx = (): CasherContext => ({
      chainId,
      beneficiary: me.address as Hex,
      signCashout: (auth) => signCashout(auth, chainId, me.privateKey as Hex),
    });
    const item = async (recipient = me.address, beneficiary = me.address): Promise<CashItem> => {
      const issuer = Wallet.createRandom();
      const c = { chequebook: Wallet.createRandom().address, beneficiary, cumulativePayout: 10n };
      return {
        cheque: {
          ...c,
          signature: await signCheque(c, chainId, issuer.privateKey as Hex),
          peer: "p",
          chainId,
          receivedAt: 0,
        } as ReceivedCheque,
        recipient: recipient as Hex,
      };
    };

    it("compact form for one recipient, the full form for several; the Cashout is signed for the router with caller payout 0", async () => {
      const c = casher();
      const a = await item();
      const b = await item();
      const compact = routerInterface.parseTransaction({ data: (await c.encode([a, b], ctx())).data })!;
      expect(compact.name).to.equal("cashManyCompact");
      expect([
        compact.args.beneficiary,
        compact.args.recipient,
        compact.args.gasPerEntry,
        compact.args.checkFirst,
      ]).to.deep.equal([me.address, me.address, DEFAULT_GAS_PER_ENTRY, false]);
      expect(
        compact.args[2].map((e: { chequebook: string; callerPayout: bigint }) => [e.chequebook, e.callerPayout]),
      ).to.deep.equal([
        [a.cheque.chequebook, 0n],
        [b.cheque.chequebook, 0n],
      ]);
      const other = Wallet.createRandom().address as Hex;
      const full = routerInterface.parseTransaction({
        data: (await c.encode([a, { ...b, recipient: other }], ctx())).data,
      })!;
      expect(full.name).to.equal("cashMany");
      const e1 = full.args[0][1];
      expect([
        e1.chequebook,
        e1.beneficiary,
        e1.recipient,
        e1.cumulativePayout,
        e1.callerPayout,
        e1.issuerSig,
      ]).to.deep.equal([b.cheque.chequebook, me.address, other, 10n, 0n, b.cheque.signature]);
      const expected = await signCashout(
        { chequebook: b.cheque.chequebook, sender: router, requestPayout: 10n, recipient: other, callerPayout: 0n },
        chainId,
        me.privateKey as Hex,
      );
      expect(e1.beneficiarySig).to.equal(expected);
      // an issuer signature that is not a canonical 65-byte ECDSA one (a contract's) → the full form
      const long = { ...a, cheque: { ...a.cheque, signature: (a.cheque.signature + "00") as Hex } };
      expect(routerInterface.parseTransaction({ data: (await c.encode([long, b], ctx())).data })!.name).to.equal(
        "cashMany",
      );
    });

    it("gasUsed subtracts the router's reserve and the no-op entry's call data; a nonsensical result falls back to the estimate", async () => {
      const c = casher();
      const items = [await item(), await item()];
      const real = await c.encode(items, ctx());
      const calls: TxRequest[] = [];
      const answer = (gas: bigint[]) => async (r: TxRequest) => {
        calls.push(r);
        return gas[calls.length - 1];
      };
      const noopData = 7n * 32n * 4n; // a compact entry of zeros: 7 words at 4 gas a byte
      const reserve = DEFAULT_GAS_PER_ENTRY + DEFAULT_GAS_PER_ENTRY / 63n + 15_000n;
      expect(await c.gasUsed(items, ctx(), answer([500_000n]))).to.equal(500_000n - reserve - noopData);
      const metered = routerInterface.parseTransaction(calls[0])!;
      expect(metered.args[2]).to.have.length(3);
      // the extra entry is all zeros: no chequebook, nothing to pay, no signatures
      expect(Object.values(metered.args[2][2].toObject())).to.deep.equal([
        ZeroAddress,
        0n,
        0n,
        ...Array(4).fill(ZeroHash),
      ]);
      // everything else as in the real call
      expect([...metered.args.slice(0, 2), ...metered.args.slice(3)]).to.deep.equal([
        ...routerInterface.parseTransaction(real)!.args.slice(0, 2),
        ...routerInterface.parseTransaction(real)!.args.slice(3),
      ]);
      // a metered estimate below the reserve (not this router): the real call's own estimate
      calls.length = 0;
      expect(await c.gasUsed(items, ctx(), answer([reserve, 654_321n]))).to.equal(654_321n);
      expect(calls[1]).to.deep.equal(real);
    });

    it("a batch of one is the beneficiary's own cashChequeBeneficiary, with Bee's gas limit", async () => {
      const a = await item();
      const req = await casher().encode([a], ctx());
      expect(req).to.deep.equal(await new SingleChequeCasher().encode([a]));
      expect(chequebookInterface.parseTransaction({ data: req.data })!.name).to.equal("cashChequeBeneficiary");
    });

    it("refuses an empty or oversized batch, two cheques of one chequebook, and a cheque for another beneficiary", async () => {
      const c = casher({ maxBatch: 2 });
      const a = await item();
      const e0 = await expectError(c.encode([], ctx()), InvalidArgumentError);
      expect(e0.argument).to.equal("items");
      expect((await c.encode([a, await item()], ctx())).to).to.equal(router);
      expect(
        (await expectError(c.encode([a, await item(), await item()], ctx()), InvalidArgumentError)).value,
      ).to.equal(3);
      expect((await expectError(c.encode([a, a], ctx()), InvalidArgumentError)).argument).to.equal(
        "items[1].cheque.chequebook",
      );
      const foreign = await item(me.address, Wallet.createRandom().address);
      expect((await expectError(c.encode([foreign], ctx()), InvalidArgumentError)).argument).to.equal(
        "items[0].cheque.beneficiary",
      );
    });

    it("the batch limit keeps the worst case under the EIP-7825 transaction gas cap; bounds checked on both sides", () => {
      const limit = routerBatchLimit();
      const worst = (k: number, g: bigint) => BigInt(k) * (g + g / 63n + 15_000n + 12_000n) + 100_000n; // every entry burning its allowance
      expect(
        worst(limit, DEFAULT_GAS_PER_ENTRY) <= TX_GAS_CAP && worst(limit + 1, DEFAULT_GAS_PER_ENTRY) > TX_GAS_CAP,
      ).to.equal(true);
      expect(casher().maxBatch).to.equal(50);
      expect(casher({ maxBatch: limit }).maxBatch).to.equal(limit);
      expect(() => casher({ maxBatch: limit + 1 })).to.throw(InvalidArgumentError);
      expect(() => casher({ maxBatch: 0 })).to.throw(InvalidArgumentError);
      expect(() => casher({ maxBatch: 1.5 })).to.throw(InvalidArgumentError);
      expect(new RouterBatchCasher({ router, gasPerEntry: 50_000n }).gasPerEntry).to.equal(50_000n);
      expect(() => new RouterBatchCasher({ router, gasPerEntry: 49_999n })).to.throw(InvalidArgumentError);
      expect(routerBatchLimit(400_000n)).to.be.lessThan(50);
      expect(new RouterBatchCasher({ router, gasPerEntry: 400_000n }).maxBatch).to.equal(routerBatchLimit(400_000n)); // the default shrinks to the limit
    });

    it("decode ignores a skip event not emitted by the router and a ChequeCashed for another cheque", async () => {
      const c = casher();
      const a = await item();
      const fakeSkip = routerInterface.encodeEventLog("CashoutSkipped", [
        0n,
        a.cheque.chequebook,
        me.address,
        3,
        "0x00000000",
      ]);
      const otherCash = chequebookInterface.encodeEventLog("ChequeCashed", [
        me.address,
        me.address,
        router,
        5n,
        9n,
        0n,
      ]);
      const ours = chequebookInterface.encodeEventLog("ChequeCashed", [me.address, me.address, router, 7n, 10n, 0n]);
      const logs = [
        { address: a.cheque.chequebook, ...fakeSkip }, // a chequebook pretending to be the router
        { address: a.cheque.chequebook, ...otherCash },
      ];
      expect(c.decode({ logs }, [a])).to.deep.equal([
        {
          chequebook: a.cheque.chequebook,
          status: "skipped",
          totalPayout: 0n,
          reason: "no ChequeCashed event from the chequebook",
        },
      ]);
      expect(c.decode({ logs: [...logs, { address: a.cheque.chequebook, ...ours }] }, [a])).to.deep.equal([
        { chequebook: a.cheque.chequebook, status: "paid", totalPayout: 7n },
      ]);
      expect(c.decode({ logs: [...logs, { address: router, ...fakeSkip }] }, [a])).to.deep.equal([
        { chequebook: a.cheque.chequebook, status: "skipped", totalPayout: 0n, reason: "Reverted" },
      ]);
      // a Bee chequebook that lost funds after the plan pays part and bounces (no pre-check): "bounced"
      const bounce = chequebookInterface.encodeEventLog("ChequeBounced", []);
      expect(
        c.decode(
          {
            logs: [
              { address: a.cheque.chequebook, ...ours },
              { address: a.cheque.chequebook, ...bounce },
            ],
          },
          [a],
        ),
      ).to.deep.equal([{ chequebook: a.cheque.chequebook, status: "bounced", totalPayout: 7n }]);
    });
  });
});
