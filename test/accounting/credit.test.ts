/**
 * The contract-wallet credit rule without a chain: `ContractIssuerCredit` over a scripted facts
 * port, the accounting's serve limit and the receiver's uncashed bound built on it.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { Accounting } from "../../src/accounting/accounting.js";
import { ContractIssuerCredit, contractIssuerCredit, type CreditGuarantee } from "../../src/accounting/credit.js";
import { OverdraftError } from "../../src/accounting/errors.js";
import { Ledger } from "../../src/accounting/ledger.js";
import { UNBOUNDED } from "../../src/accounting/limits.js";
import { resolvePolicy, type Mode } from "../../src/accounting/policy.js";
import { ProviderError } from "../../src/chain/errors.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { signCheque } from "../../src/cheque/index.js";
import type { Hex } from "../../src/crypto/index.js";
import { MemoryStore } from "../../src/store/memory.js";
import { ContractIssuerLimitError } from "../../src/swap/errors.js";
import { ChequeReceiver } from "../../src/swap/receiver.js";
import { mockVerifier, type ChequeVerifier } from "../../src/swap/verifier.js";
import { expectError } from "../../test-support/helpers.js";

const BOOK = "0x00000000000000000000000000000000000000b0";
const US = "0x00000000000000000000000000000000000000a1";

/** A facts port answering from mutable fields, counting reads. */
function scripted(init: { contract?: boolean; guarantee?: CreditGuarantee } = {}) {
  const f = {
    contract: init.contract ?? true,
    value: init.guarantee ?? ({ guaranteed: 100n, paidOut: 0n } as CreditGuarantee),
    fail: undefined as Error | undefined,
    kindReads: 0,
    reads: 0,
    /** resolves the read under way when set */
    gate: undefined as Promise<void> | undefined,
    async isContractIssuer() {
      f.kindReads++;
      if (f.fail) throw f.fail;
      return f.contract;
    },
    async guarantee() {
      f.reads++;
      await f.gate;
      if (f.fail) throw f.fail;
      return { ...f.value };
    },
  };
  return f;
}

function tracker(facts: ReturnType<typeof scripted>, extra: { received?: bigint; fallbackLimit?: bigint } = {}) {
  let now = 0;
  const errors: unknown[] = [];
  const credit = new ContractIssuerCredit({
    facts,
    beneficiary: US,
    received: () => extra.received ?? 0n,
    fallbackLimit: extra.fallbackLimit ?? 7n,
    retryMs: 1_000,
    now: () => now,
    onError: (_peer, e) => errors.push(e),
  });
  return { credit, errors, advance: (ms: number) => (now += ms) };
}

