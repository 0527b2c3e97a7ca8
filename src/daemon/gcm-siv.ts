/**
 * AES-256-GCM-SIV decryption (RFC 8452), the cipher of Hardhat 3's keystore. Node's crypto has
 * AES but not GCM-SIV, so the mode is built here on AES-256-ECB single blocks: per-nonce key
 * derivation, POLYVAL, and CTR with a 32-bit little-endian counter. Decryption only: the daemon
 * reads keystores, it never writes them. Returns `undefined` when the tag does not verify (wrong
 * key or tampered data), never unauthenticated plaintext.
 */
import { createCipheriv, timingSafeEqual } from "node:crypto";

const BLOCK = 16;
/** x^128 + x^127 + x^126 + x^121 + 1, POLYVAL's field polynomial (bit i = coefficient of x^i). */
const POLY = (1n << 128n) | (1n << 127n) | (1n << 126n) | (1n << 121n) | 1n;
/** x^-128 in that field (RFC 8452 §3): POLYVAL's dot(a, b) = a·b·x^-128. */
const X_INV_128 = (1n << 127n) | (1n << 124n) | (1n << 121n) | (1n << 114n) | 1n;

function aesEcb(key: Uint8Array, blocks: Uint8Array): Buffer {
  const c = createCipheriv("aes-256-ecb", key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(blocks), c.final()]);
}

const le = (b: Uint8Array): bigint => {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
};
const toLe = (v: bigint): Buffer => {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
};

/** a·b mod POLY (carry-less). */
function mulmod(a: bigint, b: bigint): bigint {
  let r = 0n;
  for (let i = 0n; b !== 0n; i++, b >>= 1n) if (b & 1n) r ^= a << i;
  for (let i = 254n; i >= 128n; i--) if ((r >> i) & 1n) r ^= POLY << (i - 128n);
  return r;
}

/** POLYVAL(H, data): data is a whole number of 16-byte blocks. */
function polyval(h: bigint, data: Uint8Array): bigint {
  const hx = mulmod(h, X_INV_128);
  let s = 0n;
  for (let off = 0; off < data.length; off += BLOCK) s = mulmod(s ^ le(data.subarray(off, off + BLOCK)), hx);
  return s;
}

const pad16 = (b: Uint8Array): Uint8Array => {
  const n = Math.ceil(b.length / BLOCK) * BLOCK;
  const out = new Uint8Array(n);
  out.set(b);
  return out;
};

/** Decrypt `sealed` (ciphertext ‖ 16-byte tag) under a 32-byte key and 12-byte nonce, no AAD. */
export function aes256GcmSivOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  if (key.length !== 32 || nonce.length !== 12 || sealed.length < BLOCK) return undefined;
  // per-nonce keys: the first 8 bytes of AES(K, LE32(i) ‖ nonce) for i = 0..5
  const derive = new Uint8Array(6 * BLOCK);
  for (let i = 0; i < 6; i++) {
    derive[i * BLOCK] = i;
    derive.set(nonce, i * BLOCK + 4);
  }
  const d = aesEcb(key, derive);
  const half = (i: number) => d.subarray(i * BLOCK, i * BLOCK + 8);
  const authKey = Buffer.concat([half(0), half(1)]);
  const encKey = Buffer.concat([half(2), half(3), half(4), half(5)]);

  const ct = sealed.subarray(0, sealed.length - BLOCK);
  const tag = sealed.subarray(sealed.length - BLOCK);
  // CTR: the tag with its top bit set is the first counter block; the low 32 bits count (LE, wrapping)
  const counter0 = Buffer.from(tag);
  counter0[15]! |= 0x80;
  const start = counter0.readUInt32LE(0);
  const blocks = Math.ceil(ct.length / BLOCK);
  const ctr = Buffer.alloc(blocks * BLOCK);
  for (let i = 0; i < blocks; i++) {
    counter0.copy(ctr, i * BLOCK);
    ctr.writeUInt32LE((start + i) >>> 0, i * BLOCK);
  }
  const stream = aesEcb(encKey, ctr);
  const plain = new Uint8Array(ct.length);
  for (let i = 0; i < ct.length; i++) plain[i] = ct[i]! ^ stream[i]!;

  // the expected tag: AES(encKey, POLYVAL(authKey, pad(plain) ‖ lengths) ⊕ nonce, top bit cleared)
  const lengths = Buffer.alloc(BLOCK);
  lengths.writeBigUInt64LE(BigInt(plain.length) * 8n, 8);
  const s = toLe(polyval(le(authKey), Buffer.concat([pad16(plain), lengths])));
  for (let i = 0; i < 12; i++) s[i]! ^= nonce[i]!;
  s[15]! &= 0x7f;
  const expected = aesEcb(encKey, s);
  if (!timingSafeEqual(expected, tag)) {
    plain.fill(0);
    return undefined;
  }
  return plain;
}
