/**
 * The client pool: who is connected, in which class, holding how much capacity.
 *
 * Capacity unit: cost units per second (cu/s). A request costs what the operator's cost table says
 * (worst case, in cost units); a client holding capacity c may be served c cost units per second.
 * The server has `totalCapacity`; every connected client holds at least `minCapacity`.
 *
 * Classes:
 *  - priority: prepaid credit (a cheque's surplus beyond the client's debt) buys capacity above the
 *    minimum for a time, at the price locked when granted. When the credit runs out the client
 *    drops to standard (or free) at that exact moment.
 *  - standard: post-paid (SWAP cheques at the threshold), in good standing: the minimum capacity.
 *  - free: no chequebook, or not in good standing: the minimum capacity, taken from what paying
 *    clients leave over; free clients share that leftover equally. Keyed by address group with a
 *    decaying free-usage debt, so a fresh identity costs something.
 *
 * Eviction: when capacity is needed, the lowest-priority client (one `priorityOf` for everything)
 * shrinks in steps down to the minimum, and is then disconnected (`ClientEvictedError` with a
 * reason). A client granted less than `protectMs` ago is protected against newcomers of its own
 * class. Free clients hold only the minimum for this purpose (the rest of their share is leftover).
 */
import { InvalidArgumentError } from "../errors.js";
import { addDecaying, decayedValue, msUntilDecayedTo, type Decaying } from "./decay.js";
import {
  CapacityUnavailableError,
  ClientEvictedError,
  FreeAllowanceExceededError,
  InsufficientCreditError,
  UnknownClientError,
  type EvictionReason,
} from "./errors.js";
import type { CapacityStore } from "./persistence.js";
import { DemandPrice, holdingCost, holdingMs, type PriceConfig } from "./pricing.js";
import { priorityOf, type CapacityClass } from "./priority.js";

export interface PoolConfig {
  /** Serving rate of the server, in cost units per second. */
  totalCapacity: number;
  /** The least useful capacity; every connected client holds at least this. */
  minCapacity: number;
  price: PriceConfig;
  store: CapacityStore;
  now: () => number;
  /** Incumbent protection window against same-class newcomers (ms). Default 10,000. */
  protectMs?: number;
  /** Half-life of usage debts (ms). Default 1 hour. */
  usageHalfLifeMs?: number;
  /** A free address group is refused while its decayed usage debt exceeds this (cost units).
   * Default: minCapacity × 600 (ten minutes at the minimum rate). */
  freeAllowance?: number;
  /** Sold out (the price rises) while paid capacity holds at least this share of the total. Default 0.9. */
  soldOutFraction?: number;
  /** Told of every disconnect the pool decides. */
  onEvict?: (e: ClientEvictedError) => void;
  /** Standard and free clients not seen for this long are disconnected by `tick` (ms). Default 60,000.
   * (HTTP has no connection to close: without this an idle client would hold its slot forever.) */
  idleMs?: number;
}

export interface Standing {
  /** The client has a chequebook and can pay post-paid (standard class). */
  canPay: boolean;
  /** Its SWAP debt is within the payment terms (not refused by the accounting). */
  goodStanding: boolean;
}

export interface ClientView {
  id: string;
  group: string;
  cls: CapacityClass;
  capacity: number;
  priority: number;
  /** Priority class: credit left now, and when it runs out (ms since epoch). */
  credit: bigint;
  exhaustAt: number;
}

export interface Quote {
  /** Capacity (cu/s) the quote is about. */
  capacity: number;
  holdMs: number;
  /** What it costs (token base units), at `priceMicro`. */
  cost: bigint;
  priceMicro: bigint;
  at: number;
}

interface Client {
  id: string;
  group: string;
  cls: CapacityClass;
  capacity: number;
  canPay: boolean;
  goodStanding: boolean;
  /** Credit as of `creditAt`; draining at `priceMicro` per cu-second on `extra` while priority. */
  credit: bigint;
  creditAt: number;
  priceMicro: bigint;
  extra: number;
  exhaustAt: number;
  grantedAt: number;
  lastSeen: number;
}

const MAX_CAPACITY = 2 ** 40;

