import { expect } from "chai";
import { createPublicClient } from "viem";
import { signCheque } from "../../src/cheque/index.js";
import { MemoryStore } from "../../src/store/memory.js";
import { LocalSigner } from "../../src/crypto/signer.js";
import {
  BadGatewayRequestError,
  LesClient,
  VolatileStoreError,
  SwapSettlement,
  decodeCheque,
  HEADERS,
  signSession,
  paidJsonRpcProvider,
} from "../../src/gateway/index.js";
import { paidViemTransport } from "../../src/gateway/viem.js";
import { CHAIN_ID, CHEQUEBOOK, KEYS, harness, payingFetch, rpc, type Harness } from "./fixtures.js";

const b64json = (s: string | null) => JSON.parse(Buffer.from(s!, "base64").toString("utf8")) as Record<string, unknown>;

async function chequeHeader(h: Harness, cumulative: bigint, key: string = KEYS.client, chequebook = CHEQUEBOOK) {
  const cheque = { chequebook, beneficiary: h.server.address, cumulativePayout: cumulative };
  const signature = await signCheque(cheque, CHAIN_ID, key as `0x${string}`);
  const payload = { ...cheque, cumulativePayout: cumulative.toString(), signature };
  return Buffer.from(
    JSON.stringify({ x402Version: 2, scheme: "swap-cheque", network: "eip155:31337", payload }),
  ).toString("base64");
}

async function session(h: Harness, key: string = KEYS.client, chequebook = CHEQUEBOOK, expiresIn = 3600) {
  const signer = new LocalSigner(key as `0x${string}`);
  return signSession(
    { chequebook, gateway: h.server.address, expires: BigInt(Math.floor(h.clock.t / 1000) + expiresIn) },
    CHAIN_ID,
    signer,
    signer.address,
  );
}

