import { expect } from "chai";
import { call, startMock, until } from "./helpers.js";
import type { Daemon } from "../../src/daemon/daemon.js";

describe("daemon: two swap-nodes over libp2p (TCP + Noise + Yamux)", function () {
  this.timeout(60_000);
  const running: Daemon[] = [];
  afterEach(async () => {
    for (const d of running.splice(0)) await d.stop();
  });

  it("finds the bootstrap peer, identifies it by its PeerId, meters requests and pays with cheques", async () => {
    const a = await startMock();
    running.push(a);
    const b = await startMock({ p2p: { bootstrap: [a.host.addresses()[0]], redialMs: 200 } });
    running.push(b);
    // both sides hold a session keyed by the other's authenticated PeerId
    await until("sessions on both sides", () => a.node.sessions.has(b.host.peerId) && b.node.sessions.get(a.host.peerId)?.remote);
    const r = await call(b, `/debug/requests/${a.host.peerId}`, { method: "POST", json: { protocol: "store", count: 25 } });
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

  it("refuses a peer past the disconnect threshold, embargoes it, and serves it again once it pays", async () => {
    const a = await startMock({ thresholds: { payment: "100", maxEmbargoMs: 300, embargoMsPerUnit: 1 } });
    running.push(a);
    const b = await startMock({ p2p: { bootstrap: [a.host.addresses()[0]], redialMs: 100 } });
    running.push(b);
    await until("session", () => b.node.sessions.get(a.host.peerId)?.remote);
    expect((await call(b, "/debug/payments", { method: "POST", json: { enabled: false } })).body).to.deep.equal({ enabled: false });
    const r = await call(b, `/debug/requests/${a.host.peerId}`, { method: "POST", json: { protocol: "store", count: 30 } });
    // disconnect threshold 150: 15 requests fit, the 16th is refused and the session ends
    expect(r.body.paid).to.equal(15);
    expect(r.body.refused).to.equal(1);
    const peers = (await call(a, "/peers")).body.peers;
    expect(peers).to.have.length(1);
    expect(peers[0]).to.include({ peer: b.host.peerId, balance: "150" });
    expect(peers[0].embargoUntil).to.be.greaterThan(0);
    expect((await call(b, "/debug/payments", { method: "POST", json: { enabled: true } })).body).to.deep.equal({ enabled: true });
    // after the embargo the peers reconnect; b's first request settles its debt first
    await until("reconnected", () => b.node.sessions.get(a.host.peerId)?.remote && a.node.sessions.has(b.host.peerId), 20_000);
    const again = await call(b, `/debug/requests/${a.host.peerId}`, { method: "POST", json: { protocol: "store", count: 5 } });
    expect(again.body).to.include({ paid: 5, refused: 0 });
    await until("cheque credited", () => a.node.store.listReceived()[0]?.cumulativePayout);
    expect(a.node.ledger.balance(b.host.peerId)).to.equal(50n);
    const metrics = (await call(a, "/metrics")).body as string;
    expect(metrics).to.match(/swap_disconnects_total\{reason="payment required: debt past the disconnect[^"]*"\} 1/);
    expect(metrics).to.match(/swap_requests_served_total\{protocol="store",class="paid"\} 20/);
  });
});
