import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync, existsSync, statSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Wallet } from "ethers";
import { link, mockNode, party, settle } from "../../test-support/swap-fixtures.js";
import { faultyStore } from "../../test-support/faulty-store.js";
import { expectError } from "../../test-support/helpers.js";
import { memoryPair } from "../../src/swap/transport.js";
import { PeerSession, DEFAULT_LIMITS, type SessionHost } from "../../src/swap/session.js";
import { encodeMessage, FrameDecoder } from "../../src/swap/codec.js";
import {
  BalanceMismatchError,
  ConnectionClosedError,
  ContractIssuerLimitError,
  HandshakeRejectedError,
  InsufficientLiquidityError,
  ServiceRefusedError,
  ThresholdOutOfBoundsError,
} from "../../src/swap/errors.js";
import { Ledger } from "../../src/accounting/ledger.js";
import { MemoryStore } from "../../src/store/memory.js";
import { SqliteStore, APPLICATION_ID, SCHEMA_VERSION } from "../../src/store/sqlite.js";
import { StoreOpenError } from "../../src/store/errors.js";
import { ChequeIssuer } from "../../src/swap/issuer.js";
import { ChequeReceiver } from "../../src/swap/receiver.js";
import { ChainVerifier, type ChequeVerifier } from "../../src/swap/verifier.js";
import { signCheque } from "../../src/cheque/index.js";
import type { ChainFacts } from "../../src/chain/facts.js";
import type { Hex } from "../../src/crypto/index.js";
import { CHAIN_ID } from "../../test-support/swap-fixtures.js";

/** Record unhandled rejections during a test: there must be none. */
function watchUnhandled() {
  const seen: unknown[] = [];
  const h = (e: unknown) => seen.push(e);
  process.on("unhandledRejection", h);
  return { seen, stop: () => process.off("unhandledRejection", h) };
}

describe("swap: session without a node (SessionHost port)", () => {
  it("requests in flight fail with ConnectionClosedError when the peer closes, reservations released, no unhandled rejection", async () => {
    const unhandled = watchUnhandled();
    const ledger = new Ledger(new MemoryStore());
    const ended: string[] = [];
    const host: SessionHost = {
      limits: { ...DEFAULT_LIMITS, timeoutMs: 5_000 },
      hello: () => ({
        paymentThreshold: 10n,
        beneficiary: new Uint8Array(0),
        chequebook: new Uint8Array(0),
        chainId: 1n,
        paymentThresholdBe: new Uint8Array(0),
        issuer: new Uint8Array(0),
        mode: "mock",
        freePerSecond: new Uint8Array(0),
        balance: new Uint8Array(0),
        receivedCumulative: new Uint8Array(0),
      }),
      welcome: async () => ({ paymentThreshold: 10n, chainId: 1n, mode: "mock", freePerSecond: 0n }),
      receiveCheque: async () => ({ credited: 0n, duplicate: true, cumulativePayout: 0n }),
      admit: () => ({ refuse: true, code: "UnknownProtocol", reason: "none" }),
      viewFor: () => ({ balance: 0n, receivedCumulative: 0n, sentCumulative: 0n, forgiven: 0n }),
      prepareRequest: async (peer, protocol, units) => ledger.reserveConsume(peer, protocol, BigInt(units), 1_000n),
      onResponse: () => undefined,
      onDisconnect: () => undefined,
      onChequeRejected: () => undefined,
      punish: () => undefined,
      report: () => undefined,
      ended: (peer) => ended.push(peer),
    };
    const [a, b] = memoryPair();
    const session = new PeerSession(host, a, "peer");
    b.onData(() => undefined);
    const started = session.start();
    await b.send(encodeMessage({ handshake: host.hello("x") }));
    await started;
    const inFlight = [session.request("x"), session.request("x", undefined, 3)];
    await settle();
    expect(ledger.consumeExposure("peer")).to.equal(4n);
    b.close("peer went away");
    for (const p of inFlight) await expectError(p, ConnectionClosedError);
    expect(ledger.consumeExposure("peer")).to.equal(0n);
    expect(ended).to.deep.equal(["peer"]);
    await expectError(session.request("x"), ConnectionClosedError);
    unhandled.stop();
    expect(unhandled.seen).to.deep.equal([]);
  });
});

