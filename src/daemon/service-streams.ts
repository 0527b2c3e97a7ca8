/**
 * Metered service protocols on their own libp2p streams (`/swap/service/<protocol>/1.0.0`), beside
 * the SWAP stream that carries handshake and cheques. Each stream carries the SWAP wire messages
 * `request` / `response` (same codec and frame limit), one request at a time per stream; concurrency
 * comes from opening more streams (bounded per connection by libp2p).
 *
 * Accounting is the SwapNode's, through its public API: a request is served only to a peer with an
 * established SWAP session (so its terms are known), classified (paid / free / refused), reserved
 * before the handler runs and applied after it answered; a refusal past the disconnect threshold
 * embargoes the peer and ends its SWAP session, as on the SWAP stream. The client side reserves
 * before sending (paying first when due) and applies on the answer. A peer that sends garbage,
 * pipelines, or breaks the framing gets its stream aborted; nothing else is affected.
 */
import type { Libp2p, Stream } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import type { Logger } from "pino";
import { encodeMessage, FrameDecoder, fromBytesBE, toBytes32BE } from "../swap/codec.js";
import { readView, wireView } from "../swap/session.js";
import type { RefusalCode } from "../swap/errors.js";
import { ConnectionClosedError, RequestTimeoutError, ServiceRefusedError } from "../swap/errors.js";
import type { SwapNode } from "../swap/node.js";
import type { ServiceRequest, ServiceResponse } from "../swap/swap.pb.js";

export const serviceProtocolId = (protocol: string): string => `/swap/service/${protocol}/1.0.0`;

/** How long a request past the threshold waits for the cheque that may be on its way. */
const CHEQUE_GRACE_MS = 1_000;
/** Streams per connection and protocol, each way. */
const MAX_STREAMS = 8;

export class ServiceStreams {
  /** Client streams per (peer, protocol): idle ones, how many exist, requests waiting for one. */
  readonly #pools = new Map<string, { idle: Stream[]; open: number; waiters: (() => void)[] }>();
  #nextId = 1n;

  constructor(
    readonly libp2p: Libp2p,
    readonly node: SwapNode,
    readonly opts: { protocols: string[]; log: Logger; timeoutMs?: number },
  ) {}

  async start(): Promise<void> {
    for (const protocol of this.opts.protocols) {
      await this.libp2p.handle(
        serviceProtocolId(protocol),
        (stream, conn) => this.#serve(stream, conn.remotePeer.toString(), protocol),
        {
          maxInboundStreams: MAX_STREAMS,
          maxOutboundStreams: MAX_STREAMS,
        },
      );
    }
  }

  async stop(): Promise<void> {
    await this.libp2p.unhandle(this.opts.protocols.map(serviceProtocolId)).catch(() => undefined);
    for (const pool of this.#pools.values())
      for (const s of pool.idle.splice(0)) s.abort(new ConnectionClosedError("node stopping"));
  }

  // ------------------------------------------------------------------ server side

  #serve(stream: Stream, peer: string, protocol: string): void {
    const decoder = new FrameDecoder();
    let busy = false;
    stream.addEventListener("message", (evt) => {
      const bytes = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray();
      for (const d of decoder.push(bytes)) {
        const req = d.ok ? d.message.request : undefined;
        // one request at a time: a second before the answer, or anything else, ends the stream
        if (!req || busy) {
          this.node.emit("frame-error", {
            peer,
            error: d.ok ? new ServiceRefusedError("unexpected frame on a service stream") : d.error,
          });
          return stream.abort(new ServiceRefusedError("protocol violation"));
        }
        busy = true;
        this.#answer(peer, protocol, req)
          .then(({ res, refund }) => {
            busy = false;
            if (stream.status === "open" && stream.writeStatus === "writable")
              stream.send(encodeMessage({ response: res }));
            else refund?.();
          })
          .catch((e: Error) => {
            this.opts.log.warn({ peer, err: e.message }, "service stream failed");
            stream.abort(e);
          });
      }
    });
  }