describe("gateway: paid HTTP (402)", () => {
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(async () => h.close());

  it("refuses to credit into a volatile store", () => {
    expect(
      () =>
        new SwapSettlement({
          store: new MemoryStore(),
          policy: { mode: "mock", paymentThreshold: 1n },
          pricePerCostUnit: 1n,
          chainId: 1n,
          beneficiary: h.server.address,
        }),
    ).to.throw(VolatileStoreError);
  });

  it("serves free clients from the leftover until their group's allowance is used, then answers 402 with x402-shaped terms", async () => {
    let served = 0;
    let res: Response;
    for (;;) {
      res = await fetch(h.url, rpc("eth_blockNumber"));
      if (res.status !== 200) break;
      expect(res.headers.get(HEADERS.cls)).to.equal("free");
      served++;
    }
    expect(served).to.equal(51); // allowance 50 cost units: refused once the debt exceeds it
    expect(res.status).to.equal(402);
    const body = (await res.json()) as Record<string, any>;
    expect(body.x402Version).to.equal(2);
    expect(body.error).to.equal("FreeAllowanceExceededError");
    const a = body.accepts[0];
    expect(a).to.include({ scheme: "swap-cheque", network: "eip155:31337", amount: "1", payTo: h.server.address });
    expect(a.extra).to.include({
      pricePerCostUnit: "1",
      paymentThreshold: "100",
      disconnectThreshold: "150",
      quoteEndpoint: "/swap/quote",
    });
    expect(a.extra.chequebookFactory).to.equal("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
    expect(a.extra.freeAllowance).to.deep.equal({ costUnits: 50, halfLifeSeconds: 60, capacity: 10 });
    expect(b64json(res.headers.get(HEADERS.required))).to.deep.equal(body);
    expect(Number(res.headers.get("retry-after"))).to.be.greaterThan(0);
    expect(h.up.calls()).to.equal(51);
  });

  it("a paying client pays by cheque only at the threshold; every answer carries the balance and the class", async () => {
    const pf = payingFetch(h);
    for (let i = 1; i <= 250; i++) {
      h.clock.t += 100; // 10 cu/s of capacity: one cost unit of buffer back per request
      const res = await pf(h.url, rpc("eth_blockNumber", i));
      expect(res.status).to.equal(200);
      expect(res.headers.get(HEADERS.cls)).to.equal("standard");
      const pr = b64json(res.headers.get(HEADERS.response));
      expect(pr.balance).to.equal(res.headers.get(HEADERS.balance));
    }
    // pays at 80% of 100: after requests 80, 160, 240 → three cheques of 80
    expect(pf.state.cheques).to.equal(3);
    expect(pf.state.paid).to.equal(240n);
    expect(h.store.lastReceived(CHEQUEBOOK)!.cumulativePayout).to.equal(240n);
    expect(h.gw.settlement.exposure(`cb:${CHEQUEBOOK}`)).to.equal(10n);
  });

  it("bad, replayed and over-threshold payments get typed answers and change nothing", async () => {
    const sess = await session(h);
    const send = (headers: Record<string, string>, method = "eth_blockNumber") =>
      ((h.clock.t += 2000), fetch)(h.url, {
        ...rpc(method),
        headers: { "content-type": "application/json", [HEADERS.session]: sess, ...headers },
      });
    // forged: signed by another key
    let res = await send({ [HEADERS.cheque]: await chequeHeader(h, 50n, KEYS.other) });
    expect(res.status).to.equal(402);
    expect(((await res.json()) as { error: string }).error).to.equal("BadChequeSignatureError");
    expect(h.store.lastReceived(CHEQUEBOOK)).to.equal(undefined);
    // a good cheque, then its replay (a no-op) and an older one (refused)
    res = await send({ [HEADERS.cheque]: await chequeHeader(h, 50n) });
    expect(res.status).to.equal(200);
    res = await send({ [HEADERS.cheque]: await chequeHeader(h, 50n) });
    expect(res.status).to.equal(200);
    expect(h.gw.settlement.surplus(`cb:${CHEQUEBOOK}`)).to.equal(48n); // 50 paid, 2 served
    res = await send({ [HEADERS.cheque]: await chequeHeader(h, 40n) });
    expect(res.status).to.equal(402);
    expect(((await res.json()) as { error: string }).error).to.equal("NonIncreasingChequeError");
    // garbage headers
    res = await send({ [HEADERS.cheque]: "not base64 json" });
    expect(res.status).to.equal(400);
    res = await fetch(h.url, {
      ...rpc("eth_blockNumber"),
      headers: {
        "content-type": "application/json",
        [HEADERS.session]: await session(h, KEYS.client, CHEQUEBOOK, -10),
      },
    });
    expect(res.status).to.equal(403);
    expect(((await res.json()) as { error: string }).error).to.equal("BadSessionError");
    // run the debt past the disconnect threshold (150) without paying: 16 per eth_getLogs
    let last: Response | undefined;
    for (let i = 0; i < 20; i++) {
      last = await send({}, "eth_getLogs");
      if (last.status !== 200) break;
    }
    expect(last!.status).to.equal(402);
    const body = (await last!.json()) as { error: string; amountDue: string };
    expect(body.error).to.equal("DebtOverThreshold");
    const due = BigInt(body.amountDue);
    expect(due > 100n && due <= 150n).to.equal(true);
    expect(last!.headers.get(HEADERS.balance)).to.equal(body.amountDue);
    // one cheque restores service
    res = await send({ [HEADERS.cheque]: await chequeHeader(h, 50n + due) }, "eth_getLogs");
    expect(res.status).to.equal(200);
    expect(res.headers.get(HEADERS.balance)).to.equal("16");
  });

  it("the paying client resumes by itself after a flow-control stop, waiting exactly the announced time", async () => {
    const pf = payingFetch(h);
    const t0 = h.clock.t;
    for (let i = 0; i < 40; i++) expect((await pf(h.url, rpc("eth_blockNumber", i))).status).to.equal(200);
    // 10 cu/s with a 20 cu buffer: 20 at once, then one every 100 ms of (simulated) waiting
    expect(h.clock.t - t0).to.equal(2000);
    expect(h.gw.capacity.service.flow.stops).to.equal(20);
  });

  it("a request costing more than the client's whole buffer is refused with 402 RequestTooCostlyError, not a stop", async () => {
    const sess = await session(h);
    const batch = JSON.stringify([
      { jsonrpc: "2.0", id: 1, method: "eth_getLogs" },
      { jsonrpc: "2.0", id: 2, method: "eth_getLogs" },
    ]);
    const res = await fetch(h.url, {
      method: "POST",
      headers: { "content-type": "application/json", [HEADERS.session]: sess },
      body: batch,
    });
    expect(res.status).to.equal(402);
    expect(await res.json()).to.deep.include({ error: "RequestTooCostlyError", cost: 32, bufferLimit: 20 });
    expect(h.gw.capacity.service.flow.stops).to.equal(0);
    expect(h.gw.settlement.exposure(`cb:${CHEQUEBOOK}`)).to.equal(0n);
    expect(h.up.calls()).to.equal(0);
  });

  it("a defaulting chequebook (a cash-out bounced) is refused with 403 IssuerDefaultingError", async () => {
    const sess = await session(h);
    const send = () =>
      fetch(h.url, {
        ...rpc("eth_blockNumber"),
        headers: { "content-type": "application/json", [HEADERS.session]: sess },
      });
    expect((await send()).status).to.equal(200);
    const ledger = h.gw.settlement.ledger;
    ledger.commit({ ...ledger.get(`cb:${CHEQUEBOOK}`), defaulting: true }, false);
    const res = await send();
    expect(res.status).to.equal(403);
    expect(await res.json()).to.deep.include({ error: "IssuerDefaultingError", chequebook: CHEQUEBOOK });
    expect(h.up.calls()).to.equal(1);
  });

  it("ethers and viem JSON-RPC clients pay automatically", async () => {
    const pf = payingFetch(h);
    const provider = paidJsonRpcProvider(h.url, pf, 31337);
    for (let i = 0; i < 100; i++) {
      h.clock.t += 100;
      expect(await provider.getBlockNumber()).to.equal(42);
    }
    const viem = createPublicClient({ transport: paidViemTransport(h.url, pf) });
    for (let i = 0; i < 100; i++) {
      h.clock.t += 100;
      expect(await viem.getBlockNumber({ cacheTime: 0 })).to.equal(42n);
    }
    expect(pf.state.cheques).to.be.at.least(1);
    expect(h.store.lastReceived(CHEQUEBOOK)!.cumulativePayout).to.equal(pf.state.paid);
    // the client's own count of what it owes is the gateway's
    expect(h.gw.settlement.exposure(`cb:${CHEQUEBOOK}`)).to.equal(pf.state.owed);
    expect(pf.state.owed < 100n).to.equal(true);
    provider.destroy();
  });

  it("decodes only well-formed cheque headers", () => {
    for (const h of [
      "e30=",
      "not base64",
      Buffer.from(JSON.stringify({ scheme: "exact", payload: {} })).toString("base64"),
    ]) {
      expect(() => decodeCheque(h, CHAIN_ID)).to.throw(BadGatewayRequestError);
    }
  });

  it("malformed requests get 400 and reach nothing; an unreachable upstream gets 502 and charges nothing", async () => {
    const sess = await session(h);
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(h.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    let res = await post("{not json");
    expect([res.status, ((await res.json()) as { error: string }).error]).to.deep.equal([
      400,
      "BadGatewayRequestError",
    ]);
    res = await post(
      JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "eth_blockNumber" }))),
    );
    expect(res.status).to.equal(400);
    res = await post(JSON.stringify({ method: "eth_blockNumber" }), { [HEADERS.cheque]: await chequeHeader(h, 10n) });
    expect(res.status).to.equal(400); // a cheque without a session
    expect(h.up.calls()).to.equal(0);
    expect(h.store.lastReceived(CHEQUEBOOK)).to.equal(undefined);
    await h.up.close();
    h.clock.t += 1000;
    res = await post(JSON.stringify({ method: "eth_getLogs" }), { [HEADERS.session]: sess });
    expect(res.status).to.equal(502);
    expect(h.gw.settlement.exposure(`cb:${CHEQUEBOOK}`)).to.equal(0n);
  });
});

