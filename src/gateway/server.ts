/**
 * Paid HTTP gateway: puts any HTTP or JSON-RPC upstream behind SWAP payments (HTTP 402).
 *
 *  - An unpaid request gets `402` with machine-readable terms shaped like x402's PaymentRequired
 *    (`x402Version`, `accepts[]` with `scheme`, `network` (CAIP-2), `amount`, `asset`, `payTo`,
 *    `maxTimeoutSeconds`, `extra`), also base64 in the `PAYMENT-REQUIRED` header. Scheme
 *    `swap-cheque`: `extra` carries the chequebook factory, price per cost unit and cost table,
 *    payment and disconnect thresholds, the free allowance and the capacity quote endpoint.
 *  - A paying client identifies itself with a `SWAP-SESSION` header signed by its chequebook's
 *    issuer and attaches a cumulative cheque (`PAYMENT-SIGNATURE`) only when it owes — at the
 *    payment threshold, as in the p2p protocol. Cheques go through the same ChequeReceiver, Ledger
 *    and Accounting as the p2p node (`swap-adapter.ts`), stored durably before they are credited.
 *  - Every answer carries the server's view of the balance and the class it was served in
 *    (`SWAP-Balance`, `SWAP-Class`, …, and `PAYMENT-RESPONSE`).
 *  - Requests are admitted by the capacity layer: classes, flow control, fair queue.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import {
  CapacityUnavailableError,
  ClientEvictedError,
  FlowStoppedError,
  FreeAllowanceExceededError,
  QueueFullError,
  RequestTooCostlyError,
  type CapacityStack,
  type EvictionReason,
} from "../capacity/index.js";
import { addressGroup } from "../capacity/address-group.js";
import { SettlementError, InvalidArgumentError } from "../errors.js";
import type { Hex } from "../crypto/index.js";
import { toAddress } from "../values.js";
import { costOf, type CostTable } from "./costs.js";
import { BadGatewayRequestError, BadSessionError, IssuerDefaultingError } from "./errors.js";
import { verifySession, type SignedSession } from "./session.js";
import { ChequeRejectedError, OverdraftError, type IncomingCheque, type SwapSettlement } from "./swap-adapter.js";

export const HEADERS = {
  session: "swap-session",
  cheque: "payment-signature",
  required: "payment-required",
  response: "payment-response",
  balance: "swap-balance",
  cls: "swap-class",
  capacity: "swap-capacity",
  buffer: "swap-buffer",
  bufferLimit: "swap-buffer-limit",
  recharge: "swap-recharge",
  /** Set once on the first answer after the pool disconnected the client: why (outbid, idle, …). */
  evicted: "swap-evicted",
} as const;

export const SCHEME = "swap-cheque";

export interface GatewayConfig {
  /** Where requests go: any HTTP or JSON-RPC endpoint. */
  upstream: string;
  settlement: SwapSettlement;
  capacity: CapacityStack;
  costs: CostTable;
  chainId: bigint;
  /** ERC-20 the chequebooks hold. */
  token: string;
  chequebookFactory: string;
  now?: () => number;
  /** Longest session a client may sign (ms). Default 1 day. */
  maxSessionMs?: number;
  /** Largest request body (bytes). Default 1 MiB. */
  bodyLimit?: number;
  /** Upstream timeout (ms). Default 30,000. */
  upstreamTimeoutMs?: number;
  /** Paying clients need at least this hold time for a capacity grant (s). Default 10. */
  minHoldSeconds?: number;
  logger?: boolean;
}

interface Caller {
  id: string;
  paying: boolean;
  session?: SignedSession;
  group: string;
}

const MAX_SESSIONS_CACHED = 10_000;

