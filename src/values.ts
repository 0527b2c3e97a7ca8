/**
 * Runtime checks at the public edge: TypeScript cannot prove that a bigint fits in uint256 or
 * that a string is an address. Everything inside the library works on the checked forms.
 */
import { InvalidArgumentError } from "./errors.js";
import { toChecksumAddress, type Hex } from "./crypto/index.js";

export const MAX_UINT256 = (1n << 256n) - 1n;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** Loose amount input accepted at the public edge. */
export type AmountLike = bigint | number | string;

/** A checksummed address, or an `InvalidArgumentError`. */
export function toAddress(value: unknown, argument = "address"): Hex {
  if (typeof value !== "string" || !ADDRESS_RE.test(value)) {
    throw new InvalidArgumentError(argument, value, "a 20-byte 0x-prefixed hex address");
  }
  return toChecksumAddress(value);
}

/** A bigint in [0, 2^256), from a bigint, a safe integer, or a decimal / 0x-hex string. */
export function toUint256(value: unknown, argument = "amount"): bigint {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
  else if (typeof value === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) v = BigInt(value);
  else throw new InvalidArgumentError(argument, value, "an unsigned integer (bigint, safe integer or numeric string)");
  if (v < 0n || v > MAX_UINT256) throw new InvalidArgumentError(argument, value, "a value in [0, 2^256)");
  return v;
}

/** A 32-byte hex value. */
export function toBytes32(value: unknown, argument = "bytes32"): Hex {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new InvalidArgumentError(argument, value, "32 bytes as 0x-prefixed hex");
  }
  return value.toLowerCase() as Hex;
}

export function toChainId(value: unknown): bigint {
  const v = toUint256(value, "chainId");
  if (v === 0n) throw new InvalidArgumentError("chainId", value, "a non-zero chain id");
  return v;
}
