// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IChequebook} from "./IChequebook.sol";
import {ChequeHash} from "./libraries/ChequeHash.sol";

/// @title Chequebook
/// @notice Implementation behind the clones deployed by `ChequebookFactory`.
/// @dev Layout chosen for gas (see BENCHMARKS.md): issuer and default timeout live in the clone's
/// code (immutable args, packed: issuer 20 bytes ‖ timeout 8 bytes), the token in this implementation's
/// code (one token per factory); the hot per-beneficiary state (paidOut, hard deposit) shares one slot,
/// the totals another, each read once and written once per cash-out (packed by hand: a storage struct
/// assignment costs one read-modify-write per field).
contract Chequebook is IChequebook, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IChequebook
    bytes32 public constant EIP712DOMAIN_TYPEHASH = ChequeHash.DOMAIN_TYPEHASH;
    /// @inheritdoc IChequebook
    bytes32 public constant CHEQUE_TYPEHASH = ChequeHash.CHEQUE_TYPEHASH;
    /// @inheritdoc IChequebook
    bytes32 public constant CASHOUT_TYPEHASH = ChequeHash.CASHOUT_TYPEHASH;
    /// @inheritdoc IChequebook
    bytes32 public constant CUSTOMDECREASETIMEOUT_TYPEHASH = ChequeHash.CUSTOM_DECREASE_TIMEOUT_TYPEHASH;

    /// @dev Clone layout (ERC-1167 with immutable args): 45 bytes of proxy code, then the args.
    uint256 internal constant ARGS_OFFSET = 0x2d;
    uint256 private constant MAX128 = type(uint128).max;
    uint256 private constant MAX120 = type(uint120).max;

    /// @dev A prepared hard-deposit decrease; only touched by the hard-deposit functions.
    struct PendingDecrease {
        uint128 decreaseAmount;
        uint128 canBeDecreasedAt;
    }

    IERC20 private immutable _token;
    address private immutable _self;
    uint256 private immutable _cachedChainId;
    bytes32 private immutable _cachedDomainSeparator;

    /// @dev Per beneficiary: `paidOut` in the low 128 bits, hard deposit in the high 128 bits.
    mapping(address beneficiary => uint256) private _accounts;
    mapping(address beneficiary => PendingDecrease) private _pending;
    mapping(address beneficiary => uint256) private _customTimeout;
    /// @dev `totalPaidOut` in bits 0–127, `totalHardDeposit` in bits 128–247, `bounced` in bit 248.
    uint256 private _totals;

    /// @inheritdoc IChequebook
    mapping(bytes32 digest => bool) public timeoutSignatureUsed;
    /// @inheritdoc IChequebook
    mapping(address beneficiary => uint256) public timeoutEpoch;
    /// @inheritdoc IChequebook
    mapping(bytes32 digest => bool) public cashoutSignatureUsed;

    /// @param token_ The ERC20 token of every clone of this implementation.
    constructor(address token_) {
        _token = IERC20(token_);
        _self = address(this);
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = ChequeHash.domainSeparator(block.chainid);
    }

    modifier onlyIssuer() {
        address issuer_ = _issuer();
        if (msg.sender != issuer_) revert NotIssuer(msg.sender, issuer_);
        _;
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IChequebook
    function issuer() external view returns (address) {
        return _issuer();
    }

    /// @inheritdoc IChequebook
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IChequebook
    function defaultHardDepositTimeout() public view returns (uint256 timeout) {
        _onlyClone();
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, add(ARGS_OFFSET, 20), 0x20)
            timeout := shr(192, mload(0x00))
        }
    }

    /// @inheritdoc IChequebook
    function balance() external view nonReentrantView returns (uint256) {
        return _balance();
    }

    /// @inheritdoc IChequebook
    function liquidBalance() external view nonReentrantView returns (uint256) {
        return _liquid(_balance(), _totalHardDeposit(_totals));
    }

    /// @inheritdoc IChequebook
    function liquidBalanceFor(address beneficiary) external view nonReentrantView returns (uint256) {
        return _available(_balance(), _totalHardDeposit(_totals), _accounts[beneficiary] >> 128);
    }

    /// @inheritdoc IChequebook
    function paidOut(address beneficiary) external view returns (uint256) {
        return uint128(_accounts[beneficiary]);
    }

    /// @inheritdoc IChequebook
    function totalPaidOut() external view returns (uint256) {
        return uint128(_totals);
    }

    /// @inheritdoc IChequebook
    function totalHardDeposit() external view returns (uint256) {
        return _totalHardDeposit(_totals);
    }

    /// @inheritdoc IChequebook
    function bounced() external view returns (bool) {
        return _totals >> 248 != 0;
    }

    /// @inheritdoc IChequebook
    function hardDeposits(
        address beneficiary
    ) external view returns (uint256 amount, uint256 decreaseAmount, uint256 timeout, uint256 canBeDecreasedAt) {
        PendingDecrease memory p = _pending[beneficiary];
        return (_accounts[beneficiary] >> 128, p.decreaseAmount, _customTimeout[beneficiary], p.canBeDecreasedAt);
    }

    /// @inheritdoc IChequebook
    function previewCashout(
        address beneficiary,
        uint256 cumulativePayout
    ) external view nonReentrantView returns (uint256 requestPayout, uint256 totalPayout) {
        uint256 acct = _accounts[beneficiary];
        if (cumulativePayout <= uint128(acct)) return (0, 0);
        return _quote(acct, _totalHardDeposit(_totals), cumulativePayout);
    }

    /// @inheritdoc IChequebook
    function domainSeparator() public view returns (bytes32) {
        // Recomputed after a chain split so signatures for the other chain stop working.
        return block.chainid == _cachedChainId ? _cachedDomainSeparator : ChequeHash.domainSeparator(block.chainid);
    }

    // ------------------------------------------------------------------ cash-out

    /// @inheritdoc IChequebook
    function init(address, address, uint256) external pure {
        revert InitializedAtCreation();
    }

    /// @inheritdoc IChequebook
    function cashChequeBeneficiary(
        address recipient,
        uint256 cumulativePayout,
        bytes calldata issuerSig
    ) external nonReentrant {
        _cash(msg.sender, recipient, cumulativePayout, 0, issuerSig, false);
    }

    /// @inheritdoc IChequebook
    function cashCheque(
        address beneficiary,
        address recipient,
        uint256 cumulativePayout,
        bytes calldata beneficiarySig,
        uint256 callerPayout,
        bytes calldata issuerSig
    ) external nonReentrant {
        bytes32 digest = _digest(
            ChequeHash.hashCashout(address(this), msg.sender, cumulativePayout, recipient, callerPayout)
        );
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, beneficiarySig);
        if (err != ECDSA.RecoverError.NoError || recovered != beneficiary) {
            // ERC-1271 path: the Cashout type does not name the beneficiary, so two wallets accepting
            // the same key would both accept this signature. Consume the digest (C-4).
            if (cashoutSignatureUsed[digest]) revert CashoutSignatureUsed(digest);
            if (!SignatureChecker.isValidERC1271SignatureNowCalldata(beneficiary, digest, beneficiarySig)) {
                revert InvalidBeneficiarySignature(beneficiary);
            }
            cashoutSignatureUsed[digest] = true;
        }
        _cash(beneficiary, recipient, cumulativePayout, callerPayout, issuerSig, true);
    }

    function _cash(
        address beneficiary,
        address recipient,
        uint256 cumulativePayout,
        uint256 callerPayout,
        bytes calldata issuerSig,
        bool relayed
    ) private {
        if (recipient == address(0)) revert ZeroRecipient();
        address issuer_ = _issuer();
        if (msg.sender != issuer_) {
            bytes32 digest = _digest(ChequeHash.hashCheque(address(this), beneficiary, cumulativePayout));
            if (!_isValidSignature(issuer_, digest, issuerSig)) {
                revert InvalidIssuerSignature(issuer_, beneficiary, cumulativePayout);
            }
        }

        uint256 acct = _accounts[beneficiary];
        uint256 paid = uint128(acct);
        if (cumulativePayout <= paid) revert ChequeNotIncreasing(cumulativePayout, paid);
        uint256 totals = _totals;
        uint256 totalHd = _totalHardDeposit(totals);
        (uint256 requestPayout, uint256 totalPayout) = _quote(acct, totalHd, cumulativePayout);
        bool bounce = totalPayout < requestPayout;
        if (bounce && relayed) revert RelayedChequeWouldBounce(requestPayout, totalPayout);
        if (totalPayout < callerPayout) revert CallerPayoutExceedsPayout(callerPayout, totalPayout);

        // Effects before interactions. The hard deposit is drawn first: it exists to back this debt.
        uint256 hd = acct >> 128;
        uint256 hardDepositUsage = Math.min(totalPayout, hd);
        unchecked {
            // paid + totalPayout <= 2^128 - 1: `_quote` caps the payout there.
            // hardDepositUsage <= hd <= totalHd (kept in sync everywhere).
            hd -= hardDepositUsage;
            _accounts[beneficiary] = (paid + totalPayout) | (hd << 128);
            // totalPaidOut is a lifetime counter that saturates instead of blocking cash-outs (C-1):
            // both terms are below 2^128, so the sum cannot overflow 256 bits.
            uint256 totalPaid = Math.min(uint128(totals) + totalPayout, MAX128);
            _totals = totalPaid | ((totalHd - hardDepositUsage) << 128) | (bounce ? 1 << 248 : totals & (1 << 248));
        }

        unchecked {
            // callerPayout <= totalPayout checked above
            if (totalPayout != callerPayout) _token.safeTransfer(recipient, totalPayout - callerPayout);
        }
        if (callerPayout != 0) _token.safeTransfer(msg.sender, callerPayout);

        emit ChequeCashed(beneficiary, recipient, msg.sender, totalPayout, cumulativePayout, callerPayout);
        if (bounce) emit ChequeBounced();
        if (hardDepositUsage != 0) emit HardDepositAmountChanged(beneficiary, hd);
    }

    // ------------------------------------------------------------------ issuer operations

    /// @inheritdoc IChequebook
    function withdraw(uint256 amount) external onlyIssuer nonReentrant {
        uint256 liquid = _liquid(_balance(), _totalHardDeposit(_totals));
        if (amount > liquid) revert InsufficientLiquidBalance(amount, liquid);
        _token.safeTransfer(msg.sender, amount);
        emit Withdraw(amount);
    }

    /// @inheritdoc IChequebook
    function increaseHardDeposit(address beneficiary, uint256 amount) external onlyIssuer {
        uint256 totals = _totals;
        uint256 newTotal = Math.saturatingAdd(_totalHardDeposit(totals), amount);
        uint256 bal = _balance();
        if (newTotal > bal) revert HardDepositExceedsBalance(newTotal, bal);
        if (newTotal > MAX120) revert HardDepositTooLarge(newTotal, MAX120);
        uint256 acct = _accounts[beneficiary];
        uint256 newAmount;
        unchecked {
            // acct's hard deposit + amount <= newTotal < 2^120: no overflow, fits the high 128 bits
            newAmount = (acct >> 128) + amount;
        }
        _accounts[beneficiary] = uint128(acct) | (newAmount << 128);
        _totals = (totals & ~(MAX120 << 128)) | (newTotal << 128);
        PendingDecrease memory p = _pending[beneficiary];
        if (p.canBeDecreasedAt != 0) {
            delete _pending[beneficiary]; // an increase cancels a pending decrease (as in Swarm)
            emit HardDepositDecreaseCancelled(beneficiary, p.decreaseAmount);
        }
        emit HardDepositAmountChanged(beneficiary, newAmount);
    }

    /// @inheritdoc IChequebook
    function prepareDecreaseHardDeposit(address beneficiary, uint256 decreaseAmount) external onlyIssuer {
        uint256 amount = _accounts[beneficiary] >> 128;
        if (decreaseAmount > amount) revert DecreaseExceedsHardDeposit(decreaseAmount, amount);
        uint256 timeout = _customTimeout[beneficiary];
        if (timeout == 0) timeout = defaultHardDepositTimeout();
        _pending[beneficiary] = PendingDecrease({
            decreaseAmount: uint128(decreaseAmount), // <= amount, a uint128
            // timeout < 2^128 (custom: low 128 bits; default: 64 bits), so the sum cannot overflow;
            // a due time beyond 128 bits means "never"
            canBeDecreasedAt: uint128(Math.min(block.timestamp + timeout, MAX128))
        });
        emit HardDepositDecreasePrepared(beneficiary, decreaseAmount);
    }

    /// @inheritdoc IChequebook
    function decreaseHardDeposit(address beneficiary) external {
        PendingDecrease memory p = _pending[beneficiary];
        if (p.canBeDecreasedAt == 0) revert NoDecreasePrepared(beneficiary);
        if (block.timestamp < p.canBeDecreasedAt) revert DecreaseNotDue(p.canBeDecreasedAt, block.timestamp);
        uint256 acct = _accounts[beneficiary];
        uint256 hd = acct >> 128;
        // Cash-outs since the preparation may have consumed part of the deposit: take what is left
        // (Swarm's original underflows here and blocks the decrease forever).
        uint256 cut = Math.min(p.decreaseAmount, hd);
        uint256 newAmount;
        unchecked {
            newAmount = hd - cut; // cut <= hd
            uint256 totals = _totals;
            // cut <= hd <= totalHardDeposit: subtracting in place cannot borrow from the bits above
            _totals = totals - (cut << 128);
        }
        _accounts[beneficiary] = uint128(acct) | (newAmount << 128);
        delete _pending[beneficiary];
        emit HardDepositAmountChanged(beneficiary, newAmount);
    }

    /// @inheritdoc IChequebook
    function setCustomHardDepositTimeout(
        address beneficiary,
        uint256 hardDepositTimeout,
        bytes calldata beneficiarySig
    ) external onlyIssuer {
        uint256 signedEpoch = hardDepositTimeout >> 128;
        uint256 currentEpoch = timeoutEpoch[beneficiary];
        if (signedEpoch != currentEpoch) revert TimeoutEpochMismatch(beneficiary, signedEpoch, currentEpoch);
        bytes32 digest = _digest(ChequeHash.hashCustomDecreaseTimeout(address(this), beneficiary, hardDepositTimeout));
        if (timeoutSignatureUsed[digest]) revert TimeoutSignatureUsed(digest);
        if (!_isValidSignature(beneficiary, digest, beneficiarySig)) {
            revert InvalidBeneficiarySignature(beneficiary);
        }
        timeoutSignatureUsed[digest] = true;
        uint256 timeout = uint128(hardDepositTimeout);
        _customTimeout[beneficiary] = timeout;
        emit HardDepositTimeoutChanged(beneficiary, timeout);
    }

    /// @inheritdoc IChequebook
    function bumpTimeoutEpoch() external returns (uint256 epoch) {
        _onlyClone();
        // An epoch must fit the high 128 bits of a signed value; 2^128 bumps cannot happen.
        epoch = ++timeoutEpoch[msg.sender];
        emit TimeoutEpochBumped(msg.sender, epoch);
    }

    // ------------------------------------------------------------------ deposits

    /// @inheritdoc IChequebook
    function deposit(uint256 amount) public nonReentrant returns (uint256 received) {
        _onlyClone();
        uint256 before = _balance();
        _token.safeTransferFrom(msg.sender, address(this), amount);
        received = Math.saturatingSub(_balance(), before); // fee-on-transfer tokens: count what arrived
        emit Deposit(msg.sender, received);
    }

    /// @inheritdoc IChequebook
    function depositWithPermit(
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 received) {
        // A front-runner may have submitted the permit already; the allowance is what matters.
        try IERC20Permit(address(_token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        return deposit(amount);
    }

    // ------------------------------------------------------------------ internals

    function _onlyClone() private view {
        if (address(this) == _self) revert NotAClone();
    }

    /// @dev The issuer, read straight from the clone's code (20 bytes after the proxy code).
    function _issuer() private view returns (address issuer_) {
        _onlyClone();
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, ARGS_OFFSET, 0x20)
            issuer_ := shr(96, mload(0x00))
        }
    }

    /// @dev `_token.balanceOf(address(this))` without the ABI round trip (on every cash-out's hot path).
    /// Reverts with the token's own revert data, or empty data on a malformed answer.
    function _balance() private view returns (uint256 bal) {
        address t = address(_token);
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address)
            mstore(0x20, address())
            if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), t, 0x1c, 0x24, 0x00, 0x20))) {
                returndatacopy(mload(0x40), 0, returndatasize())
                revert(mload(0x40), returndatasize())
            }
            bal := mload(0x00)
        }
    }

    function _totalHardDeposit(uint256 totals) private pure returns (uint256) {
        return (totals >> 128) & MAX120;
    }

    /// @dev What cashing `cumulativePayout` (> paidOut) pays now: the owed amount, capped by what is
    /// available to this beneficiary and by what `paidOut` can still hold in 128 bits. Shared by
    /// `previewCashout` and `_cash`, so the two agree in every case.
    function _quote(
        uint256 acct,
        uint256 totalHd,
        uint256 cumulativePayout
    ) private view returns (uint256 requestPayout, uint256 totalPayout) {
        uint256 paid = uint128(acct);
        unchecked {
            requestPayout = cumulativePayout - paid; // callers checked cumulativePayout > paid
            totalPayout = Math.min(
                Math.min(requestPayout, _available(_balance(), totalHd, acct >> 128)),
                MAX128 - paid // paid <= MAX128
            );
        }
    }

    /// @dev ECDSA first, ERC-1271 only when that fails: an EOA signer then costs no cold
    /// EXTCODESIZE (2,600 gas, what `SignatureChecker.isValidSignatureNow` spends up front).
    /// Safe because no private key recovers to a contract wallet's address (barring a keccak
    /// collision), and an EIP-7702 delegated EOA still signs with its own key.
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature);
    }

    function _digest(bytes32 structHash) private view returns (bytes32) {
        return ChequeHash.toTypedDataHash(domainSeparator(), structHash);
    }

    function _liquid(uint256 bal, uint256 hardDepositTotal) private pure returns (uint256) {
        unchecked {
            return bal > hardDepositTotal ? bal - hardDepositTotal : 0;
        }
    }

    /// @dev `liquid + hardDeposit[b]`, never more than the balance (a token balance can shrink below
    /// the hard deposits, e.g. a rebasing token).
    function _available(uint256 bal, uint256 hardDepositTotal, uint256 hardDeposit) private pure returns (uint256) {
        unchecked {
            // liquid + hardDeposit <= bal when bal > total (hardDeposit <= total), else hardDeposit < 2^128
            return Math.min(bal, _liquid(bal, hardDepositTotal) + hardDeposit);
        }
    }
}
