/**
 * Per-peer, per-protocol balances in token base units, with two-phase reservations (Bee's
 * PrepareCredit/PrepareDebit → Apply/Cleanup): a request reserves its price first, so concurrent
 * requests can never overrun a limit — an overdraft is refused before it happens.
 *
 * Sign convention: balance > 0 ⇒ the peer owes us; balance < 0 ⇒ we owe the peer.
 * A payment beyond the debt becomes surplus, consumed by the peer's later use; it never puts
 * the receiver in debt.
 *
 * Persistence: payment events are written through by `persist` (the one write-then-commit path:
 * the store transaction, with the caller's cheque record inside it, commits before the live state
 * changes); service events are written behind by `flush()` (on a timer), so a crash loses at most
 * the service accounted since the last flush — never a cheque — and the peer's balance view on the
 * wire restores it (docs/swap-protocol.md).
 *
 * Memory: records are loaded on first use and evicted (`evict`) once clean and unreserved, so a
 * node holds state only for peers it talks to or has unflushed changes for.
 */
import type { Store, PeerRecord } from "../store/types.js";
import { emptyPeer } from "../store/types.js";
import { OverdraftError, ReservationSettledError } from "./errors.js";

export type Direction = "serve" | "consume";

/** One write of a group commit (`Ledger.persistSoon`): the peer's new record, the caller's own
 * writes in the same transaction, and what to run once it committed. */
export interface GroupWrite {
  record: PeerRecord;
  write?: () => void;
  committed?: () => void;
}

export class Reservation {
  #done = false;
  #applied?: { amount: bigint; fromSurplus: bigint };
  constructor(
    private readonly ledger: Ledger,
    readonly peer: string,
    readonly protocol: string,
    readonly direction: Direction,
    readonly amount: bigint,
  ) {}

  /** The service happened: move the reserved amount (or `actual`, the price finally charged) into
   * the balance. Returns what was charged. */
  apply(actual: bigint = this.amount): bigint {
    this.#finish();
    this.#applied = { amount: actual, fromSurplus: this.ledger.applyReserved(this, actual) };
    return actual;
  }

  /** Undo an `apply` whose service did not reach the peer after all (the transport refused it). */
  refund(): void {
    if (!this.#applied) throw new ReservationSettledError();
    const a = this.#applied;
    this.#applied = undefined;
    this.ledger.reverseApplied(this, a.amount, a.fromSurplus);
  }

  /** The service did not happen: drop the reservation. */
  release(): void {
    this.#finish();
    this.ledger.releaseReserved(this);
  }

  get settled(): boolean {
    return this.#done;
  }

  #finish(): void {
    if (this.#done) throw new ReservationSettledError();
    this.#done = true;
  }
}

interface Live {
  record: PeerRecord;
  reservedServe: bigint;
  reservedConsume: bigint;
}

export class Ledger {
  readonly #peers = new Map<string, Live>();
  readonly #dirty = new Set<string>();
  /** Called synchronously whenever a peer's record was persisted with a payment or a status (for
   * caches of what the store holds about the peer). */
  onPersisted?: (peer: string) => void;

  readonly #schedule: (commit: () => void) => void;

  /**
   * `schedule` decides when a group commit runs once its first write was queued (default
   * `setImmediate`: at the end of the event-loop turn, so every `persistSoon` of that turn shares
   * it). Tests pass one that holds the commit to observe what waits for durability.
   */
  constructor(
    private readonly store: Store,
    opts: { schedule?: (commit: () => void) => void } = {},
  ) {
    this.#schedule = opts.schedule ?? ((commit) => void setImmediate(commit));
  }

  #live(peer: string): Live {
    let l = this.#peers.get(peer);
    if (!l) {
      l = { record: this.store.getPeer(peer) ?? emptyPeer(peer), reservedServe: 0n, reservedConsume: 0n };
      this.#peers.set(peer, l);
    }
    return l;
  }

  /** Records built earlier in the group commit under way (a later build of the same peer in the
   * same batch starts from them). */
  #staged?: Map<string, PeerRecord>;

