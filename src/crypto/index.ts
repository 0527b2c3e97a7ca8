/**
 * The only place that does elliptic-curve and hash work. secp256k1 through `./secp256k1.ts`:
 * @noble/curves by default, native libsecp256k1 when the optional `secp256k1` package is installed
 * (much faster recovery, which is what validating thousands of received cheques per second needs).
 * No Node built-ins: this module runs in browsers.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { InvalidArgumentError } from "../errors.js";
import { InvalidSignatureError } from "./errors.js";
import { secp } from "./secp256k1.js";

export {
  secp256k1Backend,
  useSecp256k1Backend,
  describeSecp256k1Backend,
  type Secp256k1BackendName,
} from "./secp256k1.js";

export type Hex = `0x${string}`;

/** secp256k1 group order, and half of it (signatures with s above it are rejected, as on chain). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;

const HEX_RE = /^0x[0-9a-fA-F]*$/;

export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function bytesToHex(bytes: Uint8Array): Hex {
  let out = "0x";
  for (let i = 0; i < bytes.length; i++) out += HEX_BYTE[bytes[i]];
  return out as Hex;
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  return code - 55; // A-F (the caller checked the string against HEX_RE)
}

export function hexToBytes(hex: string, what = "hex"): Uint8Array {
  if (typeof hex !== "string" || !HEX_RE.test(hex) || hex.length % 2 !== 0) {
    throw new InvalidArgumentError(what, hex, "0x-prefixed hex of whole bytes");
  }
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0, j = 2; i < out.length; i++, j += 2)
    out[i] = (nibble(hex.charCodeAt(j)) << 4) | nibble(hex.charCodeAt(j + 1));
  return out;
}

/** Address (checksummed, EIP-55) of an uncompressed 65-byte public key. */
export function publicKeyToAddress(uncompressed: Uint8Array): Hex {
  return toChecksumAddress(bytesToHex(keccak256(uncompressed.subarray(1)).subarray(12)));
}

const checksumCache = new Map<string, Hex>();

/** EIP-55 checksum of a 20-byte hex address (memoised: addresses repeat a lot). */
export function toChecksumAddress(address: string): Hex {
  const lower = address.toLowerCase();
  const hit = checksumCache.get(lower);
  if (hit) return hit;
  const hash = keccak256(new TextEncoder().encode(lower.slice(2)));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1] >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    const c = lower[i + 2];
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  if (checksumCache.size > 100_000) checksumCache.clear();
  checksumCache.set(lower, out as Hex);
  return out as Hex;
}

/** Sign a 32-byte digest; returns 65 bytes r‖s‖v with v ∈ {27, 28} and low s (RFC 6979, deterministic). */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const { signature, recid } = secp().sign(digest, privateKey);
  const out = new Uint8Array(65);
  out.set(signature, 0);
  out[64] = 27 + recid;
  return out;
}

/**
 * Recover the signer of a 32-byte digest from a 65-byte r‖s‖v signature, or `undefined` when the
 * signature is not one the contracts accept (wrong length, v ∉ {27, 28}, high s, not on the curve).
 */
export function tryRecoverDigest(digest: Uint8Array, signature: Uint8Array): Hex | undefined {
  if (signature.length !== 65) return undefined;
  const v = signature[64];
  if (v !== 27 && v !== 28) return undefined;
  const rs = signature.subarray(0, 64);
  const s = BigInt(bytesToHex(signature.subarray(32, 64)));
  if (s === 0n || s > SECP256K1_HALF_N) return undefined;
  try {
    return publicKeyToAddress(secp().recover(rs, v - 27, digest));
  } catch {
    return undefined;
  }
}

const SIGNATURE_HEX = /^0x[0-9a-fA-F]{130}$/;

/** `tryRecoverDigest` for a 0x-hex signature; `undefined` for anything the contracts would reject. */
export function tryRecoverSigner(digest: Uint8Array, signature: string): Hex | undefined {
  return typeof signature === "string" && SIGNATURE_HEX.test(signature)
    ? tryRecoverDigest(digest, hexToBytes(signature))
    : undefined;
}

/** The signer of `digest`, or `InvalidSignatureError` saying why the signature is unusable. */
export function recoverSigner(digest: Uint8Array, signature: string): Hex {
  if (typeof signature !== "string" || !SIGNATURE_HEX.test(signature)) {
    throw new InvalidSignatureError(String(signature), "expected 65 bytes r‖s‖v as 0x-prefixed hex");
  }
  const signer = tryRecoverDigest(digest, hexToBytes(signature));
  if (!signer) throw new InvalidSignatureError(signature, "v must be 27 or 28, s must be low, r and s on the curve");
  return signer;
}

/** Whether `signature` over the digest `digestOf()` is `signer`'s; false for garbage, never throws. */
export function isSignedBy(digestOf: () => Uint8Array, signature: string, signer: string): boolean {
  try {
    return recoverSigner(digestOf(), signature) === toChecksumAddress(signer);
  } catch {
    return false;
  }
}

/** Address of a private key. */
export function privateKeyToAddress(privateKey: Uint8Array): Hex {
  return publicKeyToAddress(secp().publicKey(privateKey));
}

export function isValidPrivateKey(privateKey: Uint8Array): boolean {
  return secp().isValidPrivateKey(privateKey);
}
