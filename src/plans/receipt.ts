/**
 * Share receipts: `ShareReceipt(uint256 planId,address provider,uint256 baseShares,bytes32 anchor,uint256 length)`
 * under the EIP-712 domain {name "ServicePlans", version "1", chainId, verifyingContract} (binding,
 * PROTOCOL.md §2; golden vector in test/vectors/plans.json). Same verbs as cheque/.
 */
import { bytesToHex, isSignedBy, recoverSigner, type Hex } from "../crypto/index.js";
import { hashDomain, hashString, StaticStruct, typedDataDigest } from "../crypto/typed-data.js";
import { signTypedMessage, type SignerLike } from "../crypto/signer.js";
import { toAddress, toChainId, type AmountLike } from "../values.js";
import type { TypedField } from "../cheque/eip712.js";

export const SERVICE_PLANS_DOMAIN_NAME = "ServicePlans";
export const SERVICE_PLANS_DOMAIN_VERSION = "1";
export const SERVICE_PLANS_DOMAIN_TYPE =
  "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
export const SHARE_RECEIPT_TYPE =
  "ShareReceipt(uint256 planId,address provider,uint256 baseShares,bytes32 anchor,uint256 length)";
export const SHARE_RECEIPT_TYPES: { ShareReceipt: TypedField[] } = {
  ShareReceipt: [
    { name: "planId", type: "uint256" },
    { name: "provider", type: "address" },
    { name: "baseShares", type: "uint256" },
    { name: "anchor", type: "bytes32" },
    { name: "length", type: "uint256" },
  ],
};

/** Where receipts are valid: one ServicePlans contract on one chain. */
export interface PlansDomain {
  chainId: bigint | number;
  verifyingContract: string;
}

/** "Holding word w_k of this chain proves baseShares + k shares of plan `planId` for `provider`." */
export interface ShareReceipt {
  planId: bigint;
  provider: string;
  baseShares: bigint;
  /** w_0 of the chain (any value when length = 0). */
  anchor: Hex;
  /** Number of words after the anchor; 0 = a plain cumulative receipt. */
  length: bigint;
}
export interface SignedShareReceipt extends ShareReceipt {
  signature: Hex;
}
export type ShareReceiptInput = Omit<ShareReceipt, "planId" | "baseShares" | "length" | "anchor"> & {
  planId: AmountLike;
  baseShares: AmountLike;
  length: AmountLike;
  anchor: string;
};

const struct = new StaticStruct<ShareReceipt>(SHARE_RECEIPT_TYPE, [
  { name: "planId", type: "uint256" },
  { name: "provider", type: "address" },
  { name: "baseShares", type: "uint256" },
  { name: "anchor", type: "bytes32" },
  { name: "length", type: "uint256" },
]);

const NAME = hashString(SERVICE_PLANS_DOMAIN_NAME);
const VERSION = hashString(SERVICE_PLANS_DOMAIN_VERSION);
const separators = new Map<string, Uint8Array>();

export function plansDomainSeparator(domain: PlansDomain): Hex {
  return bytesToHex(separatorOf(domain));
}

function separatorOf(domain: PlansDomain): Uint8Array {
  const chainId = toChainId(domain.chainId);
  const contract = toAddress(domain.verifyingContract, "verifyingContract");
  const key = `${chainId}:${contract}`;
  let sep = separators.get(key);
  if (!sep) {
    sep = hashDomain(SERVICE_PLANS_DOMAIN_TYPE, [
      { type: "bytes32", value: NAME },
      { type: "bytes32", value: VERSION },
      { type: "uint256", value: chainId },
      { type: "address", value: contract },
    ]);
    separators.set(key, sep);
  }
  return sep;
}

/** Validates and normalises a receipt; throws `InvalidArgumentError`. */
export function toShareReceipt(receipt: ShareReceiptInput): ShareReceipt {
  return struct.normalise(receipt as unknown as ShareReceipt);
}

function digest(receipt: ShareReceiptInput, domain: PlansDomain): Uint8Array {
  return typedDataDigest(separatorOf(domain), struct.hashStruct(toShareReceipt(receipt)));
}

export function hashShareReceipt(receipt: ShareReceiptInput, domain: PlansDomain): Hex {
  return bytesToHex(digest(receipt, domain));
}

export async function signShareReceipt(
  receipt: ShareReceiptInput,
  domain: PlansDomain,
  signer: SignerLike,
): Promise<Hex> {
  const value = toShareReceipt(receipt);
  return signTypedMessage(signer, digest(value, domain), {
    domain: {
      name: SERVICE_PLANS_DOMAIN_NAME,
      version: SERVICE_PLANS_DOMAIN_VERSION,
      chainId: toChainId(domain.chainId),
      verifyingContract: toAddress(domain.verifyingContract),
    },
    types: SHARE_RECEIPT_TYPES,
    value: value as unknown as Record<string, unknown>,
  });
}

export function recoverShareReceiptSigner(receipt: ShareReceiptInput, domain: PlansDomain, signature: string): Hex {
  return recoverSigner(digest(receipt, domain), signature);
}

export function verifyShareReceipt(
  receipt: ShareReceiptInput,
  domain: PlansDomain,
  signature: string,
  signer: string,
): boolean {
  return isSignedBy(() => digest(receipt, domain), signature, signer);
}
