/**
 * The production construction of a gateway: one SQLite database for the SWAP store and the
 * capacity tables (so moving a cheque's surplus into capacity credit is one transaction), the
 * SWAP settlement, the capacity stack and the HTTP server.
 */
import type { FastifyInstance } from "fastify";
import { openCapacity, type CapacityOptions, type CapacityStack } from "../capacity/open.js";
import type { ChainFacts } from "../chain/facts.js";
import { DEFAULT_COSTS, type CostTable } from "./costs.js";
import { createGateway, type GatewayConfig } from "./server.js";
import { SwapSettlement, type Store, type SwapSettlementConfig } from "./swap-adapter.js";

export interface OpenGatewayOptions {
  upstream: string;
  store: Store;
  chainId: bigint;
  beneficiary: string;
  token: string;
  chequebookFactory: string;
  policy: SwapSettlementConfig["policy"];
  pricePerCostUnit: bigint;
  capacity: Omit<CapacityOptions, "db" | "now">;
  costs?: CostTable;
  facts?: ChainFacts;
  now?: () => number;
  allowVolatileStore?: boolean;
  /** Capacity tables' database when the store is not SQLite (tests). Default: the store's own database. */
  capacityDb?: string;
  gateway?: Partial<
    Pick<GatewayConfig, "maxSessionMs" | "bodyLimit" | "upstreamTimeoutMs" | "minHoldSeconds" | "logger">
  >;
}

export interface Gateway {
  app: FastifyInstance;
  settlement: SwapSettlement;
  capacity: CapacityStack;
  now: () => number;
  /** Listen on 127.0.0.1 (port 0 = any free one); returns the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stop the server, flush balances and capacity state, stop timers. The SWAP store stays open. */
  close(): Promise<void>;
}

export function openGateway(o: OpenGatewayOptions): Gateway {
  const now = o.now ?? Date.now;
  const settlement = new SwapSettlement({
    store: o.store,
    policy: o.policy,
    pricePerCostUnit: o.pricePerCostUnit,
    chainId: o.chainId,
    beneficiary: o.beneficiary,
    facts: o.facts,
    now,
    allowVolatileStore: o.allowVolatileStore,
  });
  const db = settlement.database ?? o.capacityDb ?? ":memory:";
  const capacity = openCapacity({ ...o.capacity, db, now });
  const app = createGateway({
    upstream: o.upstream,
    settlement,
    capacity,
    costs: o.costs ?? DEFAULT_COSTS,
    chainId: o.chainId,
    token: o.token,
    chequebookFactory: o.chequebookFactory,
    now,
    ...o.gateway,
  });
  const flush = setInterval(() => settlement.flush(), 1000);
  flush.unref();
  return {
    app,
    settlement,
    capacity,
    now,
    async listen(port = 0, host = "127.0.0.1") {
      return app.listen({ port, host });
    },
    async close() {
      clearInterval(flush);
      await app.close();
      settlement.flush();
      capacity.close();
    },
  };
}
