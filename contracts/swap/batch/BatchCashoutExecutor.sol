// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IChequebook} from "../IChequebook.sol";
import {IBatchCashoutExecutor} from "./IBatchCashoutExecutor.sol";
import {BatchCalls} from "./BatchCalls.sol";

/// @title BatchCashoutExecutor
/// @notice EIP-7702 delegate for a beneficiary's EOA: cashes many cheques as the account itself
/// (see IBatchCashoutExecutor). Keeps no storage of its own (under 7702 it would be the account's).
contract BatchCashoutExecutor is IBatchCashoutExecutor {
    /// @inheritdoc IBatchCashoutExecutor
    function cashMany(
        Cheque[] calldata cheques,
        uint256 gasPerEntry,
        bool checkFirst
    ) external returns (uint256 cashed) {
        // Under EIP-7702 `address(this)` is the delegating account: only a transaction it sends to
        // itself gets here. Called on the executor's own address it serves nobody (no cheque names it).
        if (msg.sender != address(this)) revert OnlySelf(msg.sender);
        if (gasPerEntry < BatchCalls.MIN_GAS_PER_ENTRY) {
            revert GasPerEntryTooLow(gasPerEntry, BatchCalls.MIN_GAS_PER_ENTRY);
        }
        uint256 fmp;
        assembly ("memory-safe") {
            fmp := mload(0x40)
        }
        for (uint256 i; i < cheques.length; ++i) {
            Cheque calldata c = cheques[i];
            BatchCalls.requireGas(i, gasPerEntry);
            if (checkFirst) {
                (bool pass, SkipReason reason) = BatchCalls.check(
                    c.chequebook,
                    address(this),
                    c.cumulativePayout,
                    gasPerEntry
                );
                if (!pass) {
                    emit CashoutSkipped(i, c.chequebook, address(this), reason, 0);
                    continue;
                }
            }
            (bool ok, bytes4 selector) = BatchCalls.callBounded(
                c.chequebook,
                fmp,
                _encodeCashChequeBeneficiary(fmp, c),
                gasPerEntry
            );
            if (!ok) {
                emit CashoutSkipped(
                    i,
                    c.chequebook,
                    address(this),
                    selector == 0 && c.chequebook.code.length == 0 ? SkipReason.CheckFailed : SkipReason.Reverted,
                    selector
                );
                continue;
            }
            ++cashed;
        }
    }

    /// @dev `abi.encodeCall(IChequebook.cashChequeBeneficiary, (recipient, cumulativePayout, issuerSig))`
    /// written at `m` from call data (scratch memory reused by every entry); returns its length.
    function _encodeCashChequeBeneficiary(uint256 m, Cheque calldata c) private pure returns (uint256 len) {
        bytes4 selector = IChequebook.cashChequeBeneficiary.selector;
        address recipient = c.recipient;
        uint256 cumulativePayout = c.cumulativePayout;
        assembly ("memory-safe") {
            mstore(m, selector)
            mstore(add(m, 0x04), recipient)
            mstore(add(m, 0x24), cumulativePayout)
            mstore(add(m, 0x44), 0x60) // offset of issuerSig
        }
        return BatchCalls.putBytes(m + 0x64, c.issuerSig) - m;
    }
}