export function createGateway(c: GatewayConfig): FastifyInstance {
  const now = c.now ?? Date.now;
  const pool = c.capacity.pool;
  const service = c.capacity.service;
  const s = c.settlement;
  const beneficiary = s.beneficiary;
  const network = `eip155:${c.chainId}`;
  const maxSessionMs = c.maxSessionMs ?? 86_400_000;
  const upstream = new URL(c.upstream);
  const sessions = new Map<string, SignedSession>();
  /** Why the pool last disconnected a client, told to it once (HTTP has no connection to close). */
  const evictions = new Map<string, EvictionReason>();
  pool.onLeave((id, reason) => {
    if (reason === "closed") return;
    if (evictions.size >= MAX_SESSIONS_CACHED) evictions.clear();
    evictions.set(id, reason);
  });
  const app = Fastify({ logger: c.logger ?? false, bodyLimit: c.bodyLimit ?? 1 << 20, trustProxy: false });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  const terms = (
    costUnits: number,
    resource: string,
    error: string | undefined,
    extra: Record<string, unknown> = {},
  ) => ({
    x402Version: 2,
    resource: { url: resource, description: "paid upstream behind SWAP cheques", mimeType: "application/json" },
    accepts: [
      {
        scheme: SCHEME,
        network,
        amount: s.price(costUnits).toString(),
        asset: toAddress(c.token, "token"),
        payTo: beneficiary,
        maxTimeoutSeconds: Math.floor(maxSessionMs / 1000),
        extra: {
          chequebookFactory: toAddress(c.chequebookFactory, "chequebookFactory"),
          chequeDomain: { name: "Chequebook", version: "1.0", chainId: c.chainId.toString() },
          sessionDomain: { name: "SwapGateway", version: "1", chainId: c.chainId.toString() },
          pricePerCostUnit: s.price(1).toString(),
          costUnits,
          costTable: c.costs,
          paymentThreshold: s.policy.paymentThreshold.toString(),
          disconnectThreshold: s.policy.disconnectThreshold.toString(),
          freeAllowance: {
            costUnits: pool.freeAllowance,
            halfLifeSeconds: pool.halfLifeMs / 1000,
            capacity: pool.minCapacity,
          },
          capacity: {
            unit: "cost units per second",
            total: pool.totalCapacity,
            minimum: pool.minCapacity,
            priceMicroPerCostUnitSecond: pool.price.at(now()).toString(),
          },
          quoteEndpoint: "/swap/quote",
          headers: { session: "SWAP-SESSION", cheque: "PAYMENT-SIGNATURE" },
        },
      },
    ],
    ...extra,
    error,
  });

  const fail = (reply: FastifyReply, status: number, body: Record<string, unknown>) => {
    if (status === 402) reply.header(HEADERS.required, Buffer.from(JSON.stringify(body)).toString("base64"));
    return reply.code(status).send(body);
  };

  const typed = (e: SettlementError, extra: Record<string, unknown> = {}) => ({
    error: e.name,
    message: e.shortMessage,
    ...fields(e),
    ...extra,
  });

  /** Who is calling: a verified paying session, or a free client keyed by its address. */
  const callerOf = async (req: FastifyRequest): Promise<Caller> => {
    const header = req.headers[HEADERS.session];
    if (header === undefined) return { id: `ip:${req.ip}`, paying: false, group: addressGroup(req.ip) };
    if (typeof header !== "string") throw new BadSessionError("one session header expected");
    let session = sessions.get(header);
    if (!session || Number(session.expires) * 1000 <= now()) {
      session = verifySession(header, c.chainId, beneficiary as Hex, now(), maxSessionMs);
      if (!(await s.checkIssuer(session.chequebook, session.issuer)))
        throw new BadSessionError(`${session.issuer} is not the issuer of a known chequebook ${session.chequebook}`);
      await s.admit(`cb:${session.chequebook}`, session.chequebook, session.issuer);
      if (sessions.size >= MAX_SESSIONS_CACHED) sessions.clear();
      sessions.set(header, session);
    }
    const id = `cb:${session.chequebook}`;
    s.registerPeer(id, session.issuer, now());
    return { id, paying: true, session, group: id };
  };

  /** Receive the cheque in the request, if any (typed refusal leaves nothing behind). */
  const takeCheque = async (req: FastifyRequest, caller: Caller): Promise<bigint> => {
    const header = req.headers[HEADERS.cheque];
    if (header === undefined) return 0n;
    if (!caller.session) throw new BadGatewayRequestError("PAYMENT-SIGNATURE", "a cheque needs a SWAP-SESSION");
    if (typeof header !== "string" || header.length > 2048)
      throw new BadGatewayRequestError("PAYMENT-SIGNATURE", "one header of at most 2048 bytes");
    const cheque = decodeCheque(header, c.chainId);
    const r = await s.receiveCheque(caller.id, cheque, caller.session.chequebook);
    return r.credited;
  };

  const connect = (caller: Caller, reply?: FastifyReply) => {
    const standing = caller.paying
      ? { canPay: true, goodStanding: s.classify(caller.id, 0) !== "refused" }
      : { canPay: false, goodStanding: false };
    const evicted = evictions.get(caller.id);
    try {
      const view = pool.connect(caller.id, caller.group, standing);
      if (evicted) {
        evictions.delete(caller.id);
        reply?.header(HEADERS.evicted, evicted);
      }
      return view;
    } catch (e) {
      if (evicted && e instanceof CapacityUnavailableError) throw new ClientEvictedError(caller.id, evicted, 0);
      throw e;
    }
  };

  const balanceHeaders = (reply: FastifyReply, caller: Caller, extra: Record<string, unknown> = {}) => {
    const view = pool.has(caller.id) ? pool.view(caller.id) : undefined;
    const balance = caller.paying ? s.exposure(caller.id).toString() : "0";
    reply.header(HEADERS.balance, balance);
    if (view) {
      reply.header(HEADERS.cls, view.cls);
      reply.header(HEADERS.capacity, String(view.capacity));
    }
    const body = {
      success: true,
      scheme: SCHEME,
      network,
      payer: caller.session?.chequebook,
      balance,
      class: view?.cls,
      capacity: view?.capacity,
      credit: view?.credit.toString(),
      ...extra,
    };
    reply.header(HEADERS.response, Buffer.from(JSON.stringify(body)).toString("base64"));
    return body;
  };

  /** Map a typed refusal to its status and body. */
  const refuse = (reply: FastifyReply, e: unknown, costUnits: number, url: string, caller?: Caller) => {
    if (caller && pool.has(caller.id)) balanceHeaders(reply, caller);
    if (e instanceof FlowStoppedError) {
      reply.header("retry-after", String(Math.ceil(e.resumeAfterMs / 1000)));
      return fail(reply, 429, typed(e));
    }
    if (e instanceof RequestTooCostlyError) return fail(reply, 402, terms(costUnits, url, e.name, typed(e)));
    if (e instanceof FreeAllowanceExceededError) {
      reply.header("retry-after", String(Math.ceil(e.retryAfterMs / 1000)));
      return fail(reply, 402, terms(costUnits, url, e.name, typed(e)));
    }
    if (e instanceof CapacityUnavailableError || e instanceof ClientEvictedError) {
      return caller?.paying ? fail(reply, 503, typed(e)) : fail(reply, 402, terms(costUnits, url, e.name, typed(e)));
    }
    if (e instanceof QueueFullError) return fail(reply, 503, typed(e));
    if (e instanceof OverdraftError) {
      return fail(
        reply,
        402,
        terms(costUnits, url, "DebtOverThreshold", { ...typed(e), amountDue: s.exposure(caller!.id).toString() }),
      );
    }
    if (e instanceof ChequeRejectedError) return fail(reply, 402, terms(costUnits, url, e.name, typed(e)));
    if (e instanceof BadSessionError) return fail(reply, 403, typed(e));
    if (e instanceof BadGatewayRequestError || e instanceof InvalidArgumentError) return fail(reply, 400, typed(e));
    if (e instanceof SettlementError) return fail(reply, 403, typed(e));
    reply.log.error(e);
    return fail(reply, 500, { error: "InternalError" });
  };

  // ------------------------------------------------------------------ control endpoints

  app.get("/swap/terms", async (req) => terms(c.costs.default, req.url, undefined));

  app.get("/swap/quote", async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    try {
      const holdMs = seconds(q.holdSeconds, "holdSeconds") * 1000;
      const who = typeof req.headers[HEADERS.session] === "string" ? (await callerOf(req)).id : undefined;
      const quote =
        q.capacity !== undefined
          ? pool.quoteCost(who && pool.has(who) ? who : undefined, integer(q.capacity, "capacity"), holdMs)
          : pool.quoteCapacity(who && pool.has(who) ? who : undefined, amount(q.credit, "credit"), holdMs);
      return {
        capacity: quote.capacity,
        holdSeconds: holdMs / 1000,
        cost: quote.cost.toString(),
        priceMicro: quote.priceMicro.toString(),
        at: quote.at,
        unit: "cost units per second",
      };
    } catch (e) {
      return refuse(reply, e, 0, req.url);
    }
  });

  app.get("/swap/balance", async (req, reply) => {
    try {
      const caller = await callerOf(req);
      await takeCheque(req, caller);
      if (pool.has(caller.id) || caller.paying) {
        if (!pool.has(caller.id)) connect(caller);
        return balanceHeaders(reply, caller, { surplus: caller.paying ? s.surplus(caller.id).toString() : "0" });
      }
      return balanceHeaders(reply, caller);
    } catch (e) {
      return refuse(reply, e, 0, req.url);
    }
  });

  /** Buy capacity: { capacity, holdSeconds }; pays from the surplus of cheques beyond the debt. */
  app.post("/swap/capacity", async (req, reply) => {
    let caller: Caller | undefined;
    try {
      caller = await callerOf(req);
      if (!caller.paying) throw new BadGatewayRequestError("SWAP-SESSION", "buying capacity needs a paying session");
      await takeCheque(req, caller);
      const body = parseJson(req.body as Buffer | undefined) as
        { capacity?: unknown; holdSeconds?: unknown } | undefined;
      const capacity = integer(body?.capacity, "capacity");
      const holdMs = seconds(body?.holdSeconds, "holdSeconds") * 1000;
      if (holdMs < (c.minHoldSeconds ?? 10) * 1000)
        throw new BadGatewayRequestError("holdSeconds", `at least ${c.minHoldSeconds ?? 10}`);
      if (!pool.has(caller.id)) connect(caller);
      const quote = pool.quoteCost(caller.id, capacity, holdMs); // refuses what cannot fit, moving nothing
      const id = caller.id;
      if (quote.cost > 0n) s.moveSurplus(id, quote.cost, (moved, writeLedger) => pool.deposit(id, moved, writeLedger));
      const view = pool.grant(id, capacity, holdMs);
      return balanceHeaders(reply, caller, { granted: view.capacity, exhaustAt: view.exhaustAt });
    } catch (e) {
      return refuse(reply, e, 0, req.url, caller);
    }
  });

  /** Close the contract: leave the pool; unspent credit stays on record for a later return. */
  app.post("/swap/close", async (req, reply) => {
    try {
      const caller = await callerOf(req);
      const body = balanceHeaders(reply, caller, { closed: true });
      pool.disconnect(caller.id);
      return body;
    } catch (e) {
      return refuse(reply, e, 0, req.url);
    }
  });

  // ------------------------------------------------------------------ everything else: the upstream

  app.all("/*", async (req, reply) => {
    const raw = req.body as Buffer | undefined;
    let caller: Caller | undefined;
    let costUnits = c.costs.default;
    try {
      const parsed =
        raw && raw.length > 0 && /json/.test(String(req.headers["content-type"] ?? "")) ? parseJson(raw) : undefined;
      const cu = costOf(c.costs, parsed);
      if (cu === undefined) throw new BadGatewayRequestError("body", "empty or too long a JSON-RPC batch");
      costUnits = cu;
      caller = await callerOf(req);
      await takeCheque(req, caller);
      if (caller.paying && s.defaulting(caller.id)) throw new IssuerDefaultingError(caller.session!.chequebook);
      if (caller.paying && s.classify(caller.id, costUnits) === "refused") {
        throw new OverdraftError(
          caller.id,
          "serve",
          s.exposure(caller.id) + s.price(costUnits),
          s.policy.disconnectThreshold,
        );
      }
      connect(caller, reply);
      const reservation = caller.paying ? s.reserve(caller.id, costUnits) : undefined;
      let served;
      try {
        served = await service.run(caller.id, costUnits, () =>
          forward(upstream, req, raw, c.upstreamTimeoutMs ?? 30_000),
        );
      } catch (e) {
        reservation?.release();
        throw e;
      }
      reservation?.apply();
      const up = served.result;
      balanceHeaders(reply, caller);
      reply.header(HEADERS.buffer, String(Math.floor(served.admission.buffer)));
      reply.header(HEADERS.bufferLimit, String(served.admission.bufferLimit));
      reply.header(HEADERS.recharge, String(served.admission.rechargeRate));
      reply.header("content-type", up.contentType);
      return reply.code(up.status).send(up.body);
    } catch (e) {
      if (e instanceof UpstreamError) return reply.code(502).send({ error: "UpstreamError", message: e.message });
      return refuse(reply, e, costUnits, req.url, caller);
    }
  });

  return app;
}