describe("swap: no crash when sessions close under load", () => {
  it("the application closing a session with requests in flight rejects them all with ConnectionClosedError", async () => {
    const unhandled = watchUnhandled();
    const client = mockNode(party());
    const server = mockNode(party(), {}, { handlers: { slow: () => new Promise(() => undefined) } });
    const { toServer } = await link(client, server);
    const inFlight = Array.from({ length: 20 }, () => toServer.request("slow"));
    await settle();
    toServer.close("application shutdown");
    const errors = await Promise.all(inFlight.map((p) => expectError(p, ConnectionClosedError)));
    expect(errors[0].message).to.equal("application shutdown");
    expect(client.ledger.consumeExposure("server")).to.equal(0n);
    await settle();
    client.close();
    server.close();
    unhandled.stop();
    expect(unhandled.seen).to.deep.equal([]);
  });
});

describe("swap: the server sets the price", () => {
  it("charges the units the handler reports, and the payer applies that charge", async () => {
    const client = mockNode(party(), { prices: { sized: 3n } });
    const server = mockNode(
      party(),
      { prices: { sized: 3n } },
      { handlers: { sized: () => ({ payload: new Uint8Array(7), units: 7 }) } },
    );
    const { toServer } = await link(client, server);
    const r = await toServer.request("sized", new Uint8Array(0), 1); // hint 1 unit, served 7
    expect(r.charged).to.equal(21n);
    expect(server.ledger.balance("client")).to.equal(21n);
    expect(client.ledger.balance("server")).to.equal(-21n);
  });

  it("unknown protocols are refused with a typed code and cost nothing; units 0 costs one unit", async () => {
    const client = mockNode(party());
    const server = mockNode(party());
    const { toServer } = await link(client, server);
    const err = await expectError(toServer.request("nope"), ServiceRefusedError);
    expect(err.code).to.equal("UnknownProtocol");
    expect(server.ledger.balance("client")).to.equal(0n);
    expect((await toServer.request("store", new Uint8Array(0), 0)).charged).to.equal(1n);
    expect(server.ledger.balance("client")).to.equal(1n);
  });
});

