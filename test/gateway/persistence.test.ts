/**
 * The gateway's production construction keeps the SWAP store and the capacity tables in one SQLite
 * database: a cheque's surplus moves into capacity credit in one transaction, and both survive a
 * restart.
 */
import { expect } from "chai";
import { join } from "node:path";
import { SqliteStore } from "../../src/store/sqlite.js";
import { LesClient, openGateway } from "../../src/gateway/index.js";
import { CHAIN_ID, CHEQUEBOOK, FACTORY, TOKEN, harness, payingFetch, type Harness } from "./fixtures.js";

describe("gateway: one database, restarts", () => {
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(async () => h.close());

  it("moving surplus into credit is one transaction: a failure inside leaves ledger and credit as they were", () => {
    const s = h.gw.settlement;
    const id = `cb:${CHEQUEBOOK}`;
    s.registerPeer(id, "0x0000000000000000000000000000000000000001", h.clock.t);
    const rec = { ...s.ledger.get(id), surplus: 300n };
    h.store.putPeer(rec);
    s.ledger.commit(rec, true);
    expect(() =>
      s.moveSurplus(id, 200n, (moved, writeLedger) =>
        h.gw.capacity.pool.deposit(id, moved, () => {
          writeLedger();
          throw new Error("disk full");
        }),
      ),
    ).to.throw("disk full");
    expect(s.surplus(id)).to.equal(300n);
    expect(h.store.getPeer(id)!.surplus).to.equal(300n);
    expect(h.gw.capacity.pool.creditOf(id)).to.equal(0n);
    expect(
      s.moveSurplus(id, 200n, (moved, writeLedger) => h.gw.capacity.pool.deposit(id, moved, writeLedger)),
    ).to.equal(200n);
    expect([s.surplus(id), h.store.getPeer(id)!.surplus, h.gw.capacity.pool.creditOf(id)]).to.deep.equal([
      100n,
      100n,
      200n,
    ]);
  });

  it("cheques, ledger and capacity credit survive a restart of the gateway", async () => {
    const les = new LesClient(h.url, payingFetch(h));
    const v = await les.increaseFund(1000n, { capacity: 110, holdSeconds: 10 });
    expect(v.credit).to.equal(1000n);
    h.clock.t += 4000; // 400 of the credit spent
    await h.gw.close();
    h.store.close();
    const store = new SqliteStore(join(h.dir, "gateway.db"));
    const again = openGateway({
      upstream: h.up.url,
      store,
      chainId: CHAIN_ID,
      beneficiary: h.server.address,
      token: TOKEN,
      chequebookFactory: FACTORY,
      policy: { mode: "mock", paymentThreshold: 100n },
      pricePerCostUnit: 1n,
      capacity: { totalCapacity: 1000, minCapacity: 10, price: { minPriceMicro: 1_000_000n }, flushIntervalMs: 0 },
      now: h.clock.now,
    });
    try {
      expect(store.lastReceived(CHEQUEBOOK)!.cumulativePayout).to.equal(1000n);
      expect(again.settlement.surplus(`cb:${CHEQUEBOOK}`)).to.equal(0n);
      expect(again.capacity.pool.creditOf(`cb:${CHEQUEBOOK}`)).to.equal(600n);
    } finally {
      await again.close();
      store.close();
    }
    // the harness closes its own (already closed) gateway and store again: both are idempotent
  });
});
