// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBatchCashout
/// @notice What both batch cash-out paths share: an entry that cannot be cashed is skipped, never
/// reverting the batch, and the skip is reported with its reason.
interface IBatchCashout {
    /// @notice Why an entry was skipped.
    enum SkipReason {
        /// `cumulativePayout` is not above `paidOut(beneficiary)` (checked via the Swarm ABI).
        NotIncreasing,
        /// The chequebook cannot pay the cheque in full (`liquidBalanceFor` via the Swarm ABI).
        WouldBounce,
        /// The Swarm-ABI views did not answer with two words (no code, revert, malformed answer).
        CheckFailed,
        /// The cash-out call reverted (or ran out of its gas allowance); `errorSelector` is its error.
        Reverted
    }

    /// @notice Entry `index` (for `chequebook` and `beneficiary`) was skipped; nothing of it changed.
    /// `errorSelector` is the first 4 bytes of the revert data for `Reverted`, else 0.
    event CashoutSkipped(
        uint256 indexed index,
        address indexed chequebook,
        address indexed beneficiary,
        SkipReason reason,
        bytes4 errorSelector
    );

    /// @notice The per-entry gas allowance is below `min`, too little for any cash-out.
    error GasPerEntryTooLow(uint256 gasPerEntry, uint256 min);
    /// @notice Entry `index` could not be given its full allowance (`needed`, only `gasLeft` left): the
    /// transaction's gas limit is too low. Reverting (rather than skipping) keeps `eth_estimateGas` honest.
    error InsufficientGasForEntry(uint256 index, uint256 gasLeft, uint256 needed);
}
