import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeMessage, FrameDecoder, fromBytesBE, toBytes32BE } from "../../src/swap/codec.js";
import {
  ConnectionClosedError,
  FrameDecodeError,
  FrameTooLargeError,
  RequestTimeoutError,
} from "../../src/swap/errors.js";
import { Ledger } from "../../src/accounting/ledger.js";
import { OverdraftError, ReservationSettledError } from "../../src/accounting/errors.js";
import { resolvePolicy } from "../../src/accounting/policy.js";
import { MemoryStore } from "../../src/store/memory.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import type { Store } from "../../src/store/types.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { link, mockNode, party, settle } from "../../test-support/swap-fixtures.js";
import { expectError } from "../../test-support/helpers.js";

describe("swap: codec", () => {
  it("round-trips messages across arbitrary chunking", () => {
    const frames = [
      encodeMessage({ request: { id: 7n, protocol: "store", units: 3, payload: Uint8Array.from([1, 2]) } }),
      encodeMessage({
        ack: { chequebook: new Uint8Array(20).fill(1), cumulativePayout: toBytes32BE(12345678901234567890n) },
      }),
    ];
    const all = Uint8Array.from([...frames[0], ...frames[1]]);
    for (const size of [1, 2, 5, all.length]) {
      const d = new FrameDecoder();
      const out = [];
      for (let i = 0; i < all.length; i += size) out.push(...d.push(all.subarray(i, i + size)));
      expect(out.map((x) => x.ok)).to.deep.equal([true, true]);
      const [m1, m2] = out.map((x) => (x.ok ? x.message : undefined));
      expect(m1!.request!.id).to.equal(7n);
      expect(fromBytesBE(m2!.ack!.cumulativePayout)).to.equal(12345678901234567890n);
    }
  });
  it("oversized and malformed frames give typed errors and the next frame still decodes", () => {
    const d = new FrameDecoder(100);
    const big = new Uint8Array(302);
    big.set([0xac, 0x02], 0); // varint 300
    const bad = Uint8Array.from([3, 0xff, 0xff, 0xff]); // length 3, garbage protobuf
    const empty = Uint8Array.from([0]); // a frame with no message set
    const good = encodeMessage({
      disconnect: {
        reason: "bye",
        embargoMs: 5n,
        balance: new Uint8Array(0),
        receivedCumulative: new Uint8Array(0),
        sentCumulative: new Uint8Array(0),
      },
    });
    const out = d.push(Uint8Array.from([...big.subarray(0, 302), ...bad, ...empty, ...good]));
    expect(out[0].ok === false && out[0].error).to.be.instanceOf(FrameTooLargeError);
    expect(out[1].ok === false && out[1].error).to.be.instanceOf(FrameDecodeError);
    expect(out[2].ok === false && out[2].error).to.be.instanceOf(FrameDecodeError);
    expect(out[3].ok && out[3].message.disconnect!.reason).to.equal("bye");
  });
  it("a session survives garbage on the wire with its accounting intact", async () => {
    const client = mockNode(party());
    const server = mockNode(party());
    const errors: string[] = [];
    server.on("frame-error", (e) => errors.push(e.error.name));
    const { toServer } = await link(client, server);
    await toServer.request("store");
    const balance = server.ledger.balance("client");
    await toServer.duplex.send(Uint8Array.from([5, 1, 2, 3, 4, 5]));
    await toServer.duplex.send(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]));
    await settle();
    expect(errors).to.deep.equal(["FrameDecodeError", "FrameDecodeError"]);
    expect(server.ledger.balance("client")).to.equal(balance);
    expect((await toServer.request("store")).serviceClass).to.equal("paid");
  });
});

