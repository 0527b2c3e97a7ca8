/**
 * A libp2p stream as the SWAP transport port (`Duplex` in src/swap/transport.ts). Deliberately
 * thin: bytes in, bytes out, close. What it relies on from the port:
 *  - `send()` resolves once the bytes are accepted by the stream; when the stream signals a full
 *    write buffer (`send` returns false) it waits for `drain`, so a session awaiting its sends is
 *    slowed to the pace of the remote (backpressure session → stream);
 *  - `onData` receives every chunk in order (chunks arriving before it is set are queued, bounded);
 *  - `pause()` / `resume()` stop and restart delivery: libp2p then buffers up to
 *    `maxReadBufferLength` and yamux stops granting the remote send window, so a session with a
 *    bounded inbox can push back on a fast sender (backpressure stream ← session). A peer that
 *    overruns the read buffer gets its stream reset by libp2p; nothing grows without bound.
 *  - `close(reason)` half-closes gracefully (flushing a last `disconnect` frame) and aborts when
 *    the remote does not finish within `closeTimeoutMs`.
 */
import type { Stream } from "@libp2p/interface";
import { ConnectionClosedError } from "../swap/errors.js";
import type { Duplex } from "../swap/transport.js";

const REMOTE_CLOSE_GRACE_MS = 100;

export interface StreamDuplexOptions {
  /** Bytes buffered while paused (or before `onData`) before libp2p resets the stream. Default 4 MiB. */
  maxReadBufferBytes?: number;
  /** Graceful close deadline before aborting (ms). Default 5,000. */
  closeTimeoutMs?: number;
}

export interface StreamDuplex extends Duplex {
  pause(): void;
  resume(): void;
}

export function streamDuplex(stream: Stream, opts: StreamDuplexOptions = {}): StreamDuplex {
  const maxBuffered = opts.maxReadBufferBytes ?? 4 * 1024 * 1024;
  stream.maxReadBufferLength = maxBuffered;
  const closeHandlers: ((reason: string) => void)[] = [];
  let dataHandler: ((bytes: Uint8Array) => void) | undefined;
  let early: Uint8Array[] = [];
  let earlyBytes = 0;
  let closed = false;
  let reason = "closed";

  const finish = (why: string) => {
    if (closed) return;
    closed = true;
    reason = why;
    early = [];
    clearTimeout(closeTimer);
    for (const h of closeHandlers.splice(0)) h(reason);
  };

  stream.addEventListener("message", (evt) => {
    const bytes = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray();
    if (dataHandler) return dataHandler(bytes);
    earlyBytes += bytes.byteLength;
    if (earlyBytes > maxBuffered)
      return stream.abort(new ConnectionClosedError("read buffer exceeded before the session started"));
    early.push(bytes);
  });
  stream.addEventListener("close", (evt) => finish(evt.error ? evt.error.message : reason));
  // The remote finished writing: nothing more will come, so the session is over. Close a moment
  // later, so the session's in-order inbox first handles the frames that came just before (a
  // `refused` response, then `disconnect`): closing at once would fail those requests as
  // "connection closed" instead of "refused".
  let closeTimer: NodeJS.Timeout | undefined;
  stream.addEventListener("remoteCloseWrite", () => {
    closeTimer ??= setTimeout(() => api.close("closed by the remote"), REMOTE_CLOSE_GRACE_MS);
    closeTimer.unref();
  });

  const writable = () => !closed && stream.status === "open" && stream.writeStatus === "writable";

  const api: StreamDuplex = {
    get closed() {
      return closed;
    },
    async send(bytes) {
      if (!writable()) throw new ConnectionClosedError(closed ? reason : `stream ${stream.status}`);
      try {
        if (!stream.send(bytes)) await stream.onDrain();
      } catch (e) {
        throw new ConnectionClosedError((e as Error).message);
      }
    },
    onData(handler) {
      dataHandler = handler;
      const queued = early;
      early = [];
      earlyBytes = 0;
      for (const b of queued) handler(b);
    },
    onClose(handler) {
      if (closed) handler(reason);
      else closeHandlers.push(handler);
    },
    close(why = "closed") {
      if (closed) return;
      reason = why;
      const signal = AbortSignal.timeout(opts.closeTimeoutMs ?? 5_000);
      stream.close({ signal }).catch((e: Error) => stream.abort(e));
      finish(why);
    },
    pause() {
      stream.pause();
    },
    resume() {
      stream.resume();
    },
  };
  return api;
}