describe("swap: balances resynchronise", () => {
  it("a payer that lost its unflushed metering adopts the server's view and pays it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swap-sync-"));
    try {
      const alice = party();
      const server = mockNode(party());
      let client = mockNode(alice, {}, { store: new SqliteStore(join(dir, "c.db")) });
      let { toServer } = await link(client, server);
      for (let i = 0; i < 60; i++) await toServer.request("store");
      // crash: nothing flushed (flushIntervalMs 0), the process is gone
      toServer.close("crash");
      await settle();
      client = mockNode(alice, {}, { store: new SqliteStore(join(dir, "c.db")) });
      expect(client.ledger.balance("server")).to.equal(0n);
      const synced: bigint[] = [];
      client.on("balance-synced", (e) => synced.push(e.to));
      ({ toServer } = await link(client, server));
      for (let i = 0; i < 50; i++) await toServer.request("store");
      await settle();
      expect(synced[0]).to.equal(61n); // the server's view after the first response
      // it paid at the threshold from the adopted view: both views agree again
      expect(server.store.lastReceived(alice.chequebook)?.cumulativePayout).to.equal(100n);
      expect(client.ledger.net("server")).to.equal(-server.ledger.net("client"));
      client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a server claiming more than the tolerance is treated as fraud: typed error, disconnect", async () => {
    const client = mockNode(party(), { syncTolerance: 20n });
    const server = mockNode(party());
    const { toServer } = await link(client, server);
    await toServer.request("store");
    const rec = server.ledger.get("client");
    server.ledger.commit({ ...rec, balance: rec.balance + 50n }, false); // the server inflates the debt
    const err = await expectError(toServer.request("store"), BalanceMismatchError);
    expect(err).to.deep.include({ announced: 52n, local: 2n, drift: 50n, tolerance: 20n });
    expect(toServer.closed).to.equal(true);
  });

  it("the free tier is announced in the handshake and reaches the payer's view", async () => {
    let now = 1_000_000;
    const client = mockNode(party(), {}, { now: () => now });
    const server = mockNode(party(), { freePerSecond: 2n }, { now: () => now });
    const { toServer } = await link(client, server);
    expect(toServer.remote?.freePerSecond).to.equal(2n);
    for (let i = 0; i < 30; i++) await toServer.request("store");
    now += 5_000; // 10 forgiven
    await toServer.request("store");
    expect(server.ledger.net("client")).to.equal(21n);
    expect(client.ledger.net("server")).to.equal(-21n);
  });

  it("after losing its database the payer adopts the cheque the peer returns, and never signs below it", async () => {
    const alice = party();
    const server = mockNode(party());
    let client = mockNode(alice);
    let { toServer } = await link(client, server);
    for (let i = 0; i < 101; i++) await toServer.request("store"); // a cheque of 100
    await settle();
    expect(server.store.lastReceived(alice.chequebook)?.cumulativePayout).to.equal(100n);
    toServer.close();
    await settle();
    client = mockNode(alice); // a blank database
    const resynced: bigint[] = [];
    client.on("resynced", (e) => resynced.push(e.cumulativePayout));
    ({ toServer } = await link(client, server));
    expect(resynced).to.deep.equal([100n]);
    expect(client.store.lastIssued(alice.chequebook, server.beneficiary)?.cumulativePayout).to.equal(100n);
    const rejected: string[] = [];
    server.on("cheque-rejected", (e) => rejected.push(e.error.name));
    for (let i = 0; i < 150; i++) await toServer.request("store");
    await settle();
    expect(rejected).to.deep.equal([]);
    expect(server.store.lastReceived(alice.chequebook)!.cumulativePayout > 100n).to.equal(true);
    expect(client.ledger.net("server")).to.equal(-server.ledger.net("client"));
  });

  it("payment is idempotent across a reconnect: two settlements of one debt pay once", async () => {
    const alice = party();
    const client = mockNode(alice);
    const server = mockNode(party());
    client.paymentsEnabled = false;
    let { toServer } = await link(client, server);
    for (let i = 0; i < 80; i++) await toServer.request("store");
    client.paymentsEnabled = true;
    const first = client.accounting.settle("server");
    ({ toServer } = await link(client, server)); // reconnect while the payment runs
    const second = client.accounting.settle("server");
    await Promise.all([first, second]);
    await settle();
    expect(client.store.lastIssued(alice.chequebook, server.beneficiary)?.cumulativePayout).to.equal(80n);
    expect(server.ledger.net("client")).to.equal(0n);
  });
});

