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
    function cashMany(Cheque[] calldata cheques, uint256 gasPerEntry, bool checkFirst)
        external
        returns (uint256 cashed)
    {
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
                (bool pass, SkipReason reason) =
                    BatchCalls.check(c.chequebook, address(this), c.cumulativePayout, gasPerEntry);
                if (!pass) {
                    emit CashoutSkipped(i, c.chequebook, address(this), reason, 0);
                    continue;
                }
            }
            (bool ok, bytes4 selector) = BatchCalls.callBounded(
                c.chequebook,
                abi.encodeCall(IChequebook.cashChequeBeneficiary, (c.recipient, c.cumulativePayout, c.issuerSig)),
                gasPerEntry
            );
            assembly ("memory-safe") {
                mstore(0x40, fmp)
            }
            if (!ok) {
                emit CashoutSkipped(
                    i, c.chequebook, address(this), selector == 0 && c.chequebook.code.length == 0
                        ? SkipReason.CheckFailed
                        : SkipReason.Reverted, selector
                );
                continue;
            }
            ++cashed;
        }
    }
}
