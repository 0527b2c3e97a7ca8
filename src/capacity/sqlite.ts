/**
 * The production capacity store: three tables in a better-sqlite3 database — its own file, or the
 * SWAP store's database handle so that moving a cheque's surplus into capacity credit commits in
 * one transaction with the ledger. WAL and `synchronous = FULL` as in the SWAP store.
 */
import Database from "better-sqlite3";
import type { Decaying } from "./decay.js";
import type { CapacityStore, CreditRecord } from "./persistence.js";
import type { PriceState } from "./pricing.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS capacity_credits (client TEXT PRIMARY KEY, credit TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS capacity_debts (key TEXT PRIMARY KEY, value REAL NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS capacity_price (id INTEGER PRIMARY KEY CHECK (id = 1), price_micro TEXT NOT NULL, at INTEGER NOT NULL);
`;

type Row = Record<string, unknown>;

/** A prepared statement of a {@link SqliteHandle}: what the capacity store calls on one. */
export interface SqliteStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
}

/**
 * The part of an open SQLite database (a better-sqlite3 `Database`, such as the SWAP store's) that
 * the capacity store uses. This package's own structural type, so that the public declarations name
 * no type of the SQLite driver: a consumer compiles without `@types/better-sqlite3`. A better-sqlite3
 * `Database` is one (checked where this file opens its own).
 */
export interface SqliteHandle {
  readonly open: boolean;
  exec(sql: string): unknown;
  pragma(sql: string): unknown;
  prepare(sql: string): SqliteStatement;
  /** Wraps `fn` so that a call runs it in one transaction (committed on return, rolled back on a throw). */
  transaction<T>(fn: () => T): () => T;
  close(): unknown;
}

export class SqliteCapacityStore implements CapacityStore {
  readonly db: SqliteHandle;
  readonly #own: boolean;
  readonly #s: Record<string, SqliteStatement>;

  /** A path opens (or creates) a database of its own; a handle shares an open one (not closed by `close`). */
  constructor(pathOrDb: string | SqliteHandle) {
    this.#own = typeof pathOrDb === "string";
    this.db = typeof pathOrDb === "string" ? openOwn(pathOrDb) : pathOrDb;
    if (this.#own) {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = FULL");
    }
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.#s = {
      getCredit: p("SELECT * FROM capacity_credits WHERE client = ?"),
      putCredit: p(
        "INSERT INTO capacity_credits VALUES (@client, @credit, @at) ON CONFLICT(client) DO UPDATE SET credit=excluded.credit, at=excluded.at",
      ),
      getDebt: p("SELECT * FROM capacity_debts WHERE key = ?"),
      putDebt: p(
        "INSERT INTO capacity_debts VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value, at=excluded.at",
      ),
      deleteDebt: p("DELETE FROM capacity_debts WHERE key = ?"),
      getPrice: p("SELECT * FROM capacity_price WHERE id = 1"),
      putPrice: p(
        "INSERT INTO capacity_price VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET price_micro=excluded.price_micro, at=excluded.at",
      ),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
  getCredit(client: string): CreditRecord | undefined {
    const r = this.#s.getCredit.get(client) as Row | undefined;
    return r && { client: r.client as string, credit: BigInt(r.credit as string), at: r.at as number };
  }
  putCredit(r: CreditRecord): void {
    this.#s.putCredit.run({ client: r.client, credit: r.credit.toString(), at: r.at });
  }
  getDebt(key: string): Decaying | undefined {
    const r = this.#s.getDebt.get(key) as Row | undefined;
    return r && { value: r.value as number, at: r.at as number };
  }
  putDebt(key: string, d: Decaying): void {
    this.#s.putDebt.run(key, d.value, d.at);
  }
  deleteDebt(key: string): void {
    this.#s.deleteDebt.run(key);
  }
  getPrice(): PriceState | undefined {
    const r = this.#s.getPrice.get() as Row | undefined;
    return r && { priceMicro: BigInt(r.price_micro as string), at: r.at as number };
  }
  putPrice(p: PriceState): void {
    this.#s.putPrice.run(p.priceMicro.toString(), p.at);
  }
  close(): void {
    if (this.#own && this.db.open) this.db.close();
  }
}

/** Opens a database file of the store's own; the return type checks better-sqlite3 against the handle type. */
function openOwn(path: string): SqliteHandle {
  return new Database(path);
}
