/**
 * The production construction (`openCapacity` on a SQLite file) — not a unit fixture — so that a
 * default cannot silently disappear: free debt decays with the default half-life, across a restart,
 * within 0.1%; credits and the price survive.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { DEFAULT_USAGE_HALF_LIFE_MS, SimClock, SqliteCapacityStore, openCapacity } from "../../src/capacity/index.js";
import { FREE, PAYER } from "./fixtures.js";

describe("capacity: production construction and restarts", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "capacity-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (clock: SimClock) =>
    openCapacity({
      db: join(dir, "cap.db"),
      totalCapacity: 1000,
      minCapacity: 10,
      price: { minPriceMicro: 1_000_000n },
      now: clock.now,
      flushIntervalMs: 0,
    });

  it("free-usage debt decays across a restart within 0.1%, with the default half-life", () => {
    const clock = new SimClock();
    const a = open(clock);
    expect(a.pool.halfLifeMs).to.equal(DEFAULT_USAGE_HALF_LIFE_MS);
    expect(a.store).to.be.instanceOf(SqliteCapacityStore);
    a.pool.connect("f", "10.0.0.0/24", FREE);
    a.pool.charge("f", 1000);
    clock.t += 600_000;
    a.close();
    clock.t += 2 * DEFAULT_USAGE_HALF_LIFE_MS; // down while the clock runs on
    const b = open(clock);
    const expected = 1000 * Math.pow(2, -(600_000 + 2 * DEFAULT_USAGE_HALF_LIFE_MS) / DEFAULT_USAGE_HALF_LIFE_MS);
    const got = b.pool.usageDebt("g:10.0.0.0/24");
    expect(Math.abs(got / expected - 1)).to.be.lessThan(0.001);
    expect(got).to.be.lessThan(250); // it did decay: two half-lives and more
    b.close();
  });

  it("credits survive a restart and stop draining while the server is down", () => {
    const clock = new SimClock();
    const a = open(clock);
    a.pool.connect("p", "g", PAYER);
    a.pool.deposit("p", 1_000_000n);
    a.pool.grant("p", 110, 3_600_000); // 100 cu/s above the minimum at 1 unit per cu-second
    clock.t += 1000;
    a.close();
    clock.t += 60_000;
    const b = open(clock);
    expect(b.pool.creditOf("p")).to.equal(1_000_000n - 100n); // 100 cu/s × 1 s drained; nothing for the 60 s down
    b.close();
  });

  it("the price and its time base survive a restart", () => {
    const clock = new SimClock();
    const a = openCapacity({
      db: join(dir, "cap.db"),
      totalCapacity: 100,
      minCapacity: 10,
      price: { minPriceMicro: 1_000_000n, riseDoublingMs: 1000 },
      now: clock.now,
      flushIntervalMs: 0,
    });
    a.pool.connect("p", "g", PAYER);
    a.pool.deposit("p", 10n ** 12n);
    a.pool.grant("p", 100, 60_000);
    clock.t += 1000;
    const p = a.pool.price.at(clock.t);
    expect(p).to.equal(2_000_000n);
    a.close();
    const b = open(clock);
    expect(b.pool.price.at(clock.t)).to.equal(p);
    b.close();
  });

  it("shares the SWAP store's database handle, leaving it open on close", () => {
    const db = new Database(join(dir, "swap.db"));
    const clock = new SimClock();
    const s = openCapacity({
      db,
      totalCapacity: 100,
      minCapacity: 10,
      price: { minPriceMicro: 1n },
      now: clock.now,
      flushIntervalMs: 0,
    });
    s.pool.connect("x", "g", PAYER);
    s.pool.deposit("x", 5n);
    s.close();
    expect(db.open).to.equal(true);
    expect(
      (db.prepare("SELECT credit FROM capacity_credits WHERE client = 'x'").get() as { credit: string }).credit,
    ).to.equal("5");
    db.close();
  });
});
