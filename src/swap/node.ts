/**
 * A SWAP node: wires store, ledger, accounting, cheque issuer and receiver, and runs one
 * `PeerSession` per connection. Follows the Waku SWAP flow: handshake with payment thresholds,
 * a cheque at the threshold, disconnect at the disconnect threshold, tit-for-tat — plus the
 * server's balance view on the wire and resync after lost state (docs/swap-protocol.md).
 *
 * Sessions reach the node only through the `SessionHost` built here (`#host`); what differs by
 * mode comes from strategy objects (verifier.ts, accounting/limits.ts).
 */
import { EventEmitter } from "node:events";
import type { Hex } from "../crypto/index.js";
import { bytesToHex, toChecksumAddress } from "../crypto/index.js";
import type { SignerLike } from "../crypto/signer.js";
import type { ChainFacts } from "../chain/facts.js";
import { Accounting } from "../accounting/accounting.js";
import { Ledger, type Reservation } from "../accounting/ledger.js";
import { UNBOUNDED } from "../accounting/limits.js";
import { resolvePolicy, type PolicyConfig, type ResolvedPolicy, type ServiceClass } from "../accounting/policy.js";
import type { Store } from "../store/types.js";
import { StoreUnavailableError } from "../store/errors.js";
import { InvalidArgumentError } from "../errors.js";
import { toAddress } from "../values.js";
import { ChequeIssuer, type Funds } from "./issuer.js";
import { receiverWithCredit, type ChequeReceiver } from "./receiver.js";
import { chainFunds, mockFunds, type ChequeVerifier } from "./verifier.js";
import type { ContractIssuerCredit } from "../accounting/credit.js";
import {
  BalanceMismatchError,
  ConnectionLimitError,
  EmbargoedError,
  HandshakeRejectedError,
  InsufficientLiquidityError,
  PeerValueOutOfRangeError,
  ThresholdOutOfBoundsError,
  type RefusalCode,
} from "./errors.js";
import { fromBytesBE, toBytes32BE, toInt256BE } from "./codec.js";
import {
  DEFAULT_LIMITS,
  PeerSession,
  type Admission,
  type BalanceView,
  type RemoteTerms,
  type SessionHost,
  type SessionLimits,
} from "./session.js";
import type { Handshake, Cheque } from "./swap.pb.js";
import type { Duplex } from "./transport.js";

/** A service: returns the response payload, or the payload and the units actually served (the
 * server prices those; a bare payload is one unit). `unitsHint` is what the requester announced. */
export type ServiceHandler = (
  payload: Uint8Array,
  peer: string,
  serviceClass: ServiceClass,
  unitsHint: number,
) => ServiceResult | Promise<ServiceResult>;
export type ServiceResult = Uint8Array<ArrayBuffer> | { payload: Uint8Array<ArrayBuffer>; units: number };

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
  /** How received cheques are checked (default from the mode: chain in hard, announced issuer in mock). */
  verifier?: ChequeVerifier;
  /** Services we offer, by protocol name. */
  handlers?: Record<string, ServiceHandler>;
  now?: () => number;
  /** Write-behind interval for service balances (ms); also the store-recovery retry. Default 1,000. */
  flushIntervalMs?: number;
  /** How long to wait for a handshake or a response (ms). Default 10,000. */
  timeoutMs?: number;
  /** Per-session bounds (idle timeout, inbox, bad frames, …); defaults in `DEFAULT_LIMITS`. */
  limits?: Partial<SessionLimits>;
  /** Connections held at once (default 1,024) and handshakes under way (default 128). */
  maxConnections?: number;
  maxPendingHandshakes?: number;
  /** When a group commit of cheques (issued and received) runs once its first write is queued;
   * default `setImmediate` (every cheque of one event-loop turn shares one fsync). Tests hold it
   * to observe that nothing waits on it but the cheques in the group. */
  groupCommit?: (commit: () => void) => void;
  /** Test hook: called at named points of issuing and receiving. */
  crashPoint?: (point: string) => void;
}