describe("accounting: ledger and policy", () => {
  it("reserve → apply/release, typed overdraft, no double settlement", async () => {
    const l = new Ledger(new MemoryStore());
    const r1 = l.reserveServe("p", "store", 60n, 100n);
    const err = await expectError(() => l.reserveServe("p", "store", 41n, 100n), OverdraftError);
    expect(err).to.deep.include({ exposure: 101n, limit: 100n, direction: "serve" });
    r1.apply();
    await expectError(() => r1.release(), ReservationSettledError);
    expect(l.balance("p")).to.equal(60n);
    expect(l.get("p").protocols.store).to.equal(60n);
  });
  it("a payment beyond the debt becomes surplus, consumed by later service", () => {
    const l = new Ledger(new MemoryStore());
    l.reserveServe("p", "store", 30n, 100n).apply();
    l.commit(l.afterPaymentReceived("p", 50n), false);
    expect(l.get("p")).to.deep.include({ balance: 0n, surplus: 20n });
    l.reserveServe("p", "store", 25n, 100n).apply();
    expect(l.get("p")).to.deep.include({ balance: 5n, surplus: 0n });
  });
  it("rejects bad policy configuration with typed errors", async () => {
    await expectError(() => resolvePolicy({ mode: "loose" as never, paymentThreshold: 1n }), InvalidArgumentError);
    await expectError(() => resolvePolicy({ mode: "mock", paymentThreshold: 0n }), InvalidArgumentError);
    await expectError(
      () => resolvePolicy({ mode: "mock", paymentThreshold: 1n, earlyPaymentPercent: 100n }),
      InvalidArgumentError,
    );
    expect(resolvePolicy({ mode: "mock", paymentThreshold: 200n, tolerancePercent: 25n }).disconnectThreshold).to.equal(
      250n,
    );
  });
  it("free tier: debt is forgiven at a rate counted from connection time", async () => {
    let now = 0;
    const client = mockNode(party(), {}, { chequebook: undefined, now: () => now }); // cannot pay
    const server = mockNode(party(), { freePerSecond: 10n }, { now: () => now });
    const { toServer } = await link(client, server);
    for (let i = 0; i < 150; i++) expect((await toServer.request("store")).serviceClass).to.equal("free");
    now = 5_000; // 50 forgiven
    await toServer.request("store");
    expect(server.ledger.balance("client")).to.equal(101n);
  });
  it("early payment: pays at (100 − early)% of the peer's threshold", async () => {
    const client = mockNode(party(), { earlyPaymentPercent: 40n });
    const server = mockNode(party());
    const amounts: bigint[] = [];
    client.on("cheque-sent", (e) => amounts.push(e.amount));
    const { toServer } = await link(client, server);
    for (let i = 0; i < 61; i++) await toServer.request("store");
    expect(amounts).to.deep.equal([60n]);
  });
  it("never issues beyond the chequebook's uncommitted balance", async () => {
    const poor = party(120n);
    const client = mockNode(poor);
    const server = mockNode(party());
    const failures: string[] = [];
    client.on("payment-failed", (e) => failures.push(e.error.name));
    const { toServer } = await link(client, server);
    for (let i = 0; i < 200; i++) await toServer.request("store"); // a cheque of 100 at request 101
    // at 201 the next 100 is due, only 20 is uncommitted: no cheque, and the request is refused up front
    const err = await expectError(toServer.request("store"), OverdraftError);
    expect(err).to.deep.include({ exposure: 101n, limit: 100n });
    expect(client.store.totalIssued(client.chequebook!)).to.equal(100n);
    expect(failures).to.include("InsufficientChequebookFundsError");
  });
});

describe("store: SQLite and memory behave alike", () => {
  const dir = mkdtempSync(join(tmpdir(), "swap-store-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, make] of [
    ["memory", () => new MemoryStore()],
    ["sqlite", () => new SqliteStore(join(dir, `t${Math.random()}.db`))],
  ] as const) {
    it(`${name}: totals follow the last cheques, transactions roll back on throw`, () => {
      const s: Store = make();
      s.putIssued({
        chequebook: "cb",
        beneficiary: "a",
        cumulativePayout: 10n,
        signature: "0x",
        peer: "a",
        issuedAt: 1,
      });
      s.putIssued({
        chequebook: "cb",
        beneficiary: "b",
        cumulativePayout: 5n,
        signature: "0x",
        peer: "b",
        issuedAt: 1,
      });
      s.putIssued({
        chequebook: "cb",
        beneficiary: "a",
        cumulativePayout: 25n,
        signature: "0x",
        peer: "a",
        issuedAt: 2,
      });
      expect(s.totalIssued("cb")).to.equal(30n);
      expect(() =>
        s.transaction(() => {
          s.putPeer({ peer: "x", balance: 1n, surplus: 0n, protocols: {}, defaulting: false, embargoUntil: 0 });
          throw new Error("boom");
        }),
      ).to.throw("boom");
      expect(s.getPeer("x")).to.equal(undefined);
      s.putPeer({
        peer: "x",
        balance: -(2n ** 200n),
        surplus: 3n,
        protocols: { store: 7n },
        chequebook: "cb",
        defaulting: true,
        embargoUntil: 9,
      });
      expect(s.getPeer("x")).to.deep.equal({
        peer: "x",
        balance: -(2n ** 200n),
        surplus: 3n,
        protocols: { store: 7n },
        chequebook: "cb",
        defaulting: true,
        embargoUntil: 9,
      });
      s.close();
    });
  }
  it("sqlite: what was committed survives reopening", () => {
    const file = join(dir, "reopen.db");
    const a = new SqliteStore(file);
    a.putReceived({
      chequebook: "cb",
      beneficiary: "me",
      cumulativePayout: 2n ** 255n,
      signature: "0xab",
      peer: "p",
      chainId: 100n,
      receivedAt: 3,
    });
    a.close();
    const b = new SqliteStore(file);
    expect(b.lastReceived("cb")).to.deep.equal({
      chequebook: "cb",
      beneficiary: "me",
      cumulativePayout: 2n ** 255n,
      signature: "0xab",
      peer: "p",
      chainId: 100n,
      receivedAt: 3,
    });
    b.close();
  });
});

