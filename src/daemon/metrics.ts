/**
 * Prometheus metrics (prom-client) for one daemon: fed by the SwapNode's events, the service
 * handlers, the cash-out scheduler and a timing wrapper around the store. Label values come from a
 * bounded set (reason strings are cut to a short prefix; per-peer gauges are capped), so a hostile
 * peer cannot grow the registry.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { SwapNode } from "../swap/node.js";
import type { Store } from "../store/types.js";

const MAX_PEER_SERIES = 1_000;

export class DaemonMetrics {
  readonly registry = new Registry();
  readonly chequesSent = new Counter({
    name: "swap_cheques_sent_total",
    help: "Cheques issued to peers",
    registers: [this.registry],
  });
  readonly chequesSentAmount = new Counter({
    name: "swap_cheques_sent_amount_total",
    help: "Sum of issued cheque increases (token base units; float, may round)",
    registers: [this.registry],
  });
  readonly chequesReceived = new Counter({
    name: "swap_cheques_received_total",
    help: "Cheques received and accepted (duplicates excluded)",
    registers: [this.registry],
  });
  readonly chequesReceivedAmount = new Counter({
    name: "swap_cheques_received_amount_total",
    help: "Sum of credited cheque increases (token base units; float, may round)",
    registers: [this.registry],
  });
  readonly chequesRejected = new Counter({
    name: "swap_cheques_rejected_total",
    help: "Cheques rejected, by error",
    labelNames: ["error"],
    registers: [this.registry],
  });
  readonly cashouts = new Counter({
    name: "swap_cashouts_total",
    help: "Cash-out attempts by outcome",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  readonly refusals = new Counter({
    name: "swap_refusals_total",
    help: "Requests we refused, by reason",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly disconnects = new Counter({
    name: "swap_disconnects_total",
    help: "Disconnects for debt (either side), by reason",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly served = new Counter({
    name: "swap_requests_served_total",
    help: "Requests served, by protocol and service class",
    labelNames: ["protocol", "class"],
    registers: [this.registry],
  });
  readonly consumed = new Counter({
    name: "swap_requests_consumed_total",
    help: "Requests made to peers, by protocol and outcome",
    labelNames: ["protocol", "class"],
    registers: [this.registry],
  });
  readonly storeLatency = new Histogram({
    name: "swap_store_operation_seconds",
    help: "Store call latency by operation",
    labelNames: ["op"],
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
    registers: [this.registry],
  });
  readonly sessions = new Gauge({ name: "swap_sessions", help: "Open SWAP sessions", registers: [this.registry] });
  readonly balance = new Gauge({
    name: "swap_peer_balance",
    help: "Balance per peer (> 0: the peer owes us; float, may round)",
    labelNames: ["peer"],
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Follow a node's events and read its balances at every scrape. */
  observe(node: SwapNode): void {
    node.on("cheque-sent", (e) => {
      this.chequesSent.inc();
      this.chequesSentAmount.inc(Number(e.amount));
    });
    node.on("cheque-received", (e) => {
      if (e.duplicate) return;
      this.chequesReceived.inc();
      this.chequesReceivedAmount.inc(Number(e.credited));
    });
    node.on("cheque-rejected", (e) => this.chequesRejected.inc({ error: label(e.error.name) }));
    node.on("refused", (e) => {
      this.refusals.inc({ reason: label(e.reason) });
      this.served.inc({ protocol: label(e.protocol), class: "refused" });
    });
    node.on("disconnected", (e) => this.disconnects.inc({ reason: label(e.reason) }));
    const balance = this.balance;
    const sessions = this.sessions;
    // prom-client calls `collect` on scrape; rebuild the gauges from the ledger then
    (balance as unknown as { collect: () => void }).collect = () => {
      balance.reset();
      for (const peer of node.ledger.peers().slice(0, MAX_PEER_SERIES))
        balance.set({ peer }, Number(node.ledger.balance(peer)));
    };
    (sessions as unknown as { collect: () => void }).collect = () => sessions.set(node.sessions.size);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A label value from a bounded alphabet and length. */
function label(s: string): string {
  return s.replace(/[^a-zA-Z0-9 _:.-]/g, "").slice(0, 48) || "unknown";
}

/** The store with every call timed into `histogram` (the Store interface is synchronous). */
export function timedStore(store: Store, histogram: Histogram<"op">): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function" || prop === "transaction") return typeof v === "function" ? v.bind(target) : v;
      return (...args: unknown[]) => {
        const end = histogram.startTimer({ op: String(prop) });
        try {
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        } finally {
          end();
        }
      };
    },
  });
}
