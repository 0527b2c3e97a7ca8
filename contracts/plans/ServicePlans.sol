// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IServicePlans} from "./IServicePlans.sol";
import {ShareHash} from "./libraries/ShareHash.sol";

/// @title ServicePlans
/// @notice Singleton holding every plan; see IServicePlans for the rules and the guarantee.
contract ServicePlans is IServicePlans, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    struct ProviderShares {
        uint128 shares;
        bool claimed;
    }

    mapping(uint256 planId => Plan) private _plans;
    mapping(uint256 planId => mapping(address provider => ProviderShares)) private _shares;
    uint256 private _planCount;

    constructor() EIP712("ServicePlans", "1") {}

    // ------------------------------------------------------------------ funding

    /// @inheritdoc IServicePlans
    function createPlan(
        address token,
        address signer,
        uint256 budget,
        uint256 bond,
        uint256 shareCap,
        uint256 submitDeadline,
        uint256 claimDeadline
    ) external payable nonReentrant returns (uint256 planId) {
        if (signer == address(0)) revert ZeroSigner();
        if (budget == 0) revert ZeroBudget();
        if (submitDeadline <= block.timestamp || claimDeadline <= submitDeadline) {
            revert InvalidDeadlines(submitDeadline, claimDeadline, block.timestamp);
        }
        // Fee-on-transfer tokens: the budget is what arrived; the bond is taken at face value first.
        uint256 received = _pull(token, budget + bond);
        uint256 budgetIn = received - Math.min(bond, received);
        if (budgetIn == 0) revert ZeroBudget();
        planId = ++_planCount;
        _plans[planId] = Plan({
            signer: signer,
            submitDeadline: submitDeadline.toUint48(),
            claimDeadline: claimDeadline.toUint48(),
            funder: msg.sender,
            swept: false,
            token: token,
            budget: budgetIn.toUint128(),
            bond: (received - budgetIn).toUint128(),
            shareCap: shareCap.toUint128(),
            totalShares: 0,
            paidOut: 0
        });
        emit PlanCreated(planId, msg.sender, signer, token, budgetIn, received - budgetIn, shareCap, submitDeadline, claimDeadline);
    }

    /// @inheritdoc IServicePlans
    function topUp(uint256 planId, uint256 amount) external payable nonReentrant {
        Plan storage p = _plan(planId);
        if (msg.sender != p.funder) revert NotFunder(msg.sender, p.funder);
        if (block.timestamp > p.submitDeadline) revert SubmissionClosed(planId, p.submitDeadline, block.timestamp);
        uint256 received = _pull(p.token, amount);
        uint128 newBudget = (p.budget + received).toUint128();
        p.budget = newBudget;
        emit PlanToppedUp(planId, received, newBudget);
    }

    // ------------------------------------------------------------------ submissions

    /// @inheritdoc IServicePlans
    function submit(Submission calldata s) external returns (uint256 increase) {
        return _submit(s);
    }

    /// @inheritdoc IServicePlans
    function submitBatch(Submission[] calldata batch) external returns (uint256 totalIncrease) {
        for (uint256 i; i < batch.length; ++i) {
            totalIncrease += _submit(batch[i]);
        }
    }

    function _submit(Submission calldata s) private returns (uint256 increase) {
        Plan storage p = _plan(s.planId);
        if (block.timestamp > p.submitDeadline) revert SubmissionClosed(s.planId, p.submitDeadline, block.timestamp);
        if (s.depth > s.length) revert DepthExceedsLength(s.depth, s.length);
        if (s.baseShares > type(uint128).max || s.depth > type(uint128).max - s.baseShares) {
            revert SharesOverflow(s.baseShares, s.depth);
        }
        uint256 claimed = s.baseShares + s.depth; // < 2^128 by the check above
        ProviderShares storage ps = _shares[s.planId][s.provider];
        uint256 current = ps.shares;
        if (claimed <= current) return 0; // stale: cheaper to skip before any hashing or ecrecover
        // length == 0: a plain cumulative receipt, no chain (depth is 0 by the check above)
        if (s.length != 0 && ShareHash.walk(s.word, s.depth) != s.anchor) {
            revert InvalidShareToken(s.word, s.depth, s.anchor);
        }
        bytes32 digest = _hashTypedDataV4(ShareHash.hashReceipt(s.planId, s.provider, s.baseShares, s.anchor, s.length));
        address signer = p.signer;
        if (!_isValidSignature(signer, digest, s.signature)) revert InvalidReceiptSignature(s.planId, s.provider, signer);

        increase = claimed - current;
        ps.shares = uint128(claimed);
        uint128 total = (p.totalShares + increase).toUint128();
        p.totalShares = total;
        emit SharesSubmitted(s.planId, s.provider, claimed, increase, total);
    }

    // ------------------------------------------------------------------ payout

    /// @inheritdoc IServicePlans
    function claim(uint256 planId, address provider) external nonReentrant returns (uint256 amount) {
        Plan storage p = _plan(planId);
        if (block.timestamp <= p.submitDeadline) revert ClaimNotOpen(planId, p.submitDeadline, block.timestamp);
        if (block.timestamp > p.claimDeadline) revert ClaimClosed(planId, p.claimDeadline, block.timestamp);
        ProviderShares storage ps = _shares[planId][provider];
        if (ps.claimed) revert AlreadyClaimed(planId, provider);
        amount = _payout(p, ps.shares);
        if (amount == 0) revert NothingToClaim(planId, provider);
        ps.claimed = true;
        p.paidOut += uint128(amount); // sum of floored shares of the budget <= budget (uint128)
        _push(p.token, provider, amount);
        emit Claimed(planId, provider, amount);
    }

    /// @inheritdoc IServicePlans
    function sweep(uint256 planId) external nonReentrant returns (uint256 returned) {
        Plan storage p = _plan(planId);
        if (block.timestamp <= p.claimDeadline) revert SweepNotOpen(planId, p.claimDeadline, block.timestamp);
        if (p.swept) revert AlreadySwept(planId);
        p.swept = true;
        uint256 forfeited = _overIssued(p) ? p.bond : 0;
        // unused budget below the cap, rounding dust and unclaimed payouts, plus the bond if kept
        returned = uint256(p.budget) + p.bond - p.paidOut - forfeited;
        if (returned != 0) _push(p.token, p.funder, returned);
        emit Swept(planId, p.funder, returned, forfeited);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IServicePlans
    function getPlan(uint256 planId) external view returns (Plan memory) {
        return _plan(planId);
    }

    /// @inheritdoc IServicePlans
    function sharesOf(uint256 planId, address provider) external view returns (uint256 shares, bool claimed) {
        ProviderShares memory ps = _shares[planId][provider];
        return (ps.shares, ps.claimed);
    }

    /// @inheritdoc IServicePlans
    function previewClaim(uint256 planId, address provider) external view returns (uint256) {
        ProviderShares memory ps = _shares[planId][provider];
        return ps.claimed ? 0 : _payout(_plan(planId), ps.shares);
    }

    /// @inheritdoc IServicePlans
    function isOverIssued(uint256 planId) external view returns (bool) {
        return _overIssued(_plan(planId));
    }

    /// @inheritdoc IServicePlans
    function hashShareReceipt(uint256 planId, address provider, uint256 baseShares, bytes32 anchor, uint256 length)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(ShareHash.hashReceipt(planId, provider, baseShares, anchor, length));
    }

    /// @inheritdoc IServicePlans
    function planCount() external view returns (uint256) {
        return _planCount;
    }

    // ------------------------------------------------------------------ internals

    function _plan(uint256 planId) private view returns (Plan storage p) {
        p = _plans[planId];
        // `signer` shares its slot with the deadlines every caller reads next: one cold read, not two
        if (p.signer == address(0)) revert UnknownPlan(planId);
    }

    /// @dev Rounds down, so the sum over providers never exceeds the budget; the dust stays in the
    /// plan and goes back to the funder with the sweep.
    function _payout(Plan storage p, uint256 shares) private view returns (uint256) {
        uint256 total = p.totalShares;
        uint256 denominator = p.shareCap > total ? p.shareCap : total;
        if (denominator == 0) return 0;
        return Math.mulDiv(p.budget, shares, denominator);
    }

    function _overIssued(Plan storage p) private view returns (bool) {
        return p.shareCap != 0 && p.totalShares > p.shareCap;
    }

    /// @dev ECDSA first, ERC-1271 only when that fails (see Chequebook._isValidSignature).
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature);
    }

    function _pull(address token, uint256 amount) private returns (uint256 received) {
        if (token == address(0)) {
            if (msg.value != amount) revert IncorrectNativeValue(amount, msg.value);
            return amount;
        }
        if (msg.value != 0) revert IncorrectNativeValue(0, msg.value);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        return IERC20(token).balanceOf(address(this)) - before;
    }

    function _push(address token, address to, uint256 amount) private {
        if (token == address(0)) Address.sendValue(payable(to), amount);
        else IERC20(token).safeTransfer(to, amount);
    }
}
