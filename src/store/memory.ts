import type { CashoutRecord, CashoutStatus, IssuedCheque, PeerRecord, ReceivedCheque, Store } from "./types.js";

/** In-memory store for tests and simulations; transactions roll back on throw, like SQLite. */
export class MemoryStore implements Store {
  #peers = new Map<string, PeerRecord>();
  #issued = new Map<string, IssuedCheque>();
  #totals = new Map<string, bigint>();
  #received = new Map<string, ReceivedCheque>();
  #cashouts = new Map<string, CashoutRecord>();
  #depth = 0;

  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    const peers = new Map(this.#peers);
    const issued = new Map(this.#issued);
    const totals = new Map(this.#totals);
    const received = new Map(this.#received);
    const cashouts = new Map(this.#cashouts);
    this.#depth++;
    try {
      return fn();
    } catch (e) {
      this.#peers = peers;
      this.#issued = issued;
      this.#totals = totals;
      this.#received = received;
      this.#cashouts = cashouts;
      throw e;
    } finally {
      this.#depth--;
    }
  }

  getPeer(peer: string) {
    const r = this.#peers.get(peer);
    return r && { ...r, protocols: { ...r.protocols } };
  }
  putPeer(record: PeerRecord) {
    this.#peers.set(record.peer, { ...record, protocols: { ...record.protocols } });
  }
  listPeers() {
    return [...this.#peers.values()].map((r) => ({ ...r, protocols: { ...r.protocols } }));
  }

  lastIssued(chequebook: string, beneficiary: string) {
    const c = this.#issued.get(`${chequebook}:${beneficiary}`);
    return c && { ...c };
  }
  putIssued(cheque: IssuedCheque) {
    const key = `${cheque.chequebook}:${cheque.beneficiary}`;
    const prev = this.#issued.get(key)?.cumulativePayout ?? 0n;
    this.#totals.set(cheque.chequebook, this.totalIssued(cheque.chequebook) + cheque.cumulativePayout - prev);
    this.#issued.set(key, { ...cheque });
  }
  totalIssued(chequebook: string) {
    return this.#totals.get(chequebook) ?? 0n;
  }
  listIssued() {
    return [...this.#issued.values()].map((c) => ({ ...c }));
  }

  lastReceived(chequebook: string) {
    const c = this.#received.get(chequebook);
    return c && { ...c };
  }
  putReceived(cheque: ReceivedCheque) {
    this.#received.set(cheque.chequebook, { ...cheque });
  }
  listReceived() {
    return [...this.#received.values()].map((c) => ({ ...c }));
  }

  putCashout(record: CashoutRecord) {
    this.#cashouts.set(record.id, { ...record });
  }
  getCashout(id: string) {
    const r = this.#cashouts.get(id);
    return r && { ...r };
  }
  listCashouts(filter: { chequebook?: string; status?: CashoutStatus } = {}) {
    return [...this.#cashouts.values()]
      .filter(
        (r) =>
          (!filter.chequebook || r.chequebook === filter.chequebook) && (!filter.status || r.status === filter.status),
      )
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
      .map((r) => ({ ...r }));
  }

  close() {}
}
