/**
 * SQLite through better-sqlite3 (prebuilt inside the npm package, no build step): WAL journal and
 * `synchronous = FULL`, so a commit survives a process kill and a power loss. Amounts are TEXT
 * (decimal) to keep full uint256 precision.
 *
 * The file carries `PRAGMA application_id` (this library's) and `PRAGMA user_version` (the schema
 * version, moved forward by `MIGRATIONS`). An empty or foreign file is refused unless the caller
 * asks for a new database; a missing file is created. Faults of the machine (disk full, read-only,
 * I/O error, corruption) surface as `StoreUnavailableError`; `close()` checkpoints the WAL into the
 * main file so a copy of the `.db` alone holds every commit.
 */
import Database from "better-sqlite3";
import { existsSync, statSync } from "node:fs";
import type { CashoutRecord, CashoutStatus, IssuedCheque, PeerRecord, ReceivedCheque, Store } from "./types.js";
import { StoreOpenError, StoreUnavailableError } from "./errors.js";

/** "SWAP" in ASCII: marks a database written by this library. */
export const APPLICATION_ID = 0x53574150;

const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS peers (
  peer TEXT PRIMARY KEY, balance TEXT NOT NULL, surplus TEXT NOT NULL, protocols TEXT NOT NULL,
  chequebook TEXT, defaulting INTEGER NOT NULL, embargo_until INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS issued (
  chequebook TEXT NOT NULL, beneficiary TEXT NOT NULL, cumulative TEXT NOT NULL, signature TEXT NOT NULL,
  peer TEXT NOT NULL, issued_at INTEGER NOT NULL, PRIMARY KEY (chequebook, beneficiary));
CREATE TABLE IF NOT EXISTS totals (chequebook TEXT PRIMARY KEY, total_issued TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS received (
  chequebook TEXT PRIMARY KEY, beneficiary TEXT NOT NULL, cumulative TEXT NOT NULL, signature TEXT NOT NULL,
  peer TEXT NOT NULL, chain_id TEXT NOT NULL, received_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cashouts (
  id TEXT PRIMARY KEY, chequebook TEXT NOT NULL, beneficiary TEXT NOT NULL, cumulative TEXT NOT NULL,
  request_payout TEXT NOT NULL, total_payout TEXT NOT NULL, status TEXT NOT NULL, tx_hash TEXT, raw_tx TEXT, nonce INTEGER, caller TEXT, replaced TEXT,
  gas_used TEXT, error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS cashouts_by_status ON cashouts (status);
`;

/** Forward migrations: entry i brings the schema from version i to i + 1. Append, never edit. */
export const MIGRATIONS: readonly string[] = [SCHEMA_V1];
export const SCHEMA_VERSION = MIGRATIONS.length;

/** SQLite result codes that mean "the machine cannot take this write now", not a bug. */
const UNAVAILABLE = /^SQLITE_(FULL|IOERR|READONLY|CORRUPT|CANTOPEN|BUSY|LOCKED|NOTADB|PROTOCOL)/;

function fault(e: unknown): unknown {
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && UNAVAILABLE.test(code) ? new StoreUnavailableError(code, e) : e;
}

export interface SqliteStoreOptions {
  /** Accept an existing empty file (zero bytes) as a new database. Default false: refused. */
  create?: boolean;
}

type Row = Record<string, unknown>;

export class SqliteStore implements Store {
  // private: the public declarations must not name the SQLite driver's types (consumers with skipLibCheck: false)
  private readonly db: Database.Database;
  readonly #stmt: Record<string, Database.Statement>;

  /**
   * The database handle, for modules of this package that keep their own tables in the same
   * database and need one transaction across both (the gateway's capacity credits). Typed `unknown`
   * so that the public declarations name no type of the SQLite driver.
   * @internal
   */
  get sharedHandle(): unknown {
    return this.db;
  }

  /** Open the database at `path` (":memory:" for a throwaway one); a missing file is created, an
   * empty one only with `{ create: true }`, a foreign one never (`StoreOpenError`). */
  constructor(
    readonly path: string,
    opts: SqliteStoreOptions = {},
  ) {
    const file = path !== ":memory:" && path !== "";
    const existed = file && existsSync(path);
    if (existed && statSync(path).size === 0 && !opts.create)
      throw new StoreOpenError(path, "empty file (pass { create: true } to start a new database)");
    try {
      this.db = new Database(path);
    } catch (e) {
      throw new StoreOpenError(path, (e as Error).message);
    }
    try {
      this.#migrate(path, existed && statSync(path).size > 0);
    } catch (e) {
      this.db.close();
      if (e instanceof StoreOpenError) throw e;
      throw new StoreOpenError(path, (e as Error).message);
    }
    const p = (sql: string) => this.db.prepare(sql);
    this.#stmt = {
      getPeer: p("SELECT * FROM peers WHERE peer = ?"),
      putPeer:
        p(`INSERT INTO peers VALUES (@peer, @balance, @surplus, @protocols, @chequebook, @defaulting, @embargo_until)
        ON CONFLICT(peer) DO UPDATE SET balance=excluded.balance, surplus=excluded.surplus, protocols=excluded.protocols,
        chequebook=excluded.chequebook, defaulting=excluded.defaulting, embargo_until=excluded.embargo_until`),
      listPeers: p("SELECT * FROM peers ORDER BY peer"),
      lastIssued: p("SELECT * FROM issued WHERE chequebook = ? AND beneficiary = ?"),
      putIssued: p(`INSERT INTO issued VALUES (@chequebook, @beneficiary, @cumulative, @signature, @peer, @issued_at)
        ON CONFLICT(chequebook, beneficiary) DO UPDATE SET cumulative=excluded.cumulative, signature=excluded.signature,
        peer=excluded.peer, issued_at=excluded.issued_at`),
      total: p("SELECT total_issued FROM totals WHERE chequebook = ?"),
      putTotal: p(
        "INSERT INTO totals VALUES (?, ?) ON CONFLICT(chequebook) DO UPDATE SET total_issued=excluded.total_issued",
      ),
      listIssued: p("SELECT * FROM issued ORDER BY chequebook, beneficiary"),
      lastReceived: p("SELECT * FROM received WHERE chequebook = ?"),
      putReceived:
        p(`INSERT INTO received VALUES (@chequebook, @beneficiary, @cumulative, @signature, @peer, @chain_id, @received_at)
        ON CONFLICT(chequebook) DO UPDATE SET beneficiary=excluded.beneficiary, cumulative=excluded.cumulative,
        signature=excluded.signature, peer=excluded.peer, chain_id=excluded.chain_id, received_at=excluded.received_at`),
      listReceived: p("SELECT * FROM received ORDER BY chequebook"),
      putCashout:
        p(`INSERT INTO cashouts VALUES (@id, @chequebook, @beneficiary, @cumulative, @request_payout, @total_payout,
        @status, @tx_hash, @raw_tx, @nonce, @caller, @replaced, @gas_used, @error, @created_at, @updated_at)
        ON CONFLICT(id) DO UPDATE SET total_payout=excluded.total_payout, status=excluded.status, tx_hash=excluded.tx_hash,
        raw_tx=excluded.raw_tx, nonce=excluded.nonce, caller=excluded.caller, replaced=excluded.replaced, gas_used=excluded.gas_used, error=excluded.error,
        updated_at=excluded.updated_at`),
      getCashout: p("SELECT * FROM cashouts WHERE id = ?"),
      listCashouts: p(`SELECT * FROM cashouts WHERE (@chequebook IS NULL OR chequebook = @chequebook)
        AND (@status IS NULL OR status = @status) ORDER BY created_at, id`),
    };
  }

  #migrate(path: string, hadData: boolean): void {
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    const appId = this.db.pragma("application_id", { simple: true }) as number;
    let version = this.db.pragma("user_version", { simple: true }) as number;
    if (hadData && appId !== APPLICATION_ID) {
      // a database of this library from before versioning has our tables and no marks: adopt it
      const tables = (
        this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
      ).map((r) => r.name);
      const ours = ["peers", "issued", "totals", "received", "cashouts"].every((t) => tables.includes(t));
      if (appId !== 0 || version !== 0 || !ours)
        throw new StoreOpenError(
          path,
          `not a database of this library (application_id ${appId}, tables ${tables.join(",") || "none"})`,
        );
      version = 1;
      this.db.pragma(`user_version = ${version}`);
    }
    if (version > SCHEMA_VERSION)
      throw new StoreOpenError(path, `schema version ${version} is newer than this library's ${SCHEMA_VERSION}`);
    this.db.transaction(() => {
      for (let v = version; v < SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]);
      this.db.pragma(`application_id = ${APPLICATION_ID}`);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  }

  /** The schema version on disk (`PRAGMA user_version`). */
  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (e) {
      throw fault(e);
    }
  }

  getPeer(peer: string): PeerRecord | undefined {
    const r = this.#stmt.getPeer.get(peer) as Row | undefined;
    return r && peerFromRow(r);
  }
  putPeer(r: PeerRecord): void {
    this.#run(this.#stmt.putPeer, {
      peer: r.peer,
      balance: r.balance.toString(),
      surplus: r.surplus.toString(),
      protocols: JSON.stringify(Object.fromEntries(Object.entries(r.protocols).map(([k, v]) => [k, v.toString()]))),
      chequebook: r.chequebook ?? null,
      defaulting: r.defaulting ? 1 : 0,
      embargo_until: r.embargoUntil,
    });
  }
  listPeers(): PeerRecord[] {
    return (this.#stmt.listPeers.all() as Row[]).map(peerFromRow);
  }

  lastIssued(chequebook: string, beneficiary: string): IssuedCheque | undefined {
    const r = this.#stmt.lastIssued.get(chequebook, beneficiary) as Row | undefined;
    return r && issuedFromRow(r);
  }
  putIssued(c: IssuedCheque): void {
    this.transaction(() => {
      const prev = this.lastIssued(c.chequebook, c.beneficiary)?.cumulativePayout ?? 0n;
      this.#run(this.#stmt.putIssued, {
        chequebook: c.chequebook,
        beneficiary: c.beneficiary,
        cumulative: c.cumulativePayout.toString(),
        signature: c.signature,
        peer: c.peer,
        issued_at: c.issuedAt,
      });
      this.#run(
        this.#stmt.putTotal,
        c.chequebook,
        (this.totalIssued(c.chequebook) + c.cumulativePayout - prev).toString(),
      );
    });
  }
  totalIssued(chequebook: string): bigint {
    const r = this.#stmt.total.get(chequebook) as Row | undefined;
    return r ? BigInt(r.total_issued as string) : 0n;
  }
  listIssued(): IssuedCheque[] {
    return (this.#stmt.listIssued.all() as Row[]).map(issuedFromRow);
  }

  lastReceived(chequebook: string): ReceivedCheque | undefined {
    const r = this.#stmt.lastReceived.get(chequebook) as Row | undefined;
    return r && receivedFromRow(r);
  }
  putReceived(c: ReceivedCheque): void {
    this.#run(this.#stmt.putReceived, {
      chequebook: c.chequebook,
      beneficiary: c.beneficiary,
      cumulative: c.cumulativePayout.toString(),
      signature: c.signature,
      peer: c.peer,
      chain_id: c.chainId.toString(),
      received_at: c.receivedAt,
    });
  }
  listReceived(): ReceivedCheque[] {
    return (this.#stmt.listReceived.all() as Row[]).map(receivedFromRow);
  }

  putCashout(r: CashoutRecord): void {
    this.#run(this.#stmt.putCashout, {
      id: r.id,
      chequebook: r.chequebook,
      beneficiary: r.beneficiary,
      cumulative: r.cumulativePayout.toString(),
      request_payout: r.requestPayout.toString(),
      total_payout: r.totalPayout.toString(),
      status: r.status,
      tx_hash: r.txHash ?? null,
      raw_tx: r.rawTx ?? null,
      nonce: r.nonce ?? null,
      caller: r.caller ?? null,
      replaced: r.replacedTxHashes ? JSON.stringify(r.replacedTxHashes) : null,
      gas_used: r.gasUsed?.toString() ?? null,
      error: r.error ?? null,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    });
  }
  getCashout(id: string): CashoutRecord | undefined {
    const r = this.#stmt.getCashout.get(id) as Row | undefined;
    return r && cashoutFromRow(r);
  }
  listCashouts(filter: { chequebook?: string; status?: CashoutStatus } = {}): CashoutRecord[] {
    return (
      this.#stmt.listCashouts.all({ chequebook: filter.chequebook ?? null, status: filter.status ?? null }) as Row[]
    ).map(cashoutFromRow);
  }

  #run(stmt: Database.Statement, ...args: unknown[]): void {
    try {
      stmt.run(...args);
    } catch (e) {
      throw fault(e);
    }
  }

  /** Checkpoint the WAL into the main file, then close. */
  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      // a full disk may refuse the checkpoint: the WAL stays beside the file and is replayed on open
    }
    this.db.close();
  }
}

