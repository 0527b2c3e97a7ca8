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
  const set = [msg.handshake, msg.cheque, msg.ack, msg.reject, msg.request, msg.response, msg.disconnect].filter((x) => x !== undefined);
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

export type Decoded = { ok: true; message: SwapMessage } | { ok: false; error: FrameDecodeError | FrameTooLargeError };

/** Incremental decoder: push chunks, get whole frames (or errors for bad ones) back. */
export class FrameDecoder {
  #buf = new Uint8Array(0);
  #skip = 0; // bytes of an oversized frame still to discard

  constructor(readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  push(chunk: Uint8Array): Decoded[] {
    const out: Decoded[] = [];
    let data = this.#buf.length ? concat(this.#buf, chunk) : chunk;
    for (;;) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, data.length);
        this.#skip -= n;
        data = data.subarray(n);
        if (this.#skip > 0) break;
      }
      const header = readVarint(data);
      if (header === "incomplete") break;
      if (header === "invalid") {
        out.push({ ok: false, error: new FrameDecodeError("invalid length prefix") });
        data = new Uint8Array(0); // cannot resynchronise inside this chunk: drop it
        break;
      }
      const [len, used] = header;
      if (len > this.maxFrameBytes) {
        out.push({ ok: false, error: new FrameTooLargeError(len, this.maxFrameBytes) });
        this.#skip = len;
        data = data.subarray(used);
        continue;
      }
      if (data.length < used + len) break;
      const body = data.subarray(used, used + len);
      data = data.subarray(used + len);
      try {
        out.push({ ok: true, message: decodeBody(body) });
      } catch (e) {
        out.push({ ok: false, error: e as FrameDecodeError });
      }
    }
    this.#buf = data.slice();
    return out;
  }
}

function readVarint(data: Uint8Array): [number, number] | "incomplete" | "invalid" {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < data.length; i++) {
    if (i >= 5) return "invalid"; // more than 32 bits of length
    const b = data[i];
    value += (b & 0x7f) * mul;
    mul *= 128;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  return "incomplete";
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
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
