// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchCashout} from "./IBatchCashout.sol";

/// @title BatchCalls
/// @notice The hostile-callee-safe calls both batch paths make: every call has a gas cap, copies at most
/// one word (views) or four bytes (reverts) of what the callee returns, and a callee without code is
/// never taken for a success.
library BatchCalls {
    /// @notice Below this per-entry allowance no cash-out can succeed (two signatures, two slots, a transfer).
    uint256 internal constant MIN_GAS_PER_ENTRY = 50_000;
    /// @notice Gas kept back per entry for the bookkeeping after the call (skip event, next iteration).
    uint256 internal constant RESERVE = 15_000;

    bytes4 private constant PAID_OUT = 0x81f03fcb; // paidOut(address)
    bytes4 private constant LIQUID_BALANCE_FOR = 0xc76a4d31; // liquidBalanceFor(address)

    /// @notice Revert unless entry `index` can still be given `gasPerEntry` (EIP-150 keeps 1/64 back).
    function requireGas(uint256 index, uint256 gasPerEntry) internal view {
        uint256 needed = gasPerEntry + gasPerEntry / 63 + RESERVE;
        uint256 left = gasleft();
        if (left < needed) revert IBatchCashout.InsufficientGasForEntry(index, left, needed);
    }

    /// @notice Swarm-ABI check of a cheque: is it above `paidOut` and covered by `liquidBalanceFor`?
    /// @return pass True if it would be paid in full; else `reason` says why not.
    function check(
        address chequebook,
        address beneficiary,
        uint256 cumulativePayout,
        uint256 gasLimit
    ) internal view returns (bool pass, IBatchCashout.SkipReason reason) {
        (bool ok, uint256 paid) = viewWord(chequebook, PAID_OUT, beneficiary, gasLimit);
        if (!ok) return (false, IBatchCashout.SkipReason.CheckFailed);
        if (cumulativePayout <= paid) return (false, IBatchCashout.SkipReason.NotIncreasing);
        uint256 liquid;
        (ok, liquid) = viewWord(chequebook, LIQUID_BALANCE_FOR, beneficiary, gasLimit);
        if (!ok) return (false, IBatchCashout.SkipReason.CheckFailed);
        unchecked {
            if (cumulativePayout - paid > liquid) return (false, IBatchCashout.SkipReason.WouldBounce);
        }
        return (true, IBatchCashout.SkipReason.CheckFailed);
    }

    /// @notice `target.selector(arg)` as a static call returning one word; false if it reverted, ran out
    /// of `gasLimit`, or answered with less than a word. Copies only the first word.
    function viewWord(
        address target,
        bytes4 selector,
        address arg,
        uint256 gasLimit
    ) internal view returns (bool ok, uint256 value) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 0x04), arg)
            ok := staticcall(gasLimit, target, m, 0x24, 0x00, 0x20)
            ok := and(ok, gt(returndatasize(), 0x1f))
            value := mload(0x00)
        }
    }

    /// @notice Call `target` with `data` and at most `gasLimit` gas. A target without code fails
    /// (`selector` 0). On failure `selector` is the first 4 bytes of the revert data (0 if shorter);
    /// nothing else of it is copied, so a revert-data bomb costs the caller nothing.
    function callBounded(
        address target,
        bytes memory data,
        uint256 gasLimit
    ) internal returns (bool ok, bytes4 selector) {
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(data, 0x20)
        }
        return callBounded(target, ptr, data.length, gasLimit);
    }

    /// @notice As above, with the call data at memory `[ptr, ptr + len)`.
    function callBounded(
        address target,
        uint256 ptr,
        uint256 len,
        uint256 gasLimit
    ) internal returns (bool ok, bytes4 selector) {
        if (target.code.length == 0) return (false, bytes4(0));
        assembly ("memory-safe") {
            ok := call(gasLimit, target, 0, ptr, len, 0x00, 0x00)
            if and(iszero(ok), gt(returndatasize(), 3)) {
                returndatacopy(0x00, 0x00, 0x04)
                selector := and(mload(0x00), shl(224, 0xffffffff))
            }
        }
    }

    /// @notice Write `bytes calldata b` ABI-encoded (length word, data, zero padding) at memory `p`;
    /// returns the position after it.
    function putBytes(uint256 p, bytes calldata b) internal pure returns (uint256 end) {
        assembly ("memory-safe") {
            let len := b.length
            let padded := and(add(len, 31), not(31))
            mstore(p, len)
            if padded {
                mstore(add(p, padded), 0)
            } // the last word's padding
            calldatacopy(add(p, 0x20), b.offset, len)
            end := add(add(p, 0x20), padded)
        }
    }

    /// @notice Move this contract's whole balance of `token` to `to`, tolerating a token that fails
    /// (returns false, reverts or burns its gas). Returns what was moved (0 on failure).
    function trySweep(address token, address to, uint256 gasLimit) internal returns (uint256 moved) {
        (bool ok, uint256 bal) = viewWord(token, 0x70a08231, address(this), gasLimit); // balanceOf(address)
        if (!ok || bal == 0 || token.code.length == 0) return 0;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, shl(224, 0xa9059cbb)) // transfer(address,uint256)
            mstore(add(m, 0x04), to)
            mstore(add(m, 0x24), bal)
            mstore(0x00, 0)
            ok := call(gasLimit, token, 0, m, 0x44, 0x00, 0x20)
            // success: no return data (USDT style) or a true word
            ok := and(ok, or(iszero(returndatasize()), and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))))
        }
        return ok ? bal : 0;
    }
}