export interface NodeEvents {
  "cheque-sent": [{ peer: string; cumulativePayout: bigint; amount: bigint }];
  "cheque-received": [{ peer: string; cumulativePayout: bigint; credited: bigint; duplicate: boolean }];
  "cheque-rejected": [{ peer: string; error: Error }];
  "payment-failed": [{ peer: string; error: Error }];
  refused: [{ peer: string; protocol: string; reason: string; code: RefusalCode }];
  disconnected: [{ peer: string; reason: string; embargoMs: number }];
  "frame-error": [{ peer: string; error: Error }];
  /** We adopted the peer's balance view (`from` → `to`: what we owe it, net). */
  "balance-synced": [{ peer: string; from: bigint; to: bigint }];
  /** Our own record was below the cheque the peer holds from us: adopted. */
  resynced: [{ peer: string; cumulativePayout: bigint }];
  /** The database refused a write: paid work is refused until it recovers. */
  "store-unavailable": [{ error: StoreUnavailableError }];
  "store-recovered": [];
  /** A connection refused before its handshake (caps). */
  "connection-refused": [{ peer: string; error: Error }];
}

const MODES = new Set(["soft", "mock", "hard"]);

export class SwapNode extends EventEmitter<NodeEvents> {
  readonly policy: ResolvedPolicy;
  readonly store: Store;
  readonly ledger: Ledger;
  readonly accounting: Accounting;
  readonly receiver: ChequeReceiver;
  /** Credit to contract-wallet issuers, bounded by their hard deposit (hard mode only). */
  readonly credit?: ContractIssuerCredit;
  readonly issuer?: ChequeIssuer;
  readonly beneficiary: Hex;
  readonly chequebook?: Hex;
  readonly chainId: bigint;
  readonly now: () => number;
  readonly limits: SessionLimits;
  readonly sessions = new Map<string, PeerSession>();
  /** Upward drift adopted per connected peer (bounded by the sync tolerance). */
  readonly #drift = new Map<string, bigint>();
  readonly #cums = new Map<string, { sent: bigint; received: bigint }>();
  /** Peers that rejected our last cheque: when it may be re-sent (ms). */
  readonly #resendAt = new Map<string, number>();
  #handshaking = 0;
  #storeFault?: StoreUnavailableError;
  #flushTimer?: NodeJS.Timeout;
  #closed = false;
  readonly #host: SessionHost;

