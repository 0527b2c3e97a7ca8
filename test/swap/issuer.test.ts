// The issuing side's group commit: cheques we sign join the ledger's next group commit, share one
// fsync across beneficiaries, and are resolved (so sent) only once that commit is durable.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { ChequeIssuer, type Funds } from "../../src/swap/issuer.js";
import { Ledger } from "../../src/accounting/ledger.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { MemoryStore } from "../../src/store/memory.js";
import { StoreUnavailableError } from "../../src/store/errors.js";
import type { Store } from "../../src/store/types.js";
import { InsufficientChequebookFundsError } from "../../src/swap/errors.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { hashCheque, signCheque, type SignedCheque } from "../../src/cheque/index.js";
import { hexToBytes, tryRecoverSigner, type Hex } from "../../src/crypto/index.js";
import { FrameDecoder } from "../../src/swap/codec.js";
import { memoryPair, type Duplex } from "../../src/swap/transport.js";
import { faultyStore } from "../../test-support/faulty-store.js";
import { expectError } from "../../test-support/helpers.js";
import { CHAIN_ID, mockNode, party } from "../../test-support/swap-fixtures.js";

/** A group-commit scheduler the test releases by hand. */
function heldScheduler() {
  const held: (() => void)[] = [];
  return {
    schedule: (commit: () => void) => void held.push(commit),
    get waiting() {
      return held.length;
    },
    release() {
      for (const c of held.splice(0)) c();
    },
  };
}

/** Top-level store transactions (each one is one commit, one fsync in SQLite). */
function countCommits<S extends Store>(store: S): S & { commits: number } {
  let depth = 0;
  const counted = store as S & { commits: number };
  counted.commits = 0;
  const inner = store.transaction.bind(store);
  counted.transaction = <T>(fn: () => T): T => {
    if (depth === 0) counted.commits++;
    depth++;
    try {
      return inner(fn);
    } finally {
      depth--;
    }
  };
  return counted;
}

/** Let the event loop turn until `cond` holds (bounded: fails instead of hanging). */
async function until(what: string, cond: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`condition never held: ${what}`);
}

const key = Wallet.createRandom();
const book = Wallet.createRandom().address as Hex;

function issuerOn(store: Store, funds: Funds = { balance: 10n ** 18n, totalPaidOut: 0n }, ledger = new Ledger(store)) {
  const issuer = new ChequeIssuer(store, ledger, {
    chequebook: book,
    chainId: CHAIN_ID,
    signer: key.privateKey as Hex,
    funds: async () => funds,
  });
  return { issuer, ledger };
}

function signedBy(c: SignedCheque): string | undefined {
  const digest = hashCheque(c, CHAIN_ID);
  return tryRecoverSigner(hexToBytes(digest), c.signature);
}

