/**
 * Per-peer accounting: thresholds, reservations, the free tier and tit-for-tat. Knows nothing of
 * cheques: when our debt to a peer reaches its payment threshold it calls the settlement port.
 * What a mode changes comes from its `LimitsPolicy` (limits.ts).
 */
import type { Ledger, Reservation } from "./ledger.js";
import { UnknownPeerError } from "./errors.js";
import { limitsFor, UNBOUNDED, type LimitsPolicy } from "./limits.js";
import { embargoMs, payAt, priceOf, type ResolvedPolicy, type ServiceClass } from "./policy.js";

/** Pays a peer (a cheque in SWAP); must record the payment in the ledger atomically with it.
 * `amount` is evaluated when the payment is made (serialised per peer), so a payment that raced
 * a reconnect never pays the same debt twice. */
export interface SettlementPort {
  pay(peer: string, amount: bigint | (() => bigint)): Promise<void>;
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
}

export class Accounting {
  readonly #peers = new Map<string, PeerState>();
  /** Per peer, the payment under way; kept across reconnects so two sessions share it. */
  readonly #settling = new Map<string, Promise<void>>();
  readonly limits: LimitsPolicy;
  /** Set by the node when a peer stops paying on purpose (tests, simulations). */
  paymentsEnabled = true;

  constructor(
    readonly ledger: Ledger,
    readonly policy: ResolvedPolicy,
    private readonly settlement: SettlementPort,
    private readonly now: () => number = Date.now,
    limits?: LimitsPolicy,
    /** Per-peer credit bound on top of the mode's limit (contract-wallet issuers: credit.ts). */
    private readonly credit?: { serveLimit(peer: string): bigint },
  ) {
    this.limits = limits ?? limitsFor(policy.mode);
  }

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

  /** Our price for `units` of `protocol` (at least one unit, at most the policy's maximum). */
  price(protocol: string, units: number | bigint): bigint {
    return priceOf(this.policy, protocol, units);
  }

  /** Free allowance applied to the peer since it connected (announced on the wire). */
  forgiven(peer: string): bigint {
    return this.#peers.get(peer)?.forgiven ?? 0n;
  }

  /**
   * Which class of service the peer gets for this request: `refused` past the disconnect
   * threshold (or while it defaults), `paid` when it can pay, `free` when only the free tier
   * carries it. Applies the free-tier forgiveness first.
   */
  classify(peer: string, protocol: string, units: number | bigint): ServiceClass {
    const t = this.#state(peer);
    this.#forgive(peer, t);
    if (this.limits.refuses) {
      if (this.ledger.get(peer).defaulting) return "refused";
      if (this.ledger.serveExposure(peer, this.price(protocol, units)) > this.limits.serveLimit(this.policy))
        return "refused";
    }
    return t.canPay ? "paid" : "free";
  }

  /** Reserve the price of serving the peer; `OverdraftError` past the disconnect threshold, or past
   * the credit a contract-wallet issuer's guarantee covers. */
  prepareServe(peer: string, protocol: string, units: number | bigint): Reservation {
    this.terms(peer);
    let limit = this.limits.serveLimit(this.policy);
    if (this.limits.refuses && this.credit) {
      const credit = this.credit.serveLimit(peer);
      if (credit < limit) limit = credit;
    }
    return this.ledger.reserveServe(peer, protocol, this.price(protocol, units), limit);
  }

  /**
   * Reserve the price of a request to the peer. Pays first when the debt would reach the peer's
   * payment threshold (or our early-payment point); `OverdraftError` if it still would not fit.
   */
  async prepareConsume(peer: string, protocol: string, units: number | bigint): Promise<Reservation> {
    const t = this.terms(peer);
    const amount = this.price(protocol, units);
    const paying = this.limits.pays && this.paymentsEnabled;
    if (paying && this.ledger.consumeExposure(peer, amount) > payAt(this.policy, t.paymentThreshold)) {
      await this.settle(peer);
    }
    return this.ledger.reserveConsume(
      peer,
      protocol,
      amount,
      this.limits.consumeLimit(this.terms(peer).paymentThreshold, paying),
    );
  }

  /** Whether our debt to the peer has reached its payment point (pay now, e.g. after a resync). */
  paymentDue(peer: string): boolean {
    const t = this.#peers.get(peer);
    return (
      !!t &&
      this.limits.pays &&
      this.paymentsEnabled &&
      this.ledger.consumeExposure(peer) >= payAt(this.policy, t.paymentThreshold)
    );
  }

  /** Pay the peer what we owe (bring the balance to neutral); concurrent calls share one payment,
   * and the amount is read when the payment is made. */
  settle(peer: string): Promise<void> {
    let p = this.#settling.get(peer);
    if (!p) {
      p = this.settlement.pay(peer, () => -this.ledger.balance(peer)).finally(() => this.#settling.delete(peer));
      this.#settling.set(peer, p);
    }
    return p;
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

export { UNBOUNDED };
