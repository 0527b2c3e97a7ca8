import { InvalidSignerError } from "./errors.js";
import { bytesToHex, hexToBytes, isValidPrivateKey, privateKeyToAddress, signDigest, type Hex } from "./index.js";

/** What `sign*` functions accept: an ethers `Signer` (or anything with `signTypedData`), a raw
 * private key, or a `LocalSigner` (a private key decoded once, for hot paths). */
export type SignerLike = TypedDataSigner | LocalSigner | Hex;

/** The part of an ethers v6 `Signer` the library needs. */
export interface TypedDataSigner {
  getAddress(): Promise<string>;
  signTypedData(
    domain: Record<string, unknown>,
    types: Record<string, readonly { name: string; type: string }[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** A private key held in memory; signs a digest synchronously with native libsecp256k1. */
export class LocalSigner {
  readonly address: Hex;
  readonly #key: Uint8Array;

  constructor(privateKey: Hex | Uint8Array) {
    const key = typeof privateKey === "string" ? safeKey(privateKey) : privateKey;
    if (!isValidPrivateKey(key)) throw new InvalidSignerError("not a valid secp256k1 private key");
    this.#key = key;
    this.address = privateKeyToAddress(key);
  }

  signDigest(digest: Uint8Array): Hex {
    return bytesToHex(signDigest(digest, this.#key));
  }

  async getAddress(): Promise<Hex> {
    return this.address;
  }
}

function safeKey(hex: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new InvalidSignerError("a private key is 32 bytes of 0x-prefixed hex");
  return hexToBytes(hex);
}

const localSigners = new Map<string, LocalSigner>();

/** Sign an EIP-712 message: locally from the digest, or through the ethers signer's own encoder. */
export async function signTypedMessage(
  signer: SignerLike,
  digest: Uint8Array,
  typed: { domain: Record<string, unknown>; types: Record<string, readonly { name: string; type: string }[]>; value: Record<string, unknown> },
): Promise<Hex> {
  if (typeof signer === "string") {
    let local = localSigners.get(signer);
    if (!local) {
      local = new LocalSigner(signer);
      if (localSigners.size > 1000) localSigners.clear();
      localSigners.set(signer, local);
    }
    return local.signDigest(digest);
  }
  if (signer instanceof LocalSigner) return signer.signDigest(digest);
  if (signer && typeof (signer as TypedDataSigner).signTypedData === "function") {
    const sig = await (signer as TypedDataSigner).signTypedData(typed.domain, typed.types, typed.value);
    return sig.toLowerCase() as Hex;
  }
  throw new InvalidSignerError("expected an ethers Signer, a LocalSigner or a 0x-prefixed private key");
}