describe("credit: the contract-wallet credit tracker", () => {
  it("bounds uncashed + exposure by the guarantee; paidOut counts as cashed", async () => {
    const facts = scripted({ guarantee: { guaranteed: 80n, paidOut: 60n } });
    const { credit } = tracker(facts, { received: 100n });
    await credit.admit("p", BOOK);
    expect(credit.view("p")).to.deep.include({ kind: "contract", source: "hardDeposit", limit: 80n, paidOut: 60n });
    expect(credit.serveLimit("p")).to.equal(40n); // 80 − (100 − 60)
  });

  it("EOA issuers and peers without a chequebook are not tracked (unbounded here)", async () => {
    const facts = scripted({ contract: false });
    const { credit } = tracker(facts);
    await credit.admit("eoa", BOOK);
    await credit.admit("nobook", undefined);
    expect(credit.view("eoa")).to.equal(undefined);
    expect(credit.serveLimit("eoa")).to.equal(UNBOUNDED);
    expect(credit.serveLimit("nobook")).to.equal(UNBOUNDED);
    expect(facts.reads).to.equal(0);
    expect(credit.size).to.equal(0);
  });

  it("a chequebook without hard deposits falls back to the operator's cap (0: no credit)", async () => {
    const facts = scripted({ guarantee: { paidOut: 5n } });
    const { credit } = tracker(facts, { fallbackLimit: 30n, received: 5n });
    await credit.admit("p", BOOK);
    expect(credit.view("p")).to.deep.include({ source: "fallback", limit: 30n });
    expect(credit.serveLimit("p")).to.equal(30n);
    const none = tracker(scripted({ guarantee: { paidOut: 0n } }), { fallbackLimit: 0n }).credit;
    await none.admit("p", BOOK);
    expect(none.serveLimit("p")).to.equal(0n);
  });

  it("our own ceiling caps the guarantee and the fallback alike (0: no credit at all)", async () => {
    for (const [value, maxCredit, limit] of [
      [{ guaranteed: 100n, paidOut: 0n }, 60n, 60n],
      [{ guaranteed: 50n, paidOut: 0n }, 60n, 50n],
      [{ paidOut: 0n }, 5n, 5n],
      [{ guaranteed: 100n, paidOut: 0n }, 0n, 0n],
    ] as const) {
      const credit = new ContractIssuerCredit({
        facts: scripted({ guarantee: value }),
        beneficiary: US,
        received: () => 0n,
        fallbackLimit: 7n,
        maxCredit,
      });
      await credit.admit("p", BOOK);
      expect(credit.serveLimit("p")).to.equal(limit);
    }
    expect(() => resolvePolicy({ mode: "hard", paymentThreshold: 1n, contractIssuerMaxCredit: -1n }))
      .to.throw(InvalidArgumentError)
      .with.property("name", "InvalidArgumentError");
    expect(resolvePolicy({ mode: "hard", paymentThreshold: 1n }).contractIssuerMaxCredit).to.equal(undefined);
  });

  it("a failed chain read leaves a new peer unverified (no credit), retried after retryMs", async () => {
    const facts = scripted();
    facts.fail = new ProviderError("SERVER_ERROR", "down", undefined);
    const { credit, errors, advance } = tracker(facts);
    await credit.admit("p", BOOK);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.be.instanceOf(ProviderError);
    expect(credit.view("p")).to.deep.include({ kind: "unverified", limit: 0n });
    expect(credit.serveLimit("p")).to.equal(0n);
    facts.fail = undefined;
    advance(999);
    expect(credit.serveLimit("p")).to.equal(0n);
    await credit.refresh("p"); // (the serveLimit above started no read: still within retryMs)
    expect(facts.kindReads).to.equal(2);
    expect(credit.serveLimit("p")).to.equal(100n);
  });

  it("a failed re-read keeps the last bound read and reports the error", async () => {
    const facts = scripted();
    const { credit, errors } = tracker(facts);
    await credit.admit("p", BOOK);
    facts.fail = new ProviderError("TIMEOUT", "slow", undefined);
    await credit.refresh("p");
    expect(errors).to.have.length(1);
    expect(credit.serveLimit("p")).to.equal(100n);
  });

  it("re-reads in the background, one read at a time per peer", async () => {
    const facts = scripted();
    const { credit, advance } = tracker(facts);
    await credit.admit("p", BOOK);
    const reads = facts.reads;
    advance(999);
    expect(credit.serveLimit("p")).to.equal(100n); // read less than minRefreshMs (1 s) ago: no re-read
    expect(facts.reads).to.equal(reads);
    advance(1);
    let open!: () => void;
    facts.gate = new Promise((r) => (open = r));
    facts.value = { guaranteed: 40n, paidOut: 0n };
    for (let i = 0; i < 10; i++) expect(credit.serveLimit("p")).to.equal(100n); // previous value meanwhile
    expect(facts.reads).to.equal(reads + 1);
    open();
    await credit.refresh("p");
    expect(credit.serveLimit("p")).to.equal(40n);
  });

  it("the receiver's ERC-1271 verdict makes a peer a contract issuer even when unverified", async () => {
    const facts = scripted({ contract: false, guarantee: { guaranteed: 25n, paidOut: 0n } });
    const { credit } = tracker(facts);
    expect(await credit.limitFor("p", BOOK)).to.equal(25n);
    expect(credit.view("p")?.kind).to.equal("contract");
    expect(credit.serveLimit("p")).to.equal(25n);
    facts.fail = new ProviderError("SERVER_ERROR", "down", undefined);
    await expectError(credit.limitFor("p", BOOK), ProviderError);
  });

  it("tracks at most maxPeers, dropping the oldest", async () => {
    const credit = new ContractIssuerCredit({
      facts: scripted(),
      beneficiary: US,
      received: () => 0n,
      fallbackLimit: 0n,
      maxPeers: 3,
    });
    for (let i = 0; i < 5; i++) await credit.admit(`p${i}`, BOOK);
    expect(credit.size).to.equal(3);
    expect(credit.view("p0")).to.equal(undefined);
    expect(credit.view("p4")?.limit).to.equal(100n);
    credit.forget("p4");
    expect(credit.size).to.equal(2);
  });

  it("exists only for verifiers that can tell contract issuers (not in mock mode)", () => {
    const config = { beneficiary: US, received: () => 0n, fallbackLimit: 0n };
    expect(contractIssuerCredit(mockVerifier, config)).to.equal(undefined);
    expect(contractIssuerCredit(scripted(), config)).to.be.instanceOf(ContractIssuerCredit);
  });
});

