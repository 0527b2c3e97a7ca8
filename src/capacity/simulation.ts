/**
 * A deterministic discrete-event simulation of one server in front of a `ClientPool`: simulated
 * time (no sleeps), a seeded random source, the real pool, flow control and fair queue — or a FIFO
 * queue for the control run. The behaviour tests and `npm run bench:capacity` use it.
 */
import { FlowStoppedError, FreeAllowanceExceededError, QueueFullError } from "./errors.js";
import { FlowControl } from "./flow.js";
import type { ClientPool } from "./pool.js";
import { TIER, type CapacityClass } from "./priority.js";
import { FairScheduler } from "./scheduler.js";
import { heapPop, heapPush } from "./heap.js";

export class SimClock {
  t = 1_700_000_000_000;
  readonly now = (): number => this.t;
}

export interface SimClient {
  id: string;
  /** Cost of each request (cost units). */
  cost: number;
  /** backlog: keeps `depth` requests outstanding; poisson: `ratePerSec` requests per second. */
  load: { kind: "backlog"; depth: number } | { kind: "poisson"; ratePerSec: number };
}

export interface SimClientResult {
  id: string;
  cls: CapacityClass;
  capacity: number;
  offered: number;
  served: number;
  servedCost: number;
  refused: number;
  latenciesMs: number[];
}

export interface SimResult {
  clients: Map<string, SimClientResult>;
  durationMs: number;
  servedCost: number;
  /** Mean service time of a request (ms). */
  meanServiceMs: number;
}

export interface SimOptions {
  pool: ClientPool;
  clock: SimClock;
  clients: SimClient[];
  durationMs: number;
  discipline: "fair" | "fifo";
  seed: number;
  /** Flow-control buffer in seconds of capacity. Default 2. */
  bufferSeconds?: number;
}

interface Req {
  client: string;
  cost: number;
  at: number;
}

export function simulate(o: SimOptions): SimResult {
  const { pool, clock } = o;
  const rand = mulberry32(o.seed);
  const flow = new FlowControl(o.bufferSeconds ?? 2);
  const fair = new FairScheduler<Req>(3, 1 << 20);
  const fifo: Req[] = [];
  let fifoHead = 0;
  const rate = pool.totalCapacity; // cost units per second
  const end = clock.t + o.durationMs;
  const events: Array<{ t: number; seq: number; fn: () => void }> = [];
  let seq = 0;
  const at = (t: number, fn: () => void) => heapPush(events, { t, seq: seq++, fn }, evLess);
  const results = new Map<string, SimClientResult>();
  const spec = new Map(o.clients.map((c) => [c.id, c]));
  let busy = false;
  let servedCost = 0;
  let services = 0;
  let serviceMsTotal = 0;

  for (const c of o.clients) {
    const v = pool.view(c.id);
    results.set(c.id, {
      id: c.id,
      cls: v.cls,
      capacity: v.capacity,
      offered: 0,
      served: 0,
      servedCost: 0,
      refused: 0,
      latenciesMs: [],
    });
  }

  const dispatch = () => {
    if (busy) return;
    const job = o.discipline === "fair" ? fair.dequeue()?.item : fifoHead < fifo.length ? fifo[fifoHead++] : undefined;
    if (!job) return;
    busy = true;
    const ms = (job.cost / rate) * 1000;
    services++;
    serviceMsTotal += ms;
    at(clock.t + ms, () => {
      busy = false;
      const r = results.get(job.client)!;
      if (clock.t <= end) {
        r.served++;
        r.servedCost += job.cost;
        servedCost += job.cost;
        r.latenciesMs.push(clock.t - job.at);
      }
      pool.charge(job.client, job.cost);
      const s = spec.get(job.client)!;
      if (s.load.kind === "backlog") send(s);
      dispatch();
    });
  };

  /** Offer one request; a refused one is dropped (Poisson) or retried when told (backlogged). */
  const send = (s: SimClient) => {
    const r = results.get(s.id)!;
    r.offered++;
    try {
      const v = pool.classify(s.id);
      flow.take(s.id, s.cost, v.capacity, clock.t);
      const req = { client: s.id, cost: s.cost, at: clock.t };
      if (o.discipline === "fair") fair.enqueue(s.id, TIER[v.cls], v.capacity, s.cost, req);
      else fifo.push(req);
      dispatch();
    } catch (e) {
      r.refused++;
      if (s.load.kind !== "backlog") return;
      const wait =
        e instanceof FlowStoppedError
          ? e.resumeAfterMs
          : e instanceof FreeAllowanceExceededError
            ? e.retryAfterMs
            : e instanceof QueueFullError
              ? 10
              : undefined;
      if (wait !== undefined) at(clock.t + Math.max(wait, 0.001), () => send(s));
    }
  };

  for (const s of o.clients) {
    if (s.load.kind === "backlog") {
      const depth = s.load.depth;
      at(clock.t + rand() * 0.001, () => {
        for (let i = 0; i < depth; i++) send(s);
      });
    } else {
      const lambda = s.load.ratePerSec;
      const arrive = () => {
        if (clock.t > end) return;
        send(s);
        at(clock.t + (-Math.log(1 - rand()) / lambda) * 1000, arrive);
      };
      at(clock.t + (-Math.log(1 - rand()) / lambda) * 1000, arrive);
    }
  }

  while (events.length > 0) {
    const e = heapPop(events, evLess)!;
    if (e.t > end) {
      clock.t = end;
      break;
    }
    clock.t = e.t;
    e.fn();
  }
  return {
    clients: results,
    durationMs: o.durationMs,
    servedCost,
    meanServiceMs: services ? serviceMsTotal / services : 0,
  };
}

/** p-quantile (0..1) of `xs` (nearest rank). */
export function quantile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

/** Jain's fairness index of `xs`: 1 when all equal, 1/n when one takes everything. */
export function jainIndex(xs: number[]): number {
  const sum = xs.reduce((a, b) => a + b, 0);
  const sq = xs.reduce((a, b) => a + b * b, 0);
  return sq === 0 ? 1 : (sum * sum) / (xs.length * sq);
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Ev = { t: number; seq: number; fn: () => void };
const evLess = (a: Ev, b: Ev) => a.t < b.t || (a.t === b.t && a.seq < b.seq);
