// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ShareHash
/// @notice Owns the `ShareReceipt` EIP-712 type and the hash-chain walk.
/// @dev Binding (PROTOCOL.md §2). Domain: name "ServicePlans", version "1", chainId, verifyingContract.
library ShareHash {
    string internal constant SHARE_RECEIPT_TYPE =
        "ShareReceipt(uint256 planId,address provider,uint256 baseShares,bytes32 anchor,uint256 length)";
    bytes32 internal constant SHARE_RECEIPT_TYPEHASH = keccak256(bytes(SHARE_RECEIPT_TYPE));

    /// @notice EIP-712 struct hash of a receipt.
    function hashReceipt(
        uint256 planId,
        address provider,
        uint256 baseShares,
        bytes32 anchor,
        uint256 length
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(SHARE_RECEIPT_TYPEHASH, planId, provider, baseShares, anchor, length));
    }

    /// @notice Hash `word` `steps` times: `w_{i-1} = keccak256(w_i)`; word `w_k` walks to `w_0` in k steps.
    /// @dev Assembly to hash in scratch space: the plain `keccak256(abi.encode(w))` allocates 64 fresh
    /// bytes of memory per step, so memory expansion makes a 1,000-step walk cost quadratically more.
    /// Equivalence with the plain version is fuzzed in ShareHash.t.sol.
    function walk(bytes32 word, uint256 steps) internal pure returns (bytes32 result) {
        assembly ("memory-safe") {
            result := word
            for {
                let i := 0
            } lt(i, steps) {
                i := add(i, 1)
            } {
                mstore(0x00, result) // scratch space 0x00-0x3f is free for hashing by convention
                result := keccak256(0x00, 0x20)
            }
        }
    }
}
