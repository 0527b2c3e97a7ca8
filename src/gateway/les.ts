/**
 * The LES client/provider API of the seed, one call per verb, mapped onto the gateway and the
 * capacity pool:
 *
 *   client                      → what it does
 *   queryConditions(q)          → GET /swap/terms + GET /swap/quote: price, thresholds, cost table,
 *                                 and the capacity this credit buys (or what this capacity costs)
 *   establishContract(c, T)     → quote the cost of capacity c for T s, pay it by cheque beyond the
 *                                 debt, POST /swap/capacity: the client holds c for ≥ T s
 *   checkBalance()              → GET /swap/balance: debt, surplus, credit, class, capacity
 *   increaseFund(amount, c?)    → a cheque `amount` beyond the debt; with c, re-grant capacity c
 *   closeContract()             → POST /swap/close: leave the pool (unspent credit stays on record)
 *
 *   provider                    → what it does
 *   queryConditions()           → the terms it publishes and the pool's state
 *   bookToken(client, cheque)   → receive a cheque out of band (same receiver, durable first)
 *   checkBalance(client)        → the server's view of one client
 *   closeContract(client)       → disconnect the client from the pool
 */
import { decodeCheque } from "./server.js";
import type { PaidFetch, GatewayTerms } from "./client.js";
import { GatewayError } from "./errors.js";
import type { Gateway } from "./open.js";

export interface ConditionsQuery {
  /** "what capacity does this much credit buy for holdSeconds?" */
  credit?: bigint;
  /** "what does this capacity cost for holdSeconds?" */
  capacity?: number;
  holdSeconds: number;
}

export interface Conditions {
  terms: GatewayTerms;
  quote: { capacity: number; holdSeconds: number; cost: bigint; priceMicro: bigint };
}

export interface BalanceView {
  balance: bigint;
  surplus: bigint;
  credit: bigint;
  class?: string;
  capacity?: number;
}

export class LesClient {
  constructor(
    readonly gateway: string,
    readonly paidFetch: PaidFetch,
  ) {}

  async queryConditions(q: ConditionsQuery): Promise<Conditions> {
    const terms = await this.paidFetch.terms();
    const params = new URLSearchParams({ holdSeconds: String(q.holdSeconds) });
    if (q.capacity !== undefined) params.set("capacity", String(q.capacity));
    else params.set("credit", String(q.credit ?? 0n));
    const body = await this.#json(await this.paidFetch.withPrepay(`/swap/quote?${params}`, { method: "GET" }, 0n));
    return {
      terms,
      quote: {
        capacity: body.capacity as number,
        holdSeconds: body.holdSeconds as number,
        cost: BigInt(body.cost as string),
        priceMicro: BigInt(body.priceMicro as string),
      },
    };
  }

  /** Hold `capacity` for at least `holdSeconds`: pays the quoted cost and takes the grant. */
  async establishContract(capacity: number, holdSeconds: number): Promise<BalanceView> {
    const { quote } = await this.queryConditions({ capacity, holdSeconds });
    return this.#grant(capacity, holdSeconds, quote.cost);
  }

  async checkBalance(): Promise<BalanceView> {
    return toView(await this.#json(await this.paidFetch.withPrepay("/swap/balance", { method: "GET" }, 0n)));
  }

  /** Pay `amount` beyond the debt; with `capacity`, use it (and any earlier surplus) for a new grant. */
  async increaseFund(amount: bigint, grant?: { capacity: number; holdSeconds: number }): Promise<BalanceView> {
    if (grant) return this.#grant(grant.capacity, grant.holdSeconds, amount);
    return toView(await this.#json(await this.paidFetch.withPrepay("/swap/balance", { method: "GET" }, amount)));
  }

  async closeContract(): Promise<BalanceView> {
    return toView(await this.#json(await this.paidFetch.withPrepay("/swap/close", { method: "POST" }, 0n)));
  }

  async #grant(capacity: number, holdSeconds: number, prepay: bigint): Promise<BalanceView> {
    const res = await this.paidFetch.withPrepay(
      "/swap/capacity",
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ capacity, holdSeconds }),
      },
      prepay,
    );
    return toView(await this.#json(res));
  }

  async #json(res: Response): Promise<Record<string, unknown>> {
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new GatewayError(res.status, String(body.error), body);
    return body;
  }
}

export class LesProvider {
  constructor(readonly gateway: Gateway) {}

  async queryConditions(): Promise<{
    terms: unknown;
    totalCapacity: number;
    clients: number;
    priceMicro: bigint;
    soldOut: boolean;
  }> {
    const res = await this.gateway.app.inject({ method: "GET", url: "/swap/terms" });
    const pool = this.gateway.capacity.pool;
    return {
      terms: res.json(),
      totalCapacity: pool.totalCapacity,
      clients: pool.size,
      priceMicro: pool.price.at(this.gateway.now()),
      soldOut: pool.price.soldOut,
    };
  }

  /** Book a cheque (the `PAYMENT-SIGNATURE` header value) from a client's chequebook. */
  async bookToken(chequebook: string, header: string): Promise<bigint> {
    const s = this.gateway.settlement;
    const r = await s.receiveCheque(`cb:${chequebook}`, decodeCheque(header, s.config.chainId), chequebook);
    return r.credited;
  }

  checkBalance(chequebook: string): BalanceView {
    const id = `cb:${chequebook}`;
    const s = this.gateway.settlement;
    const pool = this.gateway.capacity.pool;
    const view = pool.has(id) ? pool.view(id) : undefined;
    return {
      balance: s.exposure(id),
      surplus: s.surplus(id),
      credit: pool.creditOf(id),
      class: view?.cls,
      capacity: view?.capacity,
    };
  }

  closeContract(chequebook: string): BalanceView {
    const view = this.checkBalance(chequebook);
    this.gateway.capacity.pool.disconnect(`cb:${chequebook}`);
    return view;
  }
}

function toView(b: Record<string, unknown>): BalanceView {
  return {
    balance: BigInt(String(b.balance ?? "0")),
    surplus: BigInt(String(b.surplus ?? "0")),
    credit: BigInt(String(b.credit ?? "0")),
    class: b.class as string | undefined,
    capacity: b.capacity as number | undefined,
  };
}