  constructor(readonly config: SwapNodeConfig) {
    super();
    this.policy = resolvePolicy(config.policy);
    this.store = config.store;
    this.now = config.now ?? Date.now;
    this.chainId = config.chainId;
    this.beneficiary = toAddress(config.beneficiary, "beneficiary");
    this.chequebook = config.chequebook ? toAddress(config.chequebook, "chequebook") : undefined;
    if (this.policy.mode === "hard" && !config.facts)
      throw new InvalidArgumentError("facts", undefined, "ChainFacts in hard mode");
    this.limits = {
      ...DEFAULT_LIMITS,
      ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
      ...config.limits,
    };
    this.ledger = new Ledger(this.store, { schedule: config.groupCommit });
    // a cheque moved (issued, adopted or received): the cached cumulatives are stale, synchronously
    this.ledger.onPersisted = (peer) => this.#cums.delete(peer);
    if (this.chequebook && config.signer) {
      const funds =
        config.facts && this.policy.mode === "hard"
          ? chainFunds(config.facts, this.chequebook)
          : mockFunds(config.mockFunds ?? (() => ({ balance: 1n << 255n, totalPaidOut: 0n })));
      this.issuer = new ChequeIssuer(this.store, this.ledger, {
        chequebook: this.chequebook,
        chainId: this.chainId,
        signer: config.signer,
        funds: funds.funds,
        paidOut: funds.paidOut,
        now: this.now,
        crashPoint: config.crashPoint,
      });
    }
    const received = receiverWithCredit(
      this.store,
      this.ledger,
      {
        beneficiary: this.beneficiary,
        chainId: this.chainId,
        mode: this.policy.mode,
        minChequeValue: this.policy.minChequeValue,
        facts: config.facts,
        verifier: config.verifier,
        now: this.now,
        crashPoint: config.crashPoint,
      },
      this.policy,
      (peer, error) => this.emit("frame-error", { peer, error: error as Error }),
    );
    this.receiver = received.receiver;
    this.credit = received.credit;
    this.accounting = new Accounting(
      this.ledger,
      this.policy,
      { pay: (peer, amount) => this.#pay(peer, amount) },
      this.now,
      undefined,
      this.credit,
    );
    // without a chequebook we cannot pay: consume within what the peer grants (free tier)
    if (!this.issuer) this.accounting.paymentsEnabled = false;
    this.#host = this.#makeHost();
    const interval = config.flushIntervalMs ?? 1_000;
    if (interval > 0) {
      this.#flushTimer = setInterval(() => this.flush(), interval);
      this.#flushTimer.unref();
    }
  }

  /** Simulate (or recover from) a peer that stops paying: no cheques are issued while false. */
  set paymentsEnabled(on: boolean) {
    this.accounting.paymentsEnabled = on;
  }

  /** Whether the store takes writes (false after a `StoreUnavailableError`, until a flush succeeds). */
  get storeAvailable(): boolean {
    return !this.#storeFault;
  }

  /**
   * Run the SWAP protocol on a connection to `peer` (either side calls this): handshake, re-send
   * of the last cheque, then service traffic. Rejects with `EmbargoedError` during an embargo and
   * `ConnectionLimitError` past the node's caps (the connection is closed in both cases).
   */
  async connect(duplex: Duplex, peer: string): Promise<PeerSession> {
    const refuse = (e: Error) => {
      duplex.close(e.message);
      this.emit("connection-refused", { peer, error: e });
      throw e;
    };
    const embargoUntil = this.ledger.get(peer).embargoUntil;
    if (embargoUntil > this.now()) refuse(new EmbargoedError(peer, embargoUntil));
    const maxHandshakes = this.config.maxPendingHandshakes ?? 128;
    if (this.#handshaking >= maxHandshakes) refuse(new ConnectionLimitError("handshakes", maxHandshakes));
    const maxConnections = this.config.maxConnections ?? 1_024;
    if (this.sessions.size >= maxConnections && !this.sessions.has(peer))
      refuse(new ConnectionLimitError("connections", maxConnections));
    this.sessions.get(peer)?.close("replaced by a new connection");
    const session = new PeerSession(this.#host, duplex, peer);
    this.sessions.set(peer, session);
    this.#handshaking++;
    try {
      await session.start();
    } finally {
      this.#handshaking--;
    }
    return session;
  }

  handler(protocol: string): ServiceHandler | undefined {
    const h = this.config.handlers;
    return h && Object.hasOwn(h, protocol) ? h[protocol] : undefined;
  }

  /** Record an embargo we impose on, or that was imposed by, `peer`. */
  embargo(peer: string, ms: number): void {
    if (!(ms >= 0)) return;
    const rec = this.ledger.get(peer);
    rec.embargoUntil = this.now() + Math.min(ms, this.limits.maxPeerEmbargoMs);
    this.#write(() => this.ledger.persist(rec));
  }

  /** Mark the issuer of `peer`'s chequebook as defaulting (a cash-out bounced, or its chequebook
   * drained), or clear it. */
  setDefaulting(peer: string, defaulting: boolean): void {
    const rec = this.ledger.get(peer);
    rec.defaulting = defaulting;
    this.#write(() => this.ledger.persist(rec));
  }

  /** Callbacks for a `CashoutService`: a bounce marks the peer's issuer defaulting (refused until a
   * later cash-out pays in full), a full payment clears it unless the chequebook is drained. */
  cashoutHooks(): { onBounce: (peer: string) => void; onPaid: (peer: string) => void } {
    return {
      onBounce: (peer) => this.setDefaulting(peer, true),
      onPaid: (peer) => {
        if (this.ledger.get(peer).defaulting) this.setDefaulting(peer, false);
        void this.checkSolvency(peer).catch(() => undefined);
      },
    };
  }

  /** A chequebook that cannot pay what it already owes us (drained) is a defaulting issuer. */
  async checkSolvency(peer: string): Promise<boolean> {
    const chequebook = this.ledger.get(peer).chequebook;
    if (!chequebook || !(await this.receiver.drained(chequebook))) return true;
    if (!this.ledger.get(peer).defaulting) this.setDefaulting(peer, true);
    return false;
  }

  /** Write unflushed service balances; a store fault is reported (not thrown) and retried on the
   * next tick; the first success after a fault reports the recovery. */
  flush(): void {
    try {
      this.ledger.flush();
      this.ledger.evictIdle((peer) => this.sessions.has(peer));
      if (this.#storeFault) {
        this.#storeFault = undefined;
        this.emit("store-recovered");
      }
    } catch (e) {
      this.#storeFailed(e);
    }
  }

  /** Flush balances and stop timers and sessions. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    for (const s of [...this.sessions.values()]) s.close("node closing");
    this.flush();
  }

  // ------------------------------------------------------------------ internals

  #write(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      this.#storeFailed(e);
      return false;
    }
  }

  #storeFailed(e: unknown): void {
    if (!(e instanceof StoreUnavailableError)) throw e;
    const first = !this.#storeFault;
    this.#storeFault = e;
    if (first) this.emit("store-unavailable", { error: e });
  }

  async #pay(peer: string, amount: bigint | (() => bigint)): Promise<void> {
    const beneficiary = this.sessions.get(peer)?.remote?.beneficiary;
    if (!this.issuer || !beneficiary || !this.accounting.limits.pays) return;
    try {
      const before = this.ledger.balance(peer);
      const cheque = await this.issuer.issue(peer, beneficiary, amount);
      if (!cheque) return;
      this.emit("cheque-sent", {
        peer,
        cumulativePayout: cheque.cumulativePayout,
        amount: this.ledger.balance(peer) - before,
      });
      // on the peer's current connection (it may have reconnected meanwhile); if none, the cheque
      // is re-sent on the next connect
      const session = this.sessions.get(peer);
      if (session && !session.closed) await session.sendCheque(cheque);
      this.config.crashPoint?.("issue:sent");
    } catch (e) {
      if (e instanceof StoreUnavailableError) this.#storeFailed(e);
      this.emit("payment-failed", { peer, error: e as Error });
    }
  }

  /** Our net debt to `peer` as its view announces it, with cheques in flight either way taken out. */
  #announcedDebt(peer: string, remote: RemoteTerms, v: BalanceView): bigint {
    const { sent: issued, received } = this.#cumulatives(peer, remote.beneficiary, remote.chequebook);
    const outbound = issued > v.receivedCumulative ? issued - v.receivedCumulative : 0n;
    const inbound = v.sentCumulative > received ? v.sentCumulative - received : 0n;
    return v.balance - outbound - inbound;
  }

  /** Settle to the peer's view when within tolerance (summed over the connection, net of moves in
   * our favour), else `BalanceMismatchError`. `overcharge` is what the peer charged above our own
   * price for the request. */
  #sync(peer: string, v: BalanceView | undefined, overcharge: bigint): void {
    const session = this.sessions.get(peer);
    const remote = session?.remote;
    if (!remote) return;
    const local = -this.ledger.net(peer);
    const announced = v ? this.#announcedDebt(peer, remote, v) : local;
    if (v) this.#maybeResend(peer, session!, remote, v);
    const diff = announced - local;
    // an honest server's view never passes its disconnect threshold (its payment threshold plus its
    // tolerance, which it does not announce): 2 × its payment threshold covers tolerances to 100 %
    const tolerance = this.policy.syncTolerance ?? 2n * remote.paymentThreshold;
    let drift = (this.#drift.get(peer) ?? 0n) + diff + overcharge;
    if (drift < 0n) drift = 0n;
    if (drift > tolerance) throw new BalanceMismatchError(peer, announced, local, drift, tolerance);
    this.#drift.set(peer, drift);
    if (diff !== 0n) {
      this.ledger.commit(this.ledger.afterSync(peer, announced), false);
      this.emit("balance-synced", { peer, from: local, to: announced });
      if (diff > 0n && this.accounting.paymentDue(peer)) void this.accounting.settle(peer).catch(() => undefined);
    }
  }

  /** The peer rejected our last cheque (e.g. its store was full) and still has not credited it:
   * send it again, at most once a second (the receiver ignores a duplicate). */
  #maybeResend(peer: string, session: PeerSession, remote: RemoteTerms, v: BalanceView): void {
    const at = this.#resendAt.get(peer);
    if (at === undefined || !remote.beneficiary) return;
    const last = this.issuer?.last(remote.beneficiary);
    if (!last || last.cumulativePayout <= v.receivedCumulative) return void this.#resendAt.delete(peer);
    if (this.now() < at) return;
    this.#resendAt.set(peer, this.now() + 1_000);
    session.sendCheque(last).catch(() => undefined);
  }

  #checkHandshake(h: Handshake): RemoteTerms {
    const p = this.policy;
    const threshold = h.paymentThresholdBe.length ? fromBytesBE(h.paymentThresholdBe) : h.paymentThreshold;
    if (threshold < p.minPeerThreshold || threshold > p.maxPeerThreshold)
      throw new ThresholdOutOfBoundsError(threshold, p.minPeerThreshold, p.maxPeerThreshold);
    if (h.chainId !== this.chainId)
      throw new HandshakeRejectedError("other chain", `peer is on ${h.chainId}, we are on ${this.chainId}`);
    if (!MODES.has(h.mode)) throw new HandshakeRejectedError("unknown mode", JSON.stringify(h.mode.slice(0, 32)));
    const freePerSecond = fromBytesBE(h.freePerSecond);
    if (freePerSecond > UNBOUNDED) throw new PeerValueOutOfRangeError("freePerSecond", freePerSecond, UNBOUNDED);
    const addr = (b: Uint8Array, what: string) => {
      if (b.length === 0) return undefined;
      if (b.length !== 20) throw new HandshakeRejectedError(`bad ${what}`, `${b.length} bytes`);
      return toChecksumAddress(bytesToHex(b));
    };
    return {
      paymentThreshold: threshold,
      beneficiary: addr(h.beneficiary, "beneficiary"),
      chequebook: addr(h.chequebook, "chequebook"),
      issuer: addr(h.issuer, "issuer"),
      chainId: h.chainId,
      mode: h.mode,
      freePerSecond,
    };
  }

