// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ChequeHash
/// @notice Owns the EIP-712 domain and the three type strings of the Swarm-compatible chequebook.
/// @dev Binding (PROTOCOL.md §1): byte-identical to Swarm Bee's chequebook. The domain has NO
/// `verifyingContract`: the chequebook address is a field of every message instead, which is why
/// every clone shares one domain separator per chain.
library ChequeHash {
    string internal constant DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId)";
    string internal constant DOMAIN_NAME = "Chequebook";
    string internal constant DOMAIN_VERSION = "1.0";
    string internal constant CHEQUE_TYPE = "Cheque(address chequebook,address beneficiary,uint256 cumulativePayout)";
    string internal constant CASHOUT_TYPE =
        "Cashout(address chequebook,address sender,uint256 requestPayout,address recipient,uint256 callerPayout)";
    string internal constant CUSTOM_DECREASE_TIMEOUT_TYPE =
        "CustomDecreaseTimeout(address chequebook,address beneficiary,uint256 decreaseTimeout)";

    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(bytes(DOMAIN_TYPE));
    bytes32 internal constant CHEQUE_TYPEHASH = keccak256(bytes(CHEQUE_TYPE));
    bytes32 internal constant CASHOUT_TYPEHASH = keccak256(bytes(CASHOUT_TYPE));
    bytes32 internal constant CUSTOM_DECREASE_TIMEOUT_TYPEHASH = keccak256(bytes(CUSTOM_DECREASE_TIMEOUT_TYPE));

    /// @notice The domain separator for `chainId`.
    function domainSeparator(uint256 chainId) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(DOMAIN_NAME)), keccak256(bytes(DOMAIN_VERSION)), chainId)
            );
    }

    /// @notice EIP-712 struct hash of a cheque.
    /// @dev `keccak256(abi.encode(CHEQUE_TYPEHASH, chequebook, beneficiary, cumulativePayout))`, hashed in
    /// place at the free-memory pointer without allocating (on the hot path of every cash-out).
    function hashCheque(
        address chequebook,
        address beneficiary,
        uint256 cumulativePayout
    ) internal pure returns (bytes32 h) {
        bytes32 typehash = CHEQUE_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typehash)
            mstore(add(m, 0x20), shr(96, shl(96, chequebook)))
            mstore(add(m, 0x40), shr(96, shl(96, beneficiary)))
            mstore(add(m, 0x60), cumulativePayout)
            h := keccak256(m, 0x80)
        }
    }

    /// @notice EIP-712 struct hash of a beneficiary's authorisation for a third party to cash a cheque.
    /// @dev `keccak256(abi.encode(CASHOUT_TYPEHASH, chequebook, sender, requestPayout, recipient, callerPayout))`,
    /// hashed in place at the free-memory pointer without allocating.
    function hashCashout(
        address chequebook,
        address sender,
        uint256 requestPayout,
        address recipient,
        uint256 callerPayout
    ) internal pure returns (bytes32 h) {
        bytes32 typehash = CASHOUT_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typehash)
            mstore(add(m, 0x20), shr(96, shl(96, chequebook)))
            mstore(add(m, 0x40), shr(96, shl(96, sender)))
            mstore(add(m, 0x60), requestPayout)
            mstore(add(m, 0x80), shr(96, shl(96, recipient)))
            mstore(add(m, 0xa0), callerPayout)
            h := keccak256(m, 0xc0)
        }
    }

    /// @notice EIP-712 struct hash of a beneficiary's consent to a custom hard-deposit timeout.
    function hashCustomDecreaseTimeout(
        address chequebook,
        address beneficiary,
        uint256 decreaseTimeout
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(CUSTOM_DECREASE_TIMEOUT_TYPEHASH, chequebook, beneficiary, decreaseTimeout));
    }

    /// @notice The digest that is signed: `keccak256("\x19\x01" ‖ domainSeparator ‖ structHash)`.
    /// @dev Hashed in place at the free-memory pointer, as OpenZeppelin's `MessageHashUtils.toTypedDataHash`.
    function toTypedDataHash(bytes32 separator, bytes32 structHash) internal pure returns (bytes32 digest) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, hex"1901")
            mstore(add(m, 0x02), separator)
            mstore(add(m, 0x22), structHash)
            digest := keccak256(m, 0x42)
        }
    }
}
