import { InvalidSignerError } from "./errors.js";
import {
  bytesToHex,
  hexToBytes,
  isValidPrivateKey,
  privateKeyToAddress,
  signDigest,
  toChecksumAddress,
  type Hex,
} from "./index.js";

/** What `sign*` functions accept: an ethers `Signer` (or anything with ethers' `signTypedData`), a
 * viem `LocalAccount` (e.g. `privateKeyToAccount(key)`) or `WalletClient` with an account, a raw
 * private key, or a `LocalSigner` (a private key decoded once, for hot paths). All of them produce
 * the same signature for the same key and message. */
export type SignerLike = TypedDataSigner | ViemAccountLike | ViemWalletClientLike | LocalSigner | Hex;

/** viem's EIP-712 request: `signTypedData({ domain, types, primaryType, message })`. */
export interface ViemTypedDataRequest {
  domain: Record<string, unknown>;
  types: Record<string, readonly { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
}

/** The part of a viem `LocalAccount` (`privateKeyToAccount`, `mnemonicToAccount`, …) the library needs. */
export interface ViemAccountLike {
  readonly type: "local";
  readonly address: string;
  signTypedData(request: ViemTypedDataRequest): Promise<string>;
}

/** The part of a viem `WalletClient` the library needs: one created with an `account`. */
export interface ViemWalletClientLike {
  /** `"walletClient"` (viem types it as `string`). */
  readonly type: string;
  readonly account?: { readonly address: string } | undefined;
  /** Called with a `ViemTypedDataRequest` plus the client's `account` (typed loosely: viem's signature is generic). */
  signTypedData(request: never): Promise<string>;
}

/** The part of an ethers v6 `Signer` the library needs. */
export interface TypedDataSigner {
  getAddress(): Promise<string>;
  signTypedData(
    domain: Record<string, unknown>,
    types: Record<string, readonly { name: string; type: string }[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** A private key held in memory; signs a digest synchronously (native libsecp256k1 or @noble/curves). */
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
  typed: {
    domain: Record<string, unknown>;
    types: Record<string, readonly { name: string; type: string }[]>;
    value: Record<string, unknown>;
  },
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
  if (isViemAccount(signer)) return normalise(await signer.signTypedData(viemRequest(typed)));
  if (isViemWalletClient(signer)) {
    const account = signer.account;
    if (!account) throw new InvalidSignerError("the viem WalletClient has no account (create it with `account`)");
    const signTypedData = signer.signTypedData.bind(signer) as (
      request: ViemTypedDataRequest & { account: unknown },
    ) => Promise<string>;
    return normalise(await signTypedData({ ...viemRequest(typed), account }));
  }
  if (signer && typeof (signer as TypedDataSigner).signTypedData === "function") {
    const sig = await (signer as TypedDataSigner).signTypedData(typed.domain, typed.types, typed.value);
    return sig.toLowerCase() as Hex;
  }
  throw new InvalidSignerError(
    "expected an ethers Signer, a viem LocalAccount or WalletClient, a LocalSigner or a 0x-prefixed private key",
  );
}

/** The address `signer` signs as (without signing anything). */
export async function signerAddress(signer: SignerLike): Promise<Hex> {
  if (typeof signer === "string") return new LocalSigner(signer).address;
  if (signer instanceof LocalSigner) return signer.address;
  if (isViemAccount(signer)) return toChecksumAddress(signer.address);
  if (isViemWalletClient(signer)) {
    if (!signer.account)
      throw new InvalidSignerError("the viem WalletClient has no account (create it with `account`)");
    return toChecksumAddress(signer.account.address);
  }
  if (signer && typeof (signer as TypedDataSigner).getAddress === "function")
    return toChecksumAddress(await (signer as TypedDataSigner).getAddress());
  throw new InvalidSignerError(
    "expected an ethers Signer, a viem LocalAccount or WalletClient, a LocalSigner or a 0x-prefixed private key",
  );
}

function isViemAccount(signer: unknown): signer is ViemAccountLike {
  const s = signer as Partial<ViemAccountLike> | null;
  return (
    typeof s === "object" &&
    s !== null &&
    s.type === "local" &&
    typeof s.address === "string" &&
    typeof s.signTypedData === "function"
  );
}

function isViemWalletClient(signer: unknown): signer is ViemWalletClientLike {
  const s = signer as Partial<ViemWalletClientLike> | null;
  return typeof s === "object" && s !== null && s.type === "walletClient" && typeof s.signTypedData === "function";
}

function viemRequest(typed: {
  domain: Record<string, unknown>;
  types: Record<string, readonly { name: string; type: string }[]>;
  value: Record<string, unknown>;
}): ViemTypedDataRequest {
  const primaryType = Object.keys(typed.types)[0];
  return { domain: typed.domain, types: typed.types, primaryType, message: typed.value };
}

function normalise(signature: string): Hex {
  if (typeof signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw new InvalidSignerError("the signer returned something that is not a 65-byte signature");
  }
  return signature.toLowerCase() as Hex;
}
