/**
 * The seed's LES client/provider verbs, one test each, over a real gateway on loopback; and the
 * "stop paying → drop class" story end to end (credit runs out → standard at the exact moment →
 * debt past the disconnect threshold → refused → one cheque restores it).
 */
import { expect } from "chai";
import { GatewayError, HEADERS, LesClient, LesProvider, signSession } from "../../src/gateway/index.js";
import { signCheque } from "../../src/cheque/index.js";
import { LocalSigner } from "../../src/crypto/signer.js";
import { expectError } from "../../test-support/helpers.js";
import { CHAIN_ID, CHEQUEBOOK, KEYS, harness, payingFetch, rpc, type Harness } from "./fixtures.js";

describe("gateway: LES client/provider verbs", () => {
  let h: Harness;
  let les: LesClient;
  let provider: LesProvider;
  beforeEach(async () => {
    h = await harness();
    les = new LesClient(h.url, payingFetch(h));
    provider = new LesProvider(h.gw);
  });
  afterEach(async () => h.close());

  it("client queryConditions: terms and an honest quote both ways", async () => {
    const byCapacity = await les.queryConditions({ capacity: 110, holdSeconds: 10 });
    expect(byCapacity.terms.paymentThreshold).to.equal(100n);
    expect(byCapacity.quote.cost).to.equal(1000n); // 100 cu/s above the minimum × 10 s × 1 per cu-second
    const byCredit = await les.queryConditions({ credit: 1000n, holdSeconds: 10 });
    expect(byCredit.quote.capacity).to.equal(110);
  });

  it("quotes over HTTP are honest in a busy pool: the quoted capacity is granted for the quoted credit, one unit more is refused", async () => {
    // another payer holds most of the pool
    const other = new LesClient(h.url, payingFetch(h, KEYS.other, "0x00000000000000000000000000000000000000b0"));
    await other.establishContract(700, 3600);
    const { quote } = await les.queryConditions({ credit: 100_000n, holdSeconds: 60 });
    expect(quote.capacity).to.be.greaterThan(10);
    expect(quote.capacity).to.be.lessThan(1000 - 700 + 1);
    const refused = await expectError(
      les.increaseFund(100_000n, { capacity: quote.capacity + 1, holdSeconds: 60 }),
      GatewayError,
    );
    expect(["CapacityUnavailableError", "InsufficientCreditError"]).to.include(refused.error);
    const v = await les.increaseFund(0n, { capacity: quote.capacity, holdSeconds: 60 }); // the 100,000 already paid
    expect(v).to.include({ class: "priority", capacity: quote.capacity });
  });

  it("client establishContract: pays the quoted cost and holds the capacity in the priority class", async () => {
    const v = await les.establishContract(110, 10);
    expect(v).to.include({ class: "priority", capacity: 110 });
    expect(v.credit).to.equal(1000n);
    expect(h.store.lastReceived(CHEQUEBOOK)!.cumulativePayout).to.equal(1000n);
    await expectError(les.establishContract(5000, 10), GatewayError);
  });

  it("client checkBalance: debt, class and capacity as the server sees them", async () => {
    h.clock.t += 1000;
    await les.paidFetch(h.url, rpc("eth_getLogs"));
    const v = await les.checkBalance();
    expect(v).to.include({ class: "standard", capacity: 10 });
    expect(v.balance).to.equal(16n);
  });

  it("client increaseFund: a cheque beyond the debt becomes surplus, or credit for more capacity", async () => {
    let v = await les.increaseFund(500n);
    expect(v.surplus).to.equal(500n);
    v = await les.increaseFund(500n, { capacity: 110, holdSeconds: 10 });
    expect(v).to.include({ class: "priority", capacity: 110, credit: 1000n });
    expect(v.surplus).to.equal(0n);
  });

  it("client closeContract: leaves the pool, unspent credit stays on record", async () => {
    await les.establishContract(110, 10);
    h.clock.t += 5000;
    const v = await les.closeContract();
    expect(v.class).to.equal("priority");
    expect(h.gw.capacity.pool.has(`cb:${CHEQUEBOOK}`)).to.equal(false);
    expect(h.gw.capacity.pool.creditOf(`cb:${CHEQUEBOOK}`)).to.equal(500n);
  });

  it("provider queryConditions, bookToken, checkBalance and closeContract", async () => {
    const c = await provider.queryConditions();
    expect(c.totalCapacity).to.equal(1000);
    expect((c.terms as { x402Version: number }).x402Version).to.equal(2);
    await les.checkBalance(); // registers the client's session
    const cheque = { chequebook: CHEQUEBOOK, beneficiary: h.server.address, cumulativePayout: 70n };
    const signature = await signCheque(cheque, CHAIN_ID, KEYS.client);
    const header = Buffer.from(
      JSON.stringify({
        x402Version: 2,
        scheme: "swap-cheque",
        payload: { ...cheque, cumulativePayout: "70", signature },
      }),
    ).toString("base64");
    expect(await provider.bookToken(CHEQUEBOOK, header)).to.equal(70n);
    expect(await provider.bookToken(CHEQUEBOOK, header)).to.equal(0n); // re-delivery credits nothing
    expect(provider.checkBalance(CHEQUEBOOK)).to.include({ surplus: 70n, class: "standard" });
    provider.closeContract(CHEQUEBOOK);
    expect(h.gw.capacity.pool.has(`cb:${CHEQUEBOOK}`)).to.equal(false);
  });

  it("stop paying: credit runs out → standard at that moment → refused past the disconnect threshold → one cheque restores it", async () => {
    const v = await les.establishContract(110, 10);
    expect(v.class).to.equal("priority");
    const exhaustAt = h.gw.capacity.pool.view(`cb:${CHEQUEBOOK}`).exhaustAt;
    // a client that stops paying: same session, never a cheque
    const signer = new LocalSigner(KEYS.client);
    const sess = await signSession(
      { chequebook: CHEQUEBOOK, gateway: h.server.address, expires: BigInt(Math.floor(h.clock.t / 1000) + 3600) },
      CHAIN_ID,
      signer,
      signer.address,
    );
    const send = (method = "eth_blockNumber") =>
      fetch(h.url, { ...rpc(method), headers: { "content-type": "application/json", [HEADERS.session]: sess } });
    h.clock.t = exhaustAt - 1;
    let res = await send();
    expect(res.headers.get(HEADERS.cls)).to.equal("priority");
    h.clock.t = exhaustAt;
    res = await send();
    expect(res.headers.get(HEADERS.cls)).to.equal("standard");
    expect(res.headers.get(HEADERS.capacity)).to.equal("10");
    expect(h.gw.capacity.pool.creditOf(`cb:${CHEQUEBOOK}`)).to.equal(0n); // nothing served on credit from here
    // standard is post-paid: the debt grows until the disconnect threshold (150), then refused
    let status = 200;
    let served = 0;
    while (status === 200) {
      h.clock.t += 2000;
      res = await send("eth_getLogs");
      status = res.status;
      if (status === 200) served++;
    }
    expect(status).to.equal(402);
    expect(served).to.equal(9); // 1 + 9 × 16 = 145 ≤ 150 < 161
    const body = (await res.json()) as { error: string; amountDue: string };
    expect(body.error).to.equal("DebtOverThreshold");
    const upstreamCalls = h.up.calls();
    h.clock.t += 60_000; // waiting does not help: the debt does not expire
    res = await send("eth_getLogs");
    expect(res.status).to.equal(402);
    expect(h.up.calls()).to.equal(upstreamCalls); // refused requests never reach the upstream
    // one cheque covering the debt restores service
    const due = BigInt(body.amountDue);
    const cheque = { chequebook: CHEQUEBOOK, beneficiary: h.server.address, cumulativePayout: 1000n + due };
    const signature = await signCheque(cheque, CHAIN_ID, KEYS.client);
    const header = Buffer.from(
      JSON.stringify({
        x402Version: 2,
        scheme: "swap-cheque",
        payload: { ...cheque, cumulativePayout: cheque.cumulativePayout.toString(), signature },
      }),
    ).toString("base64");
    h.clock.t += 2000;
    res = await fetch(h.url, {
      ...rpc("eth_blockNumber"),
      headers: { "content-type": "application/json", [HEADERS.session]: sess, [HEADERS.cheque]: header },
    });
    expect(res.status).to.equal(200);
    expect(res.headers.get(HEADERS.cls)).to.equal("standard");
    expect(res.headers.get(HEADERS.balance)).to.equal("1");
  });
});
