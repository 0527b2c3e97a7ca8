// npm run bench:accounting — off-chain throughput of the SWAP accounting, written into BENCHMARKS.md.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { Ledger } from "../src/accounting/ledger.js";
import { Accounting } from "../src/accounting/accounting.js";
import { resolvePolicy } from "../src/accounting/policy.js";
import { MemoryStore } from "../src/store/memory.js";
import { SqliteStore } from "../src/store/sqlite.js";
import type { Store } from "../src/store/types.js";
import { ChequeReceiver, type IncomingCheque } from "../src/swap/receiver.js";
import type { ChainFacts } from "../src/chain/facts.js";
import { LocalSigner } from "../src/crypto/signer.js";
import { signCheque } from "../src/cheque/index.js";
import type { Hex } from "../src/crypto/index.js";
import { fmt, machine, table, writeSection } from "./report.js";

const rows: string[][] = [];
const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);

// 1. reserve + apply, in memory
{
  const ledger = new Ledger(new MemoryStore());
  const acc = new Accounting(ledger, resolvePolicy({ mode: "mock", paymentThreshold: 1n << 200n }), {
    pay: async () => {},
  });
  acc.registerPeer("peer", { paymentThreshold: 1n << 200n, canPay: true, connectedAt: 0 });
  const N = 2_000_000;
  for (let i = 0; i < 100_000; i++) acc.prepareServe("peer", "store", 1).apply(); // warm-up
  const t = performance.now();
  for (let i = 0; i < N; i++) acc.prepareServe("peer", "store", 1).apply();
  const ms = performance.now() - t;
  rows.push([
    "reserve + apply (Accounting.prepareServe → apply), one core",
    `${fmt(perSec(N, ms))} /s`,
    "≥ 1,000,000 /s",
  ]);
}

// received cheques: signed ahead, validated in hard mode with the chain facts answered from a warm cache
const us = new LocalSigner(Wallet.createRandom().privateKey as Hex);
const chainId = 100n;
const issuers = Array.from({ length: 50 }, () => new LocalSigner(Wallet.createRandom().privateKey as Hex));
const books = issuers.map(() => Wallet.createRandom().address as Hex);
const cachedFacts: ChainFacts = {
  chainId,
  isKnownChequebook: async () => true,
  issuerOf: async (cb) => issuers[books.indexOf(cb as Hex)].address,
  hasCode: async () => false,
  isValidContractSignature: async () => false,
  liquidity: async () => ({ liquidBalanceFor: 1n << 128n, paidOut: 0n }),
  funds: async () => ({ balance: 0n, totalPaidOut: 0n }),
};
async function cheques(n: number): Promise<{ peer: string; c: IncomingCheque }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const k = i % books.length;
    const c = {
      chequebook: books[k],
      beneficiary: us.address,
      cumulativePayout: BigInt(1000 * (Math.floor(i / books.length) + 1)),
      chainId,
    };
    out.push({ peer: `p${k}`, c: { ...c, signature: await signCheque(c, chainId, issuers[k]) } });
  }
  return out;
}
async function receiveAll(store: Store, list: { peer: string; c: IncomingCheque }[]): Promise<number> {
  const receiver = new ChequeReceiver(store, new Ledger(store), {
    beneficiary: us.address,
    chainId,
    mode: "hard",
    minChequeValue: 1n,
    facts: cachedFacts,
  });
  const t = performance.now();
  for (const { peer, c } of list) await receiver.receive(peer, c);
  return performance.now() - t;
}
{
  const list = await cheques(20_000);
  const ms = await receiveAll(new MemoryStore(), list);
  rows.push([
    "received cheques validated + credited (hard mode, chain facts cached, memory store)",
    `${fmt(perSec(list.length, ms))} /s`,
    "≥ 5,000 /s",
  ]);
}
{
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  const list = await cheques(3_000);
  const store = new SqliteStore(join(dir, "bench.db"));
  const ms = await receiveAll(store, list);
  store.close();
  rmSync(dir, { recursive: true, force: true });
  rows.push([
    "received cheques stored durably, one at a time (SQLite WAL, synchronous=FULL: one fsync per cheque)",
    `${fmt(perSec(list.length, ms))} /s`,
    "–",
  ]);
}
{
  // many peers paying at once: the receiver's group commit stores a batch per fsync
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  const list = await cheques(6_000);
  const store = new SqliteStore(join(dir, "bench.db"));
  const receiver = new ChequeReceiver(store, new Ledger(store), {
    beneficiary: us.address,
    chainId,
    mode: "hard",
    minChequeValue: 1n,
    facts: cachedFacts,
  });
  const t = performance.now();
  const width = books.length; // one cheque per peer in flight, all peers at once
  for (let i = 0; i < list.length; i += width)
    await Promise.all(list.slice(i, i + width).map(({ peer, c }) => receiver.receive(peer, c)));
  const ms = performance.now() - t;
  store.close();
  rmSync(dir, { recursive: true, force: true });
  rows.push([
    `received cheques stored durably, ${books.length} peers at once (group commit: one fsync per batch)`,
    `${fmt(perSec(list.length, ms))} /s`,
    "–",
  ]);
}

// memory per tracked peer
{
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const ledger = new Ledger(new MemoryStore());
  const acc = new Accounting(ledger, resolvePolicy({ mode: "mock", paymentThreshold: 1000n }), { pay: async () => {} });
  const N = 100_000;
  for (let i = 0; i < N; i++) {
    const peer = `16Uiu2HAm${i.toString(36).padStart(43, "0")}`; // libp2p-length peer ids
    acc.registerPeer(peer, { paymentThreshold: 1000n, canPay: true, connectedAt: 0 });
    acc.prepareServe(peer, "store", 1).apply();
  }
  globalThis.gc?.();
  const bytes = (process.memoryUsage().heapUsed - before) / N;
  rows.push([
    `memory per tracked peer (${fmt(N)} peers: ledger record + reservations + policy state)`,
    `${fmt(Math.round(bytes))} B`,
    "–",
  ]);
  if (acc.ledger.peers().length !== N) throw new Error(`peer count ${acc.ledger.peers().length}`);
}

const out = table(["operation", "measured", "target"], rows);
console.log(out);
writeSection(
  "accounting",
  `## SWAP accounting throughput\n\nCommand: \`npm run bench:accounting\`. Machine: ${machine()}.\n\n${out}`,
);
