/**
 * Whatever bytes a client puts in the payment headers, the body or the query, the gateway answers
 * with a typed 4xx (never a 5xx), credits nothing and lets nothing through to the upstream.
 */
import { expect } from "chai";
import fc from "fast-check";
import { HEADERS } from "../../src/gateway/index.js";
import { CHEQUEBOOK, harness, type Harness } from "./fixtures.js";

describe("gateway: hostile input", () => {
  let h: Harness;
  before(async () => (h = await harness()));
  after(async () => h.close());

  it("random session and cheque headers, bodies and quote queries get typed 4xx answers and change nothing", async () => {
    const app = h.gw.app;
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.base64String({ maxLength: 600 }),
      fc.json().map((j) => Buffer.from(j).toString("base64")),
      fc.json().map((j) => Buffer.from(j).toString("base64url")),
    );
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        text,
        text,
        fc.oneof(fc.json(), fc.string({ maxLength: 200 })),
        fc.string({ maxLength: 40 }),
        async (session, cheque, body, q) => {
          const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, "");
          const res = await app.inject({
            method: "POST",
            url: "/",
            headers: {
              "content-type": "application/json",
              [HEADERS.session]: printable(session),
              [HEADERS.cheque]: printable(cheque),
            },
            payload: body,
          });
          expect(res.statusCode, res.body).to.be.within(400, 499);
          expect(typeof (res.json() as { error?: unknown }).error).to.equal("string");
          const quote = await app.inject({
            method: "GET",
            url: `/swap/quote?holdSeconds=${encodeURIComponent(q)}&credit=${encodeURIComponent(q)}`,
          });
          expect(quote.statusCode === 200 || (quote.statusCode >= 400 && quote.statusCode < 500), quote.body).to.equal(
            true,
          );
          answered++;
        },
      ),
      { numRuns: 200, seed: 4242 },
    );
    expect(answered).to.equal(200);
    expect(h.up.calls()).to.equal(0);
    expect(h.store.listReceived()).to.deep.equal([]);
    expect(h.gw.settlement.exposure(`cb:${CHEQUEBOOK}`)).to.equal(0n);
  });
});
