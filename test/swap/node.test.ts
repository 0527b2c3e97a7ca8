import { expect } from "chai";
import { link, mockNode, party, settle } from "../../test-support/swap-fixtures.js";
import { ServiceRefusedError, ThresholdOutOfBoundsError, EmbargoedError } from "../../src/swap/errors.js";
import { memoryPair } from "../../src/swap/transport.js";
import { expectError } from "../../test-support/helpers.js";

describe("swap: two nodes in mock mode", () => {
  it("meters requests, pays with a cheque at the threshold, views stay exact negations", async () => {
    const alice = party();
    const bob = party();
    const client = mockNode(alice);
    const server = mockNode(bob);
    const sent: bigint[] = [];
    client.on("cheque-sent", (e) => sent.push(e.cumulativePayout));
    const { toServer } = await link(client, server);
    for (let i = 0; i < 250; i++) {
      const r = await toServer.request("store", Uint8Array.from([1, 2, 3]));
      expect(r.serviceClass).to.equal("paid");
    }
    await settle();
    expect(sent).to.deep.equal([100n, 200n]);
    expect(client.ledger.balance("server")).to.equal(-server.ledger.balance("client"));
    expect(server.ledger.balance("client")).to.equal(50n);
    expect(server.store.lastReceived(alice.chequebook)?.cumulativePayout).to.equal(200n);
    client.close();
    server.close();
  });

  it("refuses a handshake whose threshold is out of bounds", async () => {
    const client = mockNode(party(), { paymentThreshold: 10n });
    const server = mockNode(party(), { minPeerThreshold: 50n });
    const [a, b] = memoryPair();
    const [, err] = await Promise.all([
      client.connect(a, "s").catch(() => undefined),
      expectError(server.connect(b, "c"), ThresholdOutOfBoundsError),
    ]);
    expect(err.threshold).to.equal(10n);
    expect(err.min).to.equal(50n);
    expect(server.sessions.size).to.equal(0);
  });

  it("disconnects a peer that stops paying, with an embargo; cooperates again once it pays", async () => {
    let now = 1_000_000;
    const clock = () => now;
    const alice = party();
    const client = mockNode(alice, {}, { now: clock });
    const server = mockNode(party(), { embargoMsPerUnit: 100 }, { now: clock });
    client.paymentsEnabled = false;
    const { toServer } = await link(client, server);
    for (let i = 0; i < 150; i++) await toServer.request("store"); // disconnect threshold 150
    const err = await expectError(toServer.request("store"), ServiceRefusedError);
    expect(err.reason).to.contain("payment required");
    await settle();
    expect(toServer.closed).to.equal(true);
    const embargoUntil = server.ledger.get("client").embargoUntil;
    expect(embargoUntil).to.equal(now + 150 * 100);
    // reconnecting during the embargo is refused on both sides
    await expectError(client.connect(memoryPair()[0], "server"), EmbargoedError);
    now = embargoUntil + 1;
    client.paymentsEnabled = true;
    const again = await link(client, server);
    await client.accounting.settle("server");
    await settle();
    expect(server.ledger.balance("client")).to.equal(0n);
    expect((await again.toServer.request("store")).serviceClass).to.equal("paid");
  });
});

describe("swap: soft mode (account and log only)", () => {
  it("accounts every message but never pays and never refuses", async () => {
    const client = mockNode(party(), { mode: "soft" });
    const server = mockNode(party(), { mode: "soft" });
    let cheques = 0;
    let refusals = 0;
    client.on("cheque-sent", () => cheques++);
    server.on("refused", () => refusals++);
    const { toServer } = await link(client, server);
    for (let i = 0; i < 400; i++) expect((await toServer.request("store")).serviceClass).to.equal("paid");
    await settle();
    expect(cheques).to.equal(0);
    expect(refusals).to.equal(0);
    expect(server.ledger.balance("client")).to.equal(400n); // far past the disconnect threshold of 150
    expect(client.ledger.balance("server")).to.equal(-400n);
  });
});

describe("swap: a defaulting issuer", () => {
  it("is refused while its cash-out bounced, and served again once paid in full", async () => {
    const client = mockNode(party());
    const server = mockNode(party());
    const { toServer } = await link(client, server);
    await toServer.request("store");
    server.cashoutHooks().onBounce("client");
    expect(server.ledger.get("client").defaulting).to.equal(true);
    const err = await expectError(toServer.request("store"), ServiceRefusedError);
    expect(err.reason).to.equal("issuer defaulting");
    server.cashoutHooks().onPaid("client");
    await settle(); // the refusal disconnected it with an embargo proportional to its (tiny) debt
    const again = await link(client, server);
    expect((await again.toServer.request("store")).serviceClass).to.equal("paid");
    expect(server.store.getPeer("client")?.defaulting).to.equal(false);
  });
});
