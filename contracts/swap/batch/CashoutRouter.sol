// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IChequebook} from "../IChequebook.sol";
import {ICashoutRouter} from "./ICashoutRouter.sol";
import {BatchCalls} from "./BatchCalls.sol";

/// @title CashoutRouter
/// @notice Batch cash-out through each chequebook's relayed `cashCheque` (see ICashoutRouter).
/// @dev Stateless apart from the transient re-entrancy guard: a re-entrant call (from a token or a
/// chequebook in the list) reverts inside that entry's call and only that entry is skipped.
contract CashoutRouter is ICashoutRouter, ReentrancyGuardTransient {
    bytes4 private constant TOKEN = 0xfc0c546a; // token()

    /// @inheritdoc ICashoutRouter
    function cashMany(Entry[] calldata entries, uint256 gasPerEntry, bool checkFirst)
        external
        nonReentrant
        returns (uint256 cashed)
    {
        if (gasPerEntry < BatchCalls.MIN_GAS_PER_ENTRY) {
            revert GasPerEntryTooLow(gasPerEntry, BatchCalls.MIN_GAS_PER_ENTRY);
        }
        // tokens in which a caller payout arrived: swept to the submitter at the end
        address[] memory tokens = new address[](entries.length);
        uint256 tokenCount;
        uint256 fmp;
        assembly ("memory-safe") {
            fmp := mload(0x40)
        }
        for (uint256 i; i < entries.length; ++i) {
            Entry calldata e = entries[i];
            BatchCalls.requireGas(i, gasPerEntry);
            if (checkFirst) {
                (bool pass, SkipReason reason) =
                    BatchCalls.check(e.chequebook, e.beneficiary, e.cumulativePayout, gasPerEntry);
                if (!pass) {
                    emit CashoutSkipped(i, e.chequebook, e.beneficiary, reason, 0);
                    continue;
                }
            }
            (bool ok, bytes4 selector) = BatchCalls.callBounded(
                e.chequebook,
                abi.encodeCall(
                    IChequebook.cashCheque,
                    (e.beneficiary, e.recipient, e.cumulativePayout, e.beneficiarySig, e.callerPayout, e.issuerSig)
                ),
                gasPerEntry
            );
            assembly ("memory-safe") {
                mstore(0x40, fmp) // the call data is not needed any more: reuse its memory
            }
            if (!ok) {
                emit CashoutSkipped(
                    i, e.chequebook, e.beneficiary, selector == 0 && e.chequebook.code.length == 0
                        ? SkipReason.CheckFailed
                        : SkipReason.Reverted, selector
                );
                continue;
            }
            ++cashed;
            if (e.callerPayout != 0) tokenCount = _remember(tokens, tokenCount, e.chequebook, gasPerEntry);
        }
        for (uint256 t; t < tokenCount; ++t) {
            BatchCalls.trySweep(tokens[t], msg.sender, gasPerEntry);
        }
    }

    /// @dev Add `chequebook.token()` to the first `count` entries of `tokens` unless it is there.
    function _remember(address[] memory tokens, uint256 count, address chequebook, uint256 gasLimit)
        private
        view
        returns (uint256)
    {
        (bool ok, uint256 word) = BatchCalls.viewWord(chequebook, TOKEN, address(0), gasLimit);
        if (!ok || word >> 160 != 0) return count; // not an address: nothing we could sweep
        address token = address(uint160(word));
        for (uint256 t; t < count; ++t) {
            if (tokens[t] == token) return count;
        }
        tokens[count] = token;
        return count + 1;
    }
}
