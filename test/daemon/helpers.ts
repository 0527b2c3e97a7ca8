import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { pino } from "pino";
import { parseConfig, type DaemonConfig } from "../../src/daemon/config.js";
import { Daemon } from "../../src/daemon/daemon.js";

export const quietLog = pino({ level: "silent" });

/** Wait until `cond` returns a truthy value (polled on a short interval), or fail after `ms`. */
export async function until<T>(what: string, cond: () => T | Promise<T>, ms = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function tempDir(prefix = "swap-node-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A mock-mode daemon config (no chain) with its own data dir, listening on loopback. */
export function mockConfig(doc: Record<string, unknown> = {}): DaemonConfig {
  const key = Wallet.createRandom();
  const chequebook = Wallet.createRandom().address;
  return parseConfig({
    dataDir: tempDir(),
    mode: "mock",
    chain: { chainId: 31337 },
    chequebook,
    key: { privateKey: key.privateKey, insecureAllowPlaintextKey: true },
    thresholds: { payment: "100" },
    prices: { store: "10" },
    api: { port: 0, debug: true },
    p2p: { redialMs: 200 },
    ...doc,
  });
}

export async function startMock(doc: Record<string, unknown> = {}): Promise<Daemon> {
  return Daemon.start(mockConfig(doc), { log: quietLog, env: {} });
}

export async function call(
  d: Daemon | string,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const base = typeof d === "string" ? d : d.apiUrl;
  const res = await fetch(base + path, {
    ...init,
    headers: {
      ...(init.json !== undefined ? { "content-type": "application/json" } : {}),
      ...(init.headers as Record<string, string>),
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON (metrics, html) */
  }
  return { status: res.status, body, headers: res.headers };
}