export class ClientPool {
  readonly minCapacity: number;
  readonly protectMs: number;
  readonly halfLifeMs: number;
  readonly freeAllowance: number;
  readonly soldOutFraction: number;
  readonly idleMs: number;
  readonly price: DemandPrice;
  readonly #leaveListeners: Array<(id: string, reason: EvictionReason) => void> = [];
  readonly #clients = new Map<string, Client>();
  readonly #debts = new Map<string, Decaying>();
  readonly #dirtyDebts = new Set<string>();
  readonly #store: CapacityStore;
  readonly #now: () => number;
  readonly #onEvict?: (e: ClientEvictedError) => void;
  #total: number;
  #freeCount = 0;
  #paidHeld = 0;
  #freeShare = 0;

  constructor(config: PoolConfig) {
    checkCapacity("totalCapacity", config.totalCapacity);
    checkCapacity("minCapacity", config.minCapacity);
    if (config.minCapacity > config.totalCapacity)
      throw new InvalidArgumentError("minCapacity", config.minCapacity, `<= totalCapacity (${config.totalCapacity})`);
    this.#total = config.totalCapacity;
    this.minCapacity = config.minCapacity;
    this.protectMs = nonNegative("protectMs", config.protectMs ?? 10_000);
    this.halfLifeMs = positive("usageHalfLifeMs", config.usageHalfLifeMs ?? 3_600_000);
    this.freeAllowance = positive("freeAllowance", config.freeAllowance ?? config.minCapacity * 600);
    this.soldOutFraction = config.soldOutFraction ?? 0.9;
    if (!(this.soldOutFraction > 0 && this.soldOutFraction <= 1))
      throw new InvalidArgumentError("soldOutFraction", this.soldOutFraction, "in (0, 1]");
    this.idleMs = positive("idleMs", config.idleMs ?? 60_000);
    this.#store = config.store;
    this.#now = config.now;
    this.#onEvict = config.onEvict;
    this.price = new DemandPrice(config.price, config.store.getPrice());
  }

  get totalCapacity(): number {
    return this.#total;
  }
  get size(): number {
    return this.#clients.size;
  }
  get freeCount(): number {
    return this.#freeCount;
  }
  /** Capacity each free client currently gets (the leftover shared equally). */
  get freeShare(): number {
    return this.#freeShare;
  }

  // ------------------------------------------------------------------ per request (O(1))

  /**
   * The client's class and capacity now. Drops a priority client whose credit ran out (at exactly
   * its exhaust time). Refuses a free client whose group is over its free allowance.
   */
  classify(id: string): ClientView {
    const c = this.#get(id);
    const now = this.#now();
    c.lastSeen = now;
    if (c.cls === "priority" && now >= c.exhaustAt) this.#demote(c, now);
    if (c.cls === "free") {
      const d = this.#debt(`g:${c.group}`);
      const v = decayedValue(d, now, this.halfLifeMs);
      if (v > this.freeAllowance)
        throw new FreeAllowanceExceededError(
          c.group,
          v,
          this.freeAllowance,
          msUntilDecayedTo(d, this.freeAllowance, now, this.halfLifeMs),
        );
    }
    return this.#view(c, now);
  }

  /** Add a served request's cost to the client's usage debt (its group's, for a free client). */
  charge(id: string, cost: number): void {
    const c = this.#clients.get(id);
    if (!c || !(cost > 0)) return;
    const key = debtKey(c);
    this.#debts.set(key, addDecaying(this.#debt(key), cost, this.#now(), this.halfLifeMs));
    this.#dirtyDebts.add(key);
  }

  // ------------------------------------------------------------------ membership

  /** Connect a client at the minimum capacity (standard or free by its standing); displaces
   * lower-priority clients if needed, or throws `CapacityUnavailableError`. Idempotent. */
  connect(id: string, group: string, standing: Standing): ClientView {
    const now = this.#now();
    const existing = this.#clients.get(id);
    if (existing) {
      existing.lastSeen = now;
      this.setStanding(id, standing);
      return this.#view(existing, now);
    }
    const stored = this.#store.getCredit(id);
    const c: Client = {
      id,
      group,
      cls: standing.canPay && standing.goodStanding ? "standard" : "free",
      capacity: this.minCapacity,
      canPay: standing.canPay,
      goodStanding: standing.goodStanding,
      credit: stored?.credit ?? 0n,
      creditAt: now,
      priceMicro: this.price.at(now),
      extra: 0,
      exhaustAt: Infinity,
      grantedAt: now,
      lastSeen: now,
    };
    const pri = this.#priority(c, now);
    const plan = this.#plan(undefined, this.minCapacity, pri, c.cls, now, false);
    if (!plan) {
      this.price.setSoldOut(true, now);
      throw new CapacityUnavailableError(id, this.minCapacity, 0);
    }
    this.#apply(plan, "outbid", now);
    this.#clients.set(id, c);
    this.#rebalance(now);
    return this.#view(c, now);
  }

