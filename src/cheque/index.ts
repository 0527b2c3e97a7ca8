/**
 * Cheques, cash-out authorisations and custom-timeout consents: hash, sign, recover, verify.
 * Verb contract (as viem): `hash*` is pure and returns the EIP-712 digest; `sign*` needs a signer;
 * `recover*Signer` returns an address or throws `InvalidSignatureError`; `verify*` returns a
 * boolean and `false` for garbage, never throws.
 */
import { bytesToHex, isSignedBy, recoverSigner, type Hex } from "../crypto/index.js";
import { hashDomain, hashString, StaticStruct, typedDataDigest } from "../crypto/typed-data.js";
import { signTypedMessage, type SignerLike } from "../crypto/signer.js";
import { toChainId, type AmountLike } from "../values.js";
import {
  CASHOUT_TYPE,
  CASHOUT_TYPES,
  CHEQUE_TYPE,
  CHEQUE_TYPES,
  CHEQUEBOOK_DOMAIN_NAME,
  CHEQUEBOOK_DOMAIN_TYPE,
  CHEQUEBOOK_DOMAIN_VERSION,
  CUSTOM_DECREASE_TIMEOUT_TYPE,
  CUSTOM_DECREASE_TIMEOUT_TYPES,
  chequebookDomain,
} from "./eip712.js";

export * from "./eip712.js";
export * from "./errors.js";

/** "Chequebook `chequebook` owes `beneficiary` a total of `cumulativePayout` since the beginning." */
export interface Cheque {
  chequebook: string;
  beneficiary: string;
  cumulativePayout: bigint;
}
export interface SignedCheque extends Cheque {
  signature: Hex;
}
/** A beneficiary's authorisation for `sender` to cash its cheque and keep `callerPayout`. */
export interface Cashout {
  chequebook: string;
  sender: string;
  /** The cheque's cumulativePayout. */
  requestPayout: bigint;
  recipient: string;
  callerPayout: bigint;
}
/** A beneficiary's consent to a custom hard-deposit decrease timeout. */
export interface CustomDecreaseTimeout {
  chequebook: string;
  beneficiary: string;
  decreaseTimeout: bigint;
}

/** Loose input: amounts as bigint, safe integer or numeric string. */
export type ChequeInput = Omit<Cheque, "cumulativePayout"> & { cumulativePayout: AmountLike };
export type CashoutInput = Omit<Cashout, "requestPayout" | "callerPayout"> & {
  requestPayout: AmountLike;
  callerPayout: AmountLike;
};
export type CustomDecreaseTimeoutInput = Omit<CustomDecreaseTimeout, "decreaseTimeout"> & {
  decreaseTimeout: AmountLike;
};

const chequeStruct = new StaticStruct<Cheque>(CHEQUE_TYPE, CHEQUE_TYPES.Cheque);
const cashoutStruct = new StaticStruct<Cashout>(CASHOUT_TYPE, CASHOUT_TYPES.Cashout);
const timeoutStruct = new StaticStruct<CustomDecreaseTimeout>(
  CUSTOM_DECREASE_TIMEOUT_TYPE,
  CUSTOM_DECREASE_TIMEOUT_TYPES.CustomDecreaseTimeout,
);

const separators = new Map<bigint, Uint8Array>();
const NAME_HASH = hashString(CHEQUEBOOK_DOMAIN_NAME);
const VERSION_HASH = hashString(CHEQUEBOOK_DOMAIN_VERSION);

/** The chequebook domain separator of `chainId` (cached). */
export function chequebookDomainSeparator(chainId: bigint | number): Hex {
  return bytesToHex(separatorOf(toChainId(chainId)));
}

function separatorOf(chainId: bigint): Uint8Array {
  let sep = separators.get(chainId);
  if (!sep) {
    sep = hashDomain(CHEQUEBOOK_DOMAIN_TYPE, [
      { type: "bytes32", value: NAME_HASH },
      { type: "bytes32", value: VERSION_HASH },
      { type: "uint256", value: chainId },
    ]);
    separators.set(chainId, sep);
  }
  return sep;
}

function digestOf<T extends object>(struct: StaticStruct<T>, value: T, chainId: bigint | number): Uint8Array {
  return typedDataDigest(separatorOf(toChainId(chainId)), struct.hashStruct(value));
}