describe("swap: store faults are typed and survivable", () => {
  it("refuses paid work and cheques while the disk is full, keeps running, and recovers without losing a cheque", async () => {
    const alice = party();
    const store = faultyStore(new MemoryStore());
    const client = mockNode(alice);
    const server = mockNode(party(), {}, { store });
    const events: string[] = [];
    server.on("store-unavailable", (e) => events.push(`down ${e.error.code}`));
    server.on("store-recovered", () => events.push("up"));
    const rejects: string[] = [];
    server.on("cheque-rejected", (e) => rejects.push(e.error.name));
    const { toServer } = await link(client, server);
    for (let i = 0; i < 90; i++) await toServer.request("store");
    store.failing = "SQLITE_FULL";
    for (let i = 0; i < 10; i++) await toServer.request("store"); // metered in memory (write-behind)
    // the 101st request pays first: the cheque of 100 cannot be stored, so the server rejects it and
    // refuses paid work until the store is back
    const err = await expectError(toServer.request("store"), ServiceRefusedError);
    expect(err.code).to.equal("StoreUnavailable");
    expect(rejects).to.deep.equal(["StoreUnavailableError"]);
    expect(events).to.deep.equal(["down SQLITE_FULL"]);
    store.failing = undefined;
    server.flush(); // the retry (on the flush timer in production)
    expect(events).to.deep.equal(["down SQLITE_FULL", "up"]);
    for (let i = 0; i < 100; i++) await toServer.request("store"); // the next cheque covers both
    await settle();
    expect(server.store.lastReceived(alice.chequebook)?.cumulativePayout).to.equal(
      client.store.lastIssued(alice.chequebook, server.beneficiary)?.cumulativePayout,
    );
    expect(client.ledger.net("server")).to.equal(-server.ledger.net("client"));
  });

  it("the write-behind flush on its timer never throws: a fault becomes an event", async () => {
    const store = faultyStore(new MemoryStore());
    const server = mockNode(party(), {}, { store, flushIntervalMs: 5 });
    const client = mockNode(party());
    await link(client, server).then(({ toServer }) => toServer.request("store"));
    store.failing = "SQLITE_IOERR_WRITE";
    const down = await new Promise<string>((r) => server.once("store-unavailable", (e) => r(e.error.code)));
    expect(down).to.equal("SQLITE_IOERR_WRITE");
    store.failing = undefined;
    await new Promise<void>((r) => server.once("store-recovered", () => r()));
    expect(store.getPeer("client")?.balance).to.equal(1n);
    server.close();
    client.close();
  });
});

