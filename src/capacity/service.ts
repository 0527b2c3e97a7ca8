/**
 * The per-request path: classify (pool) → flow control → fair queue → run with bounded concurrency
 * → charge usage. Refusals are typed and leave nothing behind: a stopped, over-allowance or
 * queue-full request is neither served nor charged.
 */
import { FlowControl } from "./flow.js";
import type { ClientPool, ClientView } from "./pool.js";
import { TIER } from "./priority.js";
import { FairScheduler, type Job } from "./scheduler.js";
import { InvalidArgumentError } from "../errors.js";

export interface Admission {
  view: ClientView;
  /** Buffer left after this request, and the client's flow parameters. */
  buffer: number;
  bufferLimit: number;
  rechargeRate: number;
}

interface Pending {
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  enqueuedAt: number;
  startedAt: number;
}

export interface ServedResult<R> {
  result: R;
  admission: Admission;
  /** Time spent waiting in the queue (ms, on the injected clock). */
  waitedMs: number;
}

export class CapacityService {
  readonly scheduler: FairScheduler<Pending>;
  #inFlight = 0;

  constructor(
    readonly pool: ClientPool,
    readonly flow: FlowControl,
    readonly now: () => number,
    /** Requests run concurrently against the upstream (the server's serving slots). */
    readonly maxInFlight = 8,
    maxQueuedPerClient = 256,
  ) {
    if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 1)
      throw new InvalidArgumentError("maxInFlight", maxInFlight, "a positive integer");
    this.scheduler = new FairScheduler<Pending>(3, maxQueuedPerClient);
    pool.onLeave((id) => {
      this.flow.forget(id);
      this.scheduler.forget(id);
    });
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Synchronous admission (also what the benchmark measures): classify, take the buffer, enqueue. */
  admit<T>(client: string, cost: number, item: T, scheduler: FairScheduler<T>): { admission: Admission; job: Job<T> } {
    const view = this.pool.classify(client);
    const now = this.now();
    const buffer = this.flow.take(client, cost, view.capacity, now);
    let job: Job<T>;
    try {
      job = scheduler.enqueue(client, TIER[view.cls], view.capacity, cost, item);
    } catch (e) {
      this.flow.refund(client, cost);
      throw e;
    }
    const { bufferLimit, rechargeRate } = this.flow.params(view.capacity);
    return { admission: { view, buffer, bufferLimit, rechargeRate }, job };
  }

  /** Admit, wait for a serving slot in fair-queue order, run, charge the usage. */
  run<R>(client: string, cost: number, fn: () => Promise<R>): Promise<ServedResult<R>> {
    return new Promise<ServedResult<R>>((resolve, reject) => {
      const pending: Pending = { run: fn, enqueuedAt: this.now(), startedAt: 0, resolve: () => undefined, reject };
      let admission: Admission;
      try {
        admission = this.admit(client, cost, pending, this.scheduler).admission;
      } catch (e) {
        reject(e);
        return;
      }
      pending.resolve = (v) => resolve({ result: v as R, admission, waitedMs: pending.startedAt - pending.enqueuedAt });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.maxInFlight) {
      const job = this.scheduler.dequeue();
      if (!job) return;
      this.#inFlight++;
      const p = job.item;
      p.startedAt = this.now();
      Promise.resolve()
        .then(() => p.run())
        .then((v) => {
          this.pool.charge(job.client, job.cost);
          p.resolve(v);
        }, p.reject)
        .finally(() => {
          this.#inFlight--;
          this.#pump();
        });
    }
  }
}
