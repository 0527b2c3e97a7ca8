import { expect } from "chai";
import { Transaction, Wallet, type Signer, type HDNodeWallet } from "ethers";
import type { TestToken } from "../../typechain-types/index.js";
import { ChequebookClient } from "../../src/chain/chequebook.js";
import { ProviderError } from "../../src/chain/errors.js";
import {
  SignerCannotSignError,
  GasLimitTooLowError,
  TransactionSender,
  classifyBroadcastError,
} from "../../src/chain/transactions.js";
import { signCheque } from "../../src/cheque/index.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { CashoutService } from "../../src/settlement/cashout.js";
import { SingleChequeCasher, type CashItem } from "../../src/settlement/casher.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { withRetry } from "../../src/settlement/retry.js";
import { RetriesExhaustedError } from "../../src/settlement/errors.js";
import type { Hex } from "../../src/crypto/index.js";
import { expectError } from "../../test-support/helpers.js";
import { chainSetup, type ChainSetup, type Ethers } from "../../test-support/chain-setup.js";

class Crash extends Error {}

describe("e2e: cash-out service", function () {
  this.timeout(60_000);
  let ethers: Ethers;
  let deployer: Signer;
  let chainId: bigint;
  let token: TestToken;
  let chequebookOf: ChainSetup["chequebook"];

  before(async () => {
    ({ ethers, deployer, chainId, token, chequebook: chequebookOf } = await chainSetup());
  });

  /** A chequebook funded with `funds`, a beneficiary wallet with gas, and a store holding a cheque. */
  async function setup(funds: bigint, cumulative: bigint, gas = 10n ** 18n) {
    const issuer = Wallet.createRandom();
    const d = { address: await chequebookOf(issuer.address, funds, 60) };
    const me = Wallet.createRandom().connect(ethers.provider) as HDNodeWallet;
    if (gas) await deployer.sendTransaction({ to: me.address, value: gas });
    const store = new SqliteStore(":memory:");
    const put = async (amount: bigint) => {
      const c = { chequebook: d.address, beneficiary: me.address, cumulativePayout: amount };
      store.putReceived({
        ...c,
        signature: await signCheque(c, chainId, issuer.privateKey as Hex),
        peer: "peer-1",
        chainId,
        receivedAt: Date.now(),
      });
    };
    await put(cumulative);
    return { chequebook: d.address, me, store, put, book: new ChequebookClient(d.address, deployer) };
  }
  const policy = { minAmount: 1n, gasPrice: () => 0n }; // gas priced at 0: these tests are about the transaction path

  it("cashes the latest cheque, records the transaction, and never sends a no-op", async () => {
    const { chequebook, me, store } = await setup(1_000n, 600n);
    const svc = new CashoutService({ store, signer: me, policy });
    const r = await svc.cashOut(chequebook);
    expect(r).to.deep.include({ status: "mined", totalPayout: 600n, requestPayout: 600n });
    expect(r!.gasUsed! > 0n).to.equal(true);
    expect(await token.balanceOf(me.address)).to.equal(600n);
    const nonce = await ethers.provider.getTransactionCount(me.address);
    expect(await svc.cashOut(chequebook)).to.equal(undefined);
    expect(await ethers.provider.getTransactionCount(me.address)).to.equal(nonce);
    expect((await svc.preview(chequebook)).reason).to.equal("already cashed");
    expect(svc.history(chequebook).map((x) => x.status)).to.deep.equal(["mined"]);
  });

  it("skips what is not worth the gas or below the minimum (dry-run table)", async () => {
    const { chequebook, me, store } = await setup(1_000n, 600n);
    const svc = new CashoutService({ store, signer: me, policy: { minAmount: 700n } });
    const [c] = await svc.candidates();
    expect(c).to.deep.include({ chequebook, requestPayout: 600n, totalPayout: 600n, profitable: false });
    expect(c.reason).to.contain("below the minimum");
    const pricey = new CashoutService({ store, signer: me, policy: { minAmount: 1n } }); // gas at par (wei = base unit) ≫ 600
    expect((await pricey.preview(chequebook)).reason).to.match(/fee \d+ is [\d.]+% of 600, above the cap 5%/);
    expect(await svc.cashOutAll()).to.deep.equal([]);
    expect(await token.balanceOf(me.address)).to.equal(0n);
  });

  it("a bounce marks the issuer defaulting; the remainder is cashed once the chequebook is funded", async () => {
    const { chequebook, me, store } = await setup(250n, 600n);
    const events: string[] = [];
    const svc = new CashoutService({
      store,
      signer: me,
      policy,
      onBounce: (p) => events.push(`bounce ${p}`),
      onPaid: (p) => events.push(`paid ${p}`),
    });
    expect(await svc.cashOut(chequebook)).to.deep.include({ status: "bounced", totalPayout: 250n });
    expect(await svc.cashOut(chequebook)).to.equal(undefined); // nothing there: no transaction
    await token.mint(chequebook, 1_000n);
    expect(await svc.cashOut(chequebook)).to.deep.include({ status: "mined", totalPayout: 350n });
    expect(events).to.deep.equal(["bounce peer-1", "paid peer-1"]);
    expect(svc.history(chequebook).map((x) => x.status)).to.deep.equal(["bounced", "mined"]);
    expect(await token.balanceOf(me.address)).to.equal(600n);
  });

  it("after a crash between recording and broadcasting, resume sends the same bytes once", async () => {
    const { chequebook, me, store } = await setup(1_000n, 400n);
    const crashing = new CashoutService({
      store,
      signer: me,
      policy,
      crashPoint: (p) => {
        if (p === "cashout:recorded") throw new Crash();
      },
    });
    await expectError(crashing.cashOut(chequebook), Crash);
    const [pending] = store.listCashouts({ status: "pending" });
    expect(await ethers.provider.getTransaction(pending.txHash!)).to.equal(null);
    const restarted = new CashoutService({ store, signer: me, policy });
    const [done] = await restarted.resume();
    expect(done).to.deep.include({ id: pending.id, txHash: pending.txHash, status: "mined", totalPayout: 400n });
    expect(await token.balanceOf(me.address)).to.equal(400n);
    expect(await restarted.resume()).to.deep.equal([]);
  });

  it("after a crash between broadcasting and the receipt, resume finds the mined transaction and sends nothing", async () => {
    const { chequebook, me, store } = await setup(1_000n, 400n);
    const crashing = new CashoutService({
      store,
      signer: me,
      policy,
      crashPoint: (p) => {
        if (p === "cashout:broadcast") throw new Crash();
      },
    });
    await expectError(crashing.cashOut(chequebook), Crash);
    const nonce = await ethers.provider.getTransactionCount(me.address);
    const [done] = await new CashoutService({ store, signer: me, policy }).resume();
    expect(done.status).to.equal("mined");
    expect(await ethers.provider.getTransactionCount(me.address)).to.equal(nonce);
    expect(await token.balanceOf(me.address)).to.equal(400n);
  });

  it("records a reverted transaction (the cheque was cashed by someone else meanwhile)", async () => {
    const { chequebook, me, store } = await setup(1_000n, 400n);
    const crashing = new CashoutService({
      store,
      signer: me,
      policy,
      crashPoint: (p) => {
        if (p === "cashout:recorded") throw new Crash();
      },
    });
    await expectError(crashing.cashOut(chequebook), Crash);
    // meanwhile the beneficiary cashes it by hand to another recipient, using the recorded nonce
    const cheque = store.lastReceived(chequebook)!;
    const elsewhere = Wallet.createRandom().address;
    await new ChequebookClient(chequebook, me).cashChequeBeneficiary(
      { ...cheque, signature: cheque.signature as Hex },
      elsewhere,
    );
    const [done] = await new CashoutService({ store, signer: me, policy }).resume();
    expect(done.status).to.equal("failed");
    expect(done.error).to.contain("nonce used");
    expect(await token.balanceOf(elsewhere)).to.equal(400n); // paid once, by the other transaction
    expect(await token.balanceOf(me.address)).to.equal(0n);
  });

  it("replaces a cash-out stuck under a gas spike (same nonce, higher fees); it pays once", async () => {
    const { chequebook, me, store } = await setup(1_000n, 300n);
    await ethers.provider.send("evm_setAutomine", [false]);
    try {
      let now = Date.now();
      const svc = new CashoutService({ store, signer: me, policy, waitMs: 200, now: () => now });
      const first = (await svc.cashOut(chequebook))!;
      expect(first.status).to.equal("pending");
      // the base fee jumps above the transaction's fee cap: the next block leaves it out
      const stuck = Transaction.from(first.rawTx!);
      await ethers.provider.send("hardhat_setNextBlockBaseFeePerGas", ["0x" + (stuck.maxFeePerGas! * 4n).toString(16)]);
      await ethers.provider.send("evm_mine", []);
      expect(await ethers.provider.getTransactionReceipt(first.txHash!)).to.equal(null);
      // not yet due for replacement: the same bytes again, still pending
      expect((await svc.resume())[0]).to.deep.include({ txHash: first.txHash, status: "pending" });
      now += 300_001;
      const [replaced] = await svc.resume();
      expect(replaced.status).to.equal("pending");
      expect(replaced.txHash).to.not.equal(first.txHash);
      expect(replaced.replacedTxHashes).to.deep.equal([first.txHash]);
      expect(Transaction.from(replaced.rawTx!).nonce).to.equal(stuck.nonce);
      expect(Transaction.from(replaced.rawTx!).maxFeePerGas! > stuck.maxFeePerGas!).to.equal(true);
      await ethers.provider.send("evm_mine", []);
      const [done] = await svc.resume();
      expect(done).to.deep.include({ status: "mined", txHash: replaced.txHash, totalPayout: 300n });
      expect(await ethers.provider.getTransactionReceipt(first.txHash!)).to.equal(null);
      expect(await token.balanceOf(me.address)).to.equal(300n);
      expect(svc.history(chequebook)).to.have.length(1); // one attempt, two transactions, one payment
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
  });

  it("passes the transaction options on to its sender: replaceAfterMs and feeBumpPercent decide the replacement", async () => {
    const { chequebook, me, store } = await setup(1_000n, 300n);
    await ethers.provider.send("evm_setAutomine", [false]);
    try {
      let now = Date.now();
      const opts = { waitMs: 200, replaceAfterMs: 1_000, feeBumpPercent: 50n, now: () => now };
      const svc = new CashoutService({ store, signer: me, policy, ...opts });
      const first = (await svc.cashOut(chequebook))!;
      const stuck = Transaction.from(first.rawTx!);
      now += 999; // one ms before the configured delay: the same bytes again
      expect((await svc.resume())[0]).to.deep.include({ txHash: first.txHash, status: "pending" });
      now += 1;
      const [replaced] = await svc.resume();
      expect(replaced.replacedTxHashes).to.deep.equal([first.txHash]);
      const bumped = Transaction.from(replaced.rawTx!);
      expect([bumped.nonce, bumped.maxPriorityFeePerGas]).to.deep.equal([
        stuck.nonce,
        (stuck.maxPriorityFeePerGas! * 150n) / 100n,
      ]);
      await ethers.provider.send("evm_mine", []);
      expect((await svc.resume())[0]).to.deep.include({ status: "mined", txHash: replaced.txHash, totalPayout: 300n });
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
  });

  it("cashes through a relayer for a beneficiary that holds no gas", async () => {
    const { chequebook, me: poor, store } = await setup(1_000n, 500n, 0n);
    expect(await ethers.provider.getBalance(poor.address)).to.equal(0n);
    const relayer = Wallet.createRandom().connect(ethers.provider);
    await deployer.sendTransaction({ to: relayer.address, value: 10n ** 18n });
    const svc = new CashoutService({ store, signer: poor, policy });
    const r = await svc.cashOutRelayed(chequebook, relayer, 20n, poor.privateKey as Hex);
    expect(r).to.deep.include({ status: "mined", totalPayout: 500n, caller: relayer.address });
    expect(await token.balanceOf(poor.address)).to.equal(480n);
    expect(await token.balanceOf(relayer.address)).to.equal(20n);
    expect(await ethers.provider.getBalance(poor.address)).to.equal(0n);
    expect(await svc.cashOutRelayed(chequebook, relayer, 20n, poor.privateKey as Hex)).to.equal(undefined);
  });

  it("needs a signer that signs raw transactions: a JSON-RPC account gets a typed error and nothing is recorded or sent", async () => {
    const issuer = Wallet.createRandom();
    const chequebook = await chequebookOf(issuer.address, 1_000n, 60);
    const store = new SqliteStore(":memory:");
    const c = { chequebook, beneficiary: await deployer.getAddress(), cumulativePayout: 600n }; // a cheque for the node's own account
    store.putReceived({
      ...c,
      signature: await signCheque(c, chainId, issuer.privateKey as Hex),
      peer: "peer-1",
      chainId,
      receivedAt: Date.now(),
    });
    const nonce = await ethers.provider.getTransactionCount(await deployer.getAddress());
    const svc = new CashoutService({ store, signer: deployer, policy });
    const [cand] = await svc.candidates();
    expect(cand.reason, cand.reason).to.equal(undefined);
    await expectError(svc.cashOut(chequebook), SignerCannotSignError);
    expect(svc.history(chequebook)).to.deep.equal([]);
    expect(await ethers.provider.getTransactionCount(await deployer.getAddress())).to.equal(nonce);
  });

  it("simulates first: a cheque that would revert is reported with its typed error and never mined", async () => {
    const { chequebook, me, store } = await setup(1_000n, 600n);
    const cheque = store.lastReceived(chequebook)!;
    const forger = Wallet.createRandom();
    store.putReceived({
      ...cheque,
      signature: await signCheque(
        { chequebook, beneficiary: me.address, cumulativePayout: 600n },
        chainId,
        forger.privateKey as Hex,
      ),
    });
    const svc = new CashoutService({ store, signer: me, policy });
    const [c] = await svc.candidates();
    expect(c.profitable).to.equal(false);
    expect(c.reason).to.match(
      /^simulation failed: InvalidIssuerSignatureError: contract reverted: InvalidIssuerSignature\(/,
    );
    expect(await svc.cashOut(chequebook)).to.equal(undefined);
    expect(await ethers.provider.getTransactionCount(me.address)).to.equal(0);
  });

  it("run(): one batch failing does not stop the others; progress per cheque; the failed one is cashed next run", async () => {
    const a = await setup(1_000n, 400n);
    const issuer = Wallet.createRandom();
    const other = await chequebookOf(issuer.address, 1_000n, 60);
    const c = { chequebook: other, beneficiary: a.me.address, cumulativePayout: 700n };
    a.store.putReceived({
      ...c,
      signature: await signCheque(c, chainId, issuer.privateKey as Hex),
      peer: "peer-2",
      chainId,
      receivedAt: Date.now(),
    });
    // a casher whose second encoding of `other` (the send, after the plan's simulation) fails
    let encodes = 0;
    class Flaky extends SingleChequeCasher {
      override async encode(items: CashItem[]) {
        if (items[0].cheque.chequebook === other && ++encodes === 2)
          throw new InvalidArgumentError("items", "x", "a test failure");
        return super.encode(items);
      }
    }
    const progress: string[] = [];
    const svc = new CashoutService({ store: a.store, signer: a.me, policy, casher: new Flaky() });
    const r = await svc.run({
      onProgress: (p) => progress.push(`${p.index}/${p.total} ${p.peer} ${p.record?.status ?? p.error?.name}`),
    });
    expect(progress).to.deep.equal(["1/2 peer-2 InvalidArgumentError", "2/2 peer-1 mined"]); // largest first
    expect(r.sent.map((x) => [x.chequebook, x.totalPayout])).to.deep.equal([[a.chequebook, 400n]]);
    expect(r.failed.map((f) => [f.chequebook, f.error.name])).to.deep.equal([[other, "InvalidArgumentError"]]);
    expect(svc.history(other)).to.deep.equal([]); // nothing recorded for the batch that never got signed
    const again = await svc.run();
    expect(again.sent.map((x) => [x.chequebook, x.status, x.totalPayout])).to.deep.equal([[other, "mined", 700n]]);
    expect(await token.balanceOf(a.me.address)).to.equal(1_100n);
  });

  it("refuses to send a call whose simulation needs more than its fixed gas limit (it would run out of gas)", async () => {
    const { chequebook, me, store } = await setup(1_000n, 600n);
    const cheque = store.lastReceived(chequebook)!;
    const tx = new TransactionSender({ signer: me });
    const req = await new SingleChequeCasher().encode([{ cheque, recipient: me.address as Hex }]);
    const e = await expectError(
      tx.send({ ...req, gasLimit: 30_000n }, { record: () => expect.fail("recorded") }),
      GasLimitTooLowError,
    );
    expect(e.gasLimit).to.equal(30_000n);
    expect(e.estimate > 30_000n).to.equal(true);
    expect(await ethers.provider.getTransactionCount(me.address)).to.equal(0);
  });

  it("classifies broadcast errors by ethers code first, message only where no code exists", () => {
    expect(classifyBroadcastError(Object.assign(new Error("x"), { code: "NONCE_EXPIRED" }))).to.equal("nonce-used");
    expect(classifyBroadcastError(Object.assign(new Error("x"), { code: "REPLACEMENT_UNDERPRICED" }))).to.equal(
      "underpriced",
    );
    expect(classifyBroadcastError(Object.assign(new Error("x"), { code: "INSUFFICIENT_FUNDS" }))).to.equal(
      "insufficient-funds",
    );
    expect(classifyBroadcastError({ error: { code: -32000, message: "already known" } })).to.equal("already-known");
    expect(classifyBroadcastError(new ProviderError("NETWORK_ERROR", "down", null))).to.equal("retryable");
    expect(classifyBroadcastError(new ProviderError("BAD_DATA", "??", null))).to.equal("fatal");
  });

  it("retries retryable provider errors with back-off, then gives up with a typed error", async () => {
    let calls = 0;
    const flaky = async () => {
      if (++calls < 3) throw new ProviderError("NETWORK_ERROR", "node down", null);
      return "ok";
    };
    const sleeps: number[] = [];
    expect(await withRetry("op", flaky, { sleep: async (ms) => void sleeps.push(ms), baseMs: 100 })).to.equal("ok");
    expect(sleeps).to.deep.equal([100, 200]);
    const err = await expectError(
      withRetry(
        "op",
        async () => {
          throw new ProviderError("TIMEOUT", "slow", null);
        },
        { attempts: 3, sleep: async () => {} },
      ),
      RetriesExhaustedError,
    );
    expect(err.attempts).to.equal(3);
    await expectError(
      withRetry(
        "op",
        async () => {
          throw new ProviderError("INSUFFICIENT_FUNDS", "poor", null);
        },
        { sleep: async () => {} },
      ),
      ProviderError,
    );
  });
});