  /** The live record without loading it into memory. */
  #peek(peer: string): PeerRecord {
    return this.#staged?.get(peer) ?? this.#peers.get(peer)?.record ?? this.store.getPeer(peer) ?? emptyPeer(peer);
  }

  /** A copy of the peer's record (balance, surplus, …). */
  get(peer: string): PeerRecord {
    const r = this.#peek(peer);
    return { ...r, protocols: { ...r.protocols } };
  }

  balance(peer: string): bigint {
    return this.#peek(peer).balance;
  }

  /** The peer's debt to us net of its surplus (> 0: it owes us; < 0: we owe it or it prepaid). */
  net(peer: string): bigint {
    const r = this.#peek(peer);
    return r.balance - r.surplus;
  }

  /** What the peer owes us net of its surplus, plus service reserved for it. */
  serveExposure(peer: string, extra = 0n): bigint {
    const l = this.#peers.get(peer);
    return this.net(peer) + (l?.reservedServe ?? 0n) + extra;
  }

  /** What we owe the peer, plus service reserved from it. */
  consumeExposure(peer: string, extra = 0n): bigint {
    const l = this.#peers.get(peer);
    return -this.balance(peer) + (l?.reservedConsume ?? 0n) + extra;
  }

  /** Reserve `amount` of service to the peer; refused with `OverdraftError` beyond `limit`. */
  reserveServe(peer: string, protocol: string, amount: bigint, limit: bigint): Reservation {
    const exposure = this.serveExposure(peer, amount);
    if (exposure > limit) throw new OverdraftError(peer, "serve", exposure, limit);
    this.#live(peer).reservedServe += amount;
    return new Reservation(this, peer, protocol, "serve", amount);
  }

  /** Reserve `amount` of service from the peer; refused with `OverdraftError` beyond `limit`. */
  reserveConsume(peer: string, protocol: string, amount: bigint, limit: bigint): Reservation {
    const exposure = this.consumeExposure(peer, amount);
    if (exposure > limit) throw new OverdraftError(peer, "consume", exposure, limit);
    this.#live(peer).reservedConsume += amount;
    return new Reservation(this, peer, protocol, "consume", amount);
  }

  /** @internal via Reservation.apply; returns the part taken from the surplus. */
  applyReserved(r: Reservation, amount: bigint): bigint {
    const l = this.#live(r.peer);
    const rec = l.record;
    let fromSurplus = 0n;
    if (r.direction === "serve") {
      l.reservedServe -= r.amount;
      fromSurplus = rec.surplus < amount ? rec.surplus : amount;
      rec.surplus -= fromSurplus;
      rec.balance += amount - fromSurplus;
      rec.protocols[r.protocol] = (rec.protocols[r.protocol] ?? 0n) + amount;
    } else {
      l.reservedConsume -= r.amount;
      rec.balance -= amount;
      rec.protocols[r.protocol] = (rec.protocols[r.protocol] ?? 0n) - amount;
    }
    this.#dirty.add(r.peer);
    return fromSurplus;
  }

  /** @internal via Reservation.refund */
  reverseApplied(r: Reservation, amount: bigint, fromSurplus: bigint): void {
    const rec = this.#live(r.peer).record;
    const sign = r.direction === "serve" ? 1n : -1n;
    rec.surplus += fromSurplus;
    rec.balance -= sign * (amount - fromSurplus);
    rec.protocols[r.protocol] = (rec.protocols[r.protocol] ?? 0n) - sign * amount;
    this.#dirty.add(r.peer);
  }

  /** @internal via Reservation.release */
  releaseReserved(r: Reservation): void {
    const l = this.#live(r.peer);
    if (r.direction === "serve") l.reservedServe -= r.amount;
    else l.reservedConsume -= r.amount;
  }

  /** The record after we pay the peer `amount` (not applied: see `commit`). */
  afterPaymentSent(peer: string, amount: bigint): PeerRecord {
    const rec = this.get(peer);
    rec.balance += amount;
    return rec;
  }

  /** The record after the peer paid us `amount`: debt first, the rest becomes surplus. */
  afterPaymentReceived(peer: string, amount: bigint): PeerRecord {
    const rec = this.get(peer);
    const debt = rec.balance > 0n ? rec.balance : 0n;
    const toDebt = amount < debt ? amount : debt;
    rec.balance -= toDebt;
    rec.surplus += amount - toDebt;
    return rec;
  }

  /** Debt forgiven (free tier): reduces what the peer owes, never below zero. */
  afterForgiving(peer: string, amount: bigint): PeerRecord {
    const rec = this.get(peer);
    const debt = rec.balance > 0n ? rec.balance : 0n;
    rec.balance -= amount < debt ? amount : debt;
    return rec;
  }

  /** The record after adopting the peer's view that we owe it `owed` net (balance sync, payer side). */
  afterSync(peer: string, owed: bigint): PeerRecord {
    const rec = this.get(peer);
    rec.balance = rec.surplus - owed;
    return rec;
  }

  /**
   * The one write-then-commit path: write `records` (and the caller's `extra` writes, e.g. the cheque)
   * in one store transaction, and only once it committed make them the live state. Throws what the
   * store throws (e.g. `StoreUnavailableError`), leaving the live state untouched.
   */
  persist(records: PeerRecord | PeerRecord[], extra?: () => void): void {
    const list = Array.isArray(records) ? records : [records];
    this.store.transaction(() => {
      extra?.();
      for (const r of list) this.store.putPeer(r);
    });
    for (const r of list) this.commit(r, true);
  }

  /**
   * Group commit: `build` runs inside a transaction shared with every other `persistSoon` of the same
   * event-loop turn (one fsync for all), returns the peer's new record and may add its own writes;
   * the records become live only after the transaction committed. A `build` that throws rejects its
   * own promise only; a store failure rejects them all (nothing written, nothing changed).
   * `committed`, if the build returns one, runs synchronously right after the commit (before any
   * other code can observe the store), e.g. to release what the caller held against it.
   */
  persistSoon<T extends GroupWrite>(build: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#batch.push({ build, resolve: resolve as (v: unknown) => void, reject });
      if (this.#batch.length === 1) this.#schedule(() => this.#commitBatch());
    });
  }

  /** Writes queued for the next group commit. */
  get queued(): number {
    return this.#batch.length;
  }

  readonly #batch: {
    build: () => GroupWrite;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }[] = [];

  #commitBatch(): void {
    const batch = this.#batch.splice(0);
    const built: ({ ok: true; value: GroupWrite } | { ok: false; error: unknown })[] = [];
    try {
      this.store.transaction(() => {
        built.length = 0;
        this.#staged = new Map();
        for (const b of batch) {
          let value;
          try {
            value = b.build();
          } catch (error) {
            built.push({ ok: false, error });
            continue;
          }
          value.write?.();
          this.store.putPeer(value.record);
          this.#staged.set(value.record.peer, value.record);
          built.push({ ok: true, value });
        }
      });
    } catch (e) {
      for (const b of batch) b.reject(e);
      return;
    } finally {
      this.#staged = undefined;
    }
    for (const r of built) if (r.ok) this.commit(r.value.record, true);
    for (const r of built) if (r.ok) r.value.committed?.();
    batch.forEach((b, i) => {
      const r = built[i];
      if (r.ok) {
        b.resolve(r.value);
      } else b.reject(r.error);
    });
  }

  /** Make `record` the peer's state (after the caller persisted it, or to be flushed). */
  commit(record: PeerRecord, persisted: boolean): void {
    if (persisted) this.onPersisted?.(record.peer);
    const l = this.#live(record.peer);
    l.record = { ...record, protocols: { ...record.protocols } };
    if (persisted) this.#dirty.delete(record.peer);
    else this.#dirty.add(record.peer);
  }

  /** Write every changed balance in one transaction. */
  flush(): number {
    if (this.#dirty.size === 0) return 0;
    const peers = [...this.#dirty];
    this.store.transaction(() => {
      for (const p of peers) this.store.putPeer(this.#live(p).record);
    });
    this.#dirty.clear();
    return peers.length;
  }

  /** Forget the in-memory state of `peer` if nothing is reserved or unflushed (it reloads on use). */
  evict(peer: string): boolean {
    const l = this.#peers.get(peer);
    if (!l || this.#dirty.has(peer) || l.reservedServe !== 0n || l.reservedConsume !== 0n) return false;
    return this.#peers.delete(peer);
  }

  /** Evict every clean, unreserved peer for which `keep` is false. Returns how many were evicted. */
  evictIdle(keep: (peer: string) => boolean): number {
    let n = 0;
    for (const peer of [...this.#peers.keys()]) if (!keep(peer) && this.evict(peer)) n++;
    return n;
  }

  /** Peers held in memory right now (for memory bounds). */
  get resident(): number {
    return this.#peers.size;
  }

  /** Peers with unflushed service balances. */
  get dirty(): number {
    return this.#dirty.size;
  }

  /** Every peer on record: in memory or in the store. */
  peers(): string[] {
    const ids = new Set(this.#peers.keys());
    for (const r of this.store.listPeers()) ids.add(r.peer);
    return [...ids];
  }
}
