// End-to-end benchmark: a server node in its own process and client processes over loopback TCP,
// SQLite on both sides (WAL, synchronous=FULL), mock mode (cheques signed and verified, no chain).
// 1, 10 and 100 payer peers (each its own node, key, chequebook and SQLite file, as on separate
// machines), spread over up to 4 client processes (BENCH_CLIENTS), 8 requests in flight per peer;
// reports paid requests/s, p50/p99 latency and cheques/s.
// Then the chain calls a cheque costs in hard mode with a liquidity cache TTL of 0.
//   npm run bench:e2e            (BENCH_SECONDS=5 by default per scenario)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { tmpdir, cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Wallet, hexlify, randomBytes } from "ethers";
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
/** BENCH_PEERS=100 runs one row; BENCH_PROF=<dir> writes a CPU profile of each process there. */
const PEER_ROWS = (process.env.BENCH_PEERS ?? "1,10,100").split(",").map(Number);
/** Client processes per row (BENCH_CLIENTS, default up to 4): each payer node is a separate node
 * with its own database, as on separate machines; one process cannot overlap their fsyncs. */
const clientProcesses = (peers: number) => Math.min(peers, Number(process.env.BENCH_CLIENTS ?? 4));
const PROF = process.env.BENCH_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_PROF] : [];
const IN_FLIGHT = 8;

// ------------------------------------------------------------------ client process
/**
 * One client process: `peers` payer nodes (each its own key, chequebook and SQLite file), each
 * connected to the server, `IN_FLIGHT` requests in flight per node. Prints `ready` once connected,
 * waits for `go` on stdin (so that every client process measures the same window), then prints one
 * JSON line: requests and cheques counted in the window, and the latencies.
 */
