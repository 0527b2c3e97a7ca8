/**
 * A SWAP node: wires store, ledger, accounting, cheque issuer and receiver, and runs one
 * `PeerSession` per connection. Follows the Waku SWAP flow: handshake with payment thresholds,
 * a cheque at the threshold, disconnect at the disconnect threshold, tit-for-tat.
 */
import { EventEmitter } from "node:events";
import type { Hex } from "../crypto/index.js";
import type { SignerLike } from "../crypto/signer.js";
import type { ChainFacts } from "../chain/facts.js";
import { Accounting } from "../accounting/accounting.js";
import { Ledger } from "../accounting/ledger.js";
import { resolvePolicy, type PolicyConfig, type ResolvedPolicy, type ServiceClass } from "../accounting/policy.js";
import type { Store } from "../store/types.js";
import { InvalidArgumentError } from "../errors.js";
import { toAddress } from "../values.js";
import { ChequeIssuer, type Funds } from "./issuer.js";
import { ChequeReceiver } from "./receiver.js";
import { EmbargoedError } from "./errors.js";
import { PeerSession } from "./session.js";
import type { Duplex } from "./transport.js";

export type ServiceHandler = (payload: Uint8Array, peer: string, serviceClass: ServiceClass) => Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer>>;

export interface SwapNodeConfig {
  /** Persistent state (SqliteStore in production, MemoryStore in tests). */
  store: Store;
  policy: PolicyConfig;
  chainId: bigint;
  /** Where cheques to us are made out. */
  beneficiary: string;
  /** Our chequebook and its issuer key; without them we cannot pay (free tier only). */
  chequebook?: string;
  signer?: SignerLike;
  /** Issuer address announced in the handshake (mock mode verifies cheques against it). */
  issuer?: string;
  /** hard mode: the chain (factory registry, issuer, liquidity, our funds). */
  facts?: ChainFacts;
  /** mock mode: our chequebook's funds. */
  mockFunds?: () => Funds;
  /** Services we offer, by protocol name. */
  handlers?: Record<string, ServiceHandler>;
  now?: () => number;
  /** Write-behind interval for service balances (ms). Default 1,000. */
  flushIntervalMs?: number;
  /** How long to wait for a handshake or a response (ms). Default 10,000. */
  timeoutMs?: number;
  /** Test hook: called at named points of issuing and receiving. */
  crashPoint?: (point: string) => void;
}

export interface NodeEvents {
  "cheque-sent": [{ peer: string; cumulativePayout: bigint; amount: bigint }];
  "cheque-received": [{ peer: string; cumulativePayout: bigint; credited: bigint; duplicate: boolean }];
  "cheque-rejected": [{ peer: string; error: Error }];
  "payment-failed": [{ peer: string; error: Error }];
  refused: [{ peer: string; protocol: string; reason: string }];
  disconnected: [{ peer: string; reason: string; embargoMs: number }];
  "frame-error": [{ peer: string; error: Error }];
}

export class SwapNode extends EventEmitter<NodeEvents> {
  readonly policy: ResolvedPolicy;
  readonly store: Store;
  readonly ledger: Ledger;
  readonly accounting: Accounting;
  readonly receiver: ChequeReceiver;
  readonly issuer?: ChequeIssuer;
  readonly beneficiary: Hex;
  readonly chequebook?: Hex;
  readonly chainId: bigint;
  readonly now: () => number;
  readonly sessions = new Map<string, PeerSession>();
  readonly #flushTimer?: NodeJS.Timeout;

