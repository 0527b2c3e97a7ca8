// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchCashout} from "./IBatchCashout.sol";

/// @title IBatchCashoutExecutor
/// @notice EIP-7702 batch executor: a beneficiary's EOA delegates to it and cashes many cheques in one
/// transaction with `cashChequeBeneficiary` (no `Cashout` signature: the account itself is the caller).
/// @dev Only the account itself may call `cashMany` (`msg.sender == address(this)`, i.e. a transaction
/// the EOA sends to itself); the executor keeps no storage, so it cannot clash with the account's
/// other uses. Entries that cannot be cashed are skipped with `CashoutSkipped` as in the router.
/// `cashChequeBeneficiary` bounces as in Swarm (pays what is there); pass `checkFirst` to skip such
/// entries instead.
interface IBatchCashoutExecutor is IBatchCashout {
    /// @notice One cheque to cash, as its beneficiary.
    struct Cheque {
        /// The chequebook the cheque is drawn on.
        address chequebook;
        /// Who receives the payout.
        address recipient;
        /// The cheque's cumulative payout.
        uint256 cumulativePayout;
        /// The issuer's `Cheque(chequebook, this account, cumulativePayout)` signature.
        bytes issuerSig;
    }

    /// @notice Called by anyone but the account itself.
    error OnlySelf(address caller);

    /// @notice Cash `cheques` as this account; returns how many were cashed.
    function cashMany(
        Cheque[] calldata cheques,
        uint256 gasPerEntry,
        bool checkFirst
    ) external returns (uint256 cashed);
}
