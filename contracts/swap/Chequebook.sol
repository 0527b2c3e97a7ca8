// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IChequebook} from "./IChequebook.sol";
import {ChequeHash} from "./libraries/ChequeHash.sol";

/// @title Chequebook
/// @notice Implementation behind the clones deployed by `ChequebookFactory`.
/// @dev Layout chosen for gas (see BENCHMARKS.md): issuer and default timeout live in the clone's
/// code (immutable args), the token in this implementation's code (one token per factory); the hot
/// per-beneficiary state (paidOut, hard deposit) shares one slot, the totals another.
contract Chequebook is IChequebook, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @dev Hot per-beneficiary state: read and written once per cash-out.
    struct Account {
        uint128 paidOut;
        uint128 hardDeposit;
    }

    /// @dev A prepared hard-deposit decrease; only touched by the hard-deposit functions.
    struct PendingDecrease {
        uint128 decreaseAmount;
        uint128 canBeDecreasedAt;
    }

    /// @dev Totals: read and written once per cash-out.
    struct Totals {
        uint128 totalPaidOut;
        uint120 totalHardDeposit;
        bool bounced;
    }

    IERC20 private immutable _token;
    address private immutable _self;
    uint256 private immutable _cachedChainId;
    bytes32 private immutable _cachedDomainSeparator;

    mapping(address beneficiary => Account) private _accounts;
    mapping(address beneficiary => PendingDecrease) private _pending;
    mapping(address beneficiary => uint256) private _customTimeout;
    Totals private _totals;

    /// @inheritdoc IChequebook
    mapping(bytes32 digest => bool) public timeoutSignatureUsed;

    /// @param token_ The ERC20 token of every clone of this implementation.
    constructor(address token_) {
        _token = IERC20(token_);
        _self = address(this);
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = ChequeHash.domainSeparator(block.chainid);
    }

    modifier onlyIssuer() {
        address issuer_ = issuer();
        if (msg.sender != issuer_) revert NotIssuer(msg.sender, issuer_);
        _;
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IChequebook
    function issuer() public view returns (address) {
        (address issuer_,) = _args();
        return issuer_;
    }

    /// @inheritdoc IChequebook
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IChequebook
    function defaultHardDepositTimeout() public view returns (uint256) {
        (, uint256 timeout) = _args();
        return timeout;
    }

    /// @inheritdoc IChequebook
    function balance() public view returns (uint256) {
        return _token.balanceOf(address(this));
    }

    /// @inheritdoc IChequebook
    function liquidBalance() public view returns (uint256) {
        return _liquid(balance(), _totals.totalHardDeposit);
    }

    /// @inheritdoc IChequebook
    function liquidBalanceFor(address beneficiary) public view returns (uint256) {
        return _available(balance(), _totals.totalHardDeposit, _accounts[beneficiary].hardDeposit);
    }

    /// @inheritdoc IChequebook
    function paidOut(address beneficiary) external view returns (uint256) {
        return _accounts[beneficiary].paidOut;
    }

    /// @inheritdoc IChequebook
    function totalPaidOut() external view returns (uint256) {
        return _totals.totalPaidOut;
    }

    /// @inheritdoc IChequebook
    function totalHardDeposit() external view returns (uint256) {
        return _totals.totalHardDeposit;
    }

    /// @inheritdoc IChequebook
    function bounced() external view returns (bool) {
        return _totals.bounced;
    }

    /// @inheritdoc IChequebook
    function hardDeposits(address beneficiary)
        external
        view
        returns (uint256 amount, uint256 decreaseAmount, uint256 timeout, uint256 canBeDecreasedAt)
    {
        PendingDecrease memory p = _pending[beneficiary];
        return (_accounts[beneficiary].hardDeposit, p.decreaseAmount, _customTimeout[beneficiary], p.canBeDecreasedAt);
    }

    /// @inheritdoc IChequebook
    function previewCashout(address beneficiary, uint256 cumulativePayout)
        external
        view
        returns (uint256 requestPayout, uint256 totalPayout)
    {
        Account memory acct = _accounts[beneficiary];
        if (cumulativePayout <= acct.paidOut) return (0, 0);
        requestPayout = cumulativePayout - acct.paidOut;
        totalPayout = Math.min(requestPayout, _available(balance(), _totals.totalHardDeposit, acct.hardDeposit));
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
    function cashChequeBeneficiary(address recipient, uint256 cumulativePayout, bytes calldata issuerSig)
        external
        nonReentrant
    {
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
        if (!_isValidSignature(beneficiary, digest, beneficiarySig)) {
            revert InvalidBeneficiarySignature(beneficiary);
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
        address issuer_ = issuer();
        if (msg.sender != issuer_) {
            bytes32 digest = _digest(ChequeHash.hashCheque(address(this), beneficiary, cumulativePayout));
            if (!_isValidSignature(issuer_, digest, issuerSig)) {
                revert InvalidIssuerSignature(issuer_, beneficiary, cumulativePayout);
            }
        }

        Account memory acct = _accounts[beneficiary];
        if (cumulativePayout <= acct.paidOut) revert ChequeNotIncreasing(cumulativePayout, acct.paidOut);
        uint256 requestPayout;
        unchecked {
            requestPayout = cumulativePayout - acct.paidOut; // cannot underflow: checked just above
        }
        Totals memory totals = _totals;
        uint256 totalPayout =
            Math.min(requestPayout, _available(balance(), totals.totalHardDeposit, acct.hardDeposit));
        bool bounce = totalPayout < requestPayout;
        if (bounce && relayed) revert RelayedChequeWouldBounce(requestPayout, totalPayout);
        if (totalPayout < callerPayout) revert CallerPayoutExceedsPayout(callerPayout, totalPayout);

        // Effects before interactions. The hard deposit is drawn first: it exists to back this debt.
        uint256 hardDepositUsage = Math.min(totalPayout, acct.hardDeposit);
        acct.paidOut = (acct.paidOut + totalPayout).toUint128();
        unchecked {
            // hardDepositUsage <= acct.hardDeposit <= totals.totalHardDeposit (kept in sync everywhere)
            acct.hardDeposit -= uint128(hardDepositUsage);
            totals.totalHardDeposit -= uint120(hardDepositUsage);
        }
        totals.totalPaidOut = (totals.totalPaidOut + totalPayout).toUint128();
        if (bounce) totals.bounced = true;
        _accounts[beneficiary] = acct;
        _totals = totals;

        unchecked {
            // callerPayout <= totalPayout checked above
            if (totalPayout != callerPayout) _token.safeTransfer(recipient, totalPayout - callerPayout);
        }
        if (callerPayout != 0) _token.safeTransfer(msg.sender, callerPayout);

        emit ChequeCashed(beneficiary, recipient, msg.sender, totalPayout, cumulativePayout, callerPayout);
        if (bounce) emit ChequeBounced();
    }

    // ------------------------------------------------------------------ issuer operations

    /// @inheritdoc IChequebook
    function withdraw(uint256 amount) external onlyIssuer nonReentrant {
        uint256 liquid = _liquid(balance(), _totals.totalHardDeposit);
        if (amount > liquid) revert InsufficientLiquidBalance(amount, liquid);
        _token.safeTransfer(msg.sender, amount);
        emit Withdraw(amount);
    }

    /// @inheritdoc IChequebook
    function increaseHardDeposit(address beneficiary, uint256 amount) external onlyIssuer {
        Totals memory totals = _totals;
        uint256 newTotal = totals.totalHardDeposit + amount;
        uint256 bal = balance();
        if (newTotal > bal) revert HardDepositExceedsBalance(newTotal, bal);
        Account storage acct = _accounts[beneficiary];
        uint128 newAmount = (acct.hardDeposit + amount).toUint128();
        acct.hardDeposit = newAmount;
        totals.totalHardDeposit = newTotal.toUint120();
        _totals = totals;
        delete _pending[beneficiary]; // an increase cancels a pending decrease (as in Swarm)
        emit HardDepositAmountChanged(beneficiary, newAmount);
    }

    /// @inheritdoc IChequebook
    function prepareDecreaseHardDeposit(address beneficiary, uint256 decreaseAmount) external onlyIssuer {
        uint256 amount = _accounts[beneficiary].hardDeposit;
        if (decreaseAmount > amount) revert DecreaseExceedsHardDeposit(decreaseAmount, amount);
        uint256 timeout = _customTimeout[beneficiary];
        if (timeout == 0) timeout = defaultHardDepositTimeout();
        _pending[beneficiary] = PendingDecrease({
            decreaseAmount: uint128(decreaseAmount), // <= amount, a uint128
            canBeDecreasedAt: (block.timestamp + timeout).toUint128()
        });
        emit HardDepositDecreasePrepared(beneficiary, decreaseAmount);
    }

    /// @inheritdoc IChequebook
    function decreaseHardDeposit(address beneficiary) external {
        PendingDecrease memory p = _pending[beneficiary];
        if (p.canBeDecreasedAt == 0) revert NoDecreasePrepared(beneficiary);
        if (block.timestamp < p.canBeDecreasedAt) revert DecreaseNotDue(p.canBeDecreasedAt, block.timestamp);
        Account storage acct = _accounts[beneficiary];
        // Cash-outs since the preparation may have consumed part of the deposit: take what is left
        // (Swarm's original underflows here and blocks the decrease forever).
        uint128 cut = p.decreaseAmount < acct.hardDeposit ? p.decreaseAmount : acct.hardDeposit;
        uint128 newAmount;
        unchecked {
            newAmount = acct.hardDeposit - cut; // cut <= hardDeposit
            _totals.totalHardDeposit -= uint120(cut); // cut <= hardDeposit <= totalHardDeposit
        }
        acct.hardDeposit = newAmount;
        delete _pending[beneficiary];
        emit HardDepositAmountChanged(beneficiary, newAmount);
    }

    /// @inheritdoc IChequebook
    function setCustomHardDepositTimeout(address beneficiary, uint256 hardDepositTimeout, bytes calldata beneficiarySig)
        external
        onlyIssuer
    {
        bytes32 digest =
            _digest(ChequeHash.hashCustomDecreaseTimeout(address(this), beneficiary, hardDepositTimeout));
        if (timeoutSignatureUsed[digest]) revert TimeoutSignatureUsed(digest);
        if (!_isValidSignature(beneficiary, digest, beneficiarySig)) {
            revert InvalidBeneficiarySignature(beneficiary);
        }
        timeoutSignatureUsed[digest] = true;
        _customTimeout[beneficiary] = hardDepositTimeout;
        emit HardDepositTimeoutChanged(beneficiary, hardDepositTimeout);
    }

    // ------------------------------------------------------------------ deposits

    /// @inheritdoc IChequebook
    function deposit(uint256 amount) public nonReentrant returns (uint256 received) {
        issuer(); // reverts on the implementation
        uint256 before = balance();
        _token.safeTransferFrom(msg.sender, address(this), amount);
        received = balance() - before; // fee-on-transfer tokens: count what arrived
        emit Deposit(msg.sender, received);
    }

    /// @inheritdoc IChequebook
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256 received)
    {
        // A front-runner may have submitted the permit already; the allowance is what matters.
        try IERC20Permit(address(_token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        return deposit(amount);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Issuer and default timeout, stored in the clone's code by the factory.
    function _args() private view returns (address issuer_, uint256 timeout) {
        if (address(this) == _self) revert NotAClone();
        bytes memory args = Clones.fetchCloneArgs(address(this));
        (issuer_, timeout) = abi.decode(args, (address, uint256));
    }

    /// @dev ECDSA first, ERC-1271 only when that fails: an EOA signer then costs no cold
    /// EXTCODESIZE (2,600 gas, what `SignatureChecker.isValidSignatureNow` spends up front).
    /// Safe because no private key recovers to a contract wallet's address (barring a keccak
    /// collision), and an EIP-7702 delegated EOA still signs with its own key.
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
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
        return Math.min(bal, _liquid(bal, hardDepositTotal) + hardDeposit);
    }
}
