/**
 * One connection's SWAP protocol: handshake, cheques, acknowledgements and rejections, and the
 * metered store-style request/response traffic. Malformed or oversized frames are reported and
 * dropped; the session's accounting is untouched by them.
 */
import { SettlementError } from "../errors.js";
import type { SignedCheque } from "../cheque/index.js";
import { bytesToHex, toChecksumAddress, type Hex } from "../crypto/index.js";
import type { Reservation } from "../accounting/ledger.js";
import { encodeMessage, FrameDecoder, fromBytesBE, toBytes32BE, type SwapMessage } from "./codec.js";
import type { Handshake, Cheque } from "./swap.pb.js";
import {
  ConnectionClosedError,
  HandshakeRejectedError,
  RequestTimeoutError,
  ServiceRefusedError,
  ThresholdOutOfBoundsError,
} from "./errors.js";
import type { SwapNode } from "./node.js";
import type { Duplex } from "./transport.js";

export interface RemoteTerms {
  paymentThreshold: bigint;
  beneficiary?: Hex;
  chequebook?: Hex;
  issuer?: Hex;
  chainId: bigint;
  mode: string;
}

const MAX_U64 = (1n << 64n) - 1n;
const MAX_U32 = 2 ** 32 - 1;

export class PeerSession {
  remote?: RemoteTerms;
  #decoder = new FrameDecoder();
  #handshake: { resolve: (t: RemoteTerms) => void; reject: (e: Error) => void; promise: Promise<RemoteTerms> };
  #pending = new Map<bigint, { resolve: (m: NonNullable<SwapMessage["response"]>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  #nextId = 1n;
  #inbox: Promise<void> = Promise.resolve();
  #closed = false;
  /** Cheques acknowledged by the peer (cumulative). */
  lastAcked = 0n;

  constructor(
    readonly node: SwapNode,
    readonly duplex: Duplex,
    readonly peer: string,
  ) {
    let resolve!: (t: RemoteTerms) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<RemoteTerms>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined);
    this.#handshake = { resolve, reject, promise };
    duplex.onData((bytes) => this.#onBytes(bytes));
    duplex.onClose((reason) => this.#onClose(reason));
  }

  get closed(): boolean {
    return this.#closed;
  }

  async start(): Promise<void> {
    const n = this.node;
    const threshold = n.policy.paymentThreshold;
    await this.#send({
      handshake: {
        paymentThreshold: threshold > MAX_U64 ? MAX_U64 : threshold,
        beneficiary: bytes(n.beneficiary),
        chequebook: n.chequebook ? bytes(n.chequebook) : new Uint8Array(0),
        chainId: n.chainId,
        paymentThresholdBe: toBytes32BE(threshold),
        issuer: n.config.issuer ? bytes(n.config.issuer) : new Uint8Array(0),
        mode: n.policy.mode,
      },
    });
    const timer = setTimeout(() => this.#handshake.reject(new HandshakeRejectedError("no handshake in time")), n.config.timeoutMs ?? 10_000);
    try {
      this.remote = await this.#handshake.promise;
    } catch (e) {
      this.close((e as Error).message);
      throw e;
    } finally {
      clearTimeout(timer);
    }
    n.accounting.registerPeer(this.peer, { paymentThreshold: this.remote.paymentThreshold, canPay: !!this.remote.chequebook, connectedAt: n.now() });
    // after a restart or a reconnect, the last cheque is re-sent (the receiver ignores a duplicate)
    const last = this.remote.beneficiary && n.issuer?.last(this.remote.beneficiary);
    if (last) await this.sendCheque(last).catch(() => undefined);
  }

