// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {ShareHash} from "../../plans/libraries/ShareHash.sol";

/// @notice The assembly hash-chain walk against plain Solidity, and the receipt struct hash
/// against the type string of PROTOCOL.md §2.
contract ShareHashTest is TestBase {
    function plainWalk(bytes32 w, uint256 steps) internal pure returns (bytes32) {
        for (uint256 i; i < steps; i++) w = keccak256(abi.encode(w));
        return w;
    }

    function test_fuzz_walk_matchesPlainSolidity(bytes32 w, uint256 steps) public pure {
        steps = bound(steps, 0, 1_500);
        assertEq(ShareHash.walk(w, steps), plainWalk(w, steps));
    }

    function test_walk_zeroStepsIsTheWordItself() public pure {
        assertEq(ShareHash.walk(bytes32("w"), 0), bytes32("w"));
        assertEq(ShareHash.walk(bytes32("w"), 1), keccak256(abi.encode(bytes32("w"))));
    }

    /// The walk leaves the free-memory pointer and memory after it alone (it hashes in scratch space).
    function test_fuzz_walk_isMemorySafe(bytes32 w, uint8 steps) public pure {
        bytes memory before = abi.encode(uint256(0xA11CE), w);
        uint256 fmp;
        assembly ("memory-safe") {
            fmp := mload(0x40)
        }
        bytes32 result = ShareHash.walk(w, steps);
        uint256 fmpAfter;
        assembly ("memory-safe") {
            fmpAfter := mload(0x40)
        }
        assertEq(fmpAfter, fmp);
        assertEq(before, abi.encode(uint256(0xA11CE), w));
        assertEq(result, plainWalk(w, steps));
    }

    function test_fuzz_hashReceipt_matchesTheTypeString(
        uint256 planId,
        address provider,
        uint256 baseShares,
        bytes32 anchor,
        uint256 length
    ) public pure {
        bytes32 typehash = keccak256(
            "ShareReceipt(uint256 planId,address provider,uint256 baseShares,bytes32 anchor,uint256 length)"
        );
        assertEq(
            ShareHash.hashReceipt(planId, provider, baseShares, anchor, length),
            keccak256(abi.encode(typehash, planId, provider, baseShares, anchor, length))
        );
    }
}
