/**
 * Credit to peers whose chequebook issuer is a contract wallet (ERC-1271). Such a wallet can stop
 * honouring its signatures at any time (rotate its key, change its logic), so what it owes us is
 * only as good as what the chain guarantees us: the hard deposit its chequebook holds for our
 * beneficiary. The rule (docs/swap-protocol.md, "Credit to contract-wallet issuers"):
 *
 *   uncashed + exposure ≤ guaranteed
 *
 * where `uncashed` = cumulative payout of the last cheque received − `paidOut(us)` on chain,
 * `exposure` = the peer's net debt plus service reserved for it plus the request being admitted,
 * and `guaranteed` = hard deposit − any prepared decrease, capped at `liquidBalanceFor(us)`. A
 * chequebook without hard deposits guarantees nothing per beneficiary; then the operator's cap
 * (`contractIssuerMaxUncashed`) stands in for `guaranteed`; `contractIssuerMaxCredit`, if set, caps
 * either (the revocation risk the operator accepts). EOA issuers are not tracked here
 * (their cheques cannot be revoked): their limit stays the disconnect threshold.
 *
 * The check is synchronous (admission is); the guarantee is re-read in the background through the
 * facts port, whose liquidity cache decides how often the chain is asked (at most once per
 * `minRefreshMs` per peer in the background). Requests admitted while
 * a re-read is under way use the previous value: safe while the chequebook's decrease timeout is
 * longer than the cache TTL plus one chain round trip (a prepared decrease cannot take effect
 * sooner, and it is subtracted as soon as it is seen).
 */
import { UNBOUNDED } from "./limits.js";

/** What a chequebook guarantees one beneficiary. */
export interface CreditGuarantee {
  /** Hard deposit minus a prepared decrease, capped at `liquidBalanceFor`; undefined: the
   * chequebook has no per-beneficiary guarantee. */
  guaranteed?: bigint;
  /** `paidOut(beneficiary)`. */
  paidOut: bigint;
}

/** The chain as the credit rule sees it (implemented by `ChainVerifier`). */
export interface CreditFacts {
  isContractIssuer(chequebook: string, announcedIssuer?: string): Promise<boolean>;
  guarantee(chequebook: string, beneficiary: string): Promise<CreditGuarantee>;
}

export interface CreditConfig {
  facts: CreditFacts;
  /** Our address: the beneficiary the guarantee is for. */
  beneficiary: string;
  /** Cumulative payout of the last cheque received from `chequebook` (0n: none). */
  received(chequebook: string): bigint;
  /** Stand-in for the guarantee when the chequebook has no hard deposits (0: no credit at all). */
  fallbackLimit: bigint;
  /** Our own ceiling on top of the guarantee (undefined: none; 0: no credit at all). */
  maxCredit?: bigint;
  /** After a failed chain read, wait this long before asking again for that peer. Default 5 s. */
  retryMs?: number;
  /** Background re-reads of a peer's guarantee start at most this often (the facts cache may still
   * answer them). Bounds chain traffic with a liquidity TTL of 0. Default 1 s. */
  minRefreshMs?: number;
  /** Peers tracked at most (oldest dropped first); a node tracks its connected peers. Default 10,000. */
  maxPeers?: number;
  now?: () => number;
  /** A chain read failed (the previous bound stays; a peer never verified gets no credit). */
  onError?(peer: string, error: unknown): void;
}

/** One peer's credit as last read, for diagnostics and tests. */
export interface CreditView {
  chequebook: string;
  /** `contract`: a contract-wallet issuer; `unverified`: not yet known (no credit until it is). */
  kind: "contract" | "unverified";
  /** What stands for the guarantee: the hard deposit, or the operator's fallback cap. */
  source: "hardDeposit" | "fallback" | "none";
  /** The bound on uncashed + exposure. */
  limit: bigint;
  paidOut: bigint;
  /** When last read (ms). */
  at: number;
}

interface Entry extends CreditView {
  issuer?: string;
  refreshing?: Promise<void>;
  retryAt: number;
}

export class ContractIssuerCredit {
  readonly #peers = new Map<string, Entry>();

  constructor(private readonly config: CreditConfig) {}

