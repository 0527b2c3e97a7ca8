import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalSigner } from "../../src/crypto/signer.js";
import { MemoryStore } from "../../src/store/memory.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { SimClock } from "../../src/capacity/index.js";
import {
  createPaidFetch,
  openGateway,
  SwapPayer,
  type Gateway,
  type OpenGatewayOptions,
} from "../../src/gateway/index.js";

export const KEYS = {
  server: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  client: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  other: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
} as const;
export const CHAIN_ID = 31337n;
export const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
export const FACTORY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
export const CHEQUEBOOK = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";

/** A JSON-RPC upstream on loopback: answers every call with its method name and counts calls. */
export async function upstream(): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      calls++;
      let out: unknown;
      try {
        const msg = JSON.parse(body || "{}") as
          { id?: unknown; method?: string } | Array<{ id?: unknown; method?: string }>;
        const one = (m: { id?: unknown; method?: string }) => ({
          jsonrpc: "2.0",
          id: m.id ?? null,
          result: m.method === "eth_chainId" ? "0x7a69" : m.method === "eth_blockNumber" ? "0x2a" : (m.method ?? "ok"),
        });
        out = Array.isArray(msg) ? msg.map(one) : one(msg);
      } catch {
        out = { jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } };
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls: () => calls,
    close: () =>
      new Promise<void>((r) => {
        if (!server.listening) return r();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface Harness {
  gw: Gateway;
  url: string;
  clock: SimClock;
  dir: string;
  store: SqliteStore;
  up: Awaited<ReturnType<typeof upstream>>;
  server: LocalSigner;
  client: LocalSigner;
  close(): Promise<void>;
}

export async function harness(over: Partial<OpenGatewayOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "gateway-"));
  const up = await upstream();
  const clock = new SimClock();
  const server = new LocalSigner(KEYS.server);
  const client = new LocalSigner(KEYS.client);
  const store = new SqliteStore(join(dir, "gateway.db"));
  const gw = openGateway({
    upstream: up.url,
    store,
    chainId: CHAIN_ID,
    beneficiary: server.address,
    token: TOKEN,
    chequebookFactory: FACTORY,
    policy: { mode: "mock", paymentThreshold: 100n, tolerancePercent: 50n },
    pricePerCostUnit: 1n,
    capacity: {
      totalCapacity: 1000,
      minCapacity: 10,
      price: { minPriceMicro: 1_000_000n },
      protectMs: 0,
      freeAllowance: 50,
      usageHalfLifeMs: 60_000,
      flushIntervalMs: 0,
    },
    costs: { default: 1, methods: { eth_getLogs: 16 } },
    now: clock.now,
    ...over,
  });
  const url = await gw.listen();
  return {
    gw,
    url,
    clock,
    dir,
    store,
    up,
    server,
    client,
    async close() {
      await gw.close();
      store.close();
      await up.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function payingFetch(h: Harness, key: string = KEYS.client, chequebook = CHEQUEBOOK) {
  const signer = new LocalSigner(key as `0x${string}`);
  const payer = new SwapPayer(new MemoryStore(), {
    chequebook,
    chainId: CHAIN_ID,
    signer,
    funds: async () => ({ balance: 10n ** 18n, totalPaidOut: 0n }),
  });
  return createPaidFetch({
    gateway: h.url,
    chequebook,
    issuer: signer.address,
    signer,
    chainId: CHAIN_ID,
    payer,
    now: h.clock.now,
    sleep: async (ms) => void (h.clock.t += ms),
  });
}

export const rpc = (method: string, id = 1) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ jsonrpc: "2.0", id, method, params: [] }),
});