describe("swap: request timeout", () => {
  it("a request the peer never answers fails with RequestTimeoutError and releases its reservation", async () => {
    const client = mockNode(party(), {}, { timeoutMs: 30 });
    const server = mockNode(party(), {}, { handlers: { store: () => new Promise<Uint8Array<ArrayBuffer>>(() => {}) } }); // never answers
    const { toServer } = await link(client, server);
    const err = await expectError(toServer.request("store"), RequestTimeoutError);
    expect(err).to.deep.include({ protocol: "store", ms: 30 });
    expect(client.ledger.consumeExposure("server")).to.equal(0n);
  });

  it("a slow handler does not hold up cheques or other requests on the session", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const client = mockNode(party());
    const server = mockNode(
      party(),
      {},
      { handlers: { slow: async () => (await gate, new Uint8Array(0)), store: () => new Uint8Array(0) } },
    );
    const { toServer } = await link(client, server);
    const slow = toServer.request("slow");
    for (let i = 0; i < 120; i++) await toServer.request("store");
    await settle();
    // paid while "slow" still runs: 99 served and applied, 1 reserved for "slow", 1 more due → pay the 99
    expect(server.store.lastReceived(client.chequebook!)?.cumulativePayout).to.equal(99n);
    release();
    expect((await slow).serviceClass).to.equal("paid");
    expect(server.ledger.balance("client")).to.equal(-client.ledger.balance("server"));
  });
});

describe("swap: TCP transport", () => {
  it("two nodes account and pay over a real loopback socket, and notice when it closes", async () => {
    const { createServer, connect } = await import("node:net");
    const { socketDuplex } = await import("../../src/swap/transport.js");
    const client = mockNode(party());
    const server = mockNode(party());
    const srv = createServer();
    const sockets: import("node:net").Socket[] = [];
    srv.on("connection", (s) => sockets.push(s));
    try {
      await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
      const port = (srv.address() as { port: number }).port;
      const accepted = new Promise<import("../../src/swap/session.js").PeerSession>((resolve) =>
        srv.once("connection", (sock) => resolve(server.connect(socketDuplex(sock), "client"))),
      );
      const sock = connect(port, "127.0.0.1");
      sockets.push(sock);
      await new Promise((r) => sock.once("connect", r));
      const [toServer, toClient] = await Promise.all([client.connect(socketDuplex(sock), "server"), accepted]);
      for (let i = 0; i < 120; i++) await toServer.request("store", Uint8Array.from([i]));
      await settle();
      expect(server.store.lastReceived(client.chequebook!)?.cumulativePayout).to.equal(100n);
      expect(server.ledger.balance("client")).to.equal(20n);
      toServer.close("bye");
      await new Promise((r) => setTimeout(r, 50));
      expect(toClient.closed).to.equal(true);
      await expectError(toServer.request("store"), ConnectionClosedError);
    } finally {
      // never leave a handle open: mocha would wait for it forever
      for (const s of sockets) s.destroy();
      srv.close();
      client.close();
      server.close();
    }
  });
});
