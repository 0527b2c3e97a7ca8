// Child process for the convergence property: a payer and a server, each with its own SQLite
// file in <dir>, exchange metered requests with random connection drops until the parent
// SIGKILLs the process at a random moment. The parent then reopens both databases (`pair`
// below) and checks that the next settlement brings the views together.
//   node --import tsx test-support/converge-child.ts <dir> <seed>
import { join } from "node:path";
import { writeSync } from "node:fs";
import { SqliteStore } from "../src/store/sqlite.js";
import { SwapNode } from "../src/swap/node.js";
import { memoryPair } from "../src/swap/transport.js";
import { LocalSigner } from "../src/crypto/signer.js";
import type { Hex } from "../src/crypto/index.js";

export const PAYER_KEY = ("0x" + "a1".repeat(32)) as Hex;
export const SERVER_KEY = ("0x" + "b2".repeat(32)) as Hex;
export const PAYER_BOOK = "0x" + "ab".repeat(20);
export const SERVER_BOOK = "0x" + "ba".repeat(20);

export function pairNode(dir: string, who: "payer" | "server", extra: { now?: () => number } = {}): SwapNode {
  const signer = new LocalSigner(who === "payer" ? PAYER_KEY : SERVER_KEY);
  return new SwapNode({
    store: new SqliteStore(join(dir, `${who}.db`)),
    policy: { mode: "mock", paymentThreshold: 50n, maxEmbargoMs: 1_000 },
    chainId: 31337n,
    beneficiary: signer.address,
    chequebook: who === "payer" ? PAYER_BOOK : SERVER_BOOK,
    signer,
    issuer: signer.address,
    mockFunds: () => ({ balance: 10n ** 24n, totalPaidOut: 0n }),
    handlers: { store: (p) => Uint8Array.from(p) },
    flushIntervalMs: 7, // write-behind: a kill loses what was metered since the last flush
    ...extra,
  });
}

export async function link(payer: SwapNode, server: SwapNode) {
  const [a, b] = memoryPair();
  const [toServer] = await Promise.all([payer.connect(a, "server"), server.connect(b, "payer")]);
  return toServer;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const [dir, seedArg] = process.argv.slice(2);
  let seed = Number(seedArg) >>> 0 || 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const payer = pairNode(dir, "payer");
  const server = pairNode(dir, "server");
  writeSync(1, "ready\n");
  for (;;) {
    let s;
    try {
      s = await link(payer, server);
    } catch {
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    const n = 1 + Math.floor(rand() * 40);
    const inFlight = [];
    for (let i = 0; i < n; i++) {
      const p = s.request("store", Uint8Array.from([i & 0xff]));
      if (rand() < 0.3) inFlight.push(p.catch(() => undefined));
      else await p.catch(() => undefined);
    }
    if (rand() < 0.5) s.close("drop"); // reset with requests in flight
    await Promise.all(inFlight);
    s.close("drop");
    await new Promise((r) => setTimeout(r, 1));
  }
}
