import { toSettlementError, ProviderError } from "../chain/errors.js";
import { RetriesExhaustedError } from "./errors.js";

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Retry `fn` with exponential back-off while it fails with a retryable `ProviderError`. */
export async function withRetry<T>(operation: string, fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 5;
  const sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (e) {
      const err = toSettlementError(e);
      if (!(err instanceof ProviderError) || !err.retryable) throw err;
      last = err;
      if (i < attempts - 1) await sleep(Math.min(opts.maxMs ?? 10_000, (opts.baseMs ?? 200) * 2 ** i));
    }
  }
  throw new RetriesExhaustedError(operation, attempts, last);
}
