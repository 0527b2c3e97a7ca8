import { expect } from "chai";
import {
  CapacityUnavailableError,
  FairScheduler,
  FlowControl,
  FlowStoppedError,
  FreeAllowanceExceededError,
  InsufficientCreditError,
  DemandPrice,
  RequestTooCostlyError,
  UnknownClientError,
  addressGroup,
  holdingCost,
  priorityOf,
  BAND,
} from "../../src/capacity/index.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { expectError } from "../../test-support/helpers.js";
import { FREE, PAYER, makePool } from "./fixtures.js";

const HOUR = 3_600_000;

describe("capacity: pool", () => {
  it("connects standard clients at the minimum and shares the leftover equally among free ones", () => {
    const { pool } = makePool();
    pool.connect("s1", "a", PAYER);
    pool.connect("f1", "b", FREE);
    pool.connect("f2", "c", FREE);
    expect(pool.view("s1")).to.include({ cls: "standard", capacity: 10 });
    expect(pool.view("f1")).to.include({ cls: "free", capacity: 495 });
    expect(pool.freeShare).to.equal(495);
    pool.disconnect("f2");
    expect(pool.view("f1").capacity).to.equal(990);
    expect(() => pool.view("f2")).to.throw(UnknownClientError);
  });

  it("a grant makes a priority client whose credit drains at the locked price and drops at exactly its exhaust time", () => {
    const { pool, clock } = makePool();
    pool.connect("p", "a", PAYER);
    const cost = holdingCost(1_000_000n, 90, 10_000); // 90 cu/s above the minimum for 10 s at 1 unit per cu-second
    expect(cost).to.equal(900n);
    pool.deposit("p", cost);
    const v = pool.grant("p", 100, 10_000);
    expect(v).to.include({ cls: "priority", capacity: 100 });
    expect(v.exhaustAt).to.equal(clock.t + 10_000);
    clock.t += 5_000;
    expect(pool.creditOf("p")).to.equal(450n);
    clock.t += 4_999;
    expect(pool.classify("p").cls).to.equal("priority");
    clock.t += 1;
    expect(pool.classify("p")).to.include({ cls: "standard", capacity: 10, credit: 0n });
  });

  it("refuses a grant the credit does not cover, and one the pool cannot make room for, with the numbers", async () => {
    const { pool } = makePool({ totalCapacity: 100 });
    pool.connect("p", "a", PAYER);
    pool.deposit("p", 100n);
    const e1 = await expectError(() => pool.grant("p", 50, 10_000), InsufficientCreditError);
    expect([e1.required, e1.credit]).to.deep.equal([400n, 100n]);
    pool.deposit("p", 10n ** 9n);
    const e2 = await expectError(() => pool.grant("p", 101, 10_000), CapacityUnavailableError);
    expect([e2.requested, e2.available]).to.deep.equal([101, 100]);
    expect(pool.view("p").cls).to.equal("standard");
    await expectError(() => pool.grant("p", 1.5, 10), InvalidArgumentError);
  });

  it("under pressure the lowest-priority client shrinks in steps to the minimum, then is disconnected with a reason", () => {
    const { pool, evicted } = makePool({ totalCapacity: 200 });
    pool.connect("low", "a", PAYER);
    pool.deposit("low", 10n ** 6n);
    pool.grant("low", 150, 1000); // lasts 10^6/140 s
    pool.connect("high", "b", PAYER);
    pool.deposit("high", 10n ** 9n);
    pool.grant("high", 100, HOUR);
    // 'low' had 150; 'high' needed 100 − (200 − 150 − 10 own min) → 'low' shrank, not disconnected
    expect(pool.view("low").capacity).to.equal(100);
    expect(evicted).to.deep.equal([]);
    pool.grant("high", 191, HOUR);
    expect(evicted).to.deep.equal([{ id: "low", reason: "outbid" }]);
    expect(pool.has("low")).to.equal(false);
    expect(pool.creditOf("low") > 0n, "an evicted client keeps its credit").to.equal(true);
  });

  it("any payer outranks every free client; incumbents of the same class are protected for protectMs", () => {
    const { pool, clock, evicted } = makePool({ totalCapacity: 30, protectMs: 5_000 });
    pool.connect("f1", "g1", FREE);
    pool.connect("f2", "g2", FREE);
    pool.connect("s1", "g3", PAYER);
    expect(() => pool.connect("f3", "g4", FREE)).to.throw(CapacityUnavailableError); // protected free incumbents
    pool.connect("s2", "g5", PAYER); // a payer displaces a protected free client
    expect(evicted.map((e) => e.id)).to.have.length(1);
    pool.connect("s3", "g6", PAYER); // and the last free one
    expect(pool.clients().filter((c) => c.cls === "free")).to.have.length(0);
    pool.charge("s1", 50); // s1 used more recently: the lowest standard priority
    expect(() => pool.connect("s4", "g7", PAYER)).to.throw(CapacityUnavailableError); // all standard incumbents protected
    clock.t += 4_999;
    expect(() => pool.connect("s4", "g7", PAYER)).to.throw(CapacityUnavailableError);
    clock.t += 1;
    pool.connect("s4", "g7", PAYER);
    expect(evicted.map((e) => e.id).slice(2)).to.deep.equal(["s1"]);
  });

  it("tick disconnects standard and free clients idle for idleMs (typed reason), keeps priority holders, and forgets their flow state", () => {
    const { pool, clock, evicted } = makePool({ idleMs: 1000 });
    const left: string[] = [];
    pool.onLeave((id, reason) => left.push(id) && expect(reason).to.equal("idle"));
    pool.connect("s", "a", PAYER);
    pool.connect("f", "b", FREE);
    pool.connect("p", "c", PAYER);
    pool.deposit("p", 10n ** 9n);
    pool.grant("p", 50, HOUR);
    clock.t += 1000;
    pool.classify("s");
    pool.tick();
    expect(left).to.deep.equal([]);
    clock.t += 1;
    pool.tick();
    expect(evicted).to.deep.equal([{ id: "f", reason: "idle" }]);
    expect(left).to.deep.equal(["f"]);
    clock.t += 1000;
    pool.tick();
    expect(left).to.deep.equal(["f", "s"]);
    expect(pool.has("p")).to.equal(true);
  });

  it("priority bands: every payer above every free client; shrinking a priority client never lowers its priority", () => {
    const free = priorityOf({ cls: "free", usageDebt: 0 });
    const std = priorityOf({ cls: "standard", usageDebt: 1e15 });
    const pri = priorityOf({ cls: "priority", credit: 0n, priceMicro: 1n, extra: 1 });
    expect(free < std && std < pri).to.equal(true);
    expect(std).to.equal(BAND);
    const wide = priorityOf({ cls: "priority", credit: 1000n, priceMicro: 1_000_000n, extra: 100 });
    const narrow = priorityOf({ cls: "priority", credit: 1000n, priceMicro: 1_000_000n, extra: 50 });
    expect(narrow > wide).to.equal(true);
  });

  it("free clients are keyed by address group; over the free allowance they are refused until the debt decays", async () => {
    const { pool, clock } = makePool({ freeAllowance: 100, usageHalfLifeMs: 60_000 });
    expect(addressGroup("10.1.2.3")).to.equal(addressGroup("::ffff:10.1.2.200"));
    expect(addressGroup("10.1.3.3")).to.not.equal(addressGroup("10.1.2.3"));
    expect(addressGroup("2001:db8:1:2::1")).to.equal(addressGroup("2001:db8:1:ffff::9"));
    pool.connect("a", addressGroup("10.1.2.3"), FREE);
    pool.connect("b", addressGroup("10.1.2.4"), FREE);
    pool.charge("a", 200);
    const e = await expectError(() => pool.classify("b"), FreeAllowanceExceededError);
    expect(e.retryAfterMs).to.equal(60_000); // 200 → 100 takes one half-life
    clock.t += 59_999;
    expect(() => pool.classify("b")).to.throw(FreeAllowanceExceededError);
    clock.t += 1;
    expect(pool.classify("b").cls).to.equal("free");
  });
});

