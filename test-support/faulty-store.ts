// A store fault injector: wraps a Store and, while `failing` is set, makes every write throw the
// typed StoreUnavailableError a full disk or read-only file would (reads keep working).
import { StoreUnavailableError } from "../src/store/errors.js";
import type { Store } from "../src/store/types.js";

const WRITES = new Set(["transaction", "putPeer", "putIssued", "putReceived", "putCashout"]);

export type FaultyStore = Store & { failing?: string; writes: number };

export function faultyStore(inner: Store): FaultyStore {
  const state = { failing: undefined as string | undefined, writes: 0 };
  return new Proxy(inner as FaultyStore, {
    get(target, prop) {
      if (prop === "failing") return state.failing;
      if (prop === "writes") return state.writes;
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== "function") return v;
      if (typeof prop === "string" && WRITES.has(prop)) {
        return (...args: unknown[]) => {
          if (state.failing) throw new StoreUnavailableError(state.failing);
          state.writes++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (v as (...a: unknown[]) => unknown).bind(target);
    },
    set(_t, prop, value) {
      if (prop === "failing") {
        state.failing = value as string | undefined;
        return true;
      }
      return false;
    },
  });
}
