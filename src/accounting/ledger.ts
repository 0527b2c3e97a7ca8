/**
 * Per-peer, per-protocol balances in token base units, with two-phase reservations (Bee's
 * PrepareCredit/PrepareDebit → Apply/Cleanup): a request reserves its price first, so concurrent
 * requests can never overrun a limit — an overdraft is refused before it happens.
 *
 * Sign convention: balance > 0 ⇒ the peer owes us; balance < 0 ⇒ we owe the peer.
 * A payment beyond the debt becomes surplus, consumed by the peer's later use; it never puts
 * the receiver in debt.
 *
 * Persistence: payment events are written through (inside the cheque's transaction, by the
 * caller); service events are written behind by `flush()` (called on every payment and on a
 * timer), so a crash loses at most the service accounted since the last flush — never a cheque.
 */
import type { Store, PeerRecord } from "../store/types.js";
import { emptyPeer } from "../store/types.js";
import { OverdraftError, ReservationSettledError } from "./errors.js";

export type Direction = "serve" | "consume";

export class Reservation {
  #done = false;
  constructor(
    private readonly ledger: Ledger,
    readonly peer: string,
    readonly protocol: string,
    readonly direction: Direction,
    readonly amount: bigint,
  ) {}

  /** The service happened: move the reserved amount into the balance. */
  apply(): void {
    this.#finish();
    this.ledger.applyReserved(this);
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

  constructor(private readonly store: Store) {
    for (const r of store.listPeers()) this.#peers.set(r.peer, { record: r, reservedServe: 0n, reservedConsume: 0n });
  }

  #live(peer: string): Live {
    let l = this.#peers.get(peer);
    if (!l) {
      l = { record: emptyPeer(peer), reservedServe: 0n, reservedConsume: 0n };
      this.#peers.set(peer, l);
    }
    return l;
  }

  /** A copy of the peer's record (balance, surplus, …). */
  get(peer: string): PeerRecord {
    const r = this.#live(peer).record;
    return { ...r, protocols: { ...r.protocols } };
  }

  balance(peer: string): bigint {
    return this.#live(peer).record.balance;
  }

  /** What the peer owes us net of its surplus, plus service reserved for it. */
  serveExposure(peer: string, extra = 0n): bigint {
    const l = this.#live(peer);
    return l.record.balance - l.record.surplus + l.reservedServe + extra;
  }

  /** What we owe the peer, plus service reserved from it. */
  consumeExposure(peer: string, extra = 0n): bigint {
    const l = this.#live(peer);
    return -l.record.balance + l.reservedConsume + extra;
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

  /** @internal via Reservation.apply */
  applyReserved(r: Reservation): void {
    const l = this.#live(r.peer);
    const rec = l.record;
    if (r.direction === "serve") {
      l.reservedServe -= r.amount;
      const fromSurplus = rec.surplus < r.amount ? rec.surplus : r.amount;
      rec.surplus -= fromSurplus;
      rec.balance += r.amount - fromSurplus;
      rec.protocols[r.protocol] = (rec.protocols[r.protocol] ?? 0n) + r.amount;
    } else {
      l.reservedConsume -= r.amount;
      rec.balance -= r.amount;
      rec.protocols[r.protocol] = (rec.protocols[r.protocol] ?? 0n) - r.amount;
    }
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

  /** Make `record` the peer's state (after the caller persisted it, or to be flushed). */
  commit(record: PeerRecord, persisted: boolean): void {
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

  peers(): string[] {
    return [...this.#peers.keys()];
  }
}
