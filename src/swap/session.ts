/**
 * One connection's SWAP protocol: handshake, cheques, acknowledgements and rejections, and the
 * metered request/response traffic with the server's balance view on every response.
 *
 * The session talks to its node only through `SessionHost` (below), which it owns: it can be run
 * and tested without a `SwapNode`. It never lets a promise go unhandled, clears every timer on
 * close, fails requests in flight with `ConnectionClosedError`, and bounds what a peer can make
 * it hold: frames queued (reading pauses through the transport while it is behind), requests
 * served at once, malformed frames per window, silence after the handshake.
 */
import type { Handshake, Cheque, ServiceRequest, ServiceResponse } from "./swap.pb.js";
import type { Reservation } from "../accounting/ledger.js";
import type { ServiceClass } from "../accounting/policy.js";
import {
  encodeMessage,
  FrameDecoder,
  fromBytesBE,
  fromInt256BE,
  toBytes32BE,
  toInt256BE,
  type SwapMessage,
} from "./codec.js";
import {
  ConnectionClosedError,
  HandshakeRejectedError,
  InboxOverflowError,
  PeerValueOutOfRangeError,
  RequestTimeoutError,
  ServiceRefusedError,
  TooManyBadFramesError,
  UnexpectedMessageError,
  type RefusalCode,
} from "./errors.js";
import type { Duplex } from "./transport.js";
import type { SignedCheque } from "../cheque/index.js";
import type { Hex } from "../crypto/index.js";

export interface RemoteTerms {
  paymentThreshold: bigint;
  beneficiary?: Hex;
  chequebook?: Hex;
  issuer?: Hex;
  chainId: bigint;
  mode: string;
  /** Free allowance the peer grants us per second (0: none). */
  freePerSecond: bigint;
}

/** Bounds a session enforces on its peer (all in ms or counts). */
export interface SessionLimits {
  /** Wait for the handshake and for each response. */
  timeoutMs: number;
  /** Close a handshaken connection after this long without a frame from the peer. */
  idleTimeoutMs: number;
  /** Frames queued for processing before reading pauses (bytes already read wait undecoded, up
   * to `MAX_STASH_BYTES`; beyond that the peer is disconnected). */
  maxInbox: number;
  /** Bytes of queued frames before reading pauses (whichever of the two limits comes first). */
  maxInboxBytes: number;
  /** Requests of the peer being served at once; more are refused ("Busy"). */
  maxServing: number;
  /** Malformed frames tolerated within `badFrameWindowMs`; one more disconnects and embargoes. */
  maxBadFrames: number;
  badFrameWindowMs: number;
  badFrameEmbargoMs: number;
  /** Largest embargo a peer may impose on us (longer ones are range errors). */
  maxPeerEmbargoMs: number;
}

/** The server's balance view as carried on the wire (ServiceResponse, Disconnect). */
export interface BalanceView {
  /** What the requester owes the server, net (negative: the server owes it or it prepaid). */
  balance: bigint;
  /** Cumulative payout of the requester's last cheque the server credited. */
  receivedCumulative: bigint;
  /** Cumulative payout of the server's last cheque to the requester. */
  sentCumulative: bigint;
  /** Free allowance applied to the requester on this connection. */
  forgiven: bigint;
}

/** The server's decision on a request, taken in frame order. */
export type Admission =
  | { refuse: true; code: RefusalCode; reason: string; disconnect?: { embargoMs: number } }
  | {
      refuse: false;
      serviceClass: Exclude<ServiceClass, "refused">;
      /** Run the service. */
      run(): Promise<{ payload: Uint8Array<ArrayBuffer>; units: number }>;
      /** Charge for `units` served, now (synchronously before the response is handed to the
       * transport); returns the amount and an undo for a transport that refuses the response. */
      bill(units: number): { charged: bigint; units: number; refund(): void };
      /** The service failed: nothing is charged. */
      release(): void;
    };