describe("swap: issuer group commit", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "swap-issuer-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("issue: N concurrent cheques to different beneficiaries share one SQLite commit", async () => {
    const store = countCommits(new SqliteStore(join(dir, "payer.db")));
    const { issuer } = issuerOn(store);
    const beneficiaries = Array.from({ length: 20 }, () => Wallet.createRandom().address as Hex);
    const before = store.commits;
    const cheques = await Promise.all(beneficiaries.map((b, i) => issuer.issue(`p${i}`, b, BigInt(10 + i))));
    expect(store.commits - before).to.equal(1);
    const sum = beneficiaries.reduce((s, _b, i) => s + BigInt(10 + i), 0n);
    expect(store.totalIssued(book)).to.equal(sum);
    expect(issuer.inflight).to.equal(0n);
    cheques.forEach((c, i) => {
      expect(c?.cumulativePayout).to.equal(BigInt(10 + i));
      expect(signedBy(c!)).to.equal(key.address);
      expect(store.lastIssued(book, beneficiaries[i])?.signature).to.equal(c!.signature);
    });
    store.close();
    // durable: a reopened database holds every cheque of the group
    const reopened = new SqliteStore(join(dir, "payer.db"));
    expect(reopened.totalIssued(book)).to.equal(sum);
    expect(reopened.listIssued()).to.have.length(20);
    reopened.close();
  });

  it("issue: resolves only after its group committed; nothing is stored or resolved while held", async () => {
    const store = new MemoryStore();
    const commit = heldScheduler();
    const { issuer, ledger } = issuerOn(store, undefined, new Ledger(store, { schedule: commit.schedule }));
    const beneficiary = Wallet.createRandom().address as Hex;
    let resolved: SignedCheque | undefined;
    const p = issuer.issue("p", beneficiary, 70n).then((c) => (resolved = c));
    await until("the cheque is queued", () => ledger.queued === 1);
    expect(commit.waiting).to.equal(1);
    expect(resolved).to.equal(undefined);
    expect(store.lastIssued(book, beneficiary)).to.equal(undefined);
    expect(store.totalIssued(book)).to.equal(0n);
    expect(ledger.balance("p")).to.equal(0n); // the payment is not live before it is durable
    expect(issuer.inflight).to.equal(70n); // but its funds are held
    commit.release();
    await p;
    expect(resolved?.cumulativePayout).to.equal(70n);
    expect(store.lastIssued(book, beneficiary)?.cumulativePayout).to.equal(70n);
    expect(ledger.balance("p")).to.equal(70n);
    expect(issuer.inflight).to.equal(0n);
  });

  it("issue: cheques to one beneficiary run one after another, each from the durable record", async () => {
    const store = countCommits(new MemoryStore());
    const { issuer, ledger } = issuerOn(store);
    const beneficiary = Wallet.createRandom().address as Hex;
    ledger.commit({ ...ledger.get("p"), balance: -30n }, true); // we owe the peer 30
    // the amount function is read once the earlier payment is durable: the debt is paid once
    const owed = () => -ledger.balance("p");
    const [a, b] = await Promise.all([issuer.issue("p", beneficiary, owed), issuer.issue("p", beneficiary, owed)]);
    expect(a?.cumulativePayout).to.equal(30n);
    expect(b).to.equal(undefined);
    const [c, d] = await Promise.all([issuer.issue("p", beneficiary, 5n), issuer.issue("p", beneficiary, 7n)]);
    expect([c?.cumulativePayout, d?.cumulativePayout]).to.deep.equal([35n, 42n]);
    expect(store.totalIssued(book)).to.equal(42n);
  });

  it("adopt: waits for a cheque in flight to the same beneficiary, then the next starts above it", async () => {
    const store = new MemoryStore();
    const commit = heldScheduler();
    const { issuer, ledger } = issuerOn(store, undefined, new Ledger(store, { schedule: commit.schedule }));
    const beneficiary = Wallet.createRandom().address as Hex;
    // the peer holds a cheque of ours at 50 that our (rolled back) database does not know
    const held = { chequebook: book, beneficiary, cumulativePayout: 50n };
    const signature = await signCheque(held, CHAIN_ID, key.privateKey as Hex);
    const first = issuer.issue("p", beneficiary, 10n);
    await until("the first cheque is queued", () => ledger.queued === 1);
    let adopted: boolean | undefined;
    const adopting = issuer.adopt("p", { ...held, signature }).then((a) => (adopted = a));
    await new Promise((r) => setImmediate(r));
    expect(adopted).to.equal(undefined); // queued behind the cheque in flight
    commit.release();
    expect((await first)?.cumulativePayout).to.equal(10n);
    await adopting;
    expect(adopted).to.equal(true);
    const next = issuer.issue("p", beneficiary, 5n);
    await until("the next cheque is queued", () => ledger.queued === 1);
    commit.release();
    expect((await next)?.cumulativePayout).to.equal(55n);
    expect(store.totalIssued(book)).to.equal(55n);
  });

  it("issue/adopt: a malformed address is a rejected promise with a typed error, nothing issued", async () => {
    const store = new MemoryStore();
    const { issuer } = issuerOn(store);
    let p: Promise<unknown> | undefined;
    expect(() => (p = issuer.issue("p", "0x1234", 10n))).to.not.throw();
    const err = await expectError(p!, InvalidArgumentError);
    expect(err.argument).to.equal("beneficiary");
    const bad = { chequebook: "nope" as Hex, beneficiary: book, cumulativePayout: 1n, signature: "0x" as Hex };
    expect((await expectError(issuer.adopt("p", bad), InvalidArgumentError)).argument).to.equal("chequebook");
    expect(store.totalIssued(book)).to.equal(0n);
  });

  it("issue: concurrent cheques never take more than the uncommitted funds together", async () => {
    const store = new MemoryStore();
    const { issuer } = issuerOn(store, { balance: 100n, totalPaidOut: 0n });
    const [x, y] = [Wallet.createRandom().address, Wallet.createRandom().address];
    const results = await Promise.allSettled([issuer.issue("x", x, 60n), issuer.issue("y", y, 60n)]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r) => r.status === "rejected");
    expect(ok).to.have.length(1);
    expect(failed).to.have.length(1);
    const err = failed[0].reason as InsufficientChequebookFundsError;
    expect(err).to.be.instanceOf(InsufficientChequebookFundsError);
    expect(err.amount).to.equal(60n);
    expect(err.available).to.equal(40n);
    expect(store.totalIssued(book)).to.equal(60n);
    expect(issuer.inflight).to.equal(0n);
    // the boundary: exactly what is left is issued, one more is refused
    const z = Wallet.createRandom().address;
    await expectError(issuer.issue("z", z, 41n), InsufficientChequebookFundsError);
    expect((await issuer.issue("z", z, 40n))?.cumulativePayout).to.equal(40n);
    expect(await issuer.uncommitted()).to.equal(0n);
  });

  it("issue: a failed group commit rejects every cheque in it, changes nothing and frees the funds", async () => {
    const store = faultyStore(new MemoryStore());
    const { issuer, ledger } = issuerOn(store, { balance: 100n, totalPaidOut: 0n });
    const bs = [Wallet.createRandom().address, Wallet.createRandom().address];
    store.failing = "SQLITE_FULL";
    const results = await Promise.allSettled(bs.map((b, i) => issuer.issue(`p${i}`, b, 50n)));
    for (const r of results) {
      expect(r.status).to.equal("rejected");
      expect((r as PromiseRejectedResult).reason).to.be.instanceOf(StoreUnavailableError);
    }
    expect(store.totalIssued(book)).to.equal(0n);
    expect(store.listIssued()).to.deep.equal([]);
    expect(ledger.balance("p0")).to.equal(0n);
    expect(issuer.inflight).to.equal(0n);
    store.failing = undefined;
    const again = await Promise.all(bs.map((b, i) => issuer.issue(`p${i}`, b, 50n)));
    expect(again.map((c) => c?.cumulativePayout)).to.deep.equal([50n, 50n]);
    expect(store.totalIssued(book)).to.equal(100n);
  });
});

