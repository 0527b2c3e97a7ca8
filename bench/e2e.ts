// End-to-end benchmark: a server node and a client process in separate processes over loopback
// TCP, SQLite on both sides (WAL, synchronous=FULL), mock mode (cheques signed and verified, no
// chain). The client runs 1, 10 and 100 peers (each its own node, key, chequebook and SQLite
// file), 8 requests in flight per peer, and reports paid requests/s, p50/p99 latency and cheques/s.
// Then the chain calls a cheque costs in hard mode with a liquidity cache TTL of 0.
//   npm run bench:e2e            (BENCH_SECONDS=5 by default per scenario)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { once } from "node:events";
import { tmpdir, cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Wallet } from "ethers";
import { NodeChild } from "../test-support/raw-peer.js";
import { SwapNode } from "../src/swap/node.js";
import { SqliteStore } from "../src/store/sqlite.js";
import { MemoryStore } from "../src/store/memory.js";
import { socketDuplex, memoryPair } from "../src/swap/transport.js";
import { LocalSigner } from "../src/crypto/signer.js";
import type { Hex } from "../src/crypto/index.js";
import type { ChainFacts } from "../src/chain/facts.js";

const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const IN_FLIGHT = 8;

// ------------------------------------------------------------------ client process
async function client(port: number, peers: number, dir: string): Promise<void> {
  const nodes: SwapNode[] = [];
  const sessions: import("../src/swap/session.js").PeerSession[] = [];
  let cheques = 0;
  for (let i = 0; i < peers; i++) {
    const key = Wallet.createRandom();
    const signer = new LocalSigner(key.privateKey as Hex);
    const node = new SwapNode({
      store: new SqliteStore(join(dir, `client-${i}.db`)),
      policy: { mode: "mock", paymentThreshold: 100n },
      chainId: 31337n,
      beneficiary: signer.address,
      chequebook: Wallet.createRandom().address,
      signer,
      issuer: signer.address,
      mockFunds: () => ({ balance: 10n ** 30n, totalPaidOut: 0n }),
      flushIntervalMs: 1_000,
      timeoutMs: 30_000,
    });
    node.on("cheque-sent", () => cheques++);
    const sock = connect(port, "127.0.0.1");
    sock.setNoDelay(true);
    await once(sock, "connect");
    sock.write(`ID bench-${process.pid}-${i}\n`);
    sessions.push(await node.connect(socketDuplex(sock), "server"));
    nodes.push(node);
  }
  const payload = new Uint8Array(32);
  const latencies: number[] = [];
  let measuring = false;
  let stop = false;
  let done = 0;
  let errors = 0;
  const worker = async (s: (typeof sessions)[number]) => {
    while (!stop) {
      const t0 = process.hrtime.bigint();
      try {
        await s.request("store", payload);
        if (measuring) {
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          done++;
        }
      } catch {
        errors++;
      }
    }
  };
  const all = sessions.flatMap((s) => Array.from({ length: IN_FLIGHT }, () => worker(s)));
  await new Promise((r) => setTimeout(r, 1_000)); // warm-up
  measuring = true;
  const c0 = cheques;
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1_000));
  measuring = false;
  const elapsed = (Date.now() - t0) / 1_000;
  const c1 = cheques;
  stop = true;
  await Promise.all(all);
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  process.stdout.write(
    JSON.stringify({
      peers,
      rps: done / elapsed,
      p50: q(0.5),
      p99: q(0.99),
      chequesPerSec: (c1 - c0) / elapsed,
      errors,
    }) + "\n",
  );
  for (const n of nodes) {
    n.close();
    n.store.close();
  }
  process.exit(0);
}

// ------------------------------------------------------------------ chain calls per cheque (hard mode, TTL 0)
/** Counts calls the way EthersChainFacts does (factory and issuer cached for ever; liquidity and
 * funds read each time at TTL 0, two calls each). */