describe("store: SQLite file checks, schema version, checkpoint", () => {
  const dir = mkdtempSync(join(tmpdir(), "swap-open-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses an empty file unless asked to create, and a foreign or garbage file always", async () => {
    const empty = join(dir, "empty.db");
    writeFileSync(empty, "");
    const e1 = await expectError(() => new SqliteStore(empty), StoreOpenError);
    expect(e1.reason).to.match(/empty file/);
    new SqliteStore(empty, { create: true }).close();
    const foreign = join(dir, "foreign.db");
    const db = new Database(foreign);
    db.exec("CREATE TABLE notes (x TEXT)");
    db.close();
    expect((await expectError(() => new SqliteStore(foreign), StoreOpenError)).reason).to.match(
      /not a database of this library/,
    );
    const garbage = join(dir, "garbage.db");
    writeFileSync(garbage, "x".repeat(4096));
    await expectError(() => new SqliteStore(garbage), StoreOpenError);
  });

  it("marks the file (application_id, user_version), adopts a pre-versioning database, refuses a newer schema", async () => {
    const file = join(dir, "v.db");
    const s = new SqliteStore(file);
    expect(s.schemaVersion).to.equal(SCHEMA_VERSION);
    expect((s.sharedHandle as Database.Database).pragma("application_id", { simple: true })).to.equal(APPLICATION_ID);
    (s.sharedHandle as Database.Database).pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    s.close();
    expect((await expectError(() => new SqliteStore(file), StoreOpenError)).reason).to.match(/newer/);
    // a database of this library from before versioning: our tables, no marks
    const legacy = join(dir, "legacy.db");
    const l = new SqliteStore(legacy);
    l.putPeer({ peer: "p", balance: 5n, surplus: 0n, protocols: {}, defaulting: false, embargoUntil: 0 });
    (l.sharedHandle as Database.Database).pragma("application_id = 0");
    (l.sharedHandle as Database.Database).pragma("user_version = 0");
    l.close();
    const again = new SqliteStore(legacy);
    expect(again.getPeer("p")?.balance).to.equal(5n);
    expect(again.schemaVersion).to.equal(SCHEMA_VERSION);
    again.close();
  });

  it("close() checkpoints the WAL: a copy of the .db alone holds the last commits", () => {
    const file = join(dir, "wal.db");
    const s = new SqliteStore(file);
    for (let i = 0; i < 20; i++)
      s.putPeer({ peer: `p${i}`, balance: BigInt(i), surplus: 0n, protocols: {}, defaulting: false, embargoUntil: 0 });
    expect(statSync(`${file}-wal`).size).to.be.greaterThan(0);
    s.close();
    expect(!existsSync(`${file}-wal`) || statSync(`${file}-wal`).size === 0).to.equal(true);
    copyFileSync(file, join(dir, "copy.db"));
    const c = new SqliteStore(join(dir, "copy.db"));
    expect(c.getPeer("p19")?.balance).to.equal(19n);
    c.close();
  });
});

describe("swap: issuer and receiver policies", () => {
  const us = Wallet.createRandom();
  const them = Wallet.createRandom();
  const book = Wallet.createRandom().address as Hex;

  it("the issuer never signs below the on-chain paidOut", async () => {
    const store = new MemoryStore();
    const issuer = new ChequeIssuer(store, new Ledger(store), {
      chequebook: book,
      chainId: CHAIN_ID,
      signer: them.privateKey as Hex,
      funds: async () => ({ balance: 10_000n, totalPaidOut: 500n }),
      paidOut: async () => 500n,
    });
    const c = await issuer.issue("p", us.address, 40n);
    expect(c?.cumulativePayout).to.equal(540n);
  });

  function contractWalletVerifier(liquid: bigint): ChequeVerifier {
    return {
      isKnownChequebook: async () => true,
      issuerOf: async () => "0x000000000000000000000000000000000000c0de" as Hex,
      contractSignatureValid: async () => true, // an ERC-1271 wallet that accepts the signature
      liquidity: async () => ({ liquidBalanceFor: liquid, paidOut: 0n }),
    };
  }
  const cheque = async (cumulativePayout: bigint) => ({
    chequebook: book,
    beneficiary: us.address,
    cumulativePayout,
    chainId: CHAIN_ID,
    signature: await signCheque(
      { chequebook: book, beneficiary: us.address, cumulativePayout },
      CHAIN_ID,
      them.privateKey as Hex,
    ),
  });

  it("contract-wallet issuers are credited only up to our own limit for them", async () => {
    const store = new MemoryStore();
    const receiver = new ChequeReceiver(store, new Ledger(store), {
      beneficiary: us.address as Hex,
      chainId: CHAIN_ID,
      mode: "hard",
      minChequeValue: 1n,
      verifier: contractWalletVerifier(10_000n),
      contractIssuerMaxUncashed: 150n,
    });
    expect((await receiver.receive("p", await cheque(150n))).credited).to.equal(150n);
    const err = await expectError(receiver.receive("p", await cheque(151n)), ContractIssuerLimitError);
    expect(err).to.deep.include({ uncashed: 151n, limit: 150n });
    expect(store.lastReceived(book)?.cumulativePayout).to.equal(150n);
    const none = new ChequeReceiver(store, new Ledger(store), {
      beneficiary: us.address as Hex,
      chainId: CHAIN_ID,
      mode: "hard",
      minChequeValue: 1n,
      verifier: contractWalletVerifier(10_000n),
      contractIssuerMaxUncashed: 0n,
    });
    await expectError(none.receive("q", { ...(await cheque(200n)) }), ContractIssuerLimitError);
  });

  it("a chequebook drained below what it owes us makes its issuer defaulting", async () => {
    let liquid = 1_000n;
    const verifier: ChequeVerifier = {
      isKnownChequebook: async () => true,
      issuerOf: async (_cb, announced) => announced as Hex,
      contractSignatureValid: async () => false,
      liquidity: async () => ({ liquidBalanceFor: liquid, paidOut: 0n }),
    };
    const client = mockNode(party());
    const server = mockNode(party(), {}, { verifier });
    const { toServer } = await link(client, server);
    for (let i = 0; i < 101; i++) await toServer.request("store");
    await settle();
    expect(server.ledger.net("client")).to.equal(1n);
    liquid = 0n; // drained before any cash-out
    const rejected = new Promise<Error>((r) => server.once("cheque-rejected", (e) => r(e.error)));
    let refusal: ServiceRefusedError | undefined;
    for (let i = 0; i < 300 && !refusal; i++)
      await toServer.request("store").catch((e: ServiceRefusedError) => (refusal = e));
    expect(await rejected).to.be.instanceOf(InsufficientLiquidityError);
    expect(refusal?.code).to.equal("IssuerDefaulting");
    expect(server.ledger.get("client").defaulting).to.equal(true);
  });

  it("negative factory answers are cached for a while (one chain call per unknown chequebook per TTL)", async () => {
    let calls = 0;
    let now = 0;
    const facts = { isKnownChequebook: async () => (calls++, false) } as unknown as ChainFacts;
    const v = new ChainVerifier(facts, { negativeTtlMs: 1_000, now: () => now });
    for (let i = 0; i < 5; i++) expect(await v.isKnownChequebook(book)).to.equal(false);
    expect(calls).to.equal(1);
    now = 1_001;
    await v.isKnownChequebook(book);
    expect(calls).to.equal(2);
  });
});

describe("accounting: group commit", () => {
  it("payments of one peer in the same batch build on each other, and commit in one transaction", async () => {
    const store = faultyStore(new MemoryStore());
    const ledger = new Ledger(store);
    const before = store.writes;
    const pay = (amount: bigint) => ledger.persistSoon(() => ({ record: ledger.afterPaymentReceived("p", amount) }));
    await Promise.all([pay(10n), pay(5n), pay(7n)]);
    expect(ledger.get("p").surplus).to.equal(22n);
    expect(store.getPeer("p")?.surplus).to.equal(22n);
    expect(store.writes - before).to.equal(4); // one transaction, three row writes
    store.failing = "SQLITE_FULL";
    const results = await Promise.allSettled([pay(1n), pay(2n)]);
    expect(results.map((r) => r.status)).to.deep.equal(["rejected", "rejected"]);
    expect(ledger.get("p").surplus).to.equal(22n); // nothing changed
  });
});

describe("swap: bounded per-peer state", () => {
  it("the ledger forgets clean peers once their session closes", async () => {
    const server = mockNode(party());
    for (let i = 0; i < 50; i++) {
      const client = mockNode(party());
      const [a, b] = memoryPair();
      const [toServer] = await Promise.all([client.connect(a, "server"), server.connect(b, `peer-${i}`)]);
      toServer.close();
      await settle();
    }
    expect(server.ledger.resident).to.equal(0);
  });

  it("peer-supplied thresholds and modes are checked against bounds by default", async () => {
    const huge = mockNode(party(), { paymentThreshold: (1n << 64n) - 1n });
    const server = mockNode(party());
    const [a, b] = memoryPair();
    const [, err] = await Promise.all([
      huge.connect(a, "s").catch(() => undefined),
      expectError(server.connect(b, "c"), ThresholdOutOfBoundsError),
    ]);
    expect(err.max).to.equal(100n * 1000n);
    const evil = mockNode(party());
    const [c, d] = memoryPair();
    const orig = evil.policy.mode;
    (evil.policy as { mode: string }).mode = "evil";
    const [, err2] = await Promise.all([
      evil.connect(c, "s").catch(() => undefined),
      expectError(server.connect(d, "c"), HandshakeRejectedError),
    ]);
    (evil.policy as { mode: string }).mode = orig;
    expect(err2.reason).to.equal("unknown mode");
  });

  it("the frame decoder holds at most one frame, whatever the chunking", () => {
    const frame = encodeMessage({ request: { id: 1n, protocol: "store", units: 1, payload: new Uint8Array(60_000) } });
    const d = new FrameDecoder();
    let peak = 0;
    let out = 0;
    for (let i = 0; i < frame.length; i++) {
      out += d.push(frame.subarray(i, i + 1)).length;
      peak = Math.max(peak, d.buffered);
    }
    expect(out).to.equal(1);
    expect(peak).to.be.at.most(frame.length);
    expect(d.buffered).to.equal(0);
  });
});