/** Everything a session needs from its node. */
export interface SessionHost {
  readonly limits: SessionLimits;
  /** Our handshake for `peer`. */
  hello(peer: string): Handshake;
  /** Check the peer's handshake (typed error to refuse), resync from it, and register the peer. */
  welcome(peer: string, h: Handshake, session: PeerSession): Promise<RemoteTerms>;
  /** Validate, store and credit a cheque (typed error to reject). */
  receiveCheque(
    peer: string,
    c: Cheque,
    remote: RemoteTerms,
  ): Promise<{ credited: bigint; duplicate: boolean; cumulativePayout: bigint }>;
  /** The server side: decide on a request. */
  admit(peer: string, r: ServiceRequest): Admission;
  /** The server side: our balance view for the peer, announced on responses and disconnects. */
  viewFor(peer: string): BalanceView;
  /** The requester side: reserve (and pay first when due). */
  prepareRequest(peer: string, protocol: string, units: number): Promise<Reservation>;
  /** The requester side: apply the server's charge and settle to its view (a typed error, e.g.
   * `BalanceMismatchError`, disconnects). `reservation` is undefined for a late response. */
  onResponse(
    peer: string,
    reservation: Reservation | undefined,
    charged: bigint,
    view: BalanceView | undefined,
    refused: boolean,
  ): void;
  /** The peer rejected our cheque (`code`: its error name); the node re-sends it later. */
  onChequeRejected(peer: string, code: string): void;
  /** The peer disconnected us with an embargo (already range-checked) and its view. */
  onDisconnect(peer: string, reason: string, embargoMs: number, view: BalanceView | undefined): void;
  /** We disconnect the peer for misbehaviour (bad frames, flood): embargo it. */
  punish(peer: string, error: Error, embargoMs: number): void;
  /** An event for the operator. */
  report(event: SessionEvent): void;
  /** The session closed (after every pending request failed and every timer was cleared). */
  ended(peer: string, session: PeerSession): void;
}

export type SessionEvent =
  | { kind: "frame-error"; peer: string; error: Error }
  | { kind: "cheque-received"; peer: string; cumulativePayout: bigint; credited: bigint; duplicate: boolean }
  | { kind: "cheque-rejected"; peer: string; error: Error }
  | { kind: "payment-failed"; peer: string; error: Error }
  | { kind: "refused"; peer: string; protocol: string; reason: string; code: RefusalCode }
  | { kind: "disconnected"; peer: string; reason: string; embargoMs: number };

export const DEFAULT_LIMITS: SessionLimits = {
  timeoutMs: 10_000,
  idleTimeoutMs: 120_000,
  maxInbox: 64,
  maxInboxBytes: 1 << 20,
  maxServing: 32,
  maxBadFrames: 16,
  badFrameWindowMs: 10_000,
  badFrameEmbargoMs: 60_000,
  maxPeerEmbargoMs: 24 * 3_600_000,
};

/** Late responses (to timed-out requests) still carry a charge; remember this many ids. */
const MAX_LATE = 256;
const MAX_U32 = 2 ** 32 - 1;
/** Undecoded bytes a session holds while its inbox is full (transports pause well before this). */
export const MAX_STASH_BYTES = 1 << 20;
const EMPTY = new Uint8Array(0);

interface Pending {
  resolve: (m: ServiceResponse) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  reservation: Reservation;
}

export class PeerSession {
  remote?: RemoteTerms;
  readonly #decoder = new FrameDecoder();
  readonly #pending = new Map<bigint, Pending>();
  readonly #late = new Set<bigint>();
  #nextId = 1n;
  readonly #inbox: SwapMessage[] = [];
  readonly #inboxSizes: number[] = [];
  #inboxBytes = 0;
  readonly #stash: Uint8Array[] = [];
  #stashBytes = 0;
  #peakFrames = 0;
  #draining = false;
  #paused = false;
  #serving = 0;
  #slotWaiters: (() => void)[] = [];
  #leaving = false;
  #badFrames: number[] = [];
  #idleTimer?: NodeJS.Timeout;
  #handshakeTimer?: NodeJS.Timeout;
  #hello?: { resolve: (h: Handshake) => void; reject: (e: Error) => void };
  #gotHello = false;
  #chainId = 0n;
  #closed = false;
  #closeReason = "closed";
  /** Cheques acknowledged by the peer (cumulative). */
  lastAcked = 0n;

