// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IChequebook
/// @notice An ERC20 chequebook for one issuer, paying peers through signed cumulative EIP-712 cheques.
/// The external ABI is a superset of Swarm's `ERC20SimpleSwap` v0.6.9; cheques are byte-identical to Bee's.
/// @dev Differences from the Swarm original, each covered by a test that fails against it:
///  1. No initialiser can be front-run: a clone receives its issuer and timeout as immutable arguments
///     at creation; `init` always reverts. On the implementation behind the clones every function that
///     changes state or needs the clone arguments (`issuer`, `defaultHardDepositTimeout`) reverts
///     (`NotAClone`, or the error of a check that comes first, e.g. `ZeroRecipient`); the storage views
///     (`paidOut`, `totalPaidOut`, `hardDeposits`, …) answer with its own state, which stays empty.
///  2. A relayed cash-out (`cashCheque`) never bounces: it pays the cheque in full or reverts, so one
///     `Cashout` signature can earn its `callerPayout` at most once.
///  3. `withdraw` emits `Withdraw`.
///  4. A `CustomDecreaseTimeout` signature can be used once only, and the beneficiary can invalidate
///     every unused one by bumping its epoch (`bumpTimeoutEpoch`).
///  5. `decreaseHardDeposit` decreases by what is left when cash-outs consumed part of the deposit.
///  6. Tokens are moved with SafeERC20 (tokens returning no bool work).
///  7. Every failure is a custom error carrying the values involved; no arithmetic panics.
///  8. Issuers and beneficiaries may be contract wallets (ERC-1271).
///
/// Amounts: `paidOut(b)` is stored in 128 bits, the hard deposits in total in 120 bits. A cash-out pays
/// at most what brings `paidOut(b)` to `2^128 - 1`; the rest of a larger cheque is treated as a bounce
/// (`previewCashout` reports the same). `totalPaidOut` is a lifetime counter that saturates at
/// `2^128 - 1` (it can only get there after funds were recycled through the chequebook); a cash-out never
/// fails because of it. Hard deposits beyond 120 bits revert `HardDepositTooLarge`.
///
/// Fee-on-transfer tokens: liquidity is always read from `balanceOf`, so deposits count what arrived;
/// on cash-out `paidOut` counts what left the chequebook and the recipient bears the token's fee.
///
/// Receivers, beware of contract-wallet issuers: a cheque signed for an ERC-1271 issuer is only valid
/// while the wallet says so. Its owner can rotate the key (or change the wallet's logic) and make every
/// outstanding, uncashed cheque unverifiable, then reclaim the hard deposit once the timeout passed.
/// A receiving node should credit an ERC-1271 issuer no more than it would lose (e.g. up to the hard
/// deposit, cashing promptly) or refuse such issuers; cheques of an EOA issuer cannot be revoked.
///
/// Beneficiaries that are contract wallets: a `Cashout` message does not name the beneficiary, so two
/// wallets accepting the same key would accept one signature. On the ERC-1271 path each `Cashout`
/// digest is therefore accepted once per chequebook (`cashoutSignatureUsed`); a wallet should still
/// bind the signatures it accepts to itself (ERC-7739 style) so one signature cannot serve two wallets
/// elsewhere.
///
/// Views read during a relayed payout: the balance-dependent views (`balance`, `liquidBalance`,
/// `liquidBalanceFor`, `previewCashout`) revert `ReentrancyGuardReentrantCall` while a cash-out,
/// withdrawal or deposit of this chequebook is running (e.g. when read from a token hook), because the
/// token balance and the bookkeeping disagree until the transfer has finished.
interface IChequebook {
    // ---------------------------------------------------------------- events (Swarm ABI)

