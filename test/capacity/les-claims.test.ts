/**
 * What LES claimed for its server incentive machinery, and what it failed to keep, as tests that run
 * by default: proportional service, work conservation, class separation under overload (with a FIFO
 * control that must fail), honest quotes, shrink order, and the decay of free debt across a restart.
 * All in simulated time with seeded randomness: deterministic, no sleeps.
 */
import { expect } from "chai";
import fc from "fast-check";
import {
  CapacityUnavailableError,
  InsufficientCreditError,
  jainIndex,
  mulberry32,
  quantile,
  simulate,
  type SimClient,
} from "../../src/capacity/index.js";
import { FREE, PAYER, makePool } from "./fixtures.js";

const HOUR = 3_600_000;

describe("capacity: what LES claimed", () => {
  it("proportional service: served/capacity within 10% of the mean for 10 clients, over rounds that re-draw capacities and move a client between paid and free", () => {
    const { pool, clock } = makePool({ totalCapacity: 2000, minCapacity: 10 });
    const rand = mulberry32(42);
    const ids = Array.from({ length: 10 }, (_, i) => `c${i}`);
    for (const id of ids) {
      pool.connect(id, `g-${id}`, PAYER);
      pool.deposit(id, 10n ** 15n);
    }
    const spreads: number[] = [];
    for (let round = 0; round < 4; round++) {
      const moved = ids[round]!;
      for (const id of ids) pool.grant(id, 10, HOUR); // release last round's grants first
      for (const id of ids) pool.setStanding(id, id === moved && round % 2 === 0 ? FREE : PAYER);
      for (const id of ids) if (id !== moved) pool.grant(id, 20 + Math.floor(rand() * 180), HOUR);
      const clients: SimClient[] = ids.map((id) => ({ id, cost: 5, load: { kind: "backlog", depth: 8 } }));
      const res = simulate({ pool, clock, clients, durationMs: 60_000, discipline: "fair", seed: round });
      const ratios = ids.map((id) => res.clients.get(id)!.servedCost / res.clients.get(id)!.capacity);
      const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
      const spread = Math.max(...ratios.map((r) => Math.abs(r / mean - 1)));
      expect(spread, `round ${round}: ${ratios.map((x) => x.toFixed(1)).join(" ")}`).to.be.lessThan(0.1);
      expect(res.clients.get(moved)!.cls).to.equal(round % 2 === 0 ? "free" : "standard");
      spreads.push(spread);
    }
    expect(spreads).to.have.length(4);
  });

  it("work conservation: total served within 2% of total capacity over a long simulated run", () => {
    const { pool, clock } = makePool({ totalCapacity: 1000, minCapacity: 10 });
    const rand = mulberry32(7);
    const clients: SimClient[] = [];
    for (let i = 0; i < 12; i++) {
      const id = `w${i}`;
      pool.connect(id, `g${i}`, i < 4 ? PAYER : i < 8 ? PAYER : FREE);
      if (i < 4) {
        pool.deposit(id, 10n ** 15n);
        pool.grant(id, 50 + Math.floor(rand() * 100), 10 * HOUR);
      }
      clients.push({ id, cost: 1 + Math.floor(rand() * 20), load: { kind: "backlog", depth: 4 } });
    }
    const durationMs = 600_000;
    const res = simulate({ pool, clock, clients, durationMs, discipline: "fair", seed: 11 });
    const capacityTotal = (pool.totalCapacity * durationMs) / 1000;
    expect(Math.abs(res.servedCost / capacityTotal - 1)).to.be.lessThan(0.02);
  });

  it("class separation at 3x overload: paid p99 <= 3x mean service time, paid served/offered >= 0.99, free Jain >= 0.9; FIFO fails the paid bound", () => {
    const run = (discipline: "fair" | "fifo") => {
      const { pool, clock } = makePool({ totalCapacity: 1000, minCapacity: 10 });
      const paid = ["p0", "p1"];
      const free = Array.from({ length: 8 }, (_, i) => `f${i}`);
      for (const p of paid) {
        pool.connect(p, p, PAYER);
        pool.deposit(p, 10n ** 12n);
        pool.grant(p, 100, HOUR);
      }
      for (const f of free) pool.connect(f, `g-${f}`, FREE);
      const clients: SimClient[] = [
        ...paid.map((id) => ({ id, cost: 10, load: { kind: "poisson" as const, ratePerSec: 6 } })),
        ...free.map((id) => ({ id, cost: 10, load: { kind: "poisson" as const, ratePerSec: 40 } })),
      ];
      const offeredCostPerSec = clients.reduce(
        (a, c) => a + c.cost * (c.load.kind === "poisson" ? c.load.ratePerSec : 0),
        0,
      );
      expect(offeredCostPerSec / pool.totalCapacity).to.be.at.least(3);
      const res = simulate({ pool, clock, clients, durationMs: 300_000, discipline, seed: 5 });
      const paidLat = paid.flatMap((p) => res.clients.get(p)!.latenciesMs);
      const sum = (ids: string[], k: "offered" | "served") => ids.reduce((a, id) => a + res.clients.get(id)![k], 0);
      return {
        p99: quantile(paidLat, 0.99),
        meanService: res.meanServiceMs,
        paidShare: sum(paid, "served") / sum(paid, "offered"),
        jain: jainIndex(free.map((f) => res.clients.get(f)!.served)),
      };
    };
    const fair = run("fair");
    expect(fair.p99).to.be.at.most(3 * fair.meanService);
    expect(fair.paidShare).to.be.at.least(0.99);
    expect(fair.jain).to.be.at.least(0.9);
    const fifo = run("fifo");
    expect(fifo.p99, "the FIFO control must miss the paid-latency bound").to.be.greaterThan(3 * fifo.meanService);
  });

  it("quote honesty: for random pools, depositing the quoted credit gets the quoted capacity and one more unit is refused", () => {
    let granted = 0;
    let atTop = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            cls: fc.constantFrom("free", "standard", "priority"),
            cap: fc.integer({ min: 11, max: 300 }),
            credit: fc.bigInt({ min: 1n, max: 10n ** 9n }),
            debt: fc.integer({ min: 0, max: 10_000 }),
          }),
          { maxLength: 12 },
        ),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.integer({ min: 1_000, max: 10 * HOUR }),
        fc.integer({ min: 0, max: 20_000 }),
        (members, added, holdMs, elapsed) => {
          const { pool, clock } = makePool({ totalCapacity: 1000, minCapacity: 10, protectMs: 5_000 });
          members.forEach((m, i) => {
            const id = `m${i}`;
            try {
              pool.connect(id, `g${i}`, m.cls === "free" ? FREE : PAYER);
              pool.charge(id, m.debt);
              if (m.cls === "priority") {
                pool.deposit(id, m.credit);
                pool.grant(id, Math.min(m.cap, pool.quoteCapacity(id, 0n, 60_000).capacity), 60_000);
              }
            } catch (e) {
              if (!(e instanceof CapacityUnavailableError)) throw e;
            }
          });
          clock.t += elapsed;
          try {
            pool.connect("me", "g-me", PAYER);
          } catch (e) {
            if (e instanceof CapacityUnavailableError) return true; // full of protected incumbents: nothing to quote
            throw e;
          }
          const q = pool.quoteCapacity("me", added, holdMs);
          if (added > 0n) pool.deposit("me", added);
          if (q.capacity < pool.totalCapacity) {
            const refusal = (() => {
              try {
                pool.grant("me", q.capacity + 1, holdMs);
                return undefined;
              } catch (e) {
                return e;
              }
            })();
            expect(
              refusal instanceof CapacityUnavailableError || refusal instanceof InsufficientCreditError,
              `c + 1 = ${q.capacity + 1} granted`,
            ).to.equal(true);
          } else atTop++;
          const v = pool.grant("me", q.capacity, holdMs);
          expect(v.capacity).to.equal(q.capacity);
          expect(v.capacity === pool.minCapacity || v.exhaustAt - clock.t >= holdMs).to.equal(true);
          granted++;
          return true;
        },
      ),
      { numRuns: 150, seed: 1234 },
    );
    expect(granted).to.be.greaterThan(100);
    expect(atTop).to.be.lessThan(granted);
  });

  it("capacity shrink: after halving the total, every reduced or evicted client has priority <= every untouched one", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            paid: fc.boolean(),
            cap: fc.integer({ min: 10, max: 200 }),
            credit: fc.bigInt({ min: 1_000n, max: 10n ** 9n }),
            debt: fc.integer({ min: 0, max: 1000 }),
          }),
          { minLength: 4, maxLength: 20 },
        ),
        (members) => {
          const { pool, evicted } = makePool({ totalCapacity: 1000, minCapacity: 10 });
          members.forEach((m, i) => {
            const id = `m${i}`;
            try {
              pool.connect(id, `g${i}`, m.paid ? PAYER : FREE);
              pool.charge(id, m.debt);
              if (m.paid) {
                pool.deposit(id, m.credit);
                const q = pool.quoteCapacity(id, 0n, 60_000);
                pool.grant(id, Math.min(m.cap, q.capacity), 60_000);
              }
            } catch (e) {
              if (!(e instanceof CapacityUnavailableError)) throw e;
            }
          });
          const before = new Map(pool.clients().map((c) => [c.id, c]));
          evicted.length = 0;
          const touchedList = pool.setTotalCapacity(500);
          const touched = new Set(touchedList.map((t) => t.id));
          const untouched = [...before.values()].filter((c) => !touched.has(c.id) && c.cls !== "free");
          for (const t of touched) for (const u of untouched) expect(before.get(t)!.priority).to.be.at.most(u.priority);
          const held = pool.clients().reduce((a, c) => a + (c.cls === "free" ? pool.minCapacity : c.capacity), 0);
          expect(held).to.be.at.most(500);
          for (const e of evicted) expect(e.reason).to.equal("capacity-reduced");
        },
      ),
      { numRuns: 100, seed: 99 },
    );
  });
});
