import {
  ClientPool,
  MemoryCapacityStore,
  SimClock,
  type CapacityStore,
  type PoolConfig,
} from "../../src/capacity/index.js";

export function makePool(over: Partial<PoolConfig> & { store?: CapacityStore; clock?: SimClock } = {}) {
  const clock = over.clock ?? new SimClock();
  const store = over.store ?? new MemoryCapacityStore();
  const evicted: Array<{ id: string; reason: string }> = [];
  const pool = new ClientPool({
    totalCapacity: 1000,
    minCapacity: 10,
    price: { minPriceMicro: 1_000_000n },
    protectMs: 0,
    freeAllowance: 1e12,
    ...over,
    store,
    now: clock.now,
    onEvict: (e) => evicted.push({ id: e.client, reason: e.reason }),
  });
  return { pool, clock, store, evicted };
}

export const PAYER = { canPay: true, goodStanding: true };
export const FREE = { canPay: false, goodStanding: false };
