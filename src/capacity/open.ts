/**
 * The production construction: a pool on a SQLite capacity store, with the documented defaults.
 * Tested as such (test/capacity/production.test.ts), so that a default — the decay of free-usage
 * debt above all — cannot silently disappear in a refactor.
 */
import { FlowControl } from "./flow.js";
import { ClientPool, type PoolConfig } from "./pool.js";
import { CapacityService } from "./service.js";
import { SqliteCapacityStore, type SqliteHandle } from "./sqlite.js";

export interface CapacityOptions extends Omit<PoolConfig, "store" | "now"> {
  /** A database path, or the SWAP store's open database (so credit moves commit with the ledger). */
  db: string | SqliteHandle;
  now?: () => number;
  /** Flow-control buffer, seconds of capacity. Default 2. */
  bufferSeconds?: number;
  /** Concurrent requests to the upstream. Default 8. */
  maxInFlight?: number;
  /** Write-behind interval for usage debts and credit checkpoints (ms). Default 1,000; 0 = no timer. */
  flushIntervalMs?: number;
}

export interface CapacityStack {
  pool: ClientPool;
  service: CapacityService;
  store: SqliteCapacityStore;
  /** Flush and stop the timer; closes the database if the stack opened it. */
  close(): void;
}

export const DEFAULT_USAGE_HALF_LIFE_MS = 3_600_000;

export function openCapacity(o: CapacityOptions): CapacityStack {
  const now = o.now ?? Date.now;
  const store = new SqliteCapacityStore(o.db);
  const pool = new ClientPool({ ...o, usageHalfLifeMs: o.usageHalfLifeMs ?? DEFAULT_USAGE_HALF_LIFE_MS, store, now });
  const service = new CapacityService(pool, new FlowControl(o.bufferSeconds ?? 2), now, o.maxInFlight ?? 8);
  const interval = o.flushIntervalMs ?? 1000;
  const timer =
    interval > 0
      ? setInterval(() => {
          pool.tick();
          pool.flush();
        }, interval)
      : undefined;
  timer?.unref();
  let closed = false;
  return {
    pool,
    service,
    store,
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      pool.flush();
      store.close();
    },
  };
}