  #view(peer: string): BalanceView {
    const remote = this.sessions.get(peer)?.remote;
    const { sent, received } = this.#cumulatives(
      peer,
      remote?.beneficiary,
      remote?.chequebook ?? this.ledger.get(peer).chequebook,
    );
    return {
      balance: this.ledger.net(peer),
      receivedCumulative: received,
      sentCumulative: sent,
      forgiven: this.accounting.forgiven(peer),
    };
  }

  /** Cumulative payouts of the last cheques we sent to / received from the peer, cached per
   * connected peer (every response carries them); dropped whenever a cheque moves either way. */
  #cumulatives(peer: string, beneficiary?: string, chequebook?: string): { sent: bigint; received: bigint } {
    let c = this.#cums.get(peer);
    if (!c) {
      c = {
        sent: beneficiary ? (this.issuer?.last(beneficiary)?.cumulativePayout ?? 0n) : 0n,
        received: chequebook ? (this.receiver.last(chequebook)?.cumulativePayout ?? 0n) : 0n,
      };
      if (this.sessions.get(peer)?.remote) this.#cums.set(peer, c);
    }
    return c;
  }

  #admit(peer: string, protocol: string, unitsHint: number, payload: Uint8Array): Admission {
    const handler = this.handler(protocol);
    if (!handler) return { refuse: true, code: "UnknownProtocol", reason: `no service ${protocol.slice(0, 64)}` };
    const cls = this.accounting.classify(peer, protocol, unitsHint);
    if (cls === "refused") {
      const defaulting = this.ledger.get(peer).defaulting;
      const reason = defaulting ? "issuer defaulting" : "payment required: debt past the disconnect threshold";
      const embargoMs = this.accounting.embargoFor(peer);
      this.embargo(peer, embargoMs);
      return {
        refuse: true,
        code: defaulting ? "IssuerDefaulting" : "PaymentRequired",
        reason,
        disconnect: { embargoMs },
      };
    }
    if (cls === "paid" && this.#storeFault)
      return { refuse: true, code: "StoreUnavailable", reason: "store unavailable: cannot record paid work" };
    let reservation: Reservation;
    try {
      reservation = this.accounting.prepareServe(peer, protocol, unitsHint);
    } catch (e) {
      return { refuse: true, code: "Overdraft", reason: (e as Error).message };
    }
    const maxUnits = this.policy.maxUnitsPerRequest;
    return {
      refuse: false,
      serviceClass: cls,
      run: async () => {
        const out = await handler(payload, peer, cls, unitsHint);
        if (out instanceof Uint8Array) return { payload: out, units: 1 };
        const units = Number.isSafeInteger(out.units) ? Math.min(Math.max(out.units, 1), maxUnits) : 1;
        return { payload: out.payload, units };
      },
      bill: (units) => {
        const charged = reservation.apply(this.accounting.price(protocol, units));
        return { charged, units, refund: () => reservation.refund() };
      },
      release: () => reservation.release(),
    };
  }

  /**
   * The node as its sessions see it: admission, billing and balance views of the server side,
   * settlement of the requester side. For transports that carry requests outside a PeerSession
   * (the daemon's per-service libp2p streams), so that they follow exactly the same rules.
   */
  get sessionHost(): SessionHost {
    return this.#host;
  }

  #makeHost(): SessionHost {
    return {
      limits: this.limits,
      hello: (peer) => {
        const threshold = this.policy.paymentThreshold;
        const MAX_U64 = (1n << 64n) - 1n;
        const lastFromPeer = this.ledger.get(peer).chequebook
          ? this.receiver.last(this.ledger.get(peer).chequebook!)
          : undefined;
        return {
          paymentThreshold: threshold > MAX_U64 ? MAX_U64 : threshold,
          beneficiary: hexBytes(this.beneficiary),
          chequebook: this.chequebook ? hexBytes(this.chequebook) : new Uint8Array(0),
          chainId: this.chainId,
          paymentThresholdBe: toBytes32BE(threshold),
          issuer: this.config.issuer ? hexBytes(this.config.issuer) : new Uint8Array(0),
          mode: this.policy.mode,
          freePerSecond: this.policy.freePerSecond > 0n ? toBytes32BE(this.policy.freePerSecond) : new Uint8Array(0),
          lastReceived: lastFromPeer && {
            beneficiary: hexBytes(lastFromPeer.beneficiary),
            date: 0,
            amount: 0,
            chequebook: hexBytes(lastFromPeer.chequebook),
            cumulativePayout: toBytes32BE(lastFromPeer.cumulativePayout),
            signature: hexBytes(lastFromPeer.signature),
            chainId: lastFromPeer.chainId,
          },
          balance: toInt256BE(this.ledger.net(peer)),
          receivedCumulative: lastFromPeer ? toBytes32BE(lastFromPeer.cumulativePayout) : new Uint8Array(0),
        };
      },
      welcome: async (peer, h, session) => {
        const remote = this.#checkHandshake(h);
        // resync: the peer returns the last cheque it holds from us; adopt it if our record is lower
        if (h.lastReceived && this.issuer) {
          try {
            const c = h.lastReceived;
            const cheque = {
              chequebook: bytesToHex(c.chequebook),
              beneficiary: bytesToHex(c.beneficiary),
              cumulativePayout: fromBytesBE(c.cumulativePayout),
              signature: bytesToHex(c.signature) as Hex,
            };
            if (c.chequebook.length === 20 && c.beneficiary.length === 20 && (await this.issuer.adopt(peer, cheque))) {
              this.emit("resynced", { peer, cumulativePayout: cheque.cumulativePayout });
            }
          } catch (e) {
            if (e instanceof StoreUnavailableError) this.#storeFailed(e);
            this.emit("frame-error", { peer, error: e as Error });
          }
        }
        if (this.credit)
          await this.credit.admit(peer, this.ledger.get(peer).chequebook ?? remote.chequebook, remote.issuer);
        if (session.closed) return remote;
        this.#drift.delete(peer);
        this.#cums.delete(peer);
        this.accounting.registerPeer(peer, {
          paymentThreshold: remote.paymentThreshold,
          canPay: !!remote.chequebook,
          connectedAt: this.now(),
        });
        // after a restart or a reconnect, the last cheque is re-sent (the receiver ignores a duplicate)
        const last = remote.beneficiary && this.issuer?.last(remote.beneficiary);
        if (last) session.sendCheque(last).catch(() => undefined);
        return remote;
      },
      receiveCheque: async (peer, c: Cheque, remote) => {
        if (c.cumulativePayout.length > 32)
          throw new PeerValueOutOfRangeError("cumulativePayout length", BigInt(c.cumulativePayout.length), 32n);
        const incoming = {
          chequebook: bytesToHex(c.chequebook),
          beneficiary: bytesToHex(c.beneficiary),
          cumulativePayout: fromBytesBE(c.cumulativePayout),
          signature: bytesToHex(c.signature),
          chainId: c.chainId,
        };
        try {
          const res = await this.receiver.receive(peer, incoming, {
            chequebook: remote.chequebook,
            issuer: remote.issuer,
          });
          this.config.crashPoint?.("receive:acked");
          return res;
        } catch (e) {
          if (e instanceof StoreUnavailableError) this.#storeFailed(e);
          if (e instanceof InsufficientLiquidityError) void this.checkSolvency(peer).catch(() => undefined);
          throw e;
        }
      },
      admit: (peer, r) => this.#admit(peer, r.protocol, r.units, r.payload),
      viewFor: (peer) => this.#view(peer),
      prepareRequest: (peer, protocol, units) => this.accounting.prepareConsume(peer, protocol, units),
      onResponse: (peer, reservation, charged, view, refused) => {
        let overcharge = 0n;
        if (reservation) {
          if (refused) reservation.release();
          else {
            reservation.apply(charged);
            if (charged > reservation.amount) overcharge = charged - reservation.amount;
          }
        } else if (charged > 0n) {
          // a late response (we timed out): the server billed it, so do we
          this.ledger.reserveConsume(peer, "(late)", 0n, UNBOUNDED).apply(charged);
        }
        this.#sync(peer, view, overcharge);
        if (refused && this.accounting.paymentDue(peer)) void this.accounting.settle(peer).catch(() => undefined);
      },
      onChequeRejected: (peer) => {
        if (!this.#resendAt.has(peer)) this.#resendAt.set(peer, this.now());
      },
      onDisconnect: (peer, _reason, embargoMs, view) => {
        if (embargoMs > 0) this.embargo(peer, embargoMs);
        try {
          this.#sync(peer, view, 0n);
        } catch (e) {
          this.emit("payment-failed", { peer, error: e as Error });
        }
      },
      punish: (peer, error, embargoMs) => {
        this.embargo(peer, embargoMs);
        this.emit("disconnected", { peer, reason: error.message, embargoMs });
      },
      report: (e) => {
        const { kind, ...rest } = e;
        (this.emit as (k: string, v: unknown) => boolean)(kind, rest);
      },
      ended: (peer, session) => {
        if (this.sessions.get(peer) !== session) return;
        this.sessions.delete(peer);
        this.#drift.delete(peer);
        this.#resendAt.delete(peer);
        this.#cums.delete(peer);
        this.accounting.unregisterPeer(peer);
        this.credit?.forget(peer);
        this.ledger.evict(peer);
      },
    };
  }
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}
