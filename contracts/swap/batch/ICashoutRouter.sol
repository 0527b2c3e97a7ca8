// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchCashout} from "./IBatchCashout.sol";

/// @title ICashoutRouter
/// @notice Cashes many cheques in one transaction through each chequebook's relayed `cashCheque`
/// (Swarm ABI: works with Bee's `ERC20SimpleSwap` chequebooks as they are, and with this project's).
/// @dev Each entry needs the beneficiary's `Cashout` signature with `sender` = this router: the
/// chequebook pays `recipient` (the beneficiary's choice, signed) and `callerPayout` to the router,
/// which forwards every caller payout to whoever submitted the batch. Signing `callerPayout > 0` for
/// the router therefore rewards any submitter; sign 0 to cash your own cheques.
/// An entry that would bounce (Bee's chequebooks pay part and bounce; this project's revert), is stale,
/// or reverts is skipped with `CashoutSkipped`; the batch goes on. Every call to a chequebook gets at
/// most `gasPerEntry` gas and at most 4 bytes of its revert data are copied, so one hostile entry (gas
/// bomb, revert-data bomb, re-entry) cannot make the others fail.
/// The router holds no funds between transactions: tokens sent to it by mistake go to the next
/// submitter whose batch pays a caller payout in that token.
interface ICashoutRouter is IBatchCashout {
    /// @notice One cheque to cash.
    struct Entry {
        /// The chequebook the cheque is drawn on.
        address chequebook;
        /// The cheque's beneficiary, who signed the `Cashout`.
        address beneficiary;
        /// Who receives `cumulativePayout - paidOut - callerPayout` (signed in the `Cashout`).
        address recipient;
        /// The cheque's cumulative payout (also the `Cashout`'s `requestPayout`).
        uint256 cumulativePayout;
        /// The submitter's reward, paid out of the cheque (signed in the `Cashout`).
        uint256 callerPayout;
        /// The beneficiary's `Cashout(chequebook, this router, cumulativePayout, recipient, callerPayout)` signature.
        bytes beneficiarySig;
        /// The issuer's `Cheque(chequebook, beneficiary, cumulativePayout)` signature.
        bytes issuerSig;
    }

    /// @notice One cheque of one beneficiary, with both signatures in EIP-2098 compact form (r, yParity ‖ s):
    /// a static 7-word entry, ≈ 1,700 gas of call data less than an `Entry`. EOA signatures only.
    struct CompactEntry {
        /// The chequebook the cheque is drawn on.
        address chequebook;
        /// The cheque's cumulative payout (also the `Cashout`'s `requestPayout`).
        uint256 cumulativePayout;
        /// The submitter's reward, paid out of the cheque (signed in the `Cashout`).
        uint256 callerPayout;
        /// The beneficiary's `Cashout` signature: r.
        bytes32 beneficiaryR;
        /// The beneficiary's `Cashout` signature: yParity (top bit) ‖ s.
        bytes32 beneficiaryVS;
        /// The issuer's `Cheque` signature: r.
        bytes32 issuerR;
        /// The issuer's `Cheque` signature: yParity (top bit) ‖ s.
        bytes32 issuerVS;
    }

    /// @notice Cash `entries`; returns how many were cashed (the others emitted `CashoutSkipped`).
    /// @param gasPerEntry Gas each chequebook call may use (a Bee cash-out fits 300,000; ≥ 50,000).
    /// @param checkFirst Ask `paidOut` and `liquidBalanceFor` (Swarm ABI) first and skip stale or bouncing
    /// entries before calling: needed for chequebooks that bounce instead of reverting (Bee's). This
    /// project's chequebooks revert `RelayedChequeWouldBounce` / `ChequeNotIncreasing` instead, so for them
    /// the check can be left out (cheaper; the skip then reports `Reverted` with that error's selector).
    function cashMany(Entry[] calldata entries, uint256 gasPerEntry, bool checkFirst) external returns (uint256 cashed);

    /// @notice `cashMany` for one beneficiary (an EOA) paying one `recipient`, with compact signatures: the
    /// cheaper form a node operator uses to cash the cheques of all its peers. The chequebooks receive the
    /// usual 65-byte signatures.
    function cashManyCompact(
        address beneficiary,
        address recipient,
        CompactEntry[] calldata entries,
        uint256 gasPerEntry,
        bool checkFirst
    ) external returns (uint256 cashed);
}