/** Wrap a duplex: every message it sends is decoded and logged (with what the log held before). */
function spy(d: Duplex, log: string[]): Duplex {
  const decoder = new FrameDecoder();
  const send = d.send.bind(d);
  d.send = (bytes: Uint8Array) => {
    for (const f of decoder.push(bytes))
      if (f.ok) log.push(Object.entries(f.message).find(([, v]) => v !== undefined)?.[0] ?? "?");
    return send(bytes);
  };
  return d;
}

describe("swap: node sends an issued cheque only once it is durable", () => {
  it("holds the cheque off the wire while its commit is held; other peers are served meanwhile", async () => {
    const commit = heldScheduler();
    const payerParty = party(10n ** 9n);
    const store = countCommits(new MemoryStore());
    const log: string[] = [];
    const origPut = store.putIssued.bind(store);
    store.putIssued = (c) => {
      log.push("putIssued");
      origPut(c);
    };
    const payer = mockNode(payerParty, {}, { store, groupCommit: commit.schedule });
    const server = mockNode(party());
    const other = mockNode(party(), { paymentThreshold: 10_000n });
    const received: bigint[] = [];
    server.on("cheque-received", (e) => received.push(e.cumulativePayout));

    const [a, b] = memoryPair();
    const [toServer] = await Promise.all([payer.connect(spy(a, log), "server"), server.connect(b, "payer")]);
    const [c, d] = memoryPair();
    const [toPayer] = await Promise.all([other.connect(c, "payer"), payer.connect(d, "other")]);

    // 100 requests bring the payer to the server's threshold; the 101st must pay first
    for (let i = 0; i < 100; i++) await toServer.request("store");
    const paying = toServer.request("store");
    await until("the cheque is queued for its commit", () => payer.ledger.queued === 1);
    expect(log).to.not.include("cheque");
    expect(log).to.not.include("putIssued");
    // the payer's other peer is served while the cheque waits for its commit
    for (let i = 0; i < 20; i++) {
      const r = await toPayer.request("store", Uint8Array.of(i, 1));
      expect([...r.payload]).to.deep.equal([1, i]);
    }
    expect(log).to.not.include("cheque");
    expect(received).to.deep.equal([]);

    commit.release();
    await paying;
    await until("the server credited the cheque", () => received.length === 1);
    expect(received).to.deep.equal([100n]);
    expect(log.indexOf("putIssued")).to.be.greaterThan(-1);
    expect(log.indexOf("cheque")).to.be.greaterThan(log.indexOf("putIssued"));
    expect(payer.store.lastIssued(payerParty.chequebook, server.beneficiary)?.cumulativePayout).to.equal(100n);
    payer.close();
    server.close();
    other.close();
  });

  it("cheques the node issues to many peers in one turn share one commit", async () => {
    const payerParty = party(10n ** 9n);
    const store = countCommits(new MemoryStore());
    const payer = mockNode(payerParty, {}, { store });
    const servers = Array.from({ length: 8 }, () => mockNode(party()));
    const sessions = await Promise.all(
      servers.map(async (s, i) => {
        const [a, b] = memoryPair();
        const [toServer] = await Promise.all([payer.connect(a, `s${i}`), s.connect(b, "payer")]);
        return toServer;
      }),
    );
    for (let i = 0; i < 100; i++) await Promise.all(sessions.map((s) => s.request("store")));
    const sent: string[] = [];
    payer.on("cheque-sent", (e) => sent.push(e.peer));
    const before = store.commits;
    // every session's next request pays first: the eight cheques are issued together
    await Promise.all(sessions.map((s) => s.request("store")));
    expect(sent).to.have.length(8);
    expect(store.commits - before).to.equal(1);
    expect(store.totalIssued(payerParty.chequebook)).to.equal(800n);
    payer.close();
    for (const s of servers) s.close();
  });
});