describe("gateway: evictions over HTTP", () => {
  it("a free client displaced by payers is told why (402 ClientEvictedError), and once more when it is back in", async () => {
    const h = await harness({
      capacity: {
        totalCapacity: 20,
        minCapacity: 10,
        price: { minPriceMicro: 1_000_000n },
        protectMs: 0,
        freeAllowance: 1e9,
        flushIntervalMs: 0,
      },
    });
    try {
      let res = await fetch(h.url, rpc("eth_blockNumber"));
      expect([res.status, res.headers.get(HEADERS.cls), res.headers.get(HEADERS.capacity)]).to.deep.equal([
        200,
        "free",
        "20",
      ]);
      const a = new LesClient(h.url, payingFetch(h));
      const b = new LesClient(h.url, payingFetch(h, KEYS.other, "0x00000000000000000000000000000000000000b0"));
      expect((await a.checkBalance()).class).to.equal("standard");
      expect((await b.checkBalance()).class).to.equal("standard");
      res = await fetch(h.url, rpc("eth_blockNumber"));
      expect(res.status).to.equal(402);
      const body = (await res.json()) as { error: string; reason: string };
      expect([body.error, body.reason]).to.deep.equal(["ClientEvictedError", "outbid"]);
      await b.closeContract();
      res = await fetch(h.url, rpc("eth_blockNumber"));
      expect([res.status, res.headers.get(HEADERS.evicted), res.headers.get(HEADERS.cls)]).to.deep.equal([
        200,
        "outbid",
        "free",
      ]);
      res = await fetch(h.url, rpc("eth_blockNumber"));
      expect(res.headers.get(HEADERS.evicted)).to.equal(null);
    } finally {
      await h.close();
    }
  });
});