  constructor(
    readonly host: SessionHost,
    readonly duplex: Duplex,
    readonly peer: string,
  ) {
    duplex.onClose((reason) => this.#onClose(reason));
    duplex.onData((bytes) => this.#onBytes(bytes));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Frames waiting and bytes buffered (for memory bounds). */
  get backlog(): { frames: number; bytes: number; pending: number; serving: number; peakFrames: number } {
    return {
      frames: this.#inbox.length,
      bytes: this.#inboxBytes + this.#decoder.buffered + this.#stashBytes,
      pending: this.#pending.size,
      serving: this.#serving,
      peakFrames: this.#peakFrames,
    };
  }

  /** Exchange handshakes; rejects (and closes) on a refused handshake, a timeout or a close. */
  async start(): Promise<void> {
    const theirs = new Promise<Handshake>((resolve, reject) => (this.#hello = { resolve, reject }));
    theirs.catch(() => undefined);
    this.#pump(); // a handshake that arrived before start()
    this.#handshakeTimer = setTimeout(
      () => this.#hello?.reject(new HandshakeRejectedError("no handshake in time")),
      this.host.limits.timeoutMs,
    );
    try {
      if (this.#closed) throw new ConnectionClosedError(this.#closeReason);
      const hello = this.host.hello(this.peer);
      this.#chainId = hello.chainId;
      await this.#send({ handshake: hello });
      const h = await theirs;
      this.remote = await this.host.welcome(this.peer, h, this);
      if (this.#closed) throw new ConnectionClosedError(this.#closeReason);
    } catch (e) {
      this.close((e as Error).message);
      throw e;
    } finally {
      clearTimeout(this.#handshakeTimer);
      this.#handshakeTimer = undefined;
      this.#hello = undefined;
    }
    this.#touch();
    this.#pump(); // frames that arrived while the handshake was checked
  }

  /** Request `units` of `protocol` service (a hint: the server prices what it served). Reserves
   * our estimate (paying first when due), sends, applies the server's charge on the response. */
  async request(
    protocol: string,
    payload: Uint8Array<ArrayBuffer> = new Uint8Array(0),
    units = 1,
  ): Promise<{ payload: Uint8Array; serviceClass: string; charged: bigint }> {
    if (this.#closed) throw new ConnectionClosedError(this.#closeReason);
    const hint = Number.isSafeInteger(units) && units >= 0 ? Math.min(units, MAX_U32) : 1;
    const reservation = await this.host.prepareRequest(this.peer, protocol, hint);
    if (this.#closed) {
      reservation.release();
      throw new ConnectionClosedError(this.#closeReason);
    }
    const id = this.#nextId++;
    const ms = this.host.limits.timeoutMs;
    const answer = new Promise<ServiceResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#pending.delete(id)) {
          reservation.release();
          this.#rememberLate(id);
          reject(new RequestTimeoutError(protocol, ms));
        }
      }, ms);
      this.#pending.set(id, { resolve, reject, timer, reservation });
    });
    this.#send({ request: { id, protocol, units: hint, payload } }).catch((e: Error) =>
      this.#failPending(id, new ConnectionClosedError(e.message)),
    );
    const r = await answer;
    if (r.status === "refused") throw new ServiceRefusedError(r.reason || "refused", (r.code || "") as RefusalCode);
    return { payload: r.payload, serviceClass: r.status, charged: fromBytesBE(r.charged) };
  }

  /** Send a cheque (already stored by the issuer). */
  async sendCheque(c: SignedCheque): Promise<void> {
    const amount = c.cumulativePayout - this.lastAcked;
    await this.#send({
      cheque: {
        beneficiary: hexBytes(c.beneficiary),
        date: Math.floor(Date.now() / 1000) >>> 0,
        amount: amount > BigInt(MAX_U32) || amount < 0n ? MAX_U32 : Number(amount),
        chequebook: hexBytes(c.chequebook),
        cumulativePayout: toBytes32BE(c.cumulativePayout),
        signature: hexBytes(c.signature),
        chainId: this.#chainId,
      },
    });
  }

  close(reason = "closed"): void {
    if (this.#closed) return;
    this.duplex.close(reason);
    this.#onClose(reason); // the transport reports it too; the first call wins
  }

  // ------------------------------------------------------------------ incoming

  #onBytes(chunk: Uint8Array): void {
    if (this.#closed) return;
    this.#touch();
    this.#stash.push(chunk);
    this.#stashBytes += chunk.length;
    if (this.#stashBytes > MAX_STASH_BYTES) {
      // a transport that keeps delivering while paused (or has no pause): the peer floods us
      this.#punish(new InboxOverflowError(this.host.limits.maxInbox));
      return;
    }
    this.#decodeStash();
    this.#pump();
  }

  /** Decode stashed bytes while the inbox has room; pause the transport while it is full. Bytes
   * wait undecoded (at most what the transport delivered before the pause: about one chunk). */
  #decodeStash(): void {
    const max = this.host.limits.maxInbox;
    const maxBytes = this.host.limits.maxInboxBytes;
    const room = () => this.#inbox.length < max && this.#inboxBytes < maxBytes;
    while (this.#stash.length && room() && !this.#closed) {
      const chunk = this.#stash.shift()!;
      this.#stashBytes -= chunk.length;
      for (const d of this.#decoder.push(chunk)) {
        if (!d.ok) {
          this.#badFrame(d.error);
          if (this.#closed) return;
          continue;
        }
        this.#inbox.push(d.message);
        this.#inboxSizes.push(d.bytes);
        this.#inboxBytes += d.bytes;
      }
    }
    if (this.#inbox.length > this.#peakFrames) this.#peakFrames = this.#inbox.length;
    const full = !room() || this.#stash.length > 0;
    if (full && !this.#paused && this.duplex.pause) {
      this.#paused = true;
      this.duplex.pause();
    } else if (!full && this.#paused && this.#inbox.length <= max / 2 && this.#inboxBytes <= maxBytes / 2) {
      this.#paused = false;
      this.duplex.resume?.();
    }
  }

  #badFrame(error: Error): void {
    const l = this.host.limits;
    this.host.report({ kind: "frame-error", peer: this.peer, error });
    const now = Date.now();
    this.#badFrames.push(now);
    while (this.#badFrames.length && this.#badFrames[0] <= now - l.badFrameWindowMs) this.#badFrames.shift();
    if (this.#badFrames.length > l.maxBadFrames)
      this.#punish(new TooManyBadFramesError(this.#badFrames.length, l.badFrameWindowMs));
  }

  #punish(error: Error): void {
    if (this.#closed) return;
    const ms = this.host.limits.badFrameEmbargoMs;
    this.host.punish(this.peer, error, ms);
    this.#send({
      disconnect: {
        reason: error.message,
        embargoMs: BigInt(ms),
        balance: EMPTY,
        receivedCumulative: EMPTY,
        sentCumulative: EMPTY,
      },
    }).catch(() => undefined);
    this.close(error.message);
  }

  /** Process queued frames one at a time, in order (a cheque is credited before the requests sent
   * after it are judged); resume reading once the backlog halves. */
  #pump(): void {
    if (this.#draining || this.#closed || (!this.remote && !this.#hello)) return;
    this.#draining = true;
    void (async () => {
      try {
        while (!this.#closed && !this.#leaving && this.#inbox.length) {
          // before the handshake is accepted only a handshake is processed; what follows it waits
          // until start() has checked it
          if (!this.remote) {
            if (this.#gotHello) break;
            if (!this.#inbox[0].handshake) {
              this.#shift();
              this.#protocolError(new UnexpectedMessageError("message before the handshake"));
              continue;
            }
          }
          // backpressure towards a peer that does not read its responses: at most `maxServing`
          // requests between admission and the transport accepting their response
          if (this.#inbox[0].request && this.#serving >= this.host.limits.maxServing) {
            await this.#slot();
            continue;
          }
          const m = this.#shift();
          try {
            await this.#dispatch(m);
          } catch (e) {
            this.host.report({ kind: "frame-error", peer: this.peer, error: e as Error });
          }
          if (
            this.#inbox.length <= this.host.limits.maxInbox / 2 &&
            this.#inboxBytes <= this.host.limits.maxInboxBytes / 2
          )
            this.#decodeStash();
        }
      } finally {
        this.#draining = false;
      }
    })();
  }

  #shift(): SwapMessage {
    this.#inboxBytes -= this.#inboxSizes.shift() ?? 0;
    return this.#inbox.shift()!;
  }

  #protocolError(e: Error): void {
    this.#badFrame(e);
  }

  async #dispatch(m: SwapMessage): Promise<void> {
    if (m.handshake) {
      if (this.#gotHello || !this.#hello) return this.#protocolError(new UnexpectedMessageError("second handshake"));
      this.#gotHello = true;
      this.#hello.resolve(m.handshake);
      return;
    }
    const remote = this.remote!;
    if (m.cheque) return this.#onCheque(m.cheque, remote);
    if (m.ack) {
      const c = safeAmount(m.ack.cumulativePayout);
      if (c !== undefined && c > this.lastAcked) this.lastAcked = c;
      return;
    }
    if (m.reject) {
      this.host.onChequeRejected(this.peer, m.reject.code.slice(0, 64));
      this.host.report({
        kind: "payment-failed",
        peer: this.peer,
        error: new ServiceRefusedError(
          `cheque rejected: ${m.reject.code.slice(0, 64)} ${m.reject.message.slice(0, 200)}`,
        ),
      });
      return;
    }
    if (m.request) return this.#onRequest(m.request);
    if (m.response) return this.#onResponse(m.response);
    if (m.disconnect) return this.#onDisconnect(m.disconnect);
  }

  async #onCheque(c: Cheque, remote: RemoteTerms): Promise<void> {
    try {
      const res = await this.host.receiveCheque(this.peer, c, remote);
      this.host.report({ kind: "cheque-received", peer: this.peer, ...res });
      await this.#send({ ack: { chequebook: c.chequebook, cumulativePayout: c.cumulativePayout } }).catch(
        () => undefined,
      );
    } catch (e) {
      this.host.report({ kind: "cheque-rejected", peer: this.peer, error: e as Error });
      const code = (e as Error).name || "Error";
      await this.#send({
        reject: {
          code,
          message: (e as Error).message.split("\n")[0],
          chequebook: c.chequebook.subarray(0, 20),
          cumulativePayout: c.cumulativePayout.subarray(0, 32),
        },
      }).catch(() => undefined);
    }
  }

  #onRequest(r: ServiceRequest): void {
    const respond = (
      resp: Omit<ServiceResponse, "id" | "balance" | "receivedCumulative" | "sentCumulative" | "forgiven">,
      onFail?: () => void,
    ) => {
      // the view is taken now, after this response's charge, right before the transport gets it
      const v = this.host.viewFor(this.peer);
      this.#serving++;
      this.#send({ response: { id: r.id, ...resp, ...wireView(v) } })
        .catch(() => onFail?.())
        .finally(() => this.#freeSlot());
    };
    const refuse = (code: RefusalCode, reason: string) => {
      this.host.report({ kind: "refused", peer: this.peer, protocol: r.protocol.slice(0, 64), reason, code });
      respond({ status: "refused", payload: EMPTY, reason, charged: EMPTY, units: 0, code });
    };
    if (this.#serving >= this.host.limits.maxServing)
      return refuse("Busy", `more than ${this.host.limits.maxServing} requests in service`);
    const a = this.host.admit(this.peer, r);
    if (a.refuse) {
      refuse(a.code, a.reason);
      if (a.disconnect) void this.#leave(a.reason, a.disconnect.embargoMs);
      return;
    }
    // The decision above is in frame order; the service runs outside the inbox, so a slow handler
    // never holds up the cheques and requests behind it.
    this.#serving++;
    void (async () => {
      let out;
      try {
        out = await a.run();
      } catch (e) {
        a.release();
        this.#freeSlot();
        if (!this.#closed)
          refuse("ServiceFailed", `service failed: ${(e as Error).message.split("\n")[0].slice(0, 200)}`);
        return;
      }
      this.#freeSlot();
      if (this.#closed) return a.release();
      const bill = a.bill(out.units);
      respond(
        {
          status: a.serviceClass,
          payload: out.payload,
          reason: "",
          charged: toBytes32BE(bill.charged),
          units: bill.units,
          code: "",
        },
        bill.refund,
      );
    })().catch((e: Error) => this.host.report({ kind: "frame-error", peer: this.peer, error: e }));
  }

  #onResponse(r: ServiceResponse): void {
    const p = this.#pending.get(r.id);
    const late = !p && this.#late.delete(r.id);
    if (!p && !late) return; // not ours: ignored
    if (p) {
      clearTimeout(p.timer);
      this.#pending.delete(r.id);
    }
    try {
      const charged = r.status === "refused" ? 0n : fromBytesBE(r.charged);
      this.host.onResponse(this.peer, p?.reservation, charged, readView(r), r.status === "refused");
    } catch (e) {
      // a peer claiming more than our tolerance, or numbers out of range: we leave
      p?.reject(e as Error);
      this.host.report({ kind: "payment-failed", peer: this.peer, error: e as Error });
      this.close((e as Error).message);
      return;
    }
    p?.resolve(r);
  }

  #onDisconnect(d: NonNullable<SwapMessage["disconnect"]>): void {
    const max = this.host.limits.maxPeerEmbargoMs;
    let ms = d.embargoMs;
    if (ms > BigInt(max)) {
      this.host.report({
        kind: "frame-error",
        peer: this.peer,
        error: new PeerValueOutOfRangeError("embargoMs", ms, BigInt(max)),
      });
      ms = BigInt(max);
    }
    const reason = d.reason.slice(0, 200);
    let view: BalanceView | undefined;
    try {
      view = readView(d);
    } catch (e) {
      this.host.report({ kind: "frame-error", peer: this.peer, error: e as Error });
    }
    this.host.onDisconnect(this.peer, reason, Number(ms), view);
    this.host.report({ kind: "disconnected", peer: this.peer, reason, embargoMs: Number(ms) });
    this.close(reason);
  }

  #onClose(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#handshakeTimer);
    for (const w of this.#slotWaiters.splice(0)) w();
    this.#hello?.reject(new ConnectionClosedError(reason));
    // responses and a disconnect already received still count (the peer billed those responses)
    if (this.remote) {
      this.#inboxSizes.length = 0;
      this.#inboxBytes = 0;
      for (const m of this.#inbox.splice(0)) {
        try {
          if (m.response) this.#onResponse(m.response);
          else if (m.disconnect) this.#onDisconnect(m.disconnect);
        } catch (e) {
          this.host.report({ kind: "frame-error", peer: this.peer, error: e as Error });
        }
      }
    }
    for (const id of [...this.#pending.keys()]) this.#failPending(id, new ConnectionClosedError(reason));
    this.#inbox.length = 0;
    this.#inboxSizes.length = 0;
    this.#inboxBytes = 0;
    this.#stash.length = 0;
    this.#stashBytes = 0;
    this.#late.clear();
    this.host.ended(this.peer, this);
  }

  #failPending(id: bigint, e: Error): void {
    const p = this.#pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.#pending.delete(id);
    p.reservation.release();
    p.reject(e);
  }

  #freeSlot(): void {
    this.#serving--;
    for (const w of this.#slotWaiters.splice(0)) w();
  }

  #slot(): Promise<void> {
    return new Promise<void>((r) => this.#slotWaiters.push(r));
  }

  /** Disconnect the peer once the responses in service were handed to the transport (so the
   * balance the Disconnect carries counts every one of them); no new request is taken meanwhile. */
  async #leave(reason: string, embargoMs: number): Promise<void> {
    this.#leaving = true;
    const deadline = Date.now() + this.host.limits.timeoutMs;
    while (this.#serving > 0 && !this.#closed && Date.now() < deadline) await this.#slot();
    if (this.#closed) return;
    const v = this.host.viewFor(this.peer);
    this.host.report({ kind: "disconnected", peer: this.peer, reason, embargoMs });
    this.#send({ disconnect: { reason, embargoMs: BigInt(embargoMs), ...wireView(v) } }).catch(() => undefined);
    this.close(reason);
  }

  #rememberLate(id: bigint): void {
    this.#late.add(id);
    if (this.#late.size > MAX_LATE) this.#late.delete(this.#late.values().next().value!);
  }

  /** Idle timeout after the handshake: any frame from the peer resets it. */
  #touch(): void {
    if (!this.remote || this.#closed) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.close("idle timeout"), this.host.limits.idleTimeoutMs);
    this.#idleTimer.unref?.();
  }

  /** Not async on purpose: nothing but the encoded bytes (held by the transport) outlives the call. */
  #send(m: SwapMessage): Promise<void> {
    if (this.#closed) return Promise.reject(new ConnectionClosedError(this.#closeReason));
    try {
      return this.duplex.send(encodeMessage(m));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }
}

/** A balance view as the wire carries it (ServiceResponse, Disconnect). */
export function wireView(v: BalanceView) {
  return {
    balance: toInt256BE(v.balance),
    receivedCumulative: toBytes32BE(v.receivedCumulative),
    sentCumulative: toBytes32BE(v.sentCumulative),
    forgiven: toBytes32BE(v.forgiven),
  };
}

/** The view a response or disconnect carries (undefined from a peer that sends none). Throws a
 * typed `FrameDecodeError` for out-of-range numbers. */
export function readView(m: {
  balance: Uint8Array;
  receivedCumulative: Uint8Array;
  sentCumulative: Uint8Array;
  forgiven?: Uint8Array;
}): BalanceView | undefined {
  const balance = fromInt256BE(m.balance);
  if (balance === undefined) return undefined;
  return {
    balance,
    receivedCumulative: fromBytesBE(m.receivedCumulative),
    sentCumulative: fromBytesBE(m.sentCumulative),
    forgiven: m.forgiven ? fromBytesBE(m.forgiven) : 0n,
  };
}

function safeAmount(b: Uint8Array): bigint | undefined {
  return b.length <= 32 ? fromBytesBE(b) : undefined;
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}
