/**
 * What a request costs, in cost units (the unit of capacity: a client holding capacity c may be
 * served c cost units per second). The operator's worst-case table by JSON-RPC method; any other
 * HTTP request costs `default`. A batch costs the sum of its calls. The client wrapper uses the
 * same function on the table the gateway publishes, to check the gateway's bills.
 */
export interface CostTable {
  /** Cost of a request the table does not name (and of non-JSON-RPC requests). */
  default: number;
  /** JSON-RPC method → cost units. */
  methods?: Record<string, number>;
  /** Refuse a batch longer than this. Default 100. */
  maxBatch?: number;
}

export const DEFAULT_COSTS: CostTable = {
  default: 1,
  methods: {
    eth_call: 4,
    eth_estimateGas: 4,
    eth_getLogs: 16,
    eth_getProof: 8,
    debug_traceTransaction: 64,
    eth_sendRawTransaction: 2,
    eth_getBlockByNumber: 2,
    eth_getBlockByHash: 2,
  },
  maxBatch: 100,
};

/** Cost of a request with body `body` (parsed JSON or undefined); undefined if the batch is too long. */
export function costOf(table: CostTable, body: unknown): number | undefined {
  const one = (call: unknown): number => {
    const m = call && typeof call === "object" ? (call as { method?: unknown }).method : undefined;
    return typeof m === "string" && table.methods && Object.hasOwn(table.methods, m)
      ? table.methods[m]!
      : table.default;
  };
  if (Array.isArray(body)) {
    if (body.length === 0 || body.length > (table.maxBatch ?? 100)) return undefined;
    return body.reduce((a: number, c) => a + one(c), 0);
  }
  return one(body);
}