function countingFacts(): ChainFacts & { calls: number } {
  const issuers = new Map<string, Hex>();
  const f = {
    calls: 0,
    chainId: 31337n,
    known: new Set<string>(),
    async isKnownChequebook(cb: string) {
      if (!f.known.has(cb)) {
        f.calls++;
        f.known.add(cb);
      }
      return true;
    },
    async issuerOf(cb: string) {
      if (!issuers.has(cb)) {
        f.calls++;
        issuers.set(cb, issuerOfBook.get(cb)!);
      }
      return issuers.get(cb)!;
    },
    async hasCode() {
      return false;
    },
    async isValidContractSignature() {
      return false;
    },
    async liquidity() {
      f.calls += 2;
      return { liquidBalanceFor: 10n ** 30n, paidOut: 0n };
    },
    async funds() {
      f.calls += 2;
      return { balance: 10n ** 30n, totalPaidOut: 0n };
    },
  };
  return f;
}
const issuerOfBook = new Map<string, Hex>();

async function chainCallsPerCheque(): Promise<{ perCheque: number; cheques: number }> {
  const facts = countingFacts();
  const make = () => {
    const key = Wallet.createRandom();
    const book = Wallet.createRandom().address;
    issuerOfBook.set(book, key.address as Hex);
    return new SwapNode({
      store: new MemoryStore(),
      policy: { mode: "hard", paymentThreshold: 100n },
      chainId: 31337n,
      beneficiary: key.address,
      chequebook: book,
      signer: key.privateKey as Hex,
      facts,
      handlers: { store: (p) => Uint8Array.from(p) },
      flushIntervalMs: 0,
    });
  };
  const a = make();
  const b = make();
  const [x, y] = memoryPair();
  const [s] = await Promise.all([a.connect(x, "b"), b.connect(y, "a")]);
  let cheques = 0;
  b.on("cheque-received", (e) => !e.duplicate && cheques++);
  await s.request("store"); // first sight costs are one-off: leave them out
  const before = facts.calls;
  const c0 = cheques;
  for (let i = 0; i < 100 * 50; i++) await s.request("store");
  await new Promise((r) => setImmediate(r));
  const n = cheques - c0;
  const calls = facts.calls - before;
  a.close();
  b.close();
  return { perCheque: calls / n, cheques: n };
}

// ------------------------------------------------------------------ orchestrator
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "swap-bench-e2e-"));
  const rows: Record<string, number>[] = [];
  try {
    for (const peers of [1, 10, 100]) {
      const sdir = mkdtempSync(join(dir, `s${peers}-`));
      const server = await NodeChild.start(sdir, {
        idleTimeoutMs: 600_000,
        maxConnections: 1_024,
        flushIntervalMs: 1_000,
      });
      const cdir = mkdtempSync(join(dir, `c${peers}-`));
      const proc = spawn(
        process.execPath,
        ["--import", "tsx", SELF, "--client", String(server.port), String(peers), cdir],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      proc.stdout.on("data", (b: Buffer) => (out += b.toString()));
      await once(proc, "exit");
      const serverStats = await server.ask<{ counters: Record<string, number> }>("stats");
      await server.stop();
      const r = JSON.parse(out.trim().split("\n").pop()!) as Record<string, number>;
      r.serverCheques = serverStats.counters["cheque-received"] ?? 0;
      rows.push(r);
    }
    const hard = await chainCallsPerCheque();
    console.log(
      `\nbench:e2e — ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${SECONDS} s per scenario after 1 s warm-up`,
    );
    console.log(
      "two processes over loopback TCP, SQLite (WAL, synchronous=FULL) on both sides, mock mode (cheques signed + verified), threshold 100 (a cheque per 100 requests per peer), 32-byte payload\n",
    );
    console.log("| peers | in flight per peer | paid requests/s | p50 ms | p99 ms | cheques/s | errors |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of rows)
      console.log(
        `| ${r.peers} | ${IN_FLIGHT} | ${Math.round(r.rps).toLocaleString("en")} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.chequesPerSec.toFixed(1)} | ${r.errors} |`,
      );
    console.log(
      `\nhard mode, liquidity cache TTL 0: ${hard.perCheque.toFixed(2)} chain calls per cheque (issuer: balance + totalPaidOut; receiver: liquidBalanceFor + paidOut), over ${hard.cheques} cheques`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--client") await client(Number(process.argv[3]), Number(process.argv[4]), process.argv[5]);
else await main();