  #now(): number {
    return (this.config.now ?? Date.now)();
  }

  /**
   * On handshake: find out whether the peer's chequebook has a contract-wallet issuer and, if so,
   * read what it guarantees us. Never throws: a failed read leaves the peer `unverified` (no paid
   * credit) and is retried on its next request.
   */
  async admit(peer: string, chequebook?: string, issuer?: string): Promise<void> {
    if (!chequebook) {
      this.forget(peer);
      return;
    }
    this.#set(peer, {
      chequebook,
      issuer,
      kind: "unverified",
      source: "none",
      limit: 0n,
      paidOut: 0n,
      at: this.#now(),
      retryAt: 0,
    });
    await this.refresh(peer);
  }

  /**
   * The receiver verified a cheque of `chequebook` through ERC-1271: the peer's issuer is a contract
   * wallet. Returns the bound on what may stay uncashed (re-read through the facts cache); throws
   * the chain's typed error when it cannot be read (the cheque is then refused, nothing credited).
   */
  async limitFor(peer: string, chequebook: string): Promise<bigint> {
    let e = this.#peers.get(peer);
    if (!e || e.chequebook !== chequebook) {
      e = { chequebook, kind: "contract", source: "none", limit: 0n, paidOut: 0n, at: 0, retryAt: 0 };
      this.#set(peer, e);
    }
    e.kind = "contract";
    await e.refreshing;
    await this.#read(e);
    return e.limit;
  }

  /**
   * Highest exposure (net debt + reservations + the request) the peer may reach: the bound minus
   * what is uncashed; `UNBOUNDED` for peers not tracked (EOA issuers). Starts a background re-read
   * (one at a time per peer) so the facts cache decides how fresh the bound is.
   */
  serveLimit(peer: string): bigint {
    const e = this.#peers.get(peer);
    if (!e) return UNBOUNDED;
    const due = e.kind === "contract" ? Math.max(e.retryAt, e.at + (this.config.minRefreshMs ?? 1_000)) : e.retryAt;
    if (!e.refreshing && this.#now() >= due) void this.refresh(peer);
    if (e.kind !== "contract") return 0n;
    const received = this.config.received(e.chequebook);
    const uncashed = received > e.paidOut ? received - e.paidOut : 0n;
    return e.limit - uncashed;
  }

  /** Re-read the peer's issuer kind (until known) and guarantee; shared while under way. */
  refresh(peer: string): Promise<void> {
    const e = this.#peers.get(peer);
    if (!e) return Promise.resolve();
    if (e.refreshing) return e.refreshing;
    const p = (async () => {
      try {
        if (e.kind === "unverified") {
          const contract = await this.config.facts.isContractIssuer(e.chequebook, e.issuer);
          // an EOA issuer (or a chequebook whose cheques we refuse anyway): nothing to bound, unless
          // the receiver saw an ERC-1271 cheque of it meanwhile (`limitFor`)
          if (!contract && (e.kind as CreditView["kind"]) === "unverified") {
            if (this.#peers.get(peer) === e) this.#peers.delete(peer);
            return;
          }
          e.kind = "contract";
        }
        await this.#read(e);
      } catch (err) {
        e.retryAt = this.#now() + (this.config.retryMs ?? 5_000);
        this.config.onError?.(peer, err);
      } finally {
        e.refreshing = undefined;
      }
    })();
    e.refreshing = p;
    return p;
  }

  async #read(e: Entry): Promise<void> {
    const g = await this.config.facts.guarantee(e.chequebook, this.config.beneficiary);
    e.source = g.guaranteed === undefined ? "fallback" : "hardDeposit";
    const bound = g.guaranteed ?? this.config.fallbackLimit;
    const max = this.config.maxCredit;
    e.limit = max !== undefined && max < bound ? max : bound;
    e.paidOut = g.paidOut;
    e.at = this.#now();
    e.retryAt = 0;
  }

  /** The peer left: forget it. */
  forget(peer: string): void {
    this.#peers.delete(peer);
  }

  /** What is known of the peer's credit (undefined: not tracked, e.g. an EOA issuer). */
  view(peer: string): CreditView | undefined {
    const e = this.#peers.get(peer);
    return (
      e && { chequebook: e.chequebook, kind: e.kind, source: e.source, limit: e.limit, paidOut: e.paidOut, at: e.at }
    );
  }

  /** Peers tracked (for memory bounds). */
  get size(): number {
    return this.#peers.size;
  }

  #set(peer: string, e: Entry): void {
    this.#peers.delete(peer);
    if (this.#peers.size >= (this.config.maxPeers ?? 10_000)) this.#peers.delete(this.#peers.keys().next().value!);
    this.#peers.set(peer, e);
  }
}

/** A credit tracker when the verifier can tell contract issuers and read guarantees (hard mode),
 * else undefined (mock and soft modes: no chain, nothing to bound by). */
export function contractIssuerCredit(
  verifier: Partial<CreditFacts>,
  config: Omit<CreditConfig, "facts">,
): ContractIssuerCredit | undefined {
  const { isContractIssuer, guarantee } = verifier;
  if (!isContractIssuer || !guarantee) return undefined;
  return new ContractIssuerCredit({
    ...config,
    facts: { isContractIssuer: isContractIssuer.bind(verifier), guarantee: guarantee.bind(verifier) },
  });
}