function peerFromRow(r: Row): PeerRecord {
  const protocols = Object.fromEntries(
    Object.entries(JSON.parse(r.protocols as string) as Record<string, string>).map(([k, v]) => [k, BigInt(v)]),
  );
  return {
    peer: r.peer as string,
    balance: BigInt(r.balance as string),
    surplus: BigInt(r.surplus as string),
    protocols,
    chequebook: (r.chequebook as string | null) ?? undefined,
    defaulting: r.defaulting === 1,
    embargoUntil: r.embargo_until as number,
  };
}
function issuedFromRow(r: Row): IssuedCheque {
  return {
    chequebook: r.chequebook as string,
    beneficiary: r.beneficiary as string,
    cumulativePayout: BigInt(r.cumulative as string),
    signature: r.signature as string,
    peer: r.peer as string,
    issuedAt: r.issued_at as number,
  };
}
function receivedFromRow(r: Row): ReceivedCheque {
  return {
    chequebook: r.chequebook as string,
    beneficiary: r.beneficiary as string,
    cumulativePayout: BigInt(r.cumulative as string),
    signature: r.signature as string,
    peer: r.peer as string,
    chainId: BigInt(r.chain_id as string),
    receivedAt: r.received_at as number,
  };
}
function cashoutFromRow(r: Row): CashoutRecord {
  return {
    id: r.id as string,
    chequebook: r.chequebook as string,
    beneficiary: r.beneficiary as string,
    cumulativePayout: BigInt(r.cumulative as string),
    requestPayout: BigInt(r.request_payout as string),
    totalPayout: BigInt(r.total_payout as string),
    status: r.status as CashoutStatus,
    txHash: (r.tx_hash as string | null) ?? undefined,
    rawTx: (r.raw_tx as string | null) ?? undefined,
    nonce: (r.nonce as number | null) ?? undefined,
    caller: (r.caller as string | null) ?? undefined,
    replacedTxHashes: r.replaced ? (JSON.parse(r.replaced as string) as string[]) : undefined,
    gasUsed: r.gas_used == null ? undefined : BigInt(r.gas_used as string),
    error: (r.error as string | null) ?? undefined,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}
