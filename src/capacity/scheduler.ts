/**
 * Capacity-weighted fair queueing (self-clocked: a request's finish tag is
 * max(tier virtual time, the client's last tag) + cost / capacity), with strict precedence between
 * tiers: priority before standard before free. Flow control bounds what each paying client can put
 * in, so the precedence cannot starve free clients of the leftover; within a tier, backlogged
 * clients are served in proportion to their capacity.
 */
import { InvalidArgumentError } from "../errors.js";
import { QueueFullError } from "./errors.js";
import { heapPop, heapPush } from "./heap.js";

export interface Job<T> {
  client: string;
  tier: number;
  cost: number;
  item: T;
  finish: number;
  seq: number;
}

export class FairScheduler<T> {
  readonly #heaps: Array<Array<Job<T>>>;
  readonly #virtual: number[];
  readonly #lastTag = new Map<string, number>();
  readonly #queued = new Map<string, number>();
  #seq = 0;
  #size = 0;

  /** `maxQueuedPerClient` bounds memory per client (requests beyond it: `QueueFullError`). */
  constructor(
    tiers = 3,
    readonly maxQueuedPerClient = 1024,
  ) {
    if (!Number.isSafeInteger(tiers) || tiers < 1 || tiers > 16)
      throw new InvalidArgumentError("tiers", tiers, "1..16");
    this.#heaps = Array.from({ length: tiers }, () => []);
    this.#virtual = Array<number>(tiers).fill(0);
  }

  get size(): number {
    return this.#size;
  }

  queued(client: string): number {
    return this.#queued.get(client) ?? 0;
  }

  enqueue(client: string, tier: number, weight: number, cost: number, item: T): Job<T> {
    const q = this.#queued.get(client) ?? 0;
    if (q >= this.maxQueuedPerClient) throw new QueueFullError(client, this.maxQueuedPerClient);
    const key = `${tier}:${client}`;
    const start = Math.max(this.#virtual[tier]!, this.#lastTag.get(key) ?? 0);
    const finish = start + cost / Math.max(weight, 1e-9);
    this.#lastTag.set(key, finish);
    const job: Job<T> = { client, tier, cost, item, finish, seq: this.#seq++ };
    heapPush(this.#heaps[tier]!, job, less);
    this.#queued.set(client, q + 1);
    this.#size++;
    return job;
  }

  /** The next job to serve: the lowest non-empty tier, smallest finish tag. */
  dequeue(): Job<T> | undefined {
    for (let t = 0; t < this.#heaps.length; t++) {
      const h = this.#heaps[t]!;
      if (h.length === 0) continue;
      const job = heapPop(h, less)!;
      this.#virtual[t] = job.finish;
      const q = this.#queued.get(job.client)! - 1;
      if (q === 0) this.#queued.delete(job.client);
      else this.#queued.set(job.client, q);
      this.#size--;
      return job;
    }
    return undefined;
  }

  /** Forget a departed client's tags (its queued jobs stay and are served or dropped by the caller). */
  forget(client: string): void {
    for (let t = 0; t < this.#heaps.length; t++) this.#lastTag.delete(`${t}:${client}`);
  }
}

function less<T>(a: Job<T>, b: Job<T>): boolean {
  return a.finish < b.finish || (a.finish === b.finish && a.seq < b.seq);
}