async function client(port: number, peers: number, dir: string, tag: string): Promise<void> {
  const nodes: SwapNode[] = [];
  const sessions: import("../src/swap/session.js").PeerSession[] = [];
  let cheques = 0;
  for (let i = 0; i < peers; i++) {
    const signer = new LocalSigner(hexlify(randomBytes(32)) as Hex);
    const node = new SwapNode({
      store: new SqliteStore(join(dir, `client-${tag}-${i}.db`)),
      policy: { mode: "mock", paymentThreshold: 100n },
      chainId: 31337n,
      beneficiary: signer.address,
      chequebook: hexlify(randomBytes(20)),
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
    sock.write(`ID bench-${tag}-${i}\n`);
    sessions.push(await node.connect(socketDuplex(sock), "server"));
    nodes.push(node);
  }
  process.stdout.write("ready\n");
  await once(createInterface({ input: process.stdin }), "line");
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
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e3);
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
  for (const n of nodes) {
    n.close();
    n.store.close();
  }
  // latencies in whole µs; a large write to a pipe is asynchronous: exit only once it is out
  const line = JSON.stringify({ done, elapsed, cheques: c1 - c0, errors, latencies: latencies.map(Math.round) });
  await new Promise((r) => process.stdout.write(line + "\n", r));
  process.exit(0);
}

/** CPU time a process used so far (ms, user + system), from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // fields after the command: state is [0], utime [11], stime [12], in clock ticks (100 Hz)
  return ((Number(fields[11]) + Number(fields[12])) * 1_000) / 100;
}
/** Write system calls (write, writev, …) a process made so far, from /proc (Linux). */
function writeCalls(pid: number): number {
  return Number(/syscw: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? NaN);
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

interface ClientResult {
  done: number;
  elapsed: number;
  cheques: number;
  errors: number;
  latencies: number[];
}

/** Start `processes` client processes sharing `peers` payer nodes, release them together, and
 * merge what they measured. */
async function runClients(port: number, serverPid: number, peers: number, processes: number, dir: string) {
  const procs = Array.from({ length: processes }, (_, k) => {
    const share = Math.floor(peers / processes) + (k < peers % processes ? 1 : 0);
    const proc = spawn(
      process.execPath,
      [...PROF, "--import", "tsx", SELF, "--client", String(port), String(share), dir, String(k)],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    const next = () => lines.next().then((l) => String(l.value));
    return { proc, next, exited: once(proc, "exit") };
  });
  try {
    return await measure(procs, serverPid, peers, processes);
  } finally {
    for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill();
  }
}

async function measure(
  procs: { proc: import("node:child_process").ChildProcess; next: () => Promise<string>; exited: Promise<unknown> }[],
  serverPid: number,
  peers: number,
  processes: number,
) {
  for (const p of procs) if ((await p.next()) !== "ready") throw new Error("client process did not start");
  for (const p of procs) p.proc.stdin!.write("go\n");
  // CPU time (user + system) of the server and the clients over the measuring window: what a
  // request costs whatever the machine's load (other processes share the cores)
  const clientPids = procs.map((p) => p.proc.pid!);
  await new Promise((r) => setTimeout(r, 1_000));
  const cpu0 = { server: cpuMs(serverPid), clients: sum(clientPids.map(cpuMs)), writes: writeCalls(serverPid) };
  await new Promise((r) => setTimeout(r, SECONDS * 1_000));
  const cpu1 = { server: cpuMs(serverPid), clients: sum(clientPids.map(cpuMs)), writes: writeCalls(serverPid) };
  const results = await Promise.all(procs.map(async (p) => JSON.parse(await p.next()) as ClientResult));
  await Promise.all(procs.map((p) => p.exited));
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const q = (p: number) => (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN) / 1e3;
  const elapsed = Math.max(...results.map((r) => r.elapsed));
  const done = results.reduce((s, r) => s + r.done, 0);
  return {
    serverCpuUsPerReq: ((cpu1.server - cpu0.server) * 1_000) / done,
    clientCpuUsPerReq: ((cpu1.clients - cpu0.clients) * 1_000) / done,
    serverCpuShare: (cpu1.server - cpu0.server) / (SECONDS * 1_000),
    serverWritesPerReq: (cpu1.writes - cpu0.writes) / done,
    peers,
    processes,
    rps: results.reduce((s, r) => s + r.done, 0) / elapsed,
    p50: q(0.5),
    p99: q(0.99),
    chequesPerSec: results.reduce((s, r) => s + r.cheques, 0) / elapsed,
    errors: results.reduce((s, r) => s + r.errors, 0),
  };
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
    for (const peers of PEER_ROWS) {
      const sdir = mkdtempSync(join(dir, `s${peers}-`));
      const server = await NodeChild.start(
        sdir,
        {
          idleTimeoutMs: 600_000,
          maxConnections: 1_024,
          flushIntervalMs: 1_000,
        },
        PROF,
      );
      const cdir = mkdtempSync(join(dir, `c${peers}-`));
      try {
        const r: Record<string, number> = await runClients(
          server.port,
          server.proc.pid!,
          peers,
          clientProcesses(peers),
          cdir,
        );
        const serverStats = await server.ask<{ counters: Record<string, number> }>("stats");
        r.serverCheques = serverStats.counters["cheque-received"] ?? 0;
        rows.push(r);
      } finally {
        // also when a row fails: no server process outlives the benchmark
        await server.stop();
      }
    }
    const hard = await chainCallsPerCheque();
    console.log(
      `\nbench:e2e — ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${SECONDS} s per scenario after 1 s warm-up`,
    );
    console.log(
      "server and client processes over loopback TCP, SQLite (WAL, synchronous=FULL) on both sides, mock mode (cheques signed + verified), threshold 100 (a cheque per 100 requests per peer), 32-byte payload\n",
    );
    console.log(
      "| peers | client processes | in flight per peer | paid requests/s | p50 ms | p99 ms | cheques/s | server CPU µs/req | server CPU busy | server write calls/req | client CPU µs/req | errors |",
    );
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of rows)
      console.log(
        `| ${r.peers} | ${r.processes} | ${IN_FLIGHT} | ${Math.round(r.rps).toLocaleString("en")} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.chequesPerSec.toFixed(1)} | ${r.serverCpuUsPerReq.toFixed(0)} | ${(100 * r.serverCpuShare).toFixed(0)} % | ${r.serverWritesPerReq.toFixed(2)} | ${r.clientCpuUsPerReq.toFixed(0)} | ${r.errors} |`,
      );
    console.log(
      `\nhard mode, liquidity cache TTL 0: ${hard.perCheque.toFixed(2)} chain calls per cheque (issuer: balance + totalPaidOut; receiver: liquidBalanceFor + paidOut), over ${hard.cheques} cheques`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--client")
  await client(Number(process.argv[3]), Number(process.argv[4]), process.argv[5], process.argv[6]);
else await main();
