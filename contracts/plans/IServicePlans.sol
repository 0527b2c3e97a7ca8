// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IServicePlans
/// @notice Share-token service plans (PROTOCOL.md §2). A funder locks a budget (and a bond) for a
/// plan; the customer's client hands providers hash-chain share tokens under signed receipts;
/// providers (or anyone for them) submit the deepest word they hold; after the submission deadline
/// each provider claims `budget × shares / denominator`, `denominator = max(totalShares, shareCap)`
/// (or `totalShares` when `shareCap == 0`); after the claim deadline the funder sweeps the rest.
///
/// Guarantee: with `shareCap > 0`, every valid share earns at least `budget / shareCap`, or the plan
/// is over-issued (`totalShares > shareCap`, provable from the customer's own signatures) and the
/// funder's bond is forfeited (kept locked forever, never returned). With `bond >= budget`,
/// over-issuing to a fake provider therefore never pays the funder back.
/// Amounts live in 128 bits; deadlines in 48 bits. Native ETH plans use `token = address(0)`.
interface IServicePlans {
    /// @notice A plan as stored.
    struct Plan {
        address signer; // hot key of the customer's client; signs receipts
        uint48 submitDeadline; // last second at which shares can be submitted (and budget topped up)
        uint48 claimDeadline; // last second at which providers can claim; sweep afterwards
        address funder; // pays, receives the sweep
        bool swept; // the sweep happened
        address token; // ERC20, or address(0) for native ETH
        uint128 budget; // paid out pro rata; includes top-ups
        uint128 bond; // locked; returned by the sweep unless the plan is over-issued
        uint128 shareCap; // 0 = pure pro rata; else the floor price is budget / shareCap
        uint128 totalShares; // sum of all providers' shares
        uint128 paidOut; // sum of claims so far
    }

    /// @notice One entry of `submitBatch`: word `word` at depth `depth` of the chain under the receipt.
    struct Submission {
        uint256 planId;
        address provider;
        uint256 baseShares;
        bytes32 anchor;
        uint256 length;
        uint256 depth;
        bytes32 word;
        bytes signature;
    }

    event PlanCreated(
        uint256 indexed planId,
        address indexed funder,
        address indexed signer,
        address token,
        uint256 budget,
        uint256 bond,
        uint256 shareCap,
        uint256 submitDeadline,
        uint256 claimDeadline
    );
    event PlanToppedUp(uint256 indexed planId, uint256 amount, uint256 budget);
    /// @notice `provider` now holds `shares` (up by `increase`); the plan totals `totalShares`.
    event SharesSubmitted(
        uint256 indexed planId, address indexed provider, uint256 shares, uint256 increase, uint256 totalShares
    );
    event Claimed(uint256 indexed planId, address indexed provider, uint256 amount);
    /// @notice The sweep returned `returned` to the funder; `forfeited` of the bond stays locked forever.
    event Swept(uint256 indexed planId, address indexed funder, uint256 returned, uint256 forfeited);

    error UnknownPlan(uint256 planId);
    error ZeroSigner();
    error ZeroBudget();
    error InvalidDeadlines(uint256 submitDeadline, uint256 claimDeadline, uint256 timestamp);
    error IncorrectNativeValue(uint256 expected, uint256 sent);
    error NotFunder(address caller, address funder);
    error SubmissionClosed(uint256 planId, uint256 submitDeadline, uint256 timestamp);
    error DepthExceedsLength(uint256 depth, uint256 length);
    error InvalidShareToken(bytes32 word, uint256 depth, bytes32 anchor);
    error InvalidReceiptSignature(uint256 planId, address provider, address signer);
    error SharesOverflow(uint256 baseShares, uint256 depth);
    error ClaimNotOpen(uint256 planId, uint256 submitDeadline, uint256 timestamp);
    error ClaimClosed(uint256 planId, uint256 claimDeadline, uint256 timestamp);
    error AlreadyClaimed(uint256 planId, address provider);
    error NothingToClaim(uint256 planId, address provider);
    error SweepNotOpen(uint256 planId, uint256 claimDeadline, uint256 timestamp);
    error AlreadySwept(uint256 planId);

    /// @notice Create a plan, pulling `budget + bond` from the caller (or taking it as `msg.value`).
    function createPlan(
        address token,
        address signer,
        uint256 budget,
        uint256 bond,
        uint256 shareCap,
        uint256 submitDeadline,
        uint256 claimDeadline
    ) external payable returns (uint256 planId);

    /// @notice Add `amount` to the budget before the submission deadline. Funder only.
    function topUp(uint256 planId, uint256 amount) external payable;

    /// @notice Submit the deepest word a provider holds. Anyone may submit; shares go to `provider`.
    /// Sets the provider's shares to `max(current, baseShares + depth)`; a stale submission changes
    /// nothing and returns 0. Reverts on a forged word or signature.
    /// @return increase How many shares this added.
    function submit(Submission calldata s) external returns (uint256 increase);

    /// @notice `submit` for many receipts in one transaction; stale entries are skipped, not reverted.
    function submitBatch(Submission[] calldata batch) external returns (uint256 totalIncrease);

    /// @notice Pay `provider` its share of the budget, once, between the two deadlines. Anyone may call.
    function claim(uint256 planId, address provider) external returns (uint256 amount);

    /// @notice After the claim deadline, return to the funder everything not paid; the bond too,
    /// unless the plan is over-issued. Anyone may call; funds go to the funder.
    function sweep(uint256 planId) external returns (uint256 returned);

    function getPlan(uint256 planId) external view returns (Plan memory);
    function sharesOf(uint256 planId, address provider) external view returns (uint256 shares, bool claimed);
    /// @notice What `claim` pays `provider` (given the shares so far; final after the submit deadline).
    function previewClaim(uint256 planId, address provider) external view returns (uint256);
    /// @notice `totalShares > shareCap > 0`: the customer signed more shares than it promised.
    function isOverIssued(uint256 planId) external view returns (bool);
    /// @notice The EIP-712 digest a customer signs for a receipt.
    function hashShareReceipt(uint256 planId, address provider, uint256 baseShares, bytes32 anchor, uint256 length)
        external
        view
        returns (bytes32);
    function planCount() external view returns (uint256);
}
