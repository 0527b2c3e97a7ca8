// A SWAP node in its own process, listening on a loopback TCP port, for the hostile-peer suite and
// the end-to-end benchmark. Each connection starts with a one-line preamble `ID <peer id>\n` (the
// stand-in for the peer identity a libp2p/noise handshake would give), then SWAP frames.
//   node --import tsx test-support/hostile-node.ts <dir> [json options]
// Prints `port <n>` once listening. Reads commands on stdin, answers one JSON line each:
//   stats   → sessions, resident ledger entries, heap, counters
//   check   → flushes, then compares the ledger with the store (consistency)
//   exit    → closes everything and exits 0
import { createServer, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { SqliteStore } from "../src/store/sqlite.js";
import { SwapNode } from "../src/swap/node.js";
import { socketDuplex } from "../src/swap/transport.js";
import { LocalSigner } from "../src/crypto/signer.js";
import type { Hex } from "../src/crypto/index.js";

const [dir, optsJson] = process.argv.slice(2);
const opts = JSON.parse(optsJson ?? "{}") as {
  key?: Hex;
  chequebook?: string;
  threshold?: string;
  idleTimeoutMs?: number;
  maxPendingHandshakes?: number;
  maxConnections?: number;
  flushIntervalMs?: number;
  slowMs?: number;
};
const signer = new LocalSigner(opts.key ?? (("0x" + "5e".repeat(32)) as Hex));
const store = new SqliteStore(join(dir, "node.db"));
const counters: Record<string, number> = {};
const count = (k: string) => (counters[k] = (counters[k] ?? 0) + 1);

const node = new SwapNode({
  store,
  policy: {
    mode: "mock",
    paymentThreshold: BigInt(opts.threshold ?? "100"),
    prices: { store: 1n, sized: 2n, ping: 0n },
  },
  chainId: 31337n,
  beneficiary: signer.address,
  chequebook: opts.chequebook ?? "0x" + "5b".repeat(20),
  signer,
  issuer: signer.address,
  mockFunds: () => ({ balance: 10n ** 30n, totalPaidOut: 0n }),
  handlers: {
    store: (p) => Uint8Array.from(p),
    ping: (p) => Uint8Array.from(p), // free (price 0): load without debt
    // variable size: serves as many units as the payload asks (first byte), whatever the hint said
    sized: (p) => ({ payload: new Uint8Array(p[0] ?? 1), units: p[0] ?? 1 }),
    slow: () => new Promise((r) => setTimeout(() => r(new Uint8Array(0)), opts.slowMs ?? 200)),
  },
  flushIntervalMs: opts.flushIntervalMs ?? 200,
  limits: { idleTimeoutMs: opts.idleTimeoutMs ?? 1_500, timeoutMs: 2_000, badFrameEmbargoMs: 60_000 },
  maxPendingHandshakes: opts.maxPendingHandshakes ?? 64,
  maxConnections: opts.maxConnections ?? 512,
});
for (const e of [
  "frame-error",
  "refused",
  "disconnected",
  "cheque-received",
  "cheque-rejected",
  "connection-refused",
  "store-unavailable",
  "balance-synced",
] as const) {
  node.on(e, () => count(e));
}

const sockets = new Set<Socket>();
/** The last session of each peer id (for the inbox high-water mark, also after it closed). */
const peaks = new Map<string, import("../src/swap/session.js").PeerSession>();
const server = createServer((sock) => {
  sockets.add(sock);
  sock.on("close", () => sockets.delete(sock));
  sock.on("error", () => undefined);
  sock.setNoDelay(true);
  // preamble: at most 80 bytes, within 2 s, else the connection is dropped
  let pre = Buffer.alloc(0);
  const timer = setTimeout(() => sock.destroy(), 2_000);
  const onData = (b: Buffer) => {
    pre = Buffer.concat([pre, b]);
    const nl = pre.indexOf(10);
    if (nl < 0) {
      if (pre.length > 80) sock.destroy();
      return;
    }
    clearTimeout(timer);
    sock.off("data", onData);
    sock.pause();
    const line = pre.subarray(0, nl).toString("utf8");
    const rest = pre.subarray(nl + 1);
    if (!line.startsWith("ID ") || line.length > 70) return void sock.destroy();
    const duplex = socketDuplex(sock);
    if (rest.length) sock.unshift(rest);
    sock.resume();
    node.connect(duplex, line.slice(3)).then(
      (s) => peaks.set(line.slice(3), s),
      () => count("connect-failed"),
    );
  };
  sock.on("data", onData);
});
server.maxConnections = 4_096;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`port ${(server.address() as { port: number }).port}\n`);
});

const rl = createInterface({ input: process.stdin });
rl.on("line", (cmd) => {
  if (cmd === "stats") {
    const m = process.memoryUsage();
    const backlog = [...node.sessions.values()].reduce((a, s) => a + s.backlog.frames, 0);
    const backlogBytes = [...node.sessions.values()].reduce((a, s) => a + s.backlog.bytes, 0);
    const serving = [...node.sessions.values()].reduce((a, s) => a + s.backlog.serving, 0);
    const socketBuffers = [...sockets].reduce((a, s) => a + s.writableLength + s.readableLength, 0);
    process.stdout.write(
      JSON.stringify({
        sessions: node.sessions.size,
        sockets: sockets.size,
        resident: node.ledger.resident,
        heapUsed: m.heapUsed,
        external: m.external,
        rss: m.rss,
        backlog,
        backlogBytes,
        serving,
        socketBuffers,
        storeOk: node.storeAvailable,
        counters,
      }) + "\n",
    );
  } else if (cmd.startsWith("gc")) {
    void (async () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      await new Promise((r) => setImmediate(r));
      gc?.();
      const m = process.memoryUsage();
      // heap plus Buffers (external): what the node holds, wherever V8 keeps it
      process.stdout.write(JSON.stringify({ heapUsed: m.heapUsed + m.external }) + "\n");
    })();
    return;
  } else if (cmd === "unused") {
    const m = process.memoryUsage();
    // heap plus Buffers (external): what the node holds, wherever V8 keeps it
    process.stdout.write(JSON.stringify({ heapUsed: m.heapUsed + m.external }) + "\n");
  } else if (cmd.startsWith("peak ")) {
    process.stdout.write(JSON.stringify({ peakFrames: peaks.get(cmd.slice(5))?.backlog.peakFrames ?? -1 }) + "\n");
  } else if (cmd.startsWith("peer ")) {
    const r = node.ledger.get(cmd.slice(5));
    process.stdout.write(
      JSON.stringify({
        balance: r.balance.toString(),
        surplus: r.surplus.toString(),
        embargoUntil: r.embargoUntil,
        now: Date.now(),
      }) + "\n",
    );
  } else if (cmd === "check") {
    node.flush();
    const problems: string[] = [];
    for (const r of store.listPeers()) {
      const live = node.ledger.get(r.peer);
      if (live.balance !== r.balance || live.surplus !== r.surplus)
        problems.push(`${r.peer}: ledger ${live.balance}/${live.surplus} store ${r.balance}/${r.surplus}`);
    }
    for (const c of store.listReceived()) {
      const p = store.getPeer(c.peer);
      if (!p || p.chequebook !== c.chequebook) problems.push(`received cheque of ${c.peer} without its peer record`);
    }
    process.stdout.write(JSON.stringify({ ok: problems.length === 0, problems }) + "\n");
  } else if (cmd === "exit") {
    rl.close();
    node.close();
    for (const s of sockets) s.destroy();
    server.close();
    store.close();
    process.exit(0);
  }
});
