/**
 * The transport port: a bidirectional byte stream per peer connection. Real nodes plug in a libp2p
 * stream (protocol id `/vac/waku/swap/2.0.0-beta1`); tests and simulations use `memoryPair`.
 */
import { ConnectionClosedError } from "./errors.js";

export const SWAP_PROTOCOL_ID = "/vac/waku/swap/2.0.0-beta1";

export interface Duplex {
  /** Send bytes; rejects with `ConnectionClosedError` once closed. */
  send(bytes: Uint8Array): Promise<void>;
  /** Register the receiver of incoming bytes (one per connection). */
  onData(handler: (bytes: Uint8Array) => void): void;
  onClose(handler: (reason: string) => void): void;
  close(reason?: string): void;
  readonly closed: boolean;
  /** Backpressure: stop delivering incoming bytes until `resume` (the session's inbox is full).
   * Optional: a transport without it is read as fast as data arrives (the session then disconnects
   * a peer whose inbox overflows). */
  pause?(): void;
  resume?(): void;
}

/** How long a closing socket may take to flush what was written before it is destroyed (ms). */
export const CLOSE_FLUSH_MS = 2_000;

/** Two connected in-memory endpoints; delivery is asynchronous (a microtask), in order. */
export function memoryPair(opts: { chunkSize?: number } = {}): [Duplex, Duplex] {
  const a = new MemoryEnd(opts.chunkSize);
  const b = new MemoryEnd(opts.chunkSize);
  a.remote = b;
  b.remote = a;
  return [a, b];
}

class MemoryEnd implements Duplex {
  remote!: MemoryEnd;
  #data?: (b: Uint8Array) => void;
  #closeHandlers: ((r: string) => void)[] = [];
  #queue: Uint8Array[] = [];
  #paused = false;
  closed = false;

  constructor(readonly chunkSize?: number) {}

  async send(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new ConnectionClosedError();
    const copy = bytes.slice();
    const step = this.chunkSize ?? copy.length;
    for (let i = 0; i < copy.length; i += step) this.remote.#deliver(copy.subarray(i, i + step));
    await Promise.resolve();
  }

  #deliver(bytes: Uint8Array): void {
    queueMicrotask(() => {
      if (this.closed) return;
      if (this.#data && !this.#paused && this.#queue.length === 0) this.#data(bytes);
      else this.#queue.push(bytes);
    });
  }

  onData(handler: (bytes: Uint8Array) => void): void {
    this.#data = handler;
    this.#drain();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#drain();
  }

  #drain(): void {
    while (this.#data && !this.#paused && this.#queue.length && !this.closed) this.#data(this.#queue.shift()!);
  }

  onClose(handler: (reason: string) => void): void {
    this.#closeHandlers.push(handler);
  }

  close(reason = "closed"): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.#closeHandlers) h(reason);
    queueMicrotask(() => this.remote.close(reason));
  }
}

/**
 * A `Duplex` over a TCP (or any `net.Socket`-like) stream: for nodes in separate processes, and
 * as the template for a libp2p stream adapter (bytes in, bytes out, close).
 */
export function socketDuplex(socket: import("node:net").Socket): Duplex {
  const closeHandlers: ((r: string) => void)[] = [];
  let dataHandler: ((b: Uint8Array) => void) | undefined;
  const queued: Uint8Array[] = [];
  let closed = false;
  let reason = "closed";
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const h of closeHandlers) h(reason);
  };
  socket.on("data", (b: Buffer) => {
    if (closed) return;
    const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    if (dataHandler) dataHandler(bytes);
    else queued.push(bytes.slice());
  });
  let destroyTimer: NodeJS.Timeout | undefined;
  let corked = false;
  socket.on("close", () => {
    if (destroyTimer) clearTimeout(destroyTimer);
    finish();
  });
  socket.on("end", () => {
    // the peer finished writing: we are done too (what we wrote is still flushed by end())
    if (!socket.destroyed) socket.end();
    finish();
  });
  socket.on("error", (e) => {
    reason = e.message;
    finish();
  });
  return {
    get closed() {
      return closed;
    },
    send(bytes) {
      if (closed || socket.destroyed) return Promise.reject(new ConnectionClosedError());
      // frames written in one turn of the event loop (e.g. the responses to one read of pipelined
      // requests) leave in one writev system call instead of one write each
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(() => {
          corked = false;
          socket.uncork();
        });
      }
      return new Promise((resolve, reject) =>
        socket.write(bytes, (e) => (e ? reject(new ConnectionClosedError(e.message)) : resolve())),
      );
    },
    onData(handler) {
      dataHandler = handler;
      for (const b of queued.splice(0)) handler(b);
    },
    onClose(handler) {
      closeHandlers.push(handler);
    },
    pause() {
      socket.pause();
    },
    resume() {
      if (!closed) socket.resume();
    },
    close(r = "closed") {
      reason = r;
      // end() flushes what was written (the responses already billed) before the FIN; destroy only
      // if the peer does not read it within CLOSE_FLUSH_MS
      if (!socket.destroyed) {
        socket.end();
        destroyTimer = setTimeout(() => socket.destroy(), CLOSE_FLUSH_MS);
        destroyTimer.unref();
      }
      socket.resume(); // keep reading (and dropping) until the peer's FIN, so the socket closes
      finish();
    },
  };
}
