/**
 * The secp256k1 backend. `@noble/curves` (pure JavaScript, what viem and ethers use) is the default
 * and runs everywhere, browsers included. The native libsecp256k1 binding (npm `secp256k1`, an
 * optional dependency) is picked up on first use when it is installed and loads under Node: it is
 * much faster at recovering signers (see BENCHMARKS.md, "secp256k1 backends"), which is what a node
 * receiving thousands of cheques per second needs.
 *
 * Nothing is loaded at import time (the module has no side effects). `secp256k1Backend()` says which
 * backend is in use; `SWAP_SECP256K1=noble|native` in the environment or `useSecp256k1Backend()`
 * forces one.
 */
import { secp256k1 as noble } from "@noble/curves/secp256k1.js";
import { InvalidArgumentError } from "../errors.js";

export type Secp256k1BackendName = "native" | "noble";

/** What the library needs from a secp256k1 implementation (digests are 32 bytes, keys 32 bytes). */
export interface Secp256k1Backend {
  readonly name: Secp256k1BackendName;
  /** Sign a digest: 64 bytes r‖s (low s) and the recovery id (0 or 1). */
  sign(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  /** Uncompressed (65-byte) public key of the signer of `digest`; throws on an invalid signature. */
  recover(signature64: Uint8Array, recid: number, digest: Uint8Array): Uint8Array;
  /** Uncompressed (65-byte) public key of a private key. */
  publicKey(privateKey: Uint8Array): Uint8Array;
  isValidPrivateKey(privateKey: Uint8Array): boolean;
}

/** The pure-JavaScript backend (@noble/curves). */
export const nobleBackend: Secp256k1Backend = {
  name: "noble",
  sign(digest, privateKey) {
    const rec = noble.sign(digest, privateKey, { prehash: false, lowS: true, format: "recovered" });
    return { signature: rec.subarray(1), recid: rec[0] };
  },
  recover(signature64, recid, digest) {
    return noble.Signature.fromBytes(signature64, "compact")
      .addRecoveryBit(recid)
      .recoverPublicKey(digest)
      .toBytes(false);
  },
  publicKey(privateKey) {
    return noble.getPublicKey(privateKey, false);
  },
  isValidPrivateKey(privateKey) {
    return privateKey.length === 32 && noble.utils.isValidSecretKey(privateKey);
  },
};

interface NativeSecp256k1 {
  ecdsaSign(digest: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaRecover(signature: Uint8Array, recid: number, digest: Uint8Array, compressed: boolean): Uint8Array;
  publicKeyCreate(key: Uint8Array, compressed: boolean): Uint8Array;
  privateKeyVerify(key: Uint8Array): boolean;
}

function wrapNative(lib: NativeSecp256k1): Secp256k1Backend {
  return {
    name: "native",
    sign: (digest, privateKey) => lib.ecdsaSign(digest, privateKey),
    recover: (signature64, recid, digest) => lib.ecdsaRecover(signature64, recid, digest, false),
    publicKey: (privateKey) => lib.publicKeyCreate(privateKey, false),
    isValidPrivateKey: (privateKey) => privateKey.length === 32 && lib.privateKeyVerify(privateKey),
  };
}

interface NodeProcess {
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

/**
 * The native backend when the `secp256k1` package is installed and its libsecp256k1 binding loads
 * (not its own pure-JS fallback, which is slower than noble), else `undefined`. Never throws. Uses
 * `process.getBuiltinModule` (Node ≥ 22.3), so bundlers never see a Node import.
 */
export function loadNativeBackend(): Secp256k1Backend | undefined {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const nodeModule = proc?.getBuiltinModule?.("node:module") as
    { createRequire(from: string): (id: string) => unknown } | undefined;
  if (!nodeModule) return undefined;
  try {
    const require = nodeModule.createRequire(moduleLocation());
    // `secp256k1/bindings` is the native binding alone: it throws instead of falling back to elliptic
    const lib = require("secp256k1/bindings") as NativeSecp256k1;
    const backend = wrapNative(lib);
    // a smoke test: a broken build must not be preferred over a working noble
    const key = new Uint8Array(32).fill(1);
    const digest = new Uint8Array(32).fill(2);
    const { signature, recid } = backend.sign(digest, key);
    const pub = backend.recover(signature, recid, digest);
    return equal(pub, nobleBackend.publicKey(key)) ? backend : undefined;
  } catch {
    return undefined;
  }
}

function moduleLocation(): string {
  // ESM: this module's URL; CJS (the build's `require` entry): its file name
  if (typeof __filename === "string") return __filename;
  return import.meta.url;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

let current: Secp256k1Backend | undefined;

/** The backend in use, chosen on first call: native when available (unless `SWAP_SECP256K1=noble`). */
export function secp(): Secp256k1Backend {
  if (current) return current;
  const wanted = (globalThis as { process?: NodeProcess }).process?.env?.SWAP_SECP256K1;
  current = wanted === "noble" ? nobleBackend : (loadNativeBackend() ?? nobleBackend);
  return current;
}

/** Which secp256k1 implementation signs and recovers: `"native"` (libsecp256k1) or `"noble"`. */
export function secp256k1Backend(): Secp256k1BackendName {
  return secp().name;
}

/**
 * Force a backend. `"native"` throws `InvalidArgumentError` when the native binding is not
 * available (install the optional dependency `secp256k1`); returns the name now in use.
 */
export function useSecp256k1Backend(name: Secp256k1BackendName): Secp256k1BackendName {
  if (name === "noble") {
    current = nobleBackend;
  } else if (name === "native") {
    const native = loadNativeBackend();
    if (!native)
      throw new InvalidArgumentError(
        "secp256k1 backend",
        name,
        "the native `secp256k1` package installed and loadable",
      );
    current = native;
  } else {
    throw new InvalidArgumentError("secp256k1 backend", name, '"native" or "noble"');
  }
  return current.name;
}

/** One line for a log at start-up, e.g. "secp256k1: native libsecp256k1". */
export function describeSecp256k1Backend(): string {
  return secp().name === "native"
    ? "secp256k1: native libsecp256k1 (optional dependency `secp256k1`)"
    : "secp256k1: @noble/curves (pure JavaScript; install `secp256k1` for faster signature recovery)";
}
