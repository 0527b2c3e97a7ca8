import { expect } from "chai";
import fc from "fast-check";
import { link, mockNode, party, settle } from "../../test-support/swap-fixtures.js";
import { Ledger, type Reservation } from "../../src/accounting/ledger.js";
import { OverdraftError } from "../../src/accounting/errors.js";
import { MemoryStore } from "../../src/store/memory.js";

describe("swap: properties (fast-check)", function () {
  this.timeout(120_000);

  it("after any interleaving of requests, cheques and acks, each side's view is the exact negation of the other's", async () => {
    const step = fc.record({
      dir: fc.constantFrom("ab", "ba"),
      units: fc.integer({ min: 1, max: 20 }),
      burst: fc.integer({ min: 1, max: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 20, max: 120 }),
        async (steps, threshold) => {
          const a = mockNode(party(), { paymentThreshold: BigInt(threshold) });
          const b = mockNode(party(), { paymentThreshold: BigInt(threshold) });
          let refused = 0;
          a.on("refused", () => refused++);
          b.on("refused", () => refused++);
          const { toServer: ab, toClient: ba } = await link(a, b, "a", "b");
          for (const s of steps) {
            const session = s.dir === "ab" ? ab : ba;
            // a burst of concurrent requests in one direction; one that would overrun the peer's
            // threshold while others are in flight is refused up front, with a typed error
            const results = await Promise.allSettled(
              Array.from({ length: s.burst }, () => session.request("store", new Uint8Array(0), s.units)),
            );
            for (const r of results)
              if (r.status === "rejected" && !(r.reason instanceof OverdraftError)) throw r.reason;
          }
          await settle();
          const netA = a.ledger.get("b");
          const netB = b.ledger.get("a");
          a.close();
          b.close();
          // thresholds were respected throughout: nobody had to be refused service
          return refused === 0 && netA.balance - netA.surplus === -(netB.balance - netB.surplus);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("concurrent reservations never push exposure past the limit", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("reserve" as const), amount: fc.bigInt({ min: 1n, max: 40n }) }),
      fc.record({ kind: fc.constant("apply" as const), index: fc.nat() }),
      fc.record({ kind: fc.constant("release" as const), index: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.bigInt({ min: 10n, max: 200n }), (ops, limit) => {
        const ledger = new Ledger(new MemoryStore());
        const open: Reservation[] = [];
        let refused = 0;
        for (const o of ops) {
          if (o.kind === "reserve") {
            try {
              open.push(ledger.reserveServe("p", "store", o.amount, limit));
            } catch (e) {
              expect(e).to.be.instanceOf(OverdraftError);
              refused++;
            }
          } else if (open.length) {
            const r = open.splice(o.index % open.length, 1)[0];
            if (o.kind === "apply") r.apply();
            else r.release();
          }
          // the invariant: applied balance plus everything reserved stays within the limit
          expect(ledger.serveExposure("p") <= limit).to.equal(true);
        }
        for (const r of open) r.release();
        expect(ledger.serveExposure("p")).to.equal(ledger.balance("p"));
        return refused >= 0;
      }),
      { numRuns: 300 },
    );
  });
});
