/**
 * The EIP-712 domain and types of the chequebook. Binding (PROTOCOL.md §1): byte-identical to
 * Swarm Bee's, and to `contracts/swap/libraries/ChequeHash.sol` — test/vectors/eip712.json is the
 * golden vector both sides check.
 */
export const CHEQUEBOOK_DOMAIN_NAME = "Chequebook";
export const CHEQUEBOOK_DOMAIN_VERSION = "1.0";

/** The domain has no `verifyingContract`: the chequebook address is inside every message. */
export const CHEQUEBOOK_DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId)";
export const CHEQUE_TYPE = "Cheque(address chequebook,address beneficiary,uint256 cumulativePayout)";
export const CASHOUT_TYPE =
  "Cashout(address chequebook,address sender,uint256 requestPayout,address recipient,uint256 callerPayout)";
export const CUSTOM_DECREASE_TIMEOUT_TYPE =
  "CustomDecreaseTimeout(address chequebook,address beneficiary,uint256 decreaseTimeout)";

export function chequebookDomain(chainId: bigint | number) {
  return { name: CHEQUEBOOK_DOMAIN_NAME, version: CHEQUEBOOK_DOMAIN_VERSION, chainId: BigInt(chainId) };
}

/** One field of an EIP-712 struct, as ethers' `TypedDataField`. */
export interface TypedField {
  name: string;
  type: string;
}

/** ethers / viem `types` objects for `signTypedData`. */
export const CHEQUE_TYPES: { Cheque: TypedField[] } = {
  Cheque: [
    { name: "chequebook", type: "address" },
    { name: "beneficiary", type: "address" },
    { name: "cumulativePayout", type: "uint256" },
  ],
};

export const CASHOUT_TYPES: { Cashout: TypedField[] } = {
  Cashout: [
    { name: "chequebook", type: "address" },
    { name: "sender", type: "address" },
    { name: "requestPayout", type: "uint256" },
    { name: "recipient", type: "address" },
    { name: "callerPayout", type: "uint256" },
  ],
};

export const CUSTOM_DECREASE_TIMEOUT_TYPES: { CustomDecreaseTimeout: TypedField[] } = {
  CustomDecreaseTimeout: [
    { name: "chequebook", type: "address" },
    { name: "beneficiary", type: "address" },
    { name: "decreaseTimeout", type: "uint256" },
  ],
};
