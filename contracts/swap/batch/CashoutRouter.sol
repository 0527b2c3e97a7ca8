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
    // one loop over the entries: 51 lines only because Prettier puts each call argument on its own line
    // solhint-disable-next-line function-max-lines
    function cashMany(
        Entry[] calldata entries,
        uint256 gasPerEntry,
        bool checkFirst
    ) external nonReentrant returns (uint256 cashed) {
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
                (bool pass, SkipReason reason) = BatchCalls.check(
                    e.chequebook,
                    e.beneficiary,
                    e.cumulativePayout,
                    gasPerEntry
                );
                if (!pass) {
                    emit CashoutSkipped(i, e.chequebook, e.beneficiary, reason, 0);
                    continue;
                }
            }
            (bool ok, bytes4 selector) = BatchCalls.callBounded(
                e.chequebook,
                fmp,
                _encodeCashCheque(fmp, e),
                gasPerEntry
            );
            if (!ok) {
                emit CashoutSkipped(
                    i,
                    e.chequebook,
                    e.beneficiary,
                    selector == 0 && e.chequebook.code.length == 0 ? SkipReason.CheckFailed : SkipReason.Reverted,
                    selector
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

    /// @inheritdoc ICashoutRouter
    function cashManyCompact(
        address beneficiary,
        address recipient,
        CompactEntry[] calldata entries,
        uint256 gasPerEntry,
        bool checkFirst
    ) external nonReentrant returns (uint256 cashed) {
        if (gasPerEntry < BatchCalls.MIN_GAS_PER_ENTRY) {
            revert GasPerEntryTooLow(gasPerEntry, BatchCalls.MIN_GAS_PER_ENTRY);
        }
        address[] memory tokens = new address[](entries.length);
        uint256 tokenCount;
        uint256 fmp;
        assembly ("memory-safe") {
            fmp := mload(0x40)
        }
        for (uint256 i; i < entries.length; ++i) {
            CompactEntry calldata e = entries[i];
            BatchCalls.requireGas(i, gasPerEntry);
            if (checkFirst) {
                (bool pass, SkipReason reason) = BatchCalls.check(
                    e.chequebook,
                    beneficiary,
                    e.cumulativePayout,
                    gasPerEntry
                );
                if (!pass) {
                    emit CashoutSkipped(i, e.chequebook, beneficiary, reason, 0);
                    continue;
                }
            }
            _encodeCompact(fmp, beneficiary, recipient, e);
            (bool ok, bytes4 selector) = BatchCalls.callBounded(e.chequebook, fmp, COMPACT_CALL_LENGTH, gasPerEntry);
            if (!ok) {
                emit CashoutSkipped(
                    i,
                    e.chequebook,
                    beneficiary,
                    selector == 0 && e.chequebook.code.length == 0 ? SkipReason.CheckFailed : SkipReason.Reverted,
                    selector
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

    /// @dev selector + 6 head words + two 65-byte signatures (length word + 3 words each).
    uint256 private constant COMPACT_CALL_LENGTH = 4 + 6 * 32 + 2 * 4 * 32;

    /// @dev The `cashCheque` call data of a compact entry, at `m`, with the signatures expanded to Bee's
    /// 65-byte r ‖ s ‖ v form (v = 27 + yParity).
    function _encodeCompact(uint256 m, address beneficiary, address recipient, CompactEntry calldata e) private pure {
        bytes4 selector = IChequebook.cashCheque.selector;
        assembly ("memory-safe") {
            mstore(m, selector)
            mstore(add(m, 0x04), beneficiary)
            mstore(add(m, 0x24), recipient)
            mstore(add(m, 0x44), calldataload(add(e, 0x20))) // cumulativePayout
            mstore(add(m, 0x64), 0xc0) // offset of beneficiarySig
            mstore(add(m, 0x84), calldataload(add(e, 0x40))) // callerPayout
            mstore(add(m, 0xa4), 0x140) // offset of issuerSig
            let lowS := shr(1, not(0))
            // beneficiary signature at m + 0xc4
            let vs := calldataload(add(e, 0x80))
            mstore(add(m, 0xc4), 65)
            mstore(add(m, 0xe4), calldataload(add(e, 0x60)))
            mstore(add(m, 0x104), and(vs, lowS))
            mstore(add(m, 0x124), shl(248, add(27, shr(255, vs))))
            // issuer signature at m + 0x144
            vs := calldataload(add(e, 0xc0))
            mstore(add(m, 0x144), 65)
            mstore(add(m, 0x164), calldataload(add(e, 0xa0)))
            mstore(add(m, 0x184), and(vs, lowS))
            mstore(add(m, 0x1a4), shl(248, add(27, shr(255, vs))))
        }
    }

    /// @dev `abi.encodeCall(IChequebook.cashCheque, (beneficiary, recipient, cumulativePayout, beneficiarySig,
    /// callerPayout, issuerSig))` written at `m` straight from the entry's call data (scratch memory past
    /// the free-memory pointer, reused by every entry); returns its length.
    function _encodeCashCheque(uint256 m, Entry calldata e) private pure returns (uint256 len) {
        bytes4 selector = IChequebook.cashCheque.selector;
        address beneficiary = e.beneficiary;
        address recipient = e.recipient;
        uint256 cumulativePayout = e.cumulativePayout;
        uint256 callerPayout = e.callerPayout;
        bytes calldata bsig = e.beneficiarySig;
        uint256 second;
        assembly ("memory-safe") {
            mstore(m, selector)
            mstore(add(m, 0x04), beneficiary)
            mstore(add(m, 0x24), recipient)
            mstore(add(m, 0x44), cumulativePayout)
            mstore(add(m, 0x64), 0xc0) // offset of beneficiarySig
            mstore(add(m, 0x84), callerPayout)
            // offset of issuerSig: after the head and beneficiarySig's length word and padded data
            second := add(0xe0, and(add(bsig.length, 31), not(31)))
            mstore(add(m, 0xa4), second)
        }
        uint256 end = BatchCalls.putBytes(BatchCalls.putBytes(m + 0xc4, bsig), e.issuerSig);
        return end - m;
    }

    /// @dev Add `chequebook.token()` to the first `count` entries of `tokens` unless it is there.
    function _remember(
        address[] memory tokens,
        uint256 count,
        address chequebook,
        uint256 gasLimit
    ) private view returns (uint256) {
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
