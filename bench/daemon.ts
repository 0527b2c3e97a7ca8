/**
 * npm run bench:daemon — swap-node daemons as separate processes over libp2p (TCP + Noise + Yamux)
 * on loopback, mock mode (cheques signed and verified, no chain):
 *  1. paid requests/s and p50/p99 latency between two daemons (concurrency 1 and 16);
 *  2. RSS of a daemon at idle and with 100 connected peers (each a SwapNode + libp2p host in this
 *     process, every one of them with a SWAP session — handshake done — to the daemon).
 * Prints a markdown table for BENCHMARKS.md.
 */
import { readFileSync, mkdirSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { pino } from "pino";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { freePort, spawnDaemon, stopDaemon, writeConfig, type DaemonProcess } from "../src/daemon/launcher.js";
import { P2PHost } from "../src/daemon/p2p.js";
import { SwapNode } from "../src/swap/node.js";
import { MemoryStore } from "../src/store/memory.js";
import type { Hex } from "../src/crypto/index.js";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4_000);
const PEERS = Number(process.env.BENCH_PEERS ?? 100);
const dir = mkdtempSync(join(tmpdir(), "swap-bench-daemon-"));
/** BENCH_ENTRY=dist runs the built daemon (npm run build first), as `npx swap-node` would; default: tsx. */
const ENTRY = process.env.BENCH_ENTRY === "dist" ? [join(process.cwd(), "dist/src/daemon/main.js")] : undefined;

const rssMiB = (pid: number) => {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
  return (kb / 1024).toFixed(0);
};
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api(base: string, path: string, json?: unknown): Promise<any> {
  const res = await fetch(base + path, {
    method: json ? "POST" : "GET",
    headers: json ? { "content-type": "application/json" } : {},
    body: json ? JSON.stringify(json) : undefined,
  });
  return res.json();
}

function daemonConfig(name: string, extra: Record<string, unknown>) {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return writeConfig(
    {
      dataDir: d,
      mode: "mock",
      chain: { chainId: 31337 },
      chequebook: Wallet.createRandom().address,
      thresholds: { payment: "1000000", tolerancePercent: 50 },
      prices: { store: "1000" },
      api: { port: 0, debug: true },
      log: { level: "info" },
      ...extra,
    },
    d,
  );
}

async function main() {
  const procs: DaemonProcess[] = [];
  const rows: string[] = [];
  try {
    const port = await freePort();
    const server = spawnDaemon(
      daemonConfig("server", { p2p: { listen: [`/ip4/127.0.0.1/tcp/${port}`], maxConnections: 400 } }),
      { SWAP_NODE_PRIVATE_KEY: Wallet.createRandom().privateKey },
      ENTRY,
    );
    procs.push(server);
    const s = await server.started.catch(() => undefined);
    if (!s) throw new Error("server did not start");
    await settle(2_000);
    rows.push(`| daemon RSS, idle (fresh start, no peers) | ${rssMiB(server.child.pid!)} MiB | | |`);
    console.log(rows.at(-1));
    const client = spawnDaemon(
      daemonConfig("client", { p2p: { bootstrap: [s.addresses[0]], redialMs: 200 } }),
      { SWAP_NODE_PRIVATE_KEY: Wallet.createRandom().privateKey },
      ENTRY,
    );
    procs.push(client);
    const c = await client.started;
    for (;;) {
      const r = await api(c.api, `/debug/requests/${s.peerId}`, { protocol: "store", count: 1 }).catch(() => ({
        paid: 0,
      }));
      if (r.paid === 1) break;
      await settle(100);
    }
    await api(c.api, `/debug/requests/${s.peerId}`, { protocol: "store", count: 500, concurrency: 8 }); // warm-up
    for (const [via, concurrency] of [
      ["stream", 1],
      ["stream", 16],
      ["session", 1],
      ["session", 16],
    ] as const) {
      const r = await api(c.api, `/debug/requests/${s.peerId}`, {
        protocol: "store",
        count: REQUESTS,
        concurrency,
        via,
      });
      if (r.paid !== REQUESTS) throw new Error(`only ${r.paid} of ${REQUESTS} paid: ${r.lastError}`);
      const settlements = await api(c.api, `/settlements/${s.peerId}`);
      rows.push(
        `| paid requests between two daemons, ${via === "stream" ? "service stream" : "on the SWAP stream"}, concurrency ${concurrency} | ${(REQUESTS / (r.elapsedMs / 1000)).toFixed(0)} req/s | p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms | ${REQUESTS} requests, cheque every 1,000 requests (cumulative sent ${settlements.sent}) |`,
      );
      console.log(rows.at(-1));
    }
    await stopDaemon(client);
    procs.splice(procs.indexOf(client), 1);
    await settle(2_000);
    const idle = rssMiB(server.child.pid!);
    rows.push(`| daemon RSS, idle again after the traffic above (no peers) | ${idle} MiB | | |`);
    console.log(rows.at(-1));

    // 100 peers: libp2p hosts + SwapNodes in this process, each with a SWAP session to the daemon
    const log = pino({ level: "silent" });
    const peers: { host: P2PHost; node: SwapNode }[] = [];
    for (let i = 0; i < PEERS; i++) {
      const w = Wallet.createRandom();
      const node = new SwapNode({
        store: new MemoryStore(),
        chainId: 31337n,
        beneficiary: w.address,
        chequebook: Wallet.createRandom().address,
        signer: w.privateKey as Hex,
        issuer: w.address,
        policy: { mode: "mock", paymentThreshold: 1_000_000n, prices: { store: 1000n } },
        flushIntervalMs: 0,
      });
      const host = await P2PHost.create({
        privateKey: await generateKeyPair("Ed25519"),
        listen: [],
        bootstrap: [s.addresses[0]!],
        redialMs: 1_000,
        maxConnections: 10,
        node,
        log,
      });
      await host.start();
      peers.push({ host, node });
    }
    const t0 = Date.now();
    for (;;) {
      const n = (await api(s.api, "/peers")).peers.filter((p: { connected: boolean }) => p.connected).length;
      if (n >= PEERS) break;
      if (Date.now() - t0 > 120_000) throw new Error(`only ${n} of ${PEERS} peers connected`);
      await settle(250);
    }
    for (const p of peers) await p.node.sessions.get(s.peerId)?.request("store");
    await settle(2_000);
    rows.push(
      `| daemon RSS with ${PEERS} connected peers (SWAP session each, one paid request each) | ${rssMiB(server.child.pid!)} MiB | | connected in ${((Date.now() - t0) / 1000).toFixed(1)} s |`,
    );
    console.log(rows.at(-1));
    for (const p of peers) {
      p.node.close();
      await p.host.stop();
    }
  } finally {
    for (const p of procs) await stopDaemon(p);
  }
  console.log(`\ndaemons run ${ENTRY ? "from dist/ (built JS)" : "under tsx"}; Node ${process.version}`);
  console.log("\n| scenario | figure | latency | notes |\n|---|---|---|---|");
  for (const r of rows) console.log(r);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
