// Child process for the crash-safety tests: two mock-mode nodes, each with its own SQLite file,
// exchange metered traffic; at the N-th time the named point is reached the process SIGKILLs
// itself. `resume` reopens both databases, reconnects, lets the last cheque be re-sent, and
// prints the final state as JSON.
//   node --import tsx test-support/crash-child.ts <dir> run <point> <occurrence> <requests>
//   node --import tsx test-support/crash-child.ts <dir> resume
import { writeSync } from "node:fs";
import { join } from "node:path";
import { SqliteStore } from "../src/store/sqlite.js";
import { SwapNode } from "../src/swap/node.js";
import { memoryPair } from "../src/swap/transport.js";
import { LocalSigner } from "../src/crypto/signer.js";
import type { Hex } from "../src/crypto/index.js";

const [dir, mode, point, occurrence, requests] = process.argv.slice(2);
const clientKey = ("0x" + "c1".repeat(32)) as Hex;
const serverKey = ("0x" + "5e".repeat(32)) as Hex;
const CLIENT_BOOK = "0x" + "cb".repeat(20);
const SERVER_BOOK = "0x" + "5b".repeat(20);
let hits = 0;
const crashPoint = (p: string) => {
  if (mode === "run" && p === point && ++hits === Number(occurrence)) process.kill(process.pid, "SIGKILL");
};
const say = (line: string) => writeSync(1, line + "\n"); // synchronous: survives the kill that follows

function node(key: Hex, book: string, file: string) {
  const signer = new LocalSigner(key);
  return new SwapNode({
    store: new SqliteStore(join(dir, file)),
    policy: { mode: "mock", paymentThreshold: 50n },
    chainId: 31337n,
    beneficiary: signer.address,
    chequebook: book,
    signer,
    issuer: signer.address,
    mockFunds: () => ({ balance: 1_000_000n, totalPaidOut: 0n }),
    handlers: { store: (p) => Uint8Array.from(p) },
    flushIntervalMs: 0,
    crashPoint,
  });
}

const client = node(clientKey, CLIENT_BOOK, "client.db");
const server = node(serverKey, SERVER_BOOK, "server.db");
client.on("cheque-sent", (e) => say(`issued ${e.cumulativePayout}`));
server.on("cheque-received", (e) => say(`received ${e.cumulativePayout} credited ${e.credited}`));
const [a, b] = memoryPair();
const [session] = await Promise.all([client.connect(a, "server"), server.connect(b, "client")]);

if (mode === "run") {
  for (let i = 0; i < Number(requests); i++) await session.request("store", Uint8Array.from([i & 0xff]));
  await new Promise((r) => setTimeout(r, 50));
  say("done");
} else {
  await new Promise((r) => setTimeout(r, 200)); // the re-sent cheque lands and is acknowledged
  const issued = client.store.lastIssued(client.chequebook!, server.beneficiary);
  const received = server.store.lastReceived(client.chequebook!);
  say(
    JSON.stringify({
      issued: issued?.cumulativePayout.toString() ?? "0",
      received: received?.cumulativePayout.toString() ?? "0",
      serverBalance: server.ledger.balance("client").toString(),
      serverSurplus: server.ledger.get("client").surplus.toString(),
    }),
  );
}
client.close();
server.close();
process.exit(0);