  /** The client left: its credit is checkpointed (it stops draining), its capacity freed. */
  disconnect(id: string): void {
    const c = this.#clients.get(id);
    if (!c) return;
    const now = this.#now();
    this.#checkpoint(c, now);
    this.#clients.delete(id);
    this.#left(id, "closed");
    this.#rebalance(now);
  }

  /** Called with the id of every client that leaves the pool and why (disconnect, eviction, idle). */
  onLeave(listener: (id: string, reason: EvictionReason) => void): void {
    this.#leaveListeners.push(listener);
  }

  #left(id: string, reason: EvictionReason): void {
    for (const l of this.#leaveListeners) l(id, reason);
  }

  /** Standard ↔ free when the accounting's view of the client changes (priority stays priority). */
  setStanding(id: string, standing: Standing): void {
    const c = this.#get(id);
    c.canPay = standing.canPay;
    c.goodStanding = standing.goodStanding;
    if (c.cls === "priority") return;
    const cls: CapacityClass = standing.canPay && standing.goodStanding ? "standard" : "free";
    if (cls !== c.cls) {
      c.cls = cls;
      c.capacity = this.minCapacity;
      this.#rebalance(this.#now());
    }
  }

  view(id: string): ClientView {
    return this.#view(this.#get(id), this.#now());
  }

  has(id: string): boolean {
    return this.#clients.has(id);
  }

  clients(): ClientView[] {
    const now = this.#now();
    return [...this.#clients.values()].map((c) => this.#view(c, now));
  }

  // ------------------------------------------------------------------ credit, grants, quotes

  /** Credit of a client (connected or not), as of now. */
  creditOf(id: string): bigint {
    const c = this.#clients.get(id);
    if (c) return this.#creditNow(c, this.#now());
    return this.#store.getCredit(id)?.credit ?? 0n;
  }

  /**
   * Add prepaid credit (written through before it counts). `persistWith` runs inside the same
   * transaction: the SWAP adapter moves the ledger's surplus there, so the money is never in two
   * places nor in none.
   */
  deposit(id: string, amount: bigint, persistWith?: () => void): bigint {
    if (amount <= 0n) throw new InvalidArgumentError("amount", amount, "a positive amount");
    const now = this.#now();
    const c = this.#clients.get(id);
    const credit = (c ? this.#creditNow(c, now) : (this.#store.getCredit(id)?.credit ?? 0n)) + amount;
    this.#store.transaction(() => {
      this.#store.putCredit({ client: id, credit, at: now });
      persistWith?.();
    });
    if (c) {
      c.credit = credit;
      c.creditAt = now;
      c.exhaustAt = exhaustAt(c);
    }
    return credit;
  }

