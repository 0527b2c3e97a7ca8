/**
 * Auto cash-out: runs the CashoutService on a schedule (resume pending transactions first, then
 * cash every cheque worth it under the policy). One run at a time; a run in progress is awaited on
 * shutdown. The history is the store's cash-out records (written by the service before each
 * broadcast), so it survives restarts and is what the API shows.
 */
import type { Logger } from "pino";
import type { CashoutService } from "../settlement/cashout.js";
import type { CashoutRecord } from "../store/types.js";

export interface CashoutRun {
  startedAt: number;
  finishedAt?: number;
  records: { id: string; status: string; chequebook: string }[];
  error?: string;
}

export class CashoutScheduler {
  #timer?: NodeJS.Timeout;
  #running?: Promise<CashoutRun>;
  #stopped = false;
  lastRun?: CashoutRun;

  constructor(
    readonly service: CashoutService,
    readonly opts: {
      intervalMs: number;
      log: Logger;
      now?: () => number;
      onRecord?: (r: CashoutRecord) => void;
      /** Serialises the run with other senders of the same key (default: runs as is). */
      exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
    },
  ) {}

  start(): void {
    this.#stopped = false;
    void this.runOnce();
    this.#timer = setInterval(() => void this.runOnce(), this.opts.intervalMs);
    this.#timer.unref();
  }

  /** Resume pending cash-outs, then cash out every candidate; concurrent callers share a run. */
  runOnce(): Promise<CashoutRun> {
    if (this.#running) return this.#running;
    const now = this.opts.now ?? Date.now;
    const run: CashoutRun = { startedAt: now(), records: [] };
    this.#running = (async () => {
      try {
        const exclusive = this.opts.exclusive ?? ((fn) => fn());
        const done = await exclusive(async () => [
          ...(await this.service.resume()),
          ...(this.#stopped ? [] : await this.service.cashOutAll()),
        ]);
        for (const r of done) {
          run.records.push({ id: r.id, status: r.status, chequebook: r.chequebook });
          this.opts.onRecord?.(r);
        }
        if (done.length) this.opts.log.info({ records: run.records }, "cash-out run");
      } catch (e) {
        run.error = (e as Error).message.split("\n")[0];
        this.opts.log.warn({ err: run.error }, "cash-out run failed");
      } finally {
        run.finishedAt = now();
        this.lastRun = run;
        this.#running = undefined;
      }
      return run;
    })();
    return this.#running;
  }

  /** Stop scheduling; wait for a run in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }
}
