// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IServicePlans
/// @notice Share-token service plans (PROTOCOL.md §2 and §4). A funder locks a budget (and a bond)
/// for a plan; the customer's client hands providers hash-chain share tokens under signed receipts;
/// providers (or anyone for them) submit the deepest word they hold; after the submission deadline
/// each provider claims `budget × shares / denominator`, `denominator = max(totalShares, shareCap)`
/// (or `totalShares` when `shareCap == 0`); after the claim deadline the funder sweeps the rest.
///
/// Guarantee: with `shareCap > 0`, every valid share earns at least `budget / shareCap` (rounded
/// down), or the plan is over-issued (`totalShares > shareCap`, provable from the customer's own
/// signatures) and the funder's bond is forfeited (kept locked forever, never returned). With
/// `bond >= budget`, over-issuing to a fake provider therefore never pays the funder back. Only
/// capped plans carry this floor: with `shareCap == 0` (or a cap so large that `budget / shareCap`
/// rounds to 0) a funder can dilute honest providers with shares signed to itself. Providers'
/// clients refuse such plans by default (`checkPlan`, a floor of at least 1 base unit per share).
///
/// Deadlines are inclusive, everywhere: shares can be submitted and the budget topped up while
/// `block.timestamp <= submitDeadline`; claims run while `submitDeadline < block.timestamp <=
/// claimDeadline`; the sweep from `block.timestamp > claimDeadline`. The claim window
/// `claimDeadline - submitDeadline` is at least `minClaimWindow()`, fixed at deployment.
///
/// Receipts are irrevocable: the plan `signer` is a hot key that signs with ECDSA only (no ERC-1271,
/// whose answer a wallet owner could change after the service was delivered); the funder may be a
/// contract wallet. Plan ids are `planIdOf(funder, salt)`: receipts can be signed before the plan
/// exists and bind to one funder's plan, whatever a reorg reorders.
///
/// Tokens: plain ERC20s (fee-on-transfer ones are credited with what arrived) and native ETH
/// (`token = address(0)`). Rebasing tokens are NOT supported: all plans in one token share the
/// contract's balance, so a negative rebase makes the last claims or sweeps of that token revert
/// and a positive one stays locked in the contract, credited to no plan.
/// Amounts live in 128 bits (`budget + bond` and `shareCap` each fit); deadlines in 48 bits.
interface IServicePlans {
    /// @notice A plan as stored (6 slots; `claim` reads the first, third, fourth and fifth).
    struct Plan {
        address signer; // hot key of the customer's client; signs receipts (ECDSA only)
        uint48 submitDeadline; // last second at which shares can be submitted (and budget topped up)
        uint48 claimDeadline; // last second at which providers can claim; sweep afterwards
        address funder; // pays, receives the sweep
        bool swept; // the sweep happened
        address token; // ERC20, or address(0) for native ETH
        uint128 budget; // paid out pro rata; includes top-ups
        uint128 paidOut; // sum of claims so far (beside the budget: a claim writes a warm, non-zero slot)
        uint128 shareCap; // 0 = pure pro rata; else the floor price is budget / shareCap
        uint128 totalShares; // sum of all providers' shares
        uint128 bond; // locked; returned by the sweep unless the plan is over-issued
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
        uint256 indexed planId,
        address indexed provider,
        uint256 shares,
        uint256 increase,
        uint256 totalShares
    );
    /// @notice Entry `index` of a `submitBatch` could not apply and was skipped; `reason` is the
    /// selector of the error `submit` reverts with for it (e.g. `InvalidShareToken.selector`).
    event SubmissionSkipped(uint256 indexed index, uint256 indexed planId, address indexed provider, bytes4 reason);
    event Claimed(uint256 indexed planId, address indexed provider, uint256 amount);
    /// @notice `claimMany` skipped `planId`; `reason` is the selector of the error `claim` reverts with.
    event ClaimSkipped(uint256 indexed planId, address indexed provider, bytes4 reason);
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
    /// @notice `planIdOf(funder, salt)` is taken: the funder used this salt before.
    error PlanExists(uint256 planId);
    /// @notice `budget + bond` does not fit in 128 bits.
    error AmountsTooLarge(uint256 budget, uint256 bond);
    /// @notice `shareCap` does not fit in 128 bits.
    error ShareCapTooLarge(uint256 shareCap);
    /// @notice `claimDeadline - submitDeadline < minimum`: providers would not get a fair claim window.
    error ClaimWindowTooShort(uint256 submitDeadline, uint256 claimDeadline, uint256 minimum);
    /// @notice Deployment with a minimum claim window of 0 or more than 365 days.
    error InvalidMinClaimWindow(uint256 minClaimWindow);
    /// @notice A top-up would take the budget beyond 128 bits.
    error BudgetTooLarge(uint256 planId, uint256 budget, uint256 amount);
    /// @notice A submission would take the plan's total beyond 128 bits.
    error TotalSharesOverflow(uint256 planId, uint256 totalShares, uint256 increase);