    /// @notice A cheque was cashed. `totalPayout` left the chequebook, `callerPayout` of it to `caller`.
    event ChequeCashed(
        address indexed beneficiary,
        address indexed recipient,
        address indexed caller,
        uint256 totalPayout,
        uint256 cumulativePayout,
        uint256 callerPayout
    );
    /// @notice The chequebook could not pay a cheque in full; the rest stays cashable with the same cheque.
    event ChequeBounced();
    /// @notice The hard deposit of `beneficiary` is now `amount`.
    event HardDepositAmountChanged(address indexed beneficiary, uint256 amount);
    /// @notice The issuer prepared to decrease the hard deposit of `beneficiary` by `decreaseAmount`.
    event HardDepositDecreasePrepared(address indexed beneficiary, uint256 decreaseAmount);
    /// @notice The decrease timeout of `beneficiary` is now `timeout` seconds (0: the default).
    event HardDepositTimeoutChanged(address indexed beneficiary, uint256 timeout);
    /// @notice The issuer withdrew `amount`.
    event Withdraw(uint256 amount);

    // ---------------------------------------------------------------- events (additions)

    /// @notice `from` deposited through `deposit`/`depositWithPermit`; `amount` is what arrived.
    event Deposit(address indexed from, uint256 amount);
    /// @notice An `increaseHardDeposit` cancelled the pending decrease of `decreaseAmount` for `beneficiary`.
    event HardDepositDecreaseCancelled(address indexed beneficiary, uint256 decreaseAmount);
    /// @notice `beneficiary` invalidated its unused `CustomDecreaseTimeout` signatures; signatures must
    /// now carry `epoch` in the high 128 bits of `decreaseTimeout`.
    event TimeoutEpochBumped(address indexed beneficiary, uint256 epoch);

    // ---------------------------------------------------------------- errors

    /// @notice Only the issuer may do this.
    error NotIssuer(address caller, address issuer);
    /// @notice `signature` is not the issuer's signature of the cheque.
    error InvalidIssuerSignature(address issuer, address beneficiary, uint256 cumulativePayout);
    /// @notice The beneficiary did not sign this `Cashout` / `CustomDecreaseTimeout`.
    error InvalidBeneficiarySignature(address beneficiary);
    /// @notice The cheque's cumulative payout is not above what was already paid out: nothing to cash.
    /// Covers both a stale cheque and re-cashing a fully paid one.
    error ChequeNotIncreasing(uint256 cumulativePayout, uint256 alreadyPaidOut);
    /// @notice The caller's reward is larger than the payout it would come out of.
    error CallerPayoutExceedsPayout(uint256 callerPayout, uint256 totalPayout);
    /// @notice A relayed cash-out must pay the cheque in full; only `available` of `requestPayout` is there.
    error RelayedChequeWouldBounce(uint256 requestPayout, uint256 available);
    /// @notice A cheque must be paid to a non-zero recipient.
    error ZeroRecipient();
    /// @notice `amount` exceeds the liquid balance (balance not covered by hard deposits).
    error InsufficientLiquidBalance(uint256 amount, uint256 liquidBalance);
    /// @notice Hard deposits would total `totalHardDeposit`, more than the `balance`.
    error HardDepositExceedsBalance(uint256 totalHardDeposit, uint256 balance);
    /// @notice Cannot prepare to decrease by more than the current hard deposit.
    error DecreaseExceedsHardDeposit(uint256 decreaseAmount, uint256 hardDeposit);
    /// @notice No decrease was prepared for `beneficiary`.
    error NoDecreasePrepared(address beneficiary);
    /// @notice The prepared decrease can only be applied from `canBeDecreasedAt`.
    error DecreaseNotDue(uint256 canBeDecreasedAt, uint256 timestamp);
    /// @notice This `CustomDecreaseTimeout` signature was used before (digest given).
    error TimeoutSignatureUsed(bytes32 digest);
    /// @notice A `CustomDecreaseTimeout` signature carries `signedEpoch` (high 128 bits of the value), but
    /// `beneficiary` is at `currentEpoch`.
    error TimeoutEpochMismatch(address beneficiary, uint256 signedEpoch, uint256 currentEpoch);
    /// @notice This `Cashout` digest was already accepted from a contract-wallet beneficiary.
    error CashoutSignatureUsed(bytes32 digest);
    /// @notice Hard deposits would total `totalHardDeposit`, more than the 120 bits (`max`) they are stored in.
    error HardDepositTooLarge(uint256 totalHardDeposit, uint256 max);
    /// @notice Chequebooks are configured at creation; `init` exists for ABI compatibility only.
    error InitializedAtCreation();
    /// @notice The implementation behind the clones cannot be used directly.
    error NotAClone();