describe("capacity: flow control", () => {
  it("stops a client that outruns its buffer, refuses everything until the announced resume time, then serves", async () => {
    const fc = new FlowControl(2);
    expect(fc.params(10)).to.deep.equal({ bufferLimit: 20, rechargeRate: 10 });
    const t0 = 1000;
    expect(fc.take("c", 15, 10, t0)).to.equal(5);
    const e = await expectError(() => fc.take("c", 10, 10, t0), FlowStoppedError);
    expect(e.resumeAfterMs).to.equal(500);
    // during the stop even a cheap request is refused (and takes nothing)
    expect(() => fc.take("c", 1, 10, t0 + 499)).to.throw(FlowStoppedError);
    expect(fc.take("c", 10, 10, t0 + 500)).to.equal(0);
    expect(fc.stops).to.equal(2);
    // a request bigger than the whole buffer can never fit: refused outright, no stop
    const big = await expectError(() => fc.take("d", 21, 10, t0), RequestTooCostlyError);
    expect([big.cost, big.bufferLimit]).to.deep.equal([21, 20]);
    expect(fc.take("d", 20, 10, t0)).to.equal(0);
  });

  it("a stopped request is neither served nor charged", async () => {
    const { pool, clock } = makePool({ totalCapacity: 100 });
    pool.connect("c", "g", PAYER);
    const { CapacityService } = await import("../../src/capacity/index.js");
    const svc = new CapacityService(pool, new FlowControl(1), clock.now, 1);
    let ran = 0;
    const fn = async () => ++ran;
    await svc.run("c", 10, fn);
    const debt = pool.usageDebt("c:c");
    await expectError(svc.run("c", 10, fn), FlowStoppedError);
    expect(ran).to.equal(1);
    expect(pool.usageDebt("c:c")).to.equal(debt);
  });
});