  constructor(readonly config: SwapNodeConfig) {
    super();
    this.policy = resolvePolicy(config.policy);
    this.store = config.store;
    this.now = config.now ?? Date.now;
    this.chainId = config.chainId;
    this.beneficiary = toAddress(config.beneficiary, "beneficiary");
    this.chequebook = config.chequebook ? toAddress(config.chequebook, "chequebook") : undefined;
    if (this.policy.mode === "hard" && !config.facts) throw new InvalidArgumentError("facts", undefined, "ChainFacts in hard mode");
    this.ledger = new Ledger(this.store);
    if (this.chequebook && config.signer) {
      const facts = config.facts;
      const funds = this.policy.mode === "hard" ? () => facts!.funds(this.chequebook!) : async () => (config.mockFunds ?? (() => ({ balance: 1n << 255n, totalPaidOut: 0n })))();
      this.issuer = new ChequeIssuer(this.store, this.ledger, {
        chequebook: this.chequebook, chainId: this.chainId, signer: config.signer, funds, now: this.now, crashPoint: config.crashPoint,
      });
    }
    this.receiver = new ChequeReceiver(this.store, this.ledger, {
      beneficiary: this.beneficiary, chainId: this.chainId, mode: this.policy.mode, minChequeValue: this.policy.minChequeValue,
      facts: config.facts, now: this.now, crashPoint: config.crashPoint,
    });
    this.accounting = new Accounting(this.ledger, this.policy, { pay: (peer, amount) => this.#pay(peer, amount) }, this.now);
    // without a chequebook we cannot pay: consume within what the peer grants (free tier)
    if (!this.issuer) this.accounting.paymentsEnabled = false;
    const interval = config.flushIntervalMs ?? 1_000;
    if (interval > 0) {
      this.#flushTimer = setInterval(() => this.ledger.flush(), interval);
      this.#flushTimer.unref();
    }
  }

  /** Simulate (or recover from) a peer that stops paying: no cheques are issued while false. */
  set paymentsEnabled(on: boolean) {
    this.accounting.paymentsEnabled = on;
  }

  /**
   * Run the SWAP protocol on a connection to `peer` (either side calls this): handshake, re-send
   * of the last cheque, then service traffic. Rejects with `EmbargoedError` during an embargo.
   */
  async connect(duplex: Duplex, peer: string): Promise<PeerSession> {
    const embargoUntil = this.ledger.get(peer).embargoUntil;
    if (embargoUntil > this.now()) {
      duplex.close("embargoed");
      throw new EmbargoedError(peer, embargoUntil);
    }
    this.sessions.get(peer)?.close("replaced by a new connection");
    const session = new PeerSession(this, duplex, peer);
    this.sessions.set(peer, session);
    duplex.onClose(() => {
      if (this.sessions.get(peer) === session) {
        this.sessions.delete(peer);
        this.accounting.unregisterPeer(peer);
      }
    });
    await session.start();
    return session;
  }

  handler(protocol: string): ServiceHandler | undefined {
    return this.config.handlers?.[protocol];
  }

  /** Record an embargo we impose on, or that was imposed by, `peer`. */
  embargo(peer: string, ms: number): void {
    const rec = this.ledger.get(peer);
    rec.embargoUntil = this.now() + ms;
    this.store.transaction(() => this.store.putPeer(rec));
    this.ledger.commit(rec, true);
  }

  /** Mark the issuer of `peer`'s chequebook as defaulting (a cash-out bounced), or clear it. */
  setDefaulting(peer: string, defaulting: boolean): void {
    const rec = this.ledger.get(peer);
    rec.defaulting = defaulting;
    this.store.transaction(() => this.store.putPeer(rec));
    this.ledger.commit(rec, true);
  }

  /** Callbacks for a `CashoutService`: a bounce marks the peer's issuer defaulting (refused until a
   * later cash-out pays in full), a full payment clears it. */
  cashoutHooks(): { onBounce: (peer: string) => void; onPaid: (peer: string) => void } {
    return {
      onBounce: (peer) => this.setDefaulting(peer, true),
      onPaid: (peer) => {
        if (this.ledger.get(peer).defaulting) this.setDefaulting(peer, false);
      },
    };
  }

  /** Flush balances and stop timers and sessions. */
  close(): void {
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    for (const s of this.sessions.values()) s.close("node closing");
    this.ledger.flush();
  }

  async #pay(peer: string, amount: bigint): Promise<void> {
    const session = this.sessions.get(peer);
    if (!this.issuer || !session?.remote?.beneficiary) return;
    if (this.policy.mode === "soft") return;
    try {
      const cheque = await this.issuer.issue(peer, session.remote.beneficiary, amount);
      this.emit("cheque-sent", { peer, cumulativePayout: cheque.cumulativePayout, amount });
      await session.sendCheque(cheque);
      this.config.crashPoint?.("issue:sent");
    } catch (e) {
      this.emit("payment-failed", { peer, error: e as Error });
    }
  }
}