  /**
   * Decide and serve with the node's own rules (the same admission, server-set price, billing and
   * balance view as a request on the SWAP stream). `refund` undoes the charge when the answer
   * cannot be handed to the stream: only delivered responses are billed.
   */
  async #answer(
    peer: string,
    protocol: string,
    r: ServiceRequest,
  ): Promise<{ res: ServiceResponse; refund?: () => void }> {
    const n = this.node;
    const host = n.sessionHost;
    const respond = (
      resp: Omit<ServiceResponse, "id" | "balance" | "receivedCumulative" | "sentCumulative" | "forgiven">,
    ): ServiceResponse => ({ id: r.id, ...resp, ...wireView(host.viewFor(peer)) });
    const refuse = (code: RefusalCode, reason: string): ServiceResponse => {
      host.report({ kind: "refused", peer, protocol: r.protocol.slice(0, 64), reason, code });
      return respond({
        status: "refused",
        payload: new Uint8Array(0),
        reason,
        charged: new Uint8Array(0),
        units: 0,
        code,
      });
    };
    if (r.protocol !== protocol)
      return { res: refuse("UnknownProtocol", `no service ${r.protocol.slice(0, 64)} on this stream`) };
    const session = n.sessions.get(peer);
    if (!session?.remote)
      return { res: refuse("PaymentRequired", "no SWAP session: open one on the SWAP stream first") };
    // A client pays before a request that would pass our threshold, but its cheque travels on the
    // SWAP stream and may land just after this request: give it a moment before refusing.
    if (n.accounting.classify(peer, protocol, r.units) === "refused" && !n.ledger.get(peer).defaulting)
      await this.#chequeFrom(peer, CHEQUE_GRACE_MS);
    const a = host.admit(peer, r);
    if (a.refuse) {
      const res = refuse(a.code, a.reason);
      if (a.disconnect) {
        host.report({ kind: "disconnected", peer, reason: a.reason, embargoMs: a.disconnect.embargoMs });
        // the answer goes out first; then the SWAP session ends
        setTimeout(() => session.close(a.reason), 50).unref();
      }
      return { res };
    }
    let out;
    try {
      out = await a.run();
    } catch (e) {
      a.release();
      return { res: refuse("ServiceFailed", `service failed: ${(e as Error).message.split("\n")[0]!.slice(0, 200)}`) };
    }
    const bill = a.bill(out.units);
    return {
      res: respond({
        status: a.serviceClass,
        payload: out.payload,
        reason: "",
        charged: toBytes32BE(bill.charged),
        units: bill.units,
        code: "",
      }),
      refund: bill.refund,
    };
  }

  /** Resolves true when a cheque from `peer` is credited within `ms`, false otherwise. */
  #chequeFrom(peer: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const onCheque = (e: { peer: string; duplicate: boolean }) => {
        if (e.peer !== peer || e.duplicate) return;
        clearTimeout(timer);
        this.node.off("cheque-received", onCheque);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.node.off("cheque-received", onCheque);
        resolve(false);
      }, ms);
      this.node.on("cheque-received", onCheque);
    });
  }

  // ------------------------------------------------------------------ client side

  /** Request `units` of `protocol` from `peer` on a service stream: reserve, send, apply on answer. */
  async request(
    peer: string,
    protocol: string,
    payload: Uint8Array<ArrayBuffer> = new Uint8Array(0),
    units = 1,
  ): Promise<{ payload: Uint8Array; serviceClass: string }> {
    const n = this.node;
    if (!n.sessions.get(peer)?.remote) throw new ConnectionClosedError(`no SWAP session with ${peer}`);
    const reservation = await n.accounting.prepareConsume(peer, protocol, units);
    let res: ServiceResponse;
    try {
      const stream = await this.#take(peer, protocol);
      try {
        res = await this.#exchange(stream, { id: this.#nextId++, protocol, units, payload });
      } finally {
        this.#give(peer, protocol, stream);
      }
    } catch (e) {
      reservation.release();
      throw e;
    }
    // settle to the server's charge and balance view, as on the SWAP stream (a view beyond our
    // tolerance is fraud: typed error, the session ends)
    const refused = res.status === "refused";
    try {
      n.sessionHost.onResponse(peer, reservation, refused ? 0n : fromBytesBE(res.charged), readView(res), refused);
    } catch (e) {
      n.sessions.get(peer)?.close((e as Error).message);
      throw e;
    }
    if (refused) throw new ServiceRefusedError(res.reason || "refused");
    return { payload: res.payload, serviceClass: res.status };
  }

  /** A stream to `peer` for `protocol`: an idle one, a new one while under MAX_STREAMS, or the next freed. */
  async #take(peer: string, protocol: string): Promise<Stream> {
    const pool = this.#pool(peer, protocol);
    for (;;) {
      for (let s = pool.idle.pop(); s; s = pool.idle.pop()) {
        if (s.status === "open" && s.writeStatus === "writable") return s;
        pool.open--;
      }
      if (pool.open < MAX_STREAMS) {
        pool.open++;
        try {
          return await this.libp2p.dialProtocol(peerIdFromString(peer), serviceProtocolId(protocol), {
            signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
          });
        } catch (e) {
          this.#give(peer, protocol, undefined);
          throw new ConnectionClosedError((e as Error).message);
        }
      }
      await new Promise<void>((wake) => pool.waiters.push(wake));
    }
  }

  /** Return a stream after use (`undefined`: it is gone) and wake one waiting request. */
  #give(peer: string, protocol: string, stream: Stream | undefined): void {
    const pool = this.#pool(peer, protocol);
    if (stream && stream.status === "open" && stream.writeStatus === "writable") pool.idle.push(stream);
    else pool.open--;
    pool.waiters.shift()?.();
    if (pool.open === 0 && pool.waiters.length === 0) this.#pools.delete(`${peer} ${protocol}`);
  }

  #pool(peer: string, protocol: string) {
    const key = `${peer} ${protocol}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = { idle: [], open: 0, waiters: [] };
      this.#pools.set(key, pool);
    }
    return pool;
  }

  #exchange(stream: Stream, req: ServiceRequest): Promise<ServiceResponse> {
    const ms = this.opts.timeoutMs ?? 10_000;
    return new Promise<ServiceResponse>((resolve, reject) => {
      const decoder = new FrameDecoder();
      const done = (fn: () => void) => {
        clearTimeout(timer);
        stream.removeEventListener("message", onMessage);
        stream.removeEventListener("close", onClose);
        fn();
      };
      const onMessage = (evt: { data: Uint8Array | { subarray(): Uint8Array } }) => {
        const bytes = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray();
        for (const d of decoder.push(bytes)) {
          const res = d.ok ? d.message.response : undefined;
          if (res && res.id === req.id) return done(() => resolve(res));
          stream.abort(new ServiceRefusedError("unexpected frame on a service stream"));
          return done(() => reject(new ConnectionClosedError("bad answer on the service stream")));
        }
      };
      const onClose = () => done(() => reject(new ConnectionClosedError("service stream closed")));
      const timer = setTimeout(() => {
        stream.abort(new RequestTimeoutError(req.protocol, ms));
        done(() => reject(new RequestTimeoutError(req.protocol, ms)));
      }, ms);
      stream.addEventListener("message", onMessage);
      stream.addEventListener("close", onClose);
      try {
        stream.send(encodeMessage({ request: req }));
      } catch (e) {
        done(() => reject(new ConnectionClosedError((e as Error).message)));
      }
    });
  }
}
