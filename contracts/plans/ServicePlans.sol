// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
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

    /// @notice What deployment scripts pass when nothing else is configured (PROTOCOL.md §4).
    uint256 public constant DEFAULT_MIN_CLAIM_WINDOW = 1 days;
    uint256 private constant MAX128 = type(uint128).max;
    /// @dev `index` of a single `submit`: errors revert instead of being reported.
    uint256 private constant STRICT = type(uint256).max;

    uint256 private immutable _minClaimWindow;

    mapping(uint256 planId => Plan) private _plans;
    mapping(uint256 planId => mapping(address provider => ProviderShares)) private _shares;

    constructor(uint256 minClaimWindow_) EIP712("ServicePlans", "1") {
        if (minClaimWindow_ == 0 || minClaimWindow_ > 365 days) revert InvalidMinClaimWindow(minClaimWindow_);
        _minClaimWindow = minClaimWindow_;
    }

    // ------------------------------------------------------------------ funding

    /// @inheritdoc IServicePlans
    function createPlan(
        address token,
        address signer,
        uint256 budget,
        uint256 bond,
        uint256 shareCap,
        uint256 submitDeadline,
        uint256 claimDeadline,
        bytes32 salt
    ) external payable nonReentrant returns (uint256 planId) {
        if (signer == address(0)) revert ZeroSigner();
        if (budget == 0) revert ZeroBudget();
        // bounds first: typed errors with the values, never Panic(0x11) or a SafeCast error
        if (bond > MAX128 || budget > MAX128 - bond) revert AmountsTooLarge(budget, bond);
        if (shareCap > MAX128) revert ShareCapTooLarge(shareCap);
        if (submitDeadline <= block.timestamp || claimDeadline <= submitDeadline || claimDeadline > type(uint48).max) {
            revert InvalidDeadlines(submitDeadline, claimDeadline, block.timestamp);
        }
        if (claimDeadline - submitDeadline < _minClaimWindow) {
            revert ClaimWindowTooShort(submitDeadline, claimDeadline, _minClaimWindow);
        }
        planId = _planIdOf(msg.sender, salt);
        Plan storage p = _plans[planId];
        if (p.signer != address(0)) revert PlanExists(planId);
        // Fee-on-transfer tokens: the budget is what arrived; the bond is taken at face value first.
        uint256 received = _pull(token, budget + bond);
        uint256 budgetIn = received - Math.min(bond, received);
        if (budgetIn == 0) revert ZeroBudget();
        uint256 bondIn = received - budgetIn;
        _plans[planId] = Plan({
            signer: signer,
            submitDeadline: uint48(submitDeadline), // < claimDeadline <= type(uint48).max, checked above
            claimDeadline: uint48(claimDeadline),
            funder: msg.sender,
            swept: false,
            token: token,
            budget: budgetIn.toUint128(), // SafeCast only for a token that delivers more than asked
            paidOut: 0,
            shareCap: uint128(shareCap),
            totalShares: 0,
            bond: bondIn.toUint128()
        });
        emit PlanCreated(planId, msg.sender, signer, token, budgetIn, bondIn, shareCap, submitDeadline, claimDeadline);
    }

    /// @inheritdoc IServicePlans
    function topUp(uint256 planId, uint256 amount) external payable nonReentrant {
        Plan storage p = _plan(planId);
        if (msg.sender != p.funder) revert NotFunder(msg.sender, p.funder);
        if (block.timestamp > p.submitDeadline) revert SubmissionClosed(planId, p.submitDeadline, block.timestamp);
        uint256 budget = p.budget;
        if (amount > MAX128 - budget) revert BudgetTooLarge(planId, budget, amount);
        uint256 received = _pull(p.token, amount);
        uint128 newBudget = (budget + received).toUint128();
        p.budget = newBudget;
        emit PlanToppedUp(planId, received, newBudget);
    }

    // ------------------------------------------------------------------ submissions

    /// @inheritdoc IServicePlans
    function submit(Submission calldata s) external returns (uint256 increase) {
        return _submit(s, STRICT);
    }

    /// @inheritdoc IServicePlans
    function submitBatch(Submission[] calldata batch) external returns (uint256 totalIncrease) {
        for (uint256 i; i < batch.length; ++i) {
            totalIncrease += _submit(batch[i], i);
        }
    }

    /// @dev With `index == STRICT` every failure reverts with its typed error; otherwise the entry
    /// is skipped and reported with the error's selector, and the batch goes on.
    function _submit(Submission calldata s, uint256 index) private returns (uint256 increase) {
        Plan storage p = _plans[s.planId];
        if (p.signer == address(0)) {
            if (index == STRICT) revert UnknownPlan(s.planId);
            return _skip(index, s, UnknownPlan.selector);
        }
        if (block.timestamp > p.submitDeadline) {
            if (index == STRICT) revert SubmissionClosed(s.planId, p.submitDeadline, block.timestamp);
            return _skip(index, s, SubmissionClosed.selector);
        }
        if (s.depth > s.length) {
            if (index == STRICT) revert DepthExceedsLength(s.depth, s.length);
            return _skip(index, s, DepthExceedsLength.selector);
        }
        if (s.baseShares > MAX128 || s.depth > MAX128 - s.baseShares) {
            if (index == STRICT) revert SharesOverflow(s.baseShares, s.depth);
            return _skip(index, s, SharesOverflow.selector);
        }
        uint256 claimed = s.baseShares + s.depth; // < 2^128 by the check above
        ProviderShares storage ps = _shares[s.planId][s.provider];
        uint256 current = ps.shares;
        if (claimed <= current) return 0; // stale: cheaper to skip before any hashing or ecrecover
        // length == 0: a plain cumulative receipt, no chain (depth is 0 by the check above)
        if (s.length != 0 && ShareHash.walk(s.word, s.depth) != s.anchor) {
            if (index == STRICT) revert InvalidShareToken(s.word, s.depth, s.anchor);
            return _skip(index, s, InvalidShareToken.selector);
        }
        bytes32 digest = _hashTypedDataV4(
            ShareHash.hashReceipt(s.planId, s.provider, s.baseShares, s.anchor, s.length)
        );
        // ECDSA only: a receipt must stay valid whatever the signer's owner does later (no ERC-1271)
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, s.signature);
        address signer = p.signer;
        if (err != ECDSA.RecoverError.NoError || recovered != signer) {
            if (index == STRICT) revert InvalidReceiptSignature(s.planId, s.provider, signer);
            return _skip(index, s, InvalidReceiptSignature.selector);
        }
        increase = claimed - current;
        uint256 total = p.totalShares + increase; // both < 2^128: no overflow in 256 bits
        if (total > MAX128) {
            if (index == STRICT) revert TotalSharesOverflow(s.planId, p.totalShares, increase);
            return _skip(index, s, TotalSharesOverflow.selector);
        }
        ps.shares = uint128(claimed);
        p.totalShares = uint128(total);
        emit SharesSubmitted(s.planId, s.provider, claimed, increase, total);
    }

    function _skip(uint256 index, Submission calldata s, bytes4 reason) private returns (uint256) {
        emit SubmissionSkipped(index, s.planId, s.provider, reason);
        return 0;
    }

    // ------------------------------------------------------------------ payout

    /// @inheritdoc IServicePlans
    function claim(uint256 planId, address provider) external nonReentrant returns (uint256 amount) {
        (Plan storage p, uint256 paid) = _claim(planId, provider, true);
        _push(p.token, provider, paid);
        return paid;
    }

    /// @inheritdoc IServicePlans
    function claimMany(
        uint256[] calldata planIds,
        address provider
    ) external nonReentrant returns (uint256[] memory amounts) {
        amounts = new uint256[](planIds.length);
        address token;
        uint256 pending; // owed to `provider` in `token`, paid when the token changes or at the end
        for (uint256 i; i < planIds.length; ++i) {
            (Plan storage p, uint256 amount) = _claim(planIds[i], provider, false);
            if (amount == 0) continue;
            amounts[i] = amount;
            address t = p.token;
            if (t != token) {
                if (pending != 0) _push(token, provider, pending);
                (token, pending) = (t, 0);
            }
            pending += amount; // each < 2^128 and the loop is bounded by calldata: no overflow
        }
        if (pending != 0) _push(token, provider, pending);
    }

    /// @dev Checks and effects of a claim (the caller pays). Not `strict`: a failing plan is
    /// reported with `ClaimSkipped` and pays 0.
    function _claim(uint256 planId, address provider, bool strict) private returns (Plan storage p, uint256 amount) {
        p = _plans[planId];
        bytes4 reason;
        if (p.signer == address(0)) {
            if (strict) revert UnknownPlan(planId);
            reason = UnknownPlan.selector;
        } else if (block.timestamp <= p.submitDeadline) {
            if (strict) revert ClaimNotOpen(planId, p.submitDeadline, block.timestamp);
            reason = ClaimNotOpen.selector;
        } else if (block.timestamp > p.claimDeadline) {
            if (strict) revert ClaimClosed(planId, p.claimDeadline, block.timestamp);
            reason = ClaimClosed.selector;
        } else {
            ProviderShares storage ps = _shares[planId][provider];
            if (ps.claimed) {
                if (strict) revert AlreadyClaimed(planId, provider);
                reason = AlreadyClaimed.selector;
            } else {
                amount = _payout(p, ps.shares);
                if (amount == 0) {
                    if (strict) revert NothingToClaim(planId, provider);
                    reason = NothingToClaim.selector;
                } else {
                    ps.claimed = true;
                    p.paidOut += uint128(amount); // sum of floored shares of the budget <= budget (uint128)
                    emit Claimed(planId, provider, amount);
                    return (p, amount);
                }
            }
        }
        emit ClaimSkipped(planId, provider, reason);
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
    function hashShareReceipt(
        uint256 planId,
        address provider,
        uint256 baseShares,
        bytes32 anchor,
        uint256 length
    ) external view returns (bytes32) {
        return _hashTypedDataV4(ShareHash.hashReceipt(planId, provider, baseShares, anchor, length));
    }

    /// @inheritdoc IServicePlans
    function planIdOf(address funder, bytes32 salt) external pure returns (uint256) {
        return _planIdOf(funder, salt);
    }

    /// @inheritdoc IServicePlans
    function minClaimWindow() external view returns (uint256) {
        return _minClaimWindow;
    }

    // ------------------------------------------------------------------ internals

    function _planIdOf(address funder, bytes32 salt) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(funder, salt)));
    }

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