  /**
   * Hold `capacity` for at least `holdMs`, paid from the client's credit at today's price (locked
   * for the grant). `InsufficientCreditError` if the credit does not cover it,
   * `CapacityUnavailableError` (with the most that could be granted) if the pool cannot make room.
   * Both are decided by the same function as `quote*`.
   */
  grant(id: string, capacity: number, holdMs: number): ClientView {
    checkCapacity("capacity", capacity);
    const c = this.#get(id);
    const now = this.#now();
    if (c.cls === "priority" && now >= c.exhaustAt) this.#demote(c, now);
    const credit = this.#creditNow(c, now);
    const priceMicro = this.price.at(now);
    const cost = holdingCost(priceMicro, capacity - this.minCapacity, holdMs);
    if (capacity < this.minCapacity)
      throw new InvalidArgumentError("capacity", capacity, `>= minCapacity (${this.minCapacity})`);
    if (credit < cost) throw new InsufficientCreditError(id, cost, credit);
    const plan = this.#feasible(id, capacity, credit, priceMicro, now);
    if (!plan) {
      this.price.setSoldOut(true, now);
      throw new CapacityUnavailableError(id, capacity, this.#maxGrantable(id, credit, holdMs, priceMicro, now));
    }
    this.#apply(plan, "outbid", now);
    c.credit = credit;
    c.creditAt = now;
    c.priceMicro = priceMicro;
    c.capacity = capacity;
    c.extra = capacity - this.minCapacity;
    c.cls = c.extra > 0 ? "priority" : c.canPay && c.goodStanding ? "standard" : "free";
    c.exhaustAt = exhaustAt(c);
    c.grantedAt = now;
    this.#store.putCredit({ client: id, credit, at: now });
    this.#rebalance(now);
    return this.#view(c, now);
  }

  /**
   * "For `addedCredit` more, what capacity could I hold for at least `holdMs`?" The largest c for
   * which `deposit(addedCredit)` then `grant(c, holdMs)` succeeds now (and c + 1 fails). `id` may be
   * a client not yet connected (then it is quoted as a newcomer). Returns the minimum capacity with
   * cost 0 when nothing above it is possible.
   */
  quoteCapacity(id: string | undefined, addedCredit: bigint, holdMs: number): Quote {
    const now = this.#now();
    const credit = (id ? this.creditOf(id) : 0n) + addedCredit;
    const priceMicro = this.price.at(now);
    const capacity = this.#maxGrantable(id, credit, holdMs, priceMicro, now);
    return {
      capacity,
      holdMs,
      cost: holdingCost(priceMicro, capacity - this.minCapacity, holdMs),
      priceMicro,
      at: now,
    };
  }

  /**
   * "What does capacity c for `holdMs` cost?" The credit to add so that `grant(c, holdMs)` succeeds
   * now; `CapacityUnavailableError` if no amount of credit would make room for c.
   */
  quoteCost(id: string | undefined, capacity: number, holdMs: number): Quote {
    checkCapacity("capacity", capacity);
    if (capacity < this.minCapacity)
      throw new InvalidArgumentError("capacity", capacity, `>= minCapacity (${this.minCapacity})`);
    const now = this.#now();
    const priceMicro = this.price.at(now);
    const cost = holdingCost(priceMicro, capacity - this.minCapacity, holdMs);
    const have = id ? this.creditOf(id) : 0n;
    const credit = have > cost ? have : cost;
    if (!this.#feasible(id, capacity, credit, priceMicro, now)) {
      throw new CapacityUnavailableError(
        id ?? "(newcomer)",
        capacity,
        this.#maxGrantable(id, credit, holdMs, priceMicro, now),
      );
    }
    return { capacity, holdMs, cost: cost > have ? cost - have : 0n, priceMicro, at: now };
  }

  // ------------------------------------------------------------------ the server's total

  /** Change the server's total; shrinking displaces the lowest-priority clients first (protection
   * does not apply: the server cannot serve what it no longer has). Returns who was touched. */
  setTotalCapacity(total: number): Array<{ id: string; capacity: number }> {
    checkCapacity("totalCapacity", total);
    const now = this.#now();
    this.#total = total;
    const plan = this.#plan(undefined, 0, Infinity, "priority", now, true) ?? [];
    this.#apply(plan, "capacity-reduced", now);
    this.#rebalance(now);
    return plan.map(([c, capacity]) => ({ id: c.id, capacity }));
  }

  /** Processes credit exhaustion of every priority client (the per-request path does it lazily). */
  tick(): void {
    const now = this.#now();
    for (const c of this.#clients.values()) if (c.cls === "priority" && now >= c.exhaustAt) this.#demote(c, now);
    for (const c of [...this.#clients.values()]) {
      if (c.cls !== "priority" && now - c.lastSeen > this.idleMs) {
        const pri = this.#priority(c, now);
        this.#checkpoint(c, now);
        this.#clients.delete(c.id);
        this.#left(c.id, "idle");
        this.#onEvict?.(new ClientEvictedError(c.id, "idle", pri));
        this.#rebalance(now);
      }
    }
    this.price.setSoldOut(this.#paidHeld >= this.soldOutFraction * this.#total, now);
  }

  /** Write usage debts, credit checkpoints and the price (write-behind; call on a timer and on close). */
  flush(): void {
    const now = this.#now();
    for (const [key, d] of this.#debts) {
      if (!this.#dirtyDebts.has(key) && decayedValue(d, now, this.halfLifeMs) < 1e-6) this.#debts.delete(key); // stored copy decays on its own
    }
    this.#store.transaction(() => {
      for (const key of this.#dirtyDebts) {
        const d = this.#debts.get(key)!;
        const v = decayedValue(d, now, this.halfLifeMs);
        if (v < 1e-6) {
          this.#store.deleteDebt(key);
          this.#debts.delete(key);
        } else this.#store.putDebt(key, d);
      }
      for (const c of this.#clients.values())
        if (c.cls === "priority") this.#store.putCredit({ client: c.id, credit: this.#creditNow(c, now), at: now });
      this.#store.putPrice(this.price.snapshot(now));
    });
    this.#dirtyDebts.clear();
  }

  /** Decayed usage debt under a key (`g:<group>` or `c:<client>`). */
  usageDebt(key: string): number {
    return decayedValue(this.#debt(key), this.#now(), this.halfLifeMs);
  }

  // ------------------------------------------------------------------ internals

  #get(id: string): Client {
    const c = this.#clients.get(id);
    if (!c) throw new UnknownClientError(id);
    return c;
  }

  #debt(key: string): Decaying {
    let d = this.#debts.get(key);
    if (!d) {
      d = this.#store.getDebt(key) ?? { value: 0, at: this.#now() };
      this.#debts.set(key, d);
    }
    return d;
  }

  #creditNow(c: Client, now: number): bigint {
    if (c.cls !== "priority" || c.extra === 0) return c.credit;
    const spent = holdingCost(c.priceMicro, c.extra, Math.min(now, c.exhaustAt) - c.creditAt);
    return c.credit > spent ? c.credit - spent : 0n;
  }

  #priority(c: Client, now: number, capacity = c.capacity): number {
    if (c.cls === "priority" && capacity <= this.minCapacity) {
      // shrunk to the minimum it is what its standing makes it
      return priorityOf({
        cls: c.canPay && c.goodStanding ? "standard" : "free",
        usageDebt: decayedValue(this.#debt(`c:${c.id}`), now, this.halfLifeMs),
      });
    }
    if (c.cls === "priority")
      return priorityOf({
        cls: "priority",
        credit: this.#creditNow(c, now),
        priceMicro: c.priceMicro,
        extra: capacity - this.minCapacity,
      });
    return priorityOf({ cls: c.cls, usageDebt: decayedValue(this.#debt(debtKey(c)), now, this.halfLifeMs) });
  }

  #view(c: Client, now: number): ClientView {
    return {
      id: c.id,
      group: c.group,
      cls: c.cls,
      capacity: c.capacity,
      priority: this.#priority(c, now),
      credit: this.#creditNow(c, now),
      exhaustAt: c.exhaustAt,
    };
  }

  #held(c: Client): number {
    return c.cls === "free" ? this.minCapacity : c.capacity;
  }

  /** The candidate (priority class at `capacity`, paying from `credit`) fits: the displacement plan, or undefined. */
  #feasible(
    id: string | undefined,
    capacity: number,
    credit: bigint,
    priceMicro: bigint,
    now: number,
  ): Array<[Client, number]> | undefined {
    if (capacity > this.#total) return undefined;
    const extra = capacity - this.minCapacity;
    const self = id ? this.#clients.get(id) : undefined;
    const cls: CapacityClass =
      extra > 0 ? "priority" : self?.canPay && self.goodStanding ? "standard" : self ? "free" : "standard";
    const pri =
      cls === "priority"
        ? priorityOf({ cls, credit, priceMicro, extra })
        : self
          ? this.#priority(self, now)
          : priorityOf({ cls, usageDebt: 0 });
    return this.#plan(id, capacity, pri, cls, now, false);
  }

  #maxGrantable(id: string | undefined, credit: bigint, holdMs: number, priceMicro: bigint, now: number): number {
    const ok = (c: number) =>
      holdingCost(priceMicro, c - this.minCapacity, holdMs) <= credit &&
      this.#feasible(id, c, credit, priceMicro, now) !== undefined;
    if (!ok(this.minCapacity)) return this.minCapacity;
    let lo = this.minCapacity;
    let hi = this.#total + 1;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (ok(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Make room for `need` (excluding `selfId`'s own holding) by shrinking, in steps and lowest
   * priority first, clients ranked below `candPri`, then disconnecting those already at the
   * minimum. Dry run: returns the new capacity of every touched client (0 = disconnect), or
   * undefined if there is not enough to take.
   */
  #plan(
    selfId: string | undefined,
    need: number,
    candPri: number,
    candCls: CapacityClass,
    now: number,
    ignoreProtection: boolean,
  ): Array<[Client, number]> | undefined {
    let heldOthers = 0;
    const pool: Array<{ c: Client; cap: number; pri: number }> = [];
    for (const c of this.#clients.values()) {
      if (c.id === selfId) continue;
      const held = this.#held(c);
      heldOthers += held;
      const protectedHere = !ignoreProtection && c.cls === candCls && now - c.grantedAt < this.protectMs;
      if (!protectedHere) pool.push({ c, cap: held, pri: this.#priority(c, now, held) });
    }
    let shortfall = need - (this.#total - heldOthers);
    if (shortfall <= 0) return [];
    const touched = new Map<Client, number>();
    while (shortfall > 0) {
      let best: (typeof pool)[number] | undefined;
      for (const e of pool) if (e.cap > 0 && e.pri < candPri && (!best || e.pri < best.pri)) best = e;
      if (!best) return undefined;
      if (best.cap > this.minCapacity) {
        const step = Math.min(shortfall, Math.max(1, Math.ceil((best.cap - this.minCapacity) / 2)));
        best.cap -= step;
        shortfall -= step;
        best.pri = this.#priority(best.c, now, best.cap);
      } else {
        shortfall -= best.cap;
        best.cap = 0;
      }
      touched.set(best.c, best.cap);
    }
    return [...touched];
  }

  #apply(plan: Array<[Client, number]>, reason: EvictionReason, now: number): void {
    for (const [c, capacity] of plan) {
      if (capacity === 0) {
        const pri = this.#priority(c, now);
        this.#checkpoint(c, now);
        this.#clients.delete(c.id);
        this.#left(c.id, reason);
        this.#onEvict?.(new ClientEvictedError(c.id, reason, pri));
      } else if (c.cls === "priority") {
        // re-base the credit, keep the locked price: the holder's drain rate falls with its capacity
        c.credit = this.#creditNow(c, now);
        c.creditAt = now;
        c.capacity = capacity;
        c.extra = capacity - this.minCapacity;
        c.exhaustAt = exhaustAt(c);
        if (c.extra === 0) c.cls = c.canPay && c.goodStanding ? "standard" : "free";
      }
    }
  }

  /** Credit ran out: drop to standard (or free) at the minimum. */
  #demote(c: Client, now: number): void {
    c.credit = this.#creditNow(c, now);
    c.creditAt = now;
    c.extra = 0;
    c.capacity = this.minCapacity;
    c.exhaustAt = Infinity;
    c.cls = c.canPay && c.goodStanding ? "standard" : "free";
    this.#store.putCredit({ client: c.id, credit: c.credit, at: now });
    this.#rebalance(now);
  }

  #checkpoint(c: Client, now: number): void {
    const credit = this.#creditNow(c, now);
    if (credit > 0n || this.#store.getCredit(c.id)) this.#store.putCredit({ client: c.id, credit, at: now });
  }

  /** Free clients share what paying clients leave over, equally. */
  #rebalance(now: number): void {
    let paid = 0;
    let free = 0;
    for (const c of this.#clients.values()) {
      if (c.cls === "free") free++;
      else paid += c.capacity;
    }
    this.#paidHeld = paid;
    this.#freeCount = free;
    this.#freeShare = free > 0 ? Math.max(this.minCapacity, Math.floor((this.#total - paid) / free)) : 0;
    for (const c of this.#clients.values()) if (c.cls === "free") c.capacity = this.#freeShare;
    this.price.setSoldOut(paid >= this.soldOutFraction * this.#total, now);
  }
}

function debtKey(c: Client): string {
  return c.cls === "free" ? `g:${c.group}` : `c:${c.id}`;
}

function exhaustAt(c: Client): number {
  if (c.extra === 0) return Infinity;
  return c.creditAt + holdingMs(c.priceMicro, c.extra, c.credit);
}

function checkCapacity(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v <= 0 || v > MAX_CAPACITY)
    throw new InvalidArgumentError(name, v, `an integer in 1..${MAX_CAPACITY} (cost units per second)`);
}
function positive(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new InvalidArgumentError(name, v, "a positive number");
  return v;
}
function nonNegative(name: string, v: number): number {
  if (!(Number.isFinite(v) && v >= 0)) throw new InvalidArgumentError(name, v, "a number >= 0");
  return v;
}
