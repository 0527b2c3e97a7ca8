import { expect } from "chai";
import { call, startMock, until } from "./helpers.js";
import type { Daemon } from "../../src/daemon/daemon.js";

describe("daemon: two swap-nodes over libp2p (TCP + Noise + Yamux)", function () {
  this.timeout(60_000);
  const running: Daemon[] = [];
  afterEach(async () => {
    for (const d of running.splice(0)) await d.stop();
  });

  for (const via of ["stream", "session"] as const)
    it(`finds the bootstrap peer, identifies it by its PeerId, meters requests (on the ${via === "stream" ? "service's own stream" : "SWAP stream"}) and pays with cheques`, async () => {
      const a = await startMock();
      running.push(a);
      const b = await startMock({ p2p: { bootstrap: [a.host.addresses()[0]], redialMs: 200 } });
      running.push(b);
      // both sides hold a session keyed by the other's authenticated PeerId
      await until(
        "sessions on both sides",
        () => a.node.sessions.has(b.host.peerId) && b.node.sessions.get(a.host.peerId)?.remote,
      );
      const r = await call(b, `/debug/requests/${a.host.peerId}`, {
        method: "POST",
        json: { protocol: "store", count: 25, via },
      });
      expect(r.status).to.equal(200);
      expect(r.body).to.deep.include({ paid: 25, free: 0, refused: 0, failed: 0, lastError: null });
      expect(r.body.p50Ms).to.be.a("number").and.to.be.at.most(r.body.p99Ms);
      // 25 × 10 = 250 consumed; b pays whenever its debt would pass a's threshold of 100
      await until("a's cheque credited", () => a.node.store.listReceived().length === 1);
      const sent = (await call(b, `/settlements/${a.host.peerId}`)).body;
      const received = (await call(a, `/settlements/${b.host.peerId}`)).body;
      expect(sent.sent).to.equal("200");
      expect(received.received).to.equal("200");
      expect(BigInt((await call(a, `/balances/${b.host.peerId}`)).body.balance)).to.equal(50n);
      expect(BigInt((await call(b, `/balances/${a.host.peerId}`)).body.balance)).to.equal(-50n);
    });

  it("runs 16 concurrent requests over at most 8 service streams per peer (the server's limit)", async () => {
    const a = await startMock({ thresholds: { payment: "1000" } });
    running.push(a);
    const b = await startMock({ p2p: { bootstrap: [a.host.addresses()[0]], redialMs: 200 } });
    running.push(b);
    await until("session", () => b.node.sessions.get(a.host.peerId)?.remote && a.node.sessions.has(b.host.peerId));
    const r = await call(b, `/debug/requests/${a.host.peerId}`, {
      method: "POST",
      json: { protocol: "store", count: 200, concurrency: 16 },
    });
    expect(r.body).to.deep.include({ paid: 200, refused: 0, failed: 0 });
    const streams = b.host.libp2p
      .getConnections(a.host.libp2p.peerId)
      .flatMap((c) => c.streams)
      .filter((s) => s.protocol === "/swap/service/store/1.0.0");
    expect(streams.length).to.be.within(1, 8);
    // 200 × 10 consumed: what was not paid by cheque is still owed, on both sides alike
    const paid = await until("a cheque", () => a.node.store.listReceived()[0]?.cumulativePayout);
    await until(
      "b's last cheque credited",
      () => a.node.store.listReceived()[0]?.cumulativePayout === b.node.store.listIssued()[0]?.cumulativePayout,
    );
    expect(a.node.ledger.balance(b.host.peerId) + a.node.store.listReceived()[0]!.cumulativePayout).to.equal(2_000n);
    expect(b.node.ledger.balance(a.host.peerId)).to.equal(-a.node.ledger.balance(b.host.peerId));
    expect(paid > 0n).to.equal(true);
  });

  it("refuses a peer past the disconnect threshold, embargoes it, and serves it again once it pays", async () => {
    const a = await startMock({
      thresholds: { payment: "100", maxEmbargoMs: 300, embargoMsPerUnit: 1, contractIssuerMaxCredit: "7" },
    });
    running.push(a);
    // the contract-wallet credit settings reach the node's policy (the uncashed cap defaults to `payment`)
    expect([a.node.policy.contractIssuerMaxCredit, a.node.policy.contractIssuerMaxUncashed]).to.deep.equal([7n, 100n]);
    const b = await startMock({ p2p: { bootstrap: [a.host.addresses()[0]], redialMs: 100 } });
    running.push(b);
    await until("session", () => b.node.sessions.get(a.host.peerId)?.remote);
    // a connected peer is listed before any traffic gives it a ledger balance
    const before = (await call(b, "/peers")).body.peers as { peer: string; connected: boolean; balance: string }[];
    expect(before.map((p) => [p.peer, p.connected, p.balance])).to.deep.equal([[a.host.peerId, true, "0"]]);
    expect((await call(b, "/debug/payments", { method: "POST", json: { enabled: false } })).body).to.deep.equal({
      enabled: false,
    });
    const r = await call(b, `/debug/requests/${a.host.peerId}`, {
      method: "POST",
      json: { protocol: "store", count: 30 },
    });
    // disconnect threshold 150: 15 requests fit, the 16th is refused and the session ends
    expect(r.body.paid).to.equal(15);
    expect(r.body.refused).to.equal(1);
    const peers = (await call(a, "/peers")).body.peers;
    expect(peers).to.have.length(1);
    expect(peers[0]).to.include({ peer: b.host.peerId, balance: "150" });
    expect(peers[0].embargoUntil).to.be.greaterThan(0);
    await until("disconnected", () => !a.node.sessions.has(b.host.peerId) && !b.node.sessions.has(a.host.peerId));
    expect((await call(b, "/debug/payments", { method: "POST", json: { enabled: true } })).body).to.deep.equal({
      enabled: true,
    });
    // after the embargo the peers reconnect; b's first request settles its debt first
    await until(
      "reconnected",
      () => b.node.sessions.get(a.host.peerId)?.remote && a.node.sessions.has(b.host.peerId),
      20_000,
    );
    const again = await call(b, `/debug/requests/${a.host.peerId}`, {
      method: "POST",
      json: { protocol: "store", count: 5 },
    });
    expect(again.body, JSON.stringify(again.body)).to.include({ paid: 5, refused: 0 });
    await until("cheque credited", () => a.node.store.listReceived()[0]?.cumulativePayout);
    expect(a.node.ledger.balance(b.host.peerId)).to.equal(50n);
    const metrics = (await call(a, "/metrics")).body as string;
    expect(metrics).to.match(/swap_disconnects_total\{reason="payment required: debt past the disconnect[^"]*"\} 1/);
    expect(metrics).to.match(/swap_requests_served_total\{protocol="store",class="paid"\} 20/);
  });
});

describe("daemon: service streams against a hostile peer", function () {
  this.timeout(60_000);
  it("refuses service without a SWAP session, and aborts a stream that pipelines or sends garbage", async () => {
    const { serviceProtocolId } = await import("../../src/daemon/service-streams.js");
    const { encodeMessage } = await import("../../src/swap/codec.js");
    const { peerIdFromString } = await import("@libp2p/peer-id");
    const { multiaddr } = await import("@multiformats/multiaddr");
    const a = await startMock();
    // b runs no SWAP protocol handler that would open a session: stop accepting first
    const b = await startMock();
    try {
      await b.host.stopAccepting();
      await b.host.libp2p.dial(multiaddr(a.host.addresses()[0]!));
      const open = () => b.host.libp2p.dialProtocol(peerIdFromString(a.host.peerId), serviceProtocolId("store"));
      const answer = (s: Awaited<ReturnType<typeof open>>) =>
        new Promise<string>((resolve) => {
          s.addEventListener("message", (e) =>
            resolve(Buffer.from(e.data instanceof Uint8Array ? e.data : e.data.subarray()).toString("latin1")),
          );
          s.addEventListener("close", () => resolve("closed"));
        });
      const s1 = await open();
      const got1 = answer(s1);
      s1.send(encodeMessage({ request: { id: 1n, protocol: "store", units: 1, payload: new Uint8Array(0) } }));
      expect(await got1).to.match(/refused.*no SWAP session/);
      const s2 = await open();
      const got2 = answer(s2);
      s2.send(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
      expect(await got2).to.equal("closed");
      const s3 = await open();
      const got3 = answer(s3);
      s3.send(
        encodeMessage({
          handshake: undefined,
          ack: { chequebook: new Uint8Array(20), cumulativePayout: new Uint8Array(32) },
        }),
      );
      expect(await got3).to.equal("closed");
      expect(a.node.ledger.peers()).to.deep.equal([]); // nothing was accounted
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
