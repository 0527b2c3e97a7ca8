/**
 * node:sqlite (built into Node 22) against better-sqlite3, as the store uses SQLite: WAL journal,
 * synchronous=FULL, one durable transaction per write (a cheque, an upsert of one row), and the
 * cost of opening a database (open + pragmas + schema + prepared statements).
 * `npm run bench:sqlite`
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import Database from "better-sqlite3";

interface Driver {
  name: string;
  open(path: string): {
    exec(sql: string): void;
    insert(...args: unknown[]): void;
    tx(fn: () => void): void;
    close(): void;
  };
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS received (chequebook TEXT PRIMARY KEY, cumulative TEXT, signature TEXT, peer TEXT, at INTEGER);`;
const UPSERT = `INSERT INTO received VALUES (?, ?, ?, ?, ?) ON CONFLICT(chequebook) DO UPDATE SET cumulative=excluded.cumulative, signature=excluded.signature, at=excluded.at`;

const drivers: Driver[] = [
  {
    name: "better-sqlite3 13.2.0",
    open(path) {
      const db = new Database(path);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.exec(SCHEMA);
      const stmt = db.prepare(UPSERT);
      return {
        exec: (s) => db.exec(s),
        insert: (...a) => stmt.run(...a),
        tx: (fn) => db.transaction(fn)(),
        close: () => db.close(),
      };
    },
  },
  {
    name: `node:sqlite (Node ${process.versions.node}, SQLite ${process.versions.sqlite ?? "?"})`,
    open(path) {
      const db = new DatabaseSync(path);
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = FULL");
      db.exec(SCHEMA);
      const stmt = db.prepare(UPSERT);
      return {
        exec: (s) => db.exec(s),
        insert: (...a) => stmt.run(...(a as (string | number)[])),
        tx: (fn) => {
          db.exec("BEGIN IMMEDIATE");
          try {
            fn();
            db.exec("COMMIT");
          } catch (e) {
            db.exec("ROLLBACK");
            throw e;
          }
        },
        close: () => db.close(),
      };
    },
  },
];

function perSecond(run: () => void, ms: number): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    run();
    n++;
  }
  return Math.round(n / ((performance.now() - start) / 1000));
}

const dir = mkdtempSync(join(tmpdir(), "sqlite-bench-"));
const sig = "0x" + "ab".repeat(65);
console.log(`node ${process.version}, ${cpus().length} cores, ${tmpdir()}\n`);
console.log(
  "| driver | durable writes/s (1 upsert per tx, FULL) | 100 upserts per tx, tx/s | open cost (ms, median of 50) | in-memory upserts/s (driver cost) |",
);
console.log("|---|---:|---:|---:|---:|");
for (const d of drivers) {
  const db = d.open(join(dir, `${d.name.split(" ")[0].replace(/\W/g, "")}.db`));
  let i = 0;
  const single = perSecond(
    () => db.tx(() => db.insert(`0x${(i++ % 1000).toString(16).padStart(40, "0")}`, String(i), sig, "peer", i)),
    3000,
  );
  const batch = perSecond(
    () =>
      db.tx(() => {
        for (let k = 0; k < 100; k++)
          db.insert(`0x${(i++ % 1000).toString(16).padStart(40, "0")}`, String(i), sig, "peer", i);
      }),
    3000,
  );
  db.close();
  const opens: number[] = [];
  for (let k = 0; k < 50; k++) {
    const t = performance.now();
    const o = d.open(join(dir, `open-${k}-${d.name.length}.db`));
    opens.push(performance.now() - t);
    o.close();
  }
  opens.sort((a, b) => a - b);
  const mem = d.open(":memory:");
  const inMemory = perSecond(
    () => mem.insert(`0x${(i++ % 1000).toString(16).padStart(40, "0")}`, String(i), sig, "peer", i),
    2000,
  );
  mem.close();
  console.log(
    `| ${d.name} | ${single.toLocaleString("en")} | ${batch.toLocaleString("en")} | ${opens[25].toFixed(2)} | ${inMemory.toLocaleString("en")} |`,
  );
}
rmSync(dir, { recursive: true, force: true });
