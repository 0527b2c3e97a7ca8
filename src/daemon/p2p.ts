/**
 * The node's libp2p host: TCP or WebSockets (a listen address ending in `/ws`) + Noise + Yamux. Peers are identified by their authenticated
 * libp2p PeerId (Noise proves the key), and the SWAP protocol runs on one stream per connection
 * with protocol id `SWAP_PROTOCOL_ID`. Of two connected peers, the one with the smaller PeerId
 * opens the SWAP stream, so a connection dialled from both sides at once never carries two
 * competing sessions. Configured bootstrap peers are re-dialled while disconnected.
 */
import { createLibp2p, type Libp2p } from "libp2p";
import { tcp } from "@libp2p/tcp";
import { webSockets } from "@libp2p/websockets";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { identify } from "@libp2p/identify";
import type { Connection, PrivateKey, Stream } from "@libp2p/interface";
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";
import type { Logger } from "pino";
import type { SwapNode } from "../swap/node.js";
import { SWAP_PROTOCOL_ID } from "../swap/transport.js";
import { streamDuplex } from "./stream-duplex.js";
import { ConfigError } from "./errors.js";

export interface P2PHostOptions {
  privateKey: PrivateKey;
  listen: string[];
  bootstrap: string[];
  /** How often disconnected bootstrap peers are dialled again (ms). */
  redialMs: number;
  maxConnections: number;
  node: SwapNode;
  log: Logger;
}

export class P2PHost {
  readonly #opening = new Set<string>();
  readonly #bootstrap: { addr: Multiaddr; peer: string }[];
  #timer?: NodeJS.Timeout;
  #accepting = true;

  private constructor(
    readonly libp2p: Libp2p,
    readonly opts: P2PHostOptions,
  ) {
    this.#bootstrap = opts.bootstrap.map((a, i) => {
      const addr = multiaddr(a);
      const peer = addr.getComponents().find((c) => c.name === "p2p")?.value;
      if (!peer) throw new ConfigError(`p2p.bootstrap[${i}]`, `multiaddr ${a} has no /p2p/<peer id>`);
      return { addr, peer };
    });
  }

  static async create(opts: P2PHostOptions): Promise<P2PHost> {
    opts.listen.forEach((a, i) => checkListenAddress(a, `p2p.listen[${i}]`));
    const libp2p = await createLibp2p({
      privateKey: opts.privateKey,
      start: false,
      addresses: { listen: opts.listen },
      transports: [tcp(), webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { maxConnections: opts.maxConnections },
      services: { identify: identify() },
    });
    return new P2PHost(libp2p, opts);
  }

  get peerId(): string {
    return this.libp2p.peerId.toString();
  }

  addresses(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString());
  }

  async start(): Promise<void> {
    await this.libp2p.handle(SWAP_PROTOCOL_ID, (stream, conn) => this.#attach(stream, conn), {
      maxInboundStreams: 2,
      maxOutboundStreams: 2,
    });
    this.libp2p.addEventListener("connection:open", (evt) => this.#ensureSession(evt.detail));
    await this.libp2p.start();
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), this.opts.redialMs);
    this.#timer.unref();
  }

  /** Stop accepting and opening sessions (first step of a graceful shutdown). */
  async stopAccepting(): Promise<void> {
    this.#accepting = false;
    if (this.#timer) clearInterval(this.#timer);
    await this.libp2p.unhandle(SWAP_PROTOCOL_ID).catch(() => undefined);
  }

  async stop(): Promise<void> {
    await this.stopAccepting();
    await this.libp2p.stop();
  }

  #tick(): void {
    if (!this.#accepting) return;
    for (const b of this.#bootstrap) {
      if (b.peer === this.peerId || this.libp2p.getConnections().some((c) => c.remotePeer.toString() === b.peer))
        continue;
      this.libp2p
        .dial(b.addr, { signal: AbortSignal.timeout(10_000) })
        .catch((e: Error) => this.opts.log.debug({ peer: b.peer, err: e.message }, "dial failed"));
    }
    for (const c of this.libp2p.getConnections()) this.#ensureSession(c);
  }

  #ensureSession(conn: Connection): void {
    const peer = conn.remotePeer.toString();
    const node = this.opts.node;
    if (!this.#accepting || conn.status !== "open" || node.sessions.has(peer) || this.#opening.has(peer)) return;
    if (!(this.peerId < peer)) return; // the smaller PeerId opens the stream
    // embargoes are persisted at once; reading the store does not create a ledger entry for a stranger
    if ((node.store.getPeer(peer)?.embargoUntil ?? 0) > node.now()) return;
    this.#opening.add(peer);
    conn
      .newStream(SWAP_PROTOCOL_ID, { signal: AbortSignal.timeout(10_000) })
      .then((stream) => this.#attach(stream, conn))
      .catch((e: Error) => this.opts.log.debug({ peer, err: e.message }, "cannot open SWAP stream"))
      .finally(() => this.#opening.delete(peer));
  }

  async #attach(stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString();
    const duplex = streamDuplex(stream);
    if (!this.#accepting) return duplex.close("shutting down");
    try {
      await this.opts.node.connect(duplex, peer);
      this.opts.log.info({ peer, direction: stream.direction }, "SWAP session started");
    } catch (e) {
      duplex.close((e as Error).message);
      this.opts.log.info({ peer, err: (e as Error).message }, "SWAP session refused");
    }
  }
}

/** Transports this host listens on: TCP, and WebSockets over TCP (`/ws`). */
const LISTEN_SHAPES = [["tcp"], ["tcp", "ws"]];

/** A listen address must be `/ip4|ip6/<host>/tcp/<port>` with an optional `/ws`: anything else is a ConfigError. */
export function checkListenAddress(addr: string, key: string): void {
  let names: string[];
  try {
    names = multiaddr(addr)
      .getComponents()
      .map((c) => c.name);
  } catch (e) {
    throw new ConfigError(key, `not a multiaddr: ${(e as Error).message.split("\n")[0]}`);
  }
  const [host, ...rest] = names;
  const ok =
    (host === "ip4" || host === "ip6") &&
    LISTEN_SHAPES.some((s) => s.length === rest.length && s.every((n, i) => n === rest[i]));
  if (!ok) throw new ConfigError(key, `${addr}: expected /ip4|ip6/<address>/tcp/<port> or …/tcp/<port>/ws`);
}
