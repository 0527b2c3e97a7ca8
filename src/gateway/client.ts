/**
 * The paying side: a fetch-compatible function that pays a gateway automatically. It signs a
 * session, keeps its own count of what it owes (the gateway's published price and cost table
 * applied to its own requests), and attaches a cumulative cheque only when the gateway's balance
 * reaches the payment threshold — never for more than its own count says it owes, so a gateway
 * that overstates the balance is not paid for it.
 */
import { FetchRequest, JsonRpcProvider, type Networkish } from "ethers";
import type { SignerLike } from "../crypto/signer.js";
import { toAddress } from "../values.js";
import { costOf, type CostTable } from "./costs.js";
import { GatewayError } from "./errors.js";
import { HEADERS, SCHEME } from "./server.js";
import { signSession } from "./session.js";
import type { SwapPayer } from "./swap-adapter.js";

export interface GatewayTerms {
  network: string;
  payTo: string;
  asset: string;
  pricePerCostUnit: bigint;
  paymentThreshold: bigint;
  disconnectThreshold: bigint;
  costTable: CostTable;
  chequebookFactory: string;
}

export interface PaidFetchOptions {
  /** Base URL of the gateway. */
  gateway: string;
  chequebook: string;
  /** The chequebook's issuer (signs sessions and cheques). */
  issuer: string;
  signer: SignerLike;
  chainId: bigint;
  /** Issues and durably records cheques (see `SwapPayer`). */
  payer: SwapPayer;
  fetch?: typeof fetch;
  now?: () => number;
  /** Session lifetime (s). Default 3,600. */
  sessionSeconds?: number;
  /** Pay once the balance reaches this percentage of the payment threshold. Default 80. */
  payAtPercent?: bigint;
  /** Told to stop by flow control (429), wait the announced time and resume, if it is at most this
   * long (ms); otherwise return the 429. Default 5,000; 0 never waits. */
  maxStopWaitMs?: number;
  /** How to wait (tests inject simulated time). Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

export interface PaidFetchState {
  terms?: GatewayTerms;
  /** The gateway's last view of what we owe. */
  balance: bigint;
  /** Our own count of what we owe. */
  owed: bigint;
  /** Total paid by cheque to this gateway. */
  paid: bigint;
  cheques: number;
  lastClass?: string;
}

export type PaidFetch = ((input: string | URL, init?: RequestInit) => Promise<Response>) & {
  state: PaidFetchState;
  terms(): Promise<GatewayTerms>;
  /** A request that also pays `prepay` beyond what is owed (credit for capacity, a top-up). */
  withPrepay(input: string | URL, init: RequestInit, prepay: bigint): Promise<Response>;
};