    /// @notice Create plan `planIdOf(msg.sender, salt)`, pulling `budget + bond` from the caller
    /// (or taking it as `msg.value`). Reverts with a typed error, before moving funds, on a zero
    /// signer or budget, amounts beyond 128 bits, deadlines in the past, out of order, beyond
    /// 48 bits or a claim window shorter than `minClaimWindow()`, and on a salt used before.
    function createPlan(
        address token,
        address signer,
        uint256 budget,
        uint256 bond,
        uint256 shareCap,
        uint256 submitDeadline,
        uint256 claimDeadline,
        bytes32 salt
    ) external payable returns (uint256 planId);

    /// @notice Add `amount` to the budget while `block.timestamp <= submitDeadline`. Funder only.
    function topUp(uint256 planId, uint256 amount) external payable;

    /// @notice Submit the deepest word a provider holds. Anyone may submit; shares go to `provider`.
    /// Sets the provider's shares to `max(current, baseShares + depth)`. Order of checks: unknown
    /// plan, closed submission, `depth > length`, shares beyond 128 bits; then a STALE submission
    /// (`baseShares + depth <= current`) returns 0 and changes nothing WITHOUT checking the word or
    /// the signature (a forged stale entry is therefore not detected, and cannot hurt); otherwise
    /// the word must walk to `anchor` in `depth` steps (skipped when `length == 0`, a plain
    /// cumulative receipt) and the receipt must carry the signer's ECDSA signature, else it reverts.
    /// @return increase How many shares this added.
    function submit(Submission calldata s) external returns (uint256 increase);

    /// @notice `submit` for many receipts in one transaction. An entry that `submit` would revert
    /// on (unknown or closed plan, forged word or signature, overflow, ...) is skipped and reported
    /// with `SubmissionSkipped`; stale entries are skipped silently. Never reverts for an entry.
    function submitBatch(Submission[] calldata batch) external returns (uint256 totalIncrease);

    /// @notice Pay `provider` its share of the budget, once, while
    /// `submitDeadline < block.timestamp <= claimDeadline`. Anyone may call.
    function claim(uint256 planId, address provider) external returns (uint256 amount);

    /// @notice `claim` on many plans for one provider, one transfer per run of consecutive plans in
    /// the same token (sort the ids by token). A plan `claim` would revert on is skipped and reported
    /// with `ClaimSkipped` (so nobody can block the batch by claiming one plan first).
    /// @return amounts What each plan paid (0 when skipped).
    function claimMany(uint256[] calldata planIds, address provider) external returns (uint256[] memory amounts);

    /// @notice When `block.timestamp > claimDeadline`, return to the funder everything not paid;
    /// the bond too, unless the plan is over-issued. Anyone may call; funds go to the funder.
    function sweep(uint256 planId) external returns (uint256 returned);

    function getPlan(uint256 planId) external view returns (Plan memory);
    function sharesOf(uint256 planId, address provider) external view returns (uint256 shares, bool claimed);
    /// @notice What `claim` pays `provider` (given the shares so far; final after the submit deadline).
    function previewClaim(uint256 planId, address provider) external view returns (uint256);
    /// @notice `totalShares > shareCap > 0`: the customer signed more shares than it promised.
    function isOverIssued(uint256 planId) external view returns (bool);
    /// @notice The EIP-712 digest a customer signs for a receipt.
    function hashShareReceipt(
        uint256 planId,
        address provider,
        uint256 baseShares,
        bytes32 anchor,
        uint256 length
    ) external view returns (bytes32);
    /// @notice The id `createPlan` gives `funder`'s plan with `salt`: `uint256(keccak256(abi.encode(funder, salt)))`.
    function planIdOf(address funder, bytes32 salt) external pure returns (uint256);
    /// @notice The shortest claim window (`claimDeadline - submitDeadline`, seconds) a plan may have.
    function minClaimWindow() external view returns (uint256);
}
