/**
 * What the capacity pool must not forget across a restart: each client's prepaid credit (with the
 * time it was checkpointed), every decaying usage debt with its time base, and the price.
 * Synchronous like the SWAP store, so "durable before credited" is a line order.
 */
import type { Decaying } from "./decay.js";
import type { PriceState } from "./pricing.js";

export interface CreditRecord {
  client: string;
  /** Prepaid credit in token base units, as of `at`. */
  credit: bigint;
  at: number;
}

export interface CapacityStore {
  transaction<T>(fn: () => T): T;
  getCredit(client: string): CreditRecord | undefined;
  putCredit(record: CreditRecord): void;
  /** Usage debt under `key` (`g:<address group>` for free clients, `c:<client>` for paying ones). */
  getDebt(key: string): Decaying | undefined;
  putDebt(key: string, debt: Decaying): void;
  deleteDebt(key: string): void;
  getPrice(): PriceState | undefined;
  putPrice(price: PriceState): void;
  close(): void;
}

/** In memory: for tests and throwaway pools. Production uses `SqliteCapacityStore`. */
export class MemoryCapacityStore implements CapacityStore {
  readonly credits = new Map<string, CreditRecord>();
  readonly debts = new Map<string, Decaying>();
  price?: PriceState;

  transaction<T>(fn: () => T): T {
    const credits = new Map(this.credits);
    const debts = new Map(this.debts);
    const price = this.price;
    try {
      return fn();
    } catch (e) {
      this.credits.clear();
      for (const [k, v] of credits) this.credits.set(k, v);
      this.debts.clear();
      for (const [k, v] of debts) this.debts.set(k, v);
      this.price = price;
      throw e;
    }
  }
  getCredit(client: string) {
    const r = this.credits.get(client);
    return r && { ...r };
  }
  putCredit(r: CreditRecord) {
    this.credits.set(r.client, { ...r });
  }
  getDebt(key: string) {
    const d = this.debts.get(key);
    return d && { ...d };
  }
  putDebt(key: string, d: Decaying) {
    this.debts.set(key, { ...d });
  }
  deleteDebt(key: string) {
    this.debts.delete(key);
  }
  getPrice() {
    return this.price && { ...this.price };
  }
  putPrice(p: PriceState) {
    this.price = { ...p };
  }
  close() {}
}