    // ---------------------------------------------------------------- views (Swarm ABI)

    /// @notice `keccak256("EIP712Domain(string name,string version,uint256 chainId)")`.
    function EIP712DOMAIN_TYPEHASH() external view returns (bytes32);
    /// @notice `keccak256("Cheque(address chequebook,address beneficiary,uint256 cumulativePayout)")`.
    function CHEQUE_TYPEHASH() external view returns (bytes32);
    // solhint-disable-next-line max-line-length
    /// @notice `keccak256("Cashout(address chequebook,address sender,uint256 requestPayout,address recipient,uint256 callerPayout)")`.
    function CASHOUT_TYPEHASH() external view returns (bytes32);
    /// @notice `keccak256("CustomDecreaseTimeout(address chequebook,address beneficiary,uint256 decreaseTimeout)")`.
    function CUSTOMDECREASETIMEOUT_TYPEHASH() external view returns (bytes32);

    /// @notice The issuer of cheques drawn on this chequebook.
    function issuer() external view returns (address);
    /// @notice The ERC20 token of this chequebook.
    function token() external view returns (address);
    /// @notice Decrease timeout, in seconds, for beneficiaries without a custom one.
    function defaultHardDepositTimeout() external view returns (uint256);
    /// @notice The token balance held.
    function balance() external view returns (uint256);
    /// @notice The balance not covered by hard deposits (0 if the token balance fell below them).
    function liquidBalance() external view returns (uint256);
    /// @notice What a cheque to `beneficiary` can draw now: `liquidBalance + hardDeposits[beneficiary].amount`,
    /// capped at `balance`.
    function liquidBalanceFor(address beneficiary) external view returns (uint256);
    /// @notice Cumulative amount paid to `beneficiary`.
    function paidOut(address beneficiary) external view returns (uint256);
    /// @notice Sum of `paidOut` over all beneficiaries, saturating at `2^128 - 1`.
    function totalPaidOut() external view returns (uint256);
    /// @notice Sum of all hard deposits.
    function totalHardDeposit() external view returns (uint256);
    /// @notice Whether any cheque ever bounced.
    function bounced() external view returns (bool);
    /// @notice Hard deposit of `beneficiary`: amount, pending decrease, custom timeout (0: default),
    /// and when the pending decrease can be applied (0: none pending).
    function hardDeposits(
        address beneficiary
    ) external view returns (uint256 amount, uint256 decreaseAmount, uint256 timeout, uint256 canBeDecreasedAt);

    // ---------------------------------------------------------------- views (additions)

    /// @notice What cashing `cumulativePayout` for `beneficiary` would pay now, without spending gas:
    /// `requestPayout` is what is owed (0 if nothing), `totalPayout` what would be paid;
    /// the cheque bounces iff `totalPayout < requestPayout`. Agrees with `cashChequeBeneficiary` in every
    /// case, including the 128-bit cap on `paidOut`.
    function previewCashout(
        address beneficiary,
        uint256 cumulativePayout
    ) external view returns (uint256 requestPayout, uint256 totalPayout);
    /// @notice The EIP-712 domain separator of the current chain.
    function domainSeparator() external view returns (bytes32);
    /// @notice Whether a `CustomDecreaseTimeout` digest was consumed.
    function timeoutSignatureUsed(bytes32 digest) external view returns (bool);
    /// @notice The epoch a `CustomDecreaseTimeout` signature for `beneficiary` must carry (0 until it bumps it).
    function timeoutEpoch(address beneficiary) external view returns (uint256);
    /// @notice Whether a `Cashout` digest was accepted from a contract-wallet (ERC-1271) beneficiary.
    function cashoutSignatureUsed(bytes32 digest) external view returns (bool);