describe("capacity: fair queue", () => {
  it("strict precedence between tiers and capacity-weighted order within one", () => {
    const s = new FairScheduler<string>(3);
    for (let i = 0; i < 4; i++) s.enqueue("free", 2, 100, 10, `f${i}`);
    for (let i = 0; i < 6; i++) s.enqueue("a", 1, 20, 10, `a${i}`);
    for (let i = 0; i < 3; i++) s.enqueue("b", 1, 10, 10, `b${i}`);
    s.enqueue("p", 0, 1, 10, "p0");
    const order = Array.from({ length: 14 }, () => s.dequeue()!.item);
    expect(order[0]).to.equal("p0");
    expect(order.slice(1, 10).filter((x) => x.startsWith("a"))).to.have.length(6);
    expect(order.slice(10)).to.deep.equal(["f0", "f1", "f2", "f3"]);
    expect(order.slice(1, 4).filter((x) => x.startsWith("a"))).to.have.length(2);
    expect(s.dequeue()).to.equal(undefined);
  });
});

describe("capacity: demand price", () => {
  it("rises while sold out, decays otherwise, never leaves its bounds", () => {
    const p = new DemandPrice({
      minPriceMicro: 100n,
      maxPriceMicro: 1000n,
      riseDoublingMs: 1000,
      decayHalvingMs: 2000,
    });
    p.setSoldOut(true, 10_000);
    expect(p.at(11_000)).to.equal(200n);
    expect(p.at(12_000)).to.equal(400n);
    expect(p.at(100_000)).to.equal(1000n);
    p.setSoldOut(false, 12_000);
    expect(p.at(14_000)).to.equal(200n);
    expect(p.at(1_000_000)).to.equal(100n);
    expect(() => new DemandPrice({ minPriceMicro: 0n })).to.throw(InvalidArgumentError);
  });

  it("the pool's price rises when capacity is sold out", () => {
    const { pool, clock } = makePool({
      totalCapacity: 100,
      price: { minPriceMicro: 1_000_000n, riseDoublingMs: 60_000 },
    });
    pool.connect("p", "a", PAYER);
    pool.deposit("p", 10n ** 12n);
    const before = pool.price.at(clock.t);
    pool.grant("p", 95, HOUR);
    clock.t += 60_000;
    expect(pool.price.at(clock.t)).to.equal(before * 2n);
  });
});