describe("credit: the accounting's serve limit", () => {
  function setup(mode: Mode, creditLimit: bigint) {
    const store = new MemoryStore();
    const ledger = new Ledger(store);
    const policy = resolvePolicy({ mode, paymentThreshold: 100n });
    const accounting = new Accounting(ledger, policy, { pay: async () => undefined }, () => 0, undefined, {
      serveLimit: () => creditLimit,
    });
    accounting.registerPeer("p", { paymentThreshold: 100n, canPay: true, connectedAt: 0 });
    return { ledger, accounting };
  }

  it("serves exactly up to the credit limit and refuses one unit over, billing nothing", () => {
    const { ledger, accounting } = setup("hard", 10n);
    for (let i = 0; i < 10; i++) accounting.prepareServe("p", "store", 1).apply(1n);
    expect(ledger.balance("p")).to.equal(10n);
    const err = expectThrow(() => accounting.prepareServe("p", "store", 1));
    expect(err).to.deep.include({ peer: "p", direction: "serve", exposure: 11n, limit: 10n });
    expect(ledger.balance("p")).to.equal(10n);
  });

  it("counts reservations under way and takes the lower of the credit and the disconnect threshold", () => {
    const { accounting } = setup("hard", 3n);
    const r = accounting.prepareServe("p", "store", 2);
    expect(expectThrow(() => accounting.prepareServe("p", "store", 2)).exposure).to.equal(4n);
    r.release();
    accounting.prepareServe("p", "store", 3).release();
    const high = setup("hard", 10_000n).accounting;
    expect(expectThrow(() => high.prepareServe("p", "store", 151)).limit).to.equal(150n);
  });

  it("soft mode (account and log only) ignores it", () => {
    const { ledger, accounting } = setup("soft", 0n);
    accounting.prepareServe("p", "store", 5).apply(5n);
    expect(ledger.balance("p")).to.equal(5n);
  });

  function expectThrow(fn: () => unknown): OverdraftError {
    try {
      fn();
    } catch (e) {
      expect(e).to.be.instanceOf(OverdraftError);
      return e as OverdraftError;
    }
    expect.fail("expected OverdraftError");
  }
});

describe("credit: the receiver's uncashed bound for contract-wallet issuers", () => {
  const us = Wallet.createRandom();
  const owner = Wallet.createRandom();
  const book = Wallet.createRandom().address as Hex;
  const chainId = 31337n;
  const wallet: ChequeVerifier = {
    isKnownChequebook: async () => true,
    issuerOf: async () => "0x000000000000000000000000000000000000c0de" as Hex,
    contractSignatureValid: async () => true,
    liquidity: async () => ({ liquidBalanceFor: 10_000n, paidOut: 20n }),
  };
  const cheque = async (cumulativePayout: bigint) => {
    const c = { chequebook: book, beneficiary: us.address, cumulativePayout, chainId };
    return { ...c, signature: await signCheque(c, chainId, owner.privateKey as Hex) };
  };

  it("uses the guarantee over the static cap: at the bound credited, one unit over rejected, no trace", async () => {
    const store = new MemoryStore();
    const ledger = new Ledger(store);
    const asked: string[] = [];
    const receiver = new ChequeReceiver(store, ledger, {
      beneficiary: us.address as Hex,
      chainId,
      mode: "hard",
      minChequeValue: 1n,
      verifier: wallet,
      contractIssuerMaxUncashed: 1n, // ignored: the chain's guarantee wins
      contractIssuerLimit: async (peer) => (asked.push(peer), 50n),
    });
    // paidOut 20: a cumulative of 70 leaves exactly 50 uncashed
    expect((await receiver.receive("p", await cheque(70n))).credited).to.equal(70n);
    const err = await expectError(receiver.receive("p", await cheque(71n)), ContractIssuerLimitError);
    expect(err).to.deep.include({ uncashed: 51n, limit: 50n });
    expect(store.lastReceived(book)?.cumulativePayout).to.equal(70n);
    expect(ledger.get("p").surplus).to.equal(70n);
    expect(asked).to.deep.equal(["p", "p"]);
  });

  it("without a guarantee source the static cap applies as before", async () => {
    const store = new MemoryStore();
    const receiver = new ChequeReceiver(store, new Ledger(store), {
      beneficiary: us.address as Hex,
      chainId,
      mode: "hard",
      minChequeValue: 1n,
      verifier: wallet,
      contractIssuerMaxUncashed: 30n,
      contractIssuerLimit: () => undefined,
    });
    expect((await receiver.receive("p", await cheque(50n))).credited).to.equal(50n);
    await expectError(receiver.receive("p", await cheque(51n)), ContractIssuerLimitError);
  });
});
