/**
 * Length-prefixed protobuf frames: an unsigned varint length, then a `SwapMessage`. Decoding is
 * incremental (bytes arrive in any chunking) and bounded: an oversized or malformed frame is a
 * typed error and the decoder stays usable for the next frame.
 */
import { SwapMessage } from "./swap.pb.js";
import { FrameDecodeError, FrameTooLargeError } from "./errors.js";

export { SwapMessage };
export const MAX_FRAME_BYTES = 64 * 1024;

export function encodeMessage(msg: SwapMessage): Uint8Array {
  const body = SwapMessage.encode(msg);
  const prefix = encodeVarint(body.length);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}

export function decodeBody(body: Uint8Array): SwapMessage {
  let msg: SwapMessage;
  try {
    msg = SwapMessage.decode(body);
  } catch (e) {
    throw new FrameDecodeError("malformed protobuf", e);
  }
  const set = [msg.handshake, msg.cheque, msg.ack, msg.reject, msg.request, msg.response, msg.disconnect].filter(
    (x) => x !== undefined,
  );
  if (set.length !== 1) throw new FrameDecodeError(`expected exactly one message, got ${set.length}`);
  return msg;
}

function encodeVarint(n: number): Uint8Array {
  const bytes: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Uint8Array.from(bytes);
}

export type Decoded =
  { ok: true; message: SwapMessage; bytes: number } | { ok: false; error: FrameDecodeError | FrameTooLargeError };

/**
 * Incremental decoder: push chunks, get whole frames (or errors for bad ones) back. Each byte is
 * copied at most once: a frame's body is assembled in a buffer of its announced length (allocated
 * when the length prefix is complete); frames that arrive whole inside a chunk are decoded in place.
 * Memory held between chunks: at most one frame (≤ `maxFrameBytes`) plus a 5-byte prefix.
 */
export class FrameDecoder {
  #header = new Uint8Array(5);
  #headerLen = 0;
  #body?: Uint8Array; // the frame being assembled
  #filled = 0;
  #skip = 0; // bytes of an oversized frame still to discard

  constructor(readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Bytes held between chunks (for memory bounds). */
  get buffered(): number {
    return this.#headerLen + (this.#body?.length ?? 0);
  }

  push(chunk: Uint8Array): Decoded[] {
    const out: Decoded[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i);
        this.#skip -= n;
        i += n;
        continue;
      }
      if (this.#body) {
        const n = Math.min(this.#body.length - this.#filled, chunk.length - i);
        this.#body.set(chunk.subarray(i, i + n), this.#filled);
        this.#filled += n;
        i += n;
        if (this.#filled === this.#body.length) {
          out.push(decodeOne(this.#body));
          this.#body = undefined;
        }
        continue;
      }
      // length prefix, byte by byte (it may straddle chunks)
      const b = chunk[i++];
      if (this.#headerLen >= 5) {
        out.push({ ok: false, error: new FrameDecodeError("invalid length prefix") });
        this.#headerLen = 0;
        break; // cannot resynchronise inside this chunk: drop the rest of it
      }
      this.#header[this.#headerLen++] = b;
      if (b & 0x80) continue;
      const len = readVarint(this.#header.subarray(0, this.#headerLen));
      this.#headerLen = 0;
      if (len > this.maxFrameBytes) {
        out.push({ ok: false, error: new FrameTooLargeError(len, this.maxFrameBytes) });
        this.#skip = len;
        continue;
      }
      if (chunk.length - i >= len) {
        out.push(decodeOne(chunk.subarray(i, i + len))); // whole frame in this chunk: no copy
        i += len;
      } else {
        this.#body = new Uint8Array(len);
        this.#filled = 0;
      }
    }
    return out;
  }
}

function decodeOne(body: Uint8Array): Decoded {
  try {
    return { ok: true, message: decodeBody(body), bytes: body.length };
  } catch (e) {
    return { ok: false, error: e as FrameDecodeError };
  }
}

function readVarint(data: Uint8Array): number {
  let value = 0;
  let mul = 1;
  for (const b of data) {
    value += (b & 0x7f) * mul;
    mul *= 128;
  }
  return value;
}

// ------------------------------------------------------------------ amounts on the wire

/** bigint → 32-byte big-endian. */
export function toBytes32BE(v: bigint): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0 && x > 0n; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** big-endian bytes (≤ 32) → bigint. */
export function fromBytesBE(b: Uint8Array): bigint {
  if (b.length > 32) throw new FrameDecodeError(`amount of ${b.length} bytes`);
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}

const TWO_256 = 1n << 256n;
const INT256_MAX = (1n << 255n) - 1n;

/** Signed amount → 32-byte two's complement (balances on the wire). */
export function toInt256BE(v: bigint): Uint8Array<ArrayBuffer> {
  if (v > INT256_MAX || v < -(INT256_MAX + 1n)) throw new FrameDecodeError(`balance ${v} outside int256`);
  return toBytes32BE(v < 0n ? TWO_256 + v : v);
}

/** 32-byte two's complement → signed amount; empty → undefined (field not sent). */
export function fromInt256BE(b: Uint8Array): bigint | undefined {
  if (b.length === 0) return undefined;
  if (b.length !== 32) throw new FrameDecodeError(`balance of ${b.length} bytes, expected 32`);
  const u = fromBytesBE(b);
  return u > INT256_MAX ? u - TWO_256 : u;
}