  /** Request `units` of `protocol` service: reserve (paying first if due), send, apply on response. */
  async request(protocol: string, payload: Uint8Array<ArrayBuffer> = new Uint8Array(0), units = 1): Promise<{ payload: Uint8Array; serviceClass: string }> {
    if (this.#closed) throw new ConnectionClosedError();
    const n = this.node;
    const reservation = await n.accounting.prepareConsume(this.peer, protocol, units);
    const id = this.#nextId++;
    let response;
    try {
      const answer = new Promise<NonNullable<SwapMessage["response"]>>((resolve, reject) => {
        const ms = n.config.timeoutMs ?? 10_000;
        const timer = setTimeout(() => {
          this.#pending.delete(id);
          reject(new RequestTimeoutError(protocol, ms));
        }, ms);
        this.#pending.set(id, { resolve, reject, timer });
      });
      await this.#send({ request: { id, protocol, units, payload } });
      response = await answer;
    } catch (e) {
      reservation.release();
      throw e;
    }
    if (response.status === "refused") {
      reservation.release();
      throw new ServiceRefusedError(response.reason || "refused");
    }
    reservation.apply();
    return { payload: response.payload, serviceClass: response.status };
  }

  async sendCheque(c: SignedCheque): Promise<void> {
    const amount = c.cumulativePayout - this.lastAcked;
    await this.#send({
      cheque: {
        beneficiary: bytes(c.beneficiary),
        date: Math.floor(this.node.now() / 1000) >>> 0,
        amount: amount > BigInt(MAX_U32) || amount < 0n ? MAX_U32 : Number(amount),
        chequebook: bytes(c.chequebook),
        cumulativePayout: toBytes32BE(c.cumulativePayout),
        signature: bytes(c.signature),
        chainId: this.node.chainId,
      },
    });
  }

  close(reason = "closed"): void {
    if (this.#closed) return;
    this.duplex.close(reason);
  }

  // ------------------------------------------------------------------ incoming

  #onBytes(chunk: Uint8Array): void {
    for (const d of this.#decoder.push(chunk)) {
      if (!d.ok) {
        this.node.emit("frame-error", { peer: this.peer, error: d.error });
        continue;
      }
      // in order: a cheque is credited before the requests sent after it are judged
      const m = d.message;
      this.#inbox = this.#inbox
        .then(() => this.#dispatch(m))
        .catch((e) => {
          this.node.emit("frame-error", { peer: this.peer, error: e as Error });
        });
    }
  }

  async #dispatch(m: SwapMessage): Promise<void> {
    if (m.handshake) return this.#onHandshake(m.handshake);
    if (!this.remote) return; // nothing but a handshake before the handshake
    if (m.cheque) return this.#onCheque(m.cheque);
    if (m.ack) {
      const c = fromBytesBE(m.ack.cumulativePayout);
      if (c > this.lastAcked) this.lastAcked = c;
      return;
    }
    if (m.reject) {
      this.node.emit("payment-failed", { peer: this.peer, error: new ServiceRefusedError(`cheque rejected: ${m.reject.code} ${m.reject.message}`) });
      return;
    }
    if (m.request) return this.#onRequest(m.request);
    if (m.response) {
      const p = this.#pending.get(m.response.id);
      if (p) {
        clearTimeout(p.timer);
        this.#pending.delete(m.response.id);
        p.resolve(m.response);
      }
      return;
    }
    if (m.disconnect) {
      const ms = Number(m.disconnect.embargoMs);
      if (ms > 0) this.node.embargo(this.peer, ms);
      this.node.emit("disconnected", { peer: this.peer, reason: m.disconnect.reason, embargoMs: ms });
      this.close(m.disconnect.reason);
    }
  }

  #onHandshake(h: Handshake): void {
    try {
      this.#handshake.resolve(this.#checkHandshake(h));
    } catch (e) {
      this.#handshake.reject(e as Error);
    }
  }

  #checkHandshake(h: Handshake): RemoteTerms {
    const p = this.node.policy;
    const threshold = h.paymentThresholdBe.length ? fromBytesBE(h.paymentThresholdBe) : h.paymentThreshold;
    if (threshold < p.minPeerThreshold || threshold > p.maxPeerThreshold) {
      throw new ThresholdOutOfBoundsError(threshold, p.minPeerThreshold, p.maxPeerThreshold);
    }
    if (h.chainId !== this.node.chainId) throw new HandshakeRejectedError("other chain", `peer is on ${h.chainId}, we are on ${this.node.chainId}`);
    const addr = (b: Uint8Array, what: string) => {
      if (b.length === 0) return undefined;
      if (b.length !== 20) throw new HandshakeRejectedError(`bad ${what}`, bytesToHex(b));
      return toChecksumAddress(bytesToHex(b));
    };
    return {
      paymentThreshold: threshold,
      beneficiary: addr(h.beneficiary, "beneficiary"),
      chequebook: addr(h.chequebook, "chequebook"),
      issuer: addr(h.issuer, "issuer"),
      chainId: h.chainId,
      mode: h.mode,
    };
  }

  async #onCheque(c: Cheque): Promise<void> {
    const n = this.node;
    const cumulativePayout = fromBytesBE(c.cumulativePayout);
    try {
      const res = await n.receiver.receive(
        this.peer,
        { chequebook: bytesToHex(c.chequebook), beneficiary: bytesToHex(c.beneficiary), cumulativePayout, signature: bytesToHex(c.signature), chainId: c.chainId },
        { chequebook: this.remote?.chequebook, issuer: this.remote?.issuer },
      );
      n.emit("cheque-received", { peer: this.peer, cumulativePayout, credited: res.credited, duplicate: res.duplicate });
      await this.#send({ ack: { chequebook: c.chequebook, cumulativePayout: c.cumulativePayout } }).catch(() => undefined);
      n.config.crashPoint?.("receive:acked");
    } catch (e) {
      n.emit("cheque-rejected", { peer: this.peer, error: e as Error });
      const code = e instanceof SettlementError ? e.name : "Error";
      await this.#send({ reject: { code, message: (e as Error).message.split("\n")[0], chequebook: c.chequebook, cumulativePayout: c.cumulativePayout } }).catch(() => undefined);
    }
  }

  async #onRequest(r: NonNullable<SwapMessage["request"]>): Promise<void> {
    const n = this.node;
    const handler = n.handler(r.protocol);
    const respond = (status: string, payload: Uint8Array<ArrayBuffer> = new Uint8Array(0), reason = "") =>
      this.#send({ response: { id: r.id, status, payload, reason } }).catch(() => undefined);
    if (!handler) return respond("refused", undefined, `no service ${r.protocol}`);
    const cls = n.accounting.classify(this.peer, r.protocol, r.units);
    if (cls === "refused") {
      const reason = n.ledger.get(this.peer).defaulting ? "issuer defaulting" : "payment required: debt past the disconnect threshold";
      n.emit("refused", { peer: this.peer, protocol: r.protocol, reason });
      await respond("refused", undefined, reason);
      // defect: disconnect with an embargo proportional to the debt
      const ms = n.accounting.embargoFor(this.peer);
      n.embargo(this.peer, ms);
      n.emit("disconnected", { peer: this.peer, reason, embargoMs: ms });
      await this.#send({ disconnect: { reason, embargoMs: BigInt(ms) } }).catch(() => undefined);
      this.close(reason);
      return;
    }
    let reservation: Reservation;
    try {
      reservation = n.accounting.prepareServe(this.peer, r.protocol, r.units);
    } catch (e) {
      return respond("refused", undefined, (e as Error).message);
    }
    // The accounting decision above is taken in frame order; the service itself runs outside the
    // inbox, so a slow handler never holds up the cheques and requests behind it.
    void (async () => {
      try {
        const payload = await handler(r.payload, this.peer, cls);
        reservation.apply();
        await respond(cls, payload);
      } catch (e) {
        reservation.release();
        await respond("refused", undefined, `service failed: ${(e as Error).message}`);
      }
    })();
  }

  #onClose(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handshake.reject(new ConnectionClosedError(reason));
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new ConnectionClosedError(reason));
      this.#pending.delete(id);
    }
  }

  async #send(m: SwapMessage): Promise<void> {
    await this.duplex.send(encodeMessage(m));
  }
}

function bytes(hex: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}