class UpstreamError extends Error {}

async function forward(upstream: URL, req: FastifyRequest, body: Buffer | undefined, timeoutMs: number) {
  const url = new URL(req.url === "/" ? upstream.pathname : req.url, upstream);
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method,
      headers: { "content-type": String(req.headers["content-type"] ?? "application/json") },
      body: req.method === "GET" || req.method === "HEAD" || !body ? undefined : new Uint8Array(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new UpstreamError(`upstream unreachable: ${(e as Error).message}`);
  }
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "application/octet-stream",
    body: Buffer.from(await res.arrayBuffer()),
  };
}

export function decodeCheque(header: string, chainId: bigint): IncomingCheque {
  try {
    const o = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as {
      scheme?: unknown;
      payload?: Record<string, unknown>;
    };
    if (o.scheme !== SCHEME || !o.payload) throw new BadGatewayRequestError("PAYMENT-SIGNATURE", "scheme"); // replaced below
    const p = o.payload;
    return {
      chequebook: toAddress(p.chequebook, "chequebook"),
      beneficiary: toAddress(p.beneficiary, "beneficiary"),
      cumulativePayout: BigInt(String(p.cumulativePayout)),
      signature: String(p.signature),
      chainId,
    };
  } catch {
    throw new BadGatewayRequestError(
      "PAYMENT-SIGNATURE",
      `base64 JSON {x402Version, scheme: "${SCHEME}", payload: {chequebook, beneficiary, cumulativePayout, signature}} expected`,
    );
  }
}

function parseJson(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new BadGatewayRequestError("body", "not JSON");
  }
}

function integer(v: unknown, name: string): number {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new BadGatewayRequestError(name, "a positive integer");
  return n;
}
function seconds(v: unknown, name: string): number {
  const n = integer(v, name);
  if (n > 365 * 86_400) throw new BadGatewayRequestError(name, "at most a year");
  return n;
}
function amount(v: unknown, name: string): bigint {
  if (typeof v !== "string" || !/^\d{1,78}$/.test(v))
    throw new BadGatewayRequestError(name, "a decimal amount in base units");
  return BigInt(v);
}

/** The typed error's own fields (bigints as strings), for a machine-readable body. */
function fields(e: SettlementError): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === "shortMessage" || k === "details" || k === "name") continue;
    out[k] = typeof v === "bigint" ? v.toString() : v;
  }
  return out;
}
