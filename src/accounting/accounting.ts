/**
 * Per-peer accounting: thresholds, reservations, the free tier and tit-for-tat. Knows nothing of
 * cheques: when our debt to a peer reaches its payment threshold it calls the settlement port.
 */
import type { Ledger, Reservation } from "./ledger.js";
import { UnknownPeerError } from "./errors.js";
import { embargoMs, payAt, priceOf, type ResolvedPolicy, type ServiceClass } from "./policy.js";

/** Pays a peer (a cheque in SWAP); must record the payment in the ledger atomically with it. */
export interface SettlementPort {
  pay(peer: string, amount: bigint): Promise<void>;
}

export interface PeerTerms {
  /** The threshold the peer announced: it wants to be paid once we owe it this much. */
  paymentThreshold: bigint;
  /** Whether the peer can pay us (it announced a chequebook). */
  canPay: boolean;
  connectedAt: number;
}

interface PeerState extends PeerTerms {
  forgiven: bigint;
  settling?: Promise<void>;
}

export class Accounting {
  readonly #peers = new Map<string, PeerState>();
  /** Set by the node when a peer stops paying on purpose (tests, simulations). */
  paymentsEnabled = true;

  constructor(
    readonly ledger: Ledger,
    readonly policy: ResolvedPolicy,
    private readonly settlement: SettlementPort,
    private readonly now: () => number = Date.now,
  ) {}

  registerPeer(peer: string, terms: PeerTerms): void {
    this.#peers.set(peer, { ...terms, forgiven: 0n });
  }

  unregisterPeer(peer: string): void {
    this.#peers.delete(peer);
  }

  terms(peer: string): PeerTerms {
    return this.#state(peer);
  }

  #state(peer: string): PeerState {
    const t = this.#peers.get(peer);
    if (!t) throw new UnknownPeerError(peer);
    return t;
  }

  price(protocol: string, units: number | bigint): bigint {
    return priceOf(this.policy, protocol, units);
  }

  /**
   * Which class of service the peer gets for this request: `refused` past the disconnect
   * threshold (or while it defaults), `paid` when it can pay, `free` when only the free tier
   * carries it. Applies the free-tier forgiveness first.
   */
  classify(peer: string, protocol: string, units: number | bigint): ServiceClass {
    const t = this.#state(peer);
    this.#forgive(peer, t);
    const rec = this.ledger.get(peer);
    if (this.policy.mode === "soft") return t.canPay ? "paid" : "free";
    if (rec.defaulting) return "refused";
    const exposure = this.ledger.serveExposure(peer, this.price(protocol, units));
    if (exposure > this.policy.disconnectThreshold) return "refused";
    return t.canPay ? "paid" : "free";
  }

  /** Reserve the price of serving the peer; `OverdraftError` past the disconnect threshold. */
  prepareServe(peer: string, protocol: string, units: number | bigint): Reservation {
    this.terms(peer);
    const limit = this.policy.mode === "soft" ? (1n << 255n) : this.policy.disconnectThreshold;
    return this.ledger.reserveServe(peer, protocol, this.price(protocol, units), limit);
  }

  /**
   * Reserve the price of a request to the peer. Pays first when the debt would reach the peer's
   * payment threshold (or our early-payment point); `OverdraftError` if it still would not fit.
   */
  async prepareConsume(peer: string, protocol: string, units: number | bigint): Promise<Reservation> {
    const t = this.terms(peer);
    const amount = this.price(protocol, units);
    const at = payAt(this.policy, t.paymentThreshold);
    if (this.policy.mode !== "soft" && this.paymentsEnabled && this.ledger.consumeExposure(peer, amount) > at) {
      await this.settle(peer);
    }
    const limit = this.policy.mode === "soft" || !this.paymentsEnabled ? (1n << 255n) : t.paymentThreshold;
    return this.ledger.reserveConsume(peer, protocol, amount, limit);
  }

  /** Pay the peer what we owe (bring the balance to neutral); concurrent calls share one payment. */
  settle(peer: string): Promise<void> {
    const t = this.#state(peer);
    if (!t.settling) {
      t.settling = (async () => {
        try {
          const debt = -this.ledger.balance(peer);
          if (debt > 0n) await this.settlement.pay(peer, debt);
        } finally {
          t.settling = undefined;
        }
      })();
    }
    return t.settling;
  }

  /** How long to keep a peer away after disconnecting it for debt. */
  embargoFor(peer: string): number {
    const debt = this.ledger.balance(peer);
    return debt > 0n ? embargoMs(this.policy, debt) : 0;
  }

  #forgive(peer: string, t: PeerState): void {
    if (this.policy.freePerSecond === 0n) return;
    const accrued = (this.policy.freePerSecond * BigInt(Math.max(0, this.now() - t.connectedAt))) / 1000n;
    const due = accrued - t.forgiven;
    if (due <= 0n) return;
    const before = this.ledger.balance(peer);
    const rec = this.ledger.afterForgiving(peer, due);
    t.forgiven += before - rec.balance;
    this.ledger.commit(rec, false);
  }
}