export function createPaidFetch(o: PaidFetchOptions): PaidFetch {
  const f = o.fetch ?? fetch;
  const now = o.now ?? Date.now;
  const base = new URL(o.gateway);
  const state: PaidFetchState = { balance: 0n, owed: 0n, paid: 0n, cheques: 0 };
  let session: { header: string; expiresMs: number } | undefined;
  let paying: Promise<unknown> = Promise.resolve();
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const terms = async (): Promise<GatewayTerms> => {
    if (state.terms) return state.terms;
    const res = await f(new URL("/swap/terms", base));
    const body = (await res.json()) as { accepts?: Array<Record<string, unknown>> };
    const a = body.accepts?.find((x) => x.scheme === SCHEME);
    if (!a) throw new GatewayError(res.status, "NoSwapTerms", body);
    const extra = a.extra as Record<string, unknown>;
    const t: GatewayTerms = {
      network: String(a.network),
      payTo: toAddress(a.payTo, "payTo"),
      asset: String(a.asset),
      pricePerCostUnit: BigInt(String(extra.pricePerCostUnit)),
      paymentThreshold: BigInt(String(extra.paymentThreshold)),
      disconnectThreshold: BigInt(String(extra.disconnectThreshold)),
      costTable: extra.costTable as CostTable,
      chequebookFactory: String(extra.chequebookFactory),
    };
    if (t.network !== `eip155:${o.chainId}`) throw new GatewayError(res.status, "WrongNetwork", body);
    state.terms = t;
    return t;
  };

  const sessionHeader = async (t: GatewayTerms) => {
    if (!session || session.expiresMs - now() < 60_000) {
      const expires = BigInt(Math.floor(now() / 1000) + (o.sessionSeconds ?? 3600));
      const header = await signSession(
        { chequebook: o.chequebook, gateway: t.payTo, expires },
        o.chainId,
        o.signer,
        o.issuer,
      );
      session = { header, expiresMs: Number(expires) * 1000 };
    }
    return session.header;
  };

  /** A cheque for what we owe, if the balance reached our paying point (one payment at a time). */
  const chequeIfDue = (t: GatewayTerms, force: bigint | undefined, prepay = 0n): Promise<string | undefined> => {
    const run = paying.then(async () => {
      const at = (t.paymentThreshold * (o.payAtPercent ?? 80n)) / 100n;
      const claimed = force ?? state.balance;
      const due =
        force !== undefined || claimed >= at || prepay > 0n ? (claimed < state.owed ? claimed : state.owed) : 0n;
      const amount = (due > 0n ? due : 0n) + prepay;
      if (amount <= 0n) return undefined;
      const cheque = await o.payer.pay(t.payTo, amount);
      state.owed -= amount - prepay;
      state.paid += amount;
      state.balance -= amount - prepay;
      state.cheques++;
      const payload = {
        chequebook: cheque.chequebook,
        beneficiary: cheque.beneficiary,
        cumulativePayout: cheque.cumulativePayout.toString(),
        signature: cheque.signature,
      };
      return Buffer.from(JSON.stringify({ x402Version: 2, scheme: SCHEME, network: t.network, payload })).toString(
        "base64",
      );
    });
    paying = run.catch(() => undefined);
    return run;
  };

  const once = async (
    url: URL,
    init: RequestInit,
    cost: number,
    t: GatewayTerms,
    force?: bigint,
    prepay = 0n,
    metered = true,
  ) => {
    const headers = new Headers(init.headers);
    headers.set(HEADERS.session, await sessionHeader(t));
    const cheque = await chequeIfDue(t, force, prepay);
    if (cheque) headers.set(HEADERS.cheque, cheque);
    else headers.delete(HEADERS.cheque);
    const res = await f(url, { ...init, headers });
    const b = res.headers.get(HEADERS.balance);
    if (b !== null && /^-?\d{1,78}$/.test(b)) state.balance = BigInt(b);
    state.lastClass = res.headers.get(HEADERS.cls) ?? state.lastClass;
    if (res.ok && metered) state.owed += t.pricePerCostUnit * BigInt(cost);
    return res;
  };

  const paidFetch = (async (input: string | URL, init: RequestInit = {}) => {
    const t = await terms();
    const url = new URL(input, base);
    let parsed: unknown;
    if (typeof init.body === "string") {
      try {
        parsed = JSON.parse(init.body);
      } catch {
        parsed = undefined;
      }
    }
    const cost = costOf(t.costTable, parsed) ?? t.costTable.default;
    let res = await once(url, init, cost, t);
    const maxWait = o.maxStopWaitMs ?? 5000;
    for (let stops = 0; res.status === 429 && stops < 3; stops++) {
      const body = (await res
        .clone()
        .json()
        .catch(() => ({}))) as { resumeAfterMs?: unknown };
      const wait =
        typeof body.resumeAfterMs === "number" && Number.isFinite(body.resumeAfterMs)
          ? Math.max(1, Math.ceil(body.resumeAfterMs))
          : Infinity;
      if (wait > maxWait) return res;
      await sleep(wait);
      res = await once(url, init, cost, t);
    }
    if (res.status !== 402) return res;
    const body = (await res
      .clone()
      .json()
      .catch(() => ({}))) as { error?: string; amountDue?: string };
    if (body.error !== "DebtOverThreshold" || !body.amountDue) return res;
    return once(url, init, cost, t, BigInt(body.amountDue)); // pay what we owe, then once more
  }) as PaidFetch;
  paidFetch.state = state;
  paidFetch.terms = terms;
  // control endpoints (/swap/*) are not metered
  paidFetch.withPrepay = async (input, init, prepay) =>
    once(new URL(input, base), init, 0, await terms(), undefined, prepay, false);
  return paidFetch;
}

/** An ethers JSON-RPC provider whose every call goes through `paidFetch` (and so pays). */
export function paidJsonRpcProvider(url: string, paidFetch: PaidFetch, network?: Networkish): JsonRpcProvider {
  const req = new FetchRequest(url);
  req.getUrlFunc = async (r) => {
    const res = await paidFetch(r.url, {
      method: r.method,
      headers: r.headers,
      body: r.body ? Buffer.from(r.body).toString("utf8") : undefined,
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => (headers[name] = value));
    return {
      statusCode: res.status,
      statusMessage: res.statusText,
      headers,
      body: new Uint8Array(await res.arrayBuffer()),
    };
  };
  return new JsonRpcProvider(req, network, network !== undefined ? { staticNetwork: true } : undefined);
}