    // ---------------------------------------------------------------- mutations (Swarm ABI)

    /// @notice Always reverts with `InitializedAtCreation`: kept for ABI compatibility.
    function init(address issuer, address token, uint256 defaultHardDepositTimeout) external;

    /// @notice Cash a cheque for `beneficiary` as a third party, rewarded with `callerPayout`.
    /// @dev Needs the beneficiary's `Cashout(chequebook, msg.sender, cumulativePayout, recipient, callerPayout)`
    /// signature. All-or-nothing: reverts with `RelayedChequeWouldBounce` instead of bouncing. When the
    /// beneficiary is a contract wallet (ERC-1271 path) the `Cashout` digest is consumed
    /// (`CashoutSignatureUsed` on a second use); an EOA's signature costs no storage.
    function cashCheque(
        address beneficiary,
        address recipient,
        uint256 cumulativePayout,
        bytes calldata beneficiarySig,
        uint256 callerPayout,
        bytes calldata issuerSig
    ) external;

    /// @notice Cash a cheque as its beneficiary; pays `min(cumulativePayout - paidOut, liquidBalanceFor)`
    /// to `recipient`, and bounces (emits `ChequeBounced`) when that is less than owed.
    /// @dev `issuerSig` is not checked when the issuer itself calls.
    function cashChequeBeneficiary(address recipient, uint256 cumulativePayout, bytes calldata issuerSig) external;

    /// @notice Withdraw `amount` of the liquid balance to the issuer. Issuer only.
    function withdraw(uint256 amount) external;

    /// @notice Reserve `amount` of the balance as collateral for `beneficiary`. Issuer only.
    /// Cancels a pending decrease (`HardDepositDecreaseCancelled`). Reverts `HardDepositExceedsBalance` /
    /// `HardDepositTooLarge` before any arithmetic can overflow.
    function increaseHardDeposit(address beneficiary, uint256 amount) external;

    /// @notice Start the timeout after which the hard deposit of `beneficiary` may be reduced by
    /// `decreaseAmount`. Issuer only. A timeout so long that the due time exceeds 128 bits means "never".
    function prepareDecreaseHardDeposit(address beneficiary, uint256 decreaseAmount) external;

    /// @notice Apply a prepared decrease once due; anyone may call. Decreases by what is left if
    /// cash-outs consumed part of the deposit meanwhile.
    function decreaseHardDeposit(address beneficiary) external;

    /// @notice Set a custom decrease timeout for `beneficiary`, agreed by its `CustomDecreaseTimeout`
    /// signature. Issuer only; each signature works once.
    /// @dev Bee's type string `CustomDecreaseTimeout(address chequebook,address beneficiary,uint256 decreaseTimeout)`
    /// is binding and has no nonce, so the beneficiary's epoch rides in the high 128 bits of
    /// `hardDepositTimeout`: the timeout set is its low 128 bits, and the high bits must equal
    /// `timeoutEpoch(beneficiary)`. Bee's signatures (values below 2^128) are epoch 0 and work unchanged
    /// until the beneficiary bumps its epoch.
    function setCustomHardDepositTimeout(
        address beneficiary,
        uint256 hardDepositTimeout,
        bytes calldata beneficiarySig
    ) external;

    // ---------------------------------------------------------------- mutations (additions)

    /// @notice Invalidate every unused `CustomDecreaseTimeout` signature of the caller (as beneficiary)
    /// on this chequebook: the next one must carry the returned epoch. Also lets a value agreed before be
    /// agreed again (the digest differs in the epoch bits).
    function bumpTimeoutEpoch() external returns (uint256 epoch);

    /// @notice Pull `amount` from the caller (needs allowance); returns what arrived.
    function deposit(uint256 amount) external returns (uint256 received);

    /// @notice `deposit` after an ERC-2612 permit; a permit already used (front-run) is tolerated
    /// as long as the allowance is there.
    function depositWithPermit(
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 received);
}