async function sign<T extends object>(
  struct: StaticStruct<T>,
  types: Record<string, readonly { name: string; type: string }[]>,
  input: T,
  chainId: bigint | number,
  signer: SignerLike,
): Promise<Hex> {
  const value = struct.normalise(input);
  return signTypedMessage(signer, digestOf(struct, value, chainId), {
    domain: chequebookDomain(toChainId(chainId)),
    types,
    value: value as Record<string, unknown>,
  });
}

function recover<T extends object>(
  struct: StaticStruct<T>,
  input: T,
  chainId: bigint | number,
  signature: string,
): Hex {
  return recoverSigner(digestOf(struct, struct.normalise(input), chainId), signature);
}

function verify<T extends object>(
  struct: StaticStruct<T>,
  input: T,
  chainId: bigint | number,
  signature: string,
  signer: string,
): boolean {
  return isSignedBy(() => digestOf(struct, struct.normalise(input), chainId), signature, signer);
}

// ------------------------------------------------------------------ Cheque

export function hashCheque(cheque: ChequeInput, chainId: bigint | number): Hex {
  return bytesToHex(digestOf(chequeStruct, chequeStruct.normalise(cheque as Cheque), chainId));
}
export function signCheque(cheque: ChequeInput, chainId: bigint | number, signer: SignerLike): Promise<Hex> {
  return sign(chequeStruct, CHEQUE_TYPES, cheque as Cheque, chainId, signer);
}
export function recoverChequeSigner(cheque: ChequeInput, chainId: bigint | number, signature: string): Hex {
  return recover(chequeStruct, cheque as Cheque, chainId, signature);
}
export function verifyCheque(
  cheque: ChequeInput,
  chainId: bigint | number,
  signature: string,
  issuer: string,
): boolean {
  return verify(chequeStruct, cheque as Cheque, chainId, signature, issuer);
}
/** Validates and normalises a cheque (checksummed addresses, bigint amount); throws `InvalidArgumentError`. */
export function toCheque(cheque: ChequeInput): Cheque {
  return chequeStruct.normalise(cheque as Cheque);
}

// ------------------------------------------------------------------ Cashout

export function hashCashout(cashout: CashoutInput, chainId: bigint | number): Hex {
  return bytesToHex(digestOf(cashoutStruct, cashoutStruct.normalise(cashout as Cashout), chainId));
}
export function signCashout(cashout: CashoutInput, chainId: bigint | number, signer: SignerLike): Promise<Hex> {
  return sign(cashoutStruct, CASHOUT_TYPES, cashout as Cashout, chainId, signer);
}
export function recoverCashoutSigner(cashout: CashoutInput, chainId: bigint | number, signature: string): Hex {
  return recover(cashoutStruct, cashout as Cashout, chainId, signature);
}
export function verifyCashout(
  cashout: CashoutInput,
  chainId: bigint | number,
  signature: string,
  beneficiary: string,
): boolean {
  return verify(cashoutStruct, cashout as Cashout, chainId, signature, beneficiary);
}

// ------------------------------------------------------------------ CustomDecreaseTimeout

export function hashCustomDecreaseTimeout(msg: CustomDecreaseTimeoutInput, chainId: bigint | number): Hex {
  return bytesToHex(digestOf(timeoutStruct, timeoutStruct.normalise(msg as CustomDecreaseTimeout), chainId));
}
export function signCustomDecreaseTimeout(
  msg: CustomDecreaseTimeoutInput,
  chainId: bigint | number,
  signer: SignerLike,
): Promise<Hex> {
  return sign(timeoutStruct, CUSTOM_DECREASE_TIMEOUT_TYPES, msg as CustomDecreaseTimeout, chainId, signer);
}
export function recoverCustomDecreaseTimeoutSigner(
  msg: CustomDecreaseTimeoutInput,
  chainId: bigint | number,
  signature: string,
): Hex {
  return recover(timeoutStruct, msg as CustomDecreaseTimeout, chainId, signature);
}
export function verifyCustomDecreaseTimeout(
  msg: CustomDecreaseTimeoutInput,
  chainId: bigint | number,
  signature: string,
  beneficiary: string,
): boolean {
  return verify(timeoutStruct, msg as CustomDecreaseTimeout, chainId, signature, beneficiary);
}
