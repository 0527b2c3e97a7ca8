import { expect } from "chai";
import { decideCashouts, feeInToken, NANO, type DueItem } from "../../src/settlement/fees.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { expectError } from "../../test-support/helpers.js";

// gas model: 21,000 per transaction + 40,000 per cheque; 1 gas costs 1 token base unit
const estimate = async (items: DueItem<string>[]) => 21_000n + 40_000n * BigInt(items.length);
const ctx = (over: Partial<Parameters<typeof decideCashouts>[2]> = {}) => ({
  gasPriceWei: 10n,
  nanoPerGas: NANO,
  maxBatch: 1,
  estimate,
  ...over,
});
const due = (...payouts: bigint[]) => payouts.map((payout, i) => ({ key: `p${i}`, payout }));

describe("settlement: fee-aware cash-out decisions", () => {
  it("fee in token units rounds up", () => {
    expect(feeInToken(3n, NANO / 2n)).to.equal(2n);
    expect(feeInToken(2n, NANO / 2n)).to.equal(1n);
  });

  it("below the minimum waits (reported with the reason), at the minimum it is cashed", async () => {
    const d = await decideCashouts(due(2_000_000n, 1_999_999n), { minAmount: 2_000_000n }, ctx());
    expect(d.batches.map((b) => b.items.map((i) => i.key))).to.deep.equal([["p0"]]);
    expect(d.waiting).to.deep.equal([{ item: { key: "p1", payout: 1_999_999n }, reason: "below the minimum 2000000" }]);
  });

  it("the fee cap holds on both sides of the boundary (default 5%)", async () => {
    // one cheque: fee 61,000; 5% of 1,220,000 = 61,000 exactly → cashed; one unit less → waits
    const at = await decideCashouts(due(1_220_000n), { minAmount: 1n }, ctx());
    expect(at.batches).to.have.length(1);
    expect(at.batches[0]).to.deep.include({ gas: 61_000n, fee: 61_000n, feePercent: 5 });
    const below = await decideCashouts(due(1_219_999n), { minAmount: 1n }, ctx());
    expect(below.batches).to.deep.equal([]);
    expect(below.waiting[0].reason).to.match(/fee 61000 is 5\.00% of 1219999, above the cap 5%/);
  });

  it("batches every due cheque into ⌈N / batch size⌉ transactions, largest first", async () => {
    const items = due(...Array.from({ length: 23 }, (_, i) => 10_000_000n + BigInt(i)));
    const d = await decideCashouts(items, { minAmount: 1n, batchSize: 10 }, ctx({ maxBatch: 50 }));
    expect(d.batches.map((b) => b.items.length)).to.deep.equal([10, 10, 3]);
    expect(d.batches[0].items[0].payout).to.equal(10_000_022n);
    expect(d.waiting).to.deep.equal([]);
    // the batch size never exceeds what the casher can do
    const capped = await decideCashouts(items, { minAmount: 1n, batchSize: 10 }, ctx({ maxBatch: 1 }));
    expect(capped.batches).to.have.length(23);
  });

  it("a batch over the cap sends its largest prefix that fits; the rest waits, reported", async () => {
    // batch of 4: fee 181,000 on 3,000,000+3×100,000 = 3,300,000 → 5.48% > 5%; prefix of 2: 101,000 on 3,100,000 = 3.26%
    const d = await decideCashouts(
      due(3_000_000n, 100_000n, 100_000n, 100_000n),
      { minAmount: 1n },
      ctx({ maxBatch: 4 }),
    );
    expect(d.batches.map((b) => b.items.length)).to.deep.equal([2]);
    expect(d.waiting.map((w) => w.item.key)).to.deep.equal(["p2", "p3"]);
    expect(d.waiting[0].reason).to.contain("left for a later batch");
  });

  it("the gas-price cap defers everything but what reaches the always-cash ceiling", async () => {
    const policy = { minAmount: 1n, maxGasPriceWei: 10n, alwaysCashAmount: 5_000_000n };
    const calm = await decideCashouts(due(4_999_999n, 5_000_000n), policy, ctx({ gasPriceWei: 10n }));
    expect(calm.batches).to.have.length(2);
    const spike = await decideCashouts(
      due(4_999_999n, 5_000_000n),
      policy,
      ctx({ gasPriceWei: 11n, nanoPerGas: 100n * NANO }),
    );
    expect(spike.batches.map((b) => [b.items[0].key, b.forced])).to.deep.equal([["p1", true]]); // fee 6.1M > 5%: forced anyway
    expect(spike.waiting).to.deep.equal([
      { item: { key: "p0", payout: 4_999_999n }, reason: "gas price 11 wei above the cap 10" },
    ]);
  });

  it("a simulation that fails leaves the item waiting with the error, never sent", async () => {
    const failing = async () => {
      throw Object.assign(new Error("x"), {
        name: "ChequeNotIncreasingError",
        shortMessage: "contract reverted: ChequeNotIncreasing(1, 1)",
      });
    };
    const d = await decideCashouts(due(10_000_000n), { minAmount: 1n }, ctx({ estimate: failing }));
    expect(d.batches).to.deep.equal([]);
    expect(d.waiting[0].reason).to.equal(
      "simulation failed: ChequeNotIncreasingError: contract reverted: ChequeNotIncreasing(1, 1)",
    );
  });

  it("refuses a nonsensical policy with a typed error", async () => {
    await expectError(decideCashouts([], { minAmount: 1n, maxFeePercent: 101 }, ctx()), InvalidArgumentError);
    await expectError(decideCashouts([], { minAmount: 1n, batchSize: 0 }, ctx()), InvalidArgumentError);
    await expectError(decideCashouts([], { minAmount: -1n }, ctx()), InvalidArgumentError);
  });
});
