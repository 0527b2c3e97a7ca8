// Issued cheques stored durably (SQLite WAL, synchronous=FULL): one at a time, and to many peers at
// once (the issuer joins the ledger's group commit: one fsync for every cheque of a turn). Each
// cheque is signed, committed with the ledger's payment record, and only then returned for sending.
//   npm run bench:issuer         (ISSUER_CHEQUES=3000 per row by default)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, cpus, totalmem, loadavg } from "node:os";
import { join } from "node:path";
import { hexlify, randomBytes } from "ethers";
import { ChequeIssuer } from "../src/swap/issuer.js";
import { Ledger } from "../src/accounting/ledger.js";
import { SqliteStore } from "../src/store/sqlite.js";
import type { Hex } from "../src/crypto/index.js";

const CHEQUES = Number(process.env.ISSUER_CHEQUES ?? 3_000);
const PEERS = 50;
const key = hexlify(randomBytes(32)) as Hex;
const book = hexlify(randomBytes(20)) as Hex;
const beneficiaries = Array.from({ length: PEERS }, () => hexlify(randomBytes(20)) as Hex);

/** Issue `CHEQUES` cheques, `width` peers at a time; returns cheques/s and commits (fsyncs) used. */
async function run(width: number): Promise<{ perSec: number; commits: number }> {
  const dir = mkdtempSync(join(tmpdir(), "bench-issuer-"));
  const store = new SqliteStore(join(dir, "payer.db"));
  let commits = 0;
  const inner = store.transaction.bind(store);
  let depth = 0;
  store.transaction = <T>(fn: () => T): T => {
    if (depth++ === 0) commits++;
    try {
      return inner(fn);
    } finally {
      depth--;
    }
  };
  const issuer = new ChequeIssuer(store, new Ledger(store), {
    chequebook: book,
    chainId: 31337n,
    signer: key,
    funds: async () => ({ balance: 10n ** 30n, totalPaidOut: 0n }),
  });
  const t = performance.now();
  for (let i = 0; i < CHEQUES; i += width)
    await Promise.all(
      Array.from({ length: Math.min(width, CHEQUES - i) }, (_, k) => issuer.issue(`p${k}`, beneficiaries[k], 100n)),
    );
  const ms = performance.now() - t;
  if (store.listIssued().length !== Math.min(width, PEERS)) throw new Error("cheques missing");
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return { perSec: (CHEQUES * 1_000) / ms, commits };
}

const one = await run(1);
const many = await run(PEERS);
console.log(
  `bench:issuer — ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()[0].toFixed(1)}; ${CHEQUES} cheques per row\n`,
);
console.log("| issued cheques, signed and stored durably before sending | cheques/s | commits (fsyncs) |");
console.log("|---|---:|---:|");
console.log(
  `| one at a time (one fsync per cheque) | ${Math.round(one.perSec).toLocaleString("en")} | ${one.commits} |`,
);
console.log(
  `| ${PEERS} peers at once (group commit) | ${Math.round(many.perSec).toLocaleString("en")} | ${many.commits} |`,
);
