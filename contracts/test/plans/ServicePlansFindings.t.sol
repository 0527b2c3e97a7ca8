// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PlansTestBase} from "./PlansTestBase.sol";
import {IServicePlans} from "../../plans/IServicePlans.sol";
import {ServicePlans} from "../../plans/ServicePlans.sol";
import {ERC1271Wallet} from "../mocks/ERC1271Wallet.sol";
import {RebasingToken} from "../mocks/RebasingToken.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

/// @notice The review's plan findings (P-1 … P-7) and every deadline boundary, on both sides.
contract ServicePlansFindingsTest is PlansTestBase {
    address internal p1 = address(0x111);
    address internal p2 = address(0x222);
    uint256 internal constant MAX128 = type(uint128).max;

    // ------------------------------------------------------------------ deadlines: inclusive, both sides

    function test_topUp_atSubmitDeadlineWorksOneSecondLaterReverts() public {
        uint256 id = createPlan(1000, 0, 0);
        uint256 sd = plans.getPlan(id).submitDeadline;
        vm.warp(sd);
        vm.prank(funder);
        plans.topUp(id, 5);
        assertEq(plans.getPlan(id).budget, 1005);
        vm.warp(sd + 1);
        vm.prank(funder);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.SubmissionClosed.selector, id, sd, sd + 1));
        plans.topUp(id, 5);
    }

    function test_submit_atSubmitDeadlineWorksOneSecondLaterReverts() public {
        uint256 id = createPlan(1000, 0, 0);
        uint256 sd = plans.getPlan(id).submitDeadline;
        vm.warp(sd);
        assertEq(plans.submit(submission(id, p1, 0, bytes32("a"), 10, 4)), 4);
        vm.warp(sd + 1);
        IServicePlans.Submission memory s = submission(id, p1, 0, bytes32("a"), 10, 6);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.SubmissionClosed.selector, id, sd, sd + 1));
        plans.submit(s);
    }

    function test_claim_opensOneSecondAfterSubmitDeadlineAndClosesAfterClaimDeadline() public {
        uint256 id = createPlan(1000, 0, 0);
        plans.submit(submission(id, p1, 0, bytes32("a"), 10, 4));
        plans.submit(submission(id, p2, 0, bytes32("b"), 10, 6));
        IServicePlans.Plan memory p = plans.getPlan(id);
        vm.warp(p.submitDeadline);
        vm.expectRevert(
            abi.encodeWithSelector(IServicePlans.ClaimNotOpen.selector, id, p.submitDeadline, p.submitDeadline)
        );
        plans.claim(id, p1);
        vm.warp(p.submitDeadline + 1);
        assertEq(plans.claim(id, p1), 400);
        vm.warp(p.claimDeadline);
        assertEq(plans.claim(id, p2), 600);
        // a third provider arrives one second too late
        uint256 id2 = createPlan(1000, 0, 0);
        plans.submit(submission(id2, p1, 0, bytes32("c"), 10, 1));
        IServicePlans.Plan memory q = plans.getPlan(id2);
        vm.warp(q.claimDeadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IServicePlans.ClaimClosed.selector, id2, q.claimDeadline, q.claimDeadline + 1)
        );
        plans.claim(id2, p1);
    }

    function test_sweep_atClaimDeadlineRevertsOneSecondLaterWorks() public {
        uint256 id = createPlan(1000, 7, 0);
        uint256 cd = plans.getPlan(id).claimDeadline;
        vm.warp(cd);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.SweepNotOpen.selector, id, cd, cd));
        plans.sweep(id);
        vm.warp(cd + 1);
        assertEq(plans.sweep(id), 1007);
    }

    // ------------------------------------------------------------------ the chain's last word, plain receipts

    function test_submit_lastWordOfTheChainCounts() public {
        uint256 id = createPlan(1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, 0, bytes32("seed"), 10, 10);
        assertEq(s.word, bytes32("seed")); // the seed itself is the chain's last word
        assertEq(plans.submit(s), 10);
    }

    function test_submit_plainReceiptNeedsTheSignerSignature() public {
        uint256 id = createPlan(1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, 1_000_000, bytes32(0), 0, 0);
        s.signature = signReceipt(0xBAD, id, p1, 1_000_000, bytes32(0), 0);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidReceiptSignature.selector, id, p1, signer));
        plans.submit(s);
        s.signature = hex"";
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidReceiptSignature.selector, id, p1, signer));
        plans.submit(s);
        assertEq(plans.getPlan(id).totalShares, 0);
    }

    function test_submit_plainReceiptIgnoresTheWordButNotTheDepth() public {
        uint256 id = createPlan(1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, 50, bytes32(0), 0, 0);
        s.word = bytes32("anything");
        assertEq(plans.submit(s), 50);
        s = submission(id, p1, 50, bytes32(0), 0, 0);
        s.depth = 1;
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.DepthExceedsLength.selector, 1, 0));
        plans.submit(s);
    }

    /// Stale entries return 0 before any check of the word or signature (the NatSpec says so).
    function test_submit_staleForgedEntryIsSkippedUnchecked() public {
        uint256 id = createPlan(1000, 0, 0);
        plans.submit(submission(id, p1, 0, bytes32("a"), 20, 10));
        IServicePlans.Submission memory s = submission(id, p1, 0, bytes32("a"), 20, 10);
        s.word = bytes32("forged");
        s.signature = hex"";
        assertEq(plans.submit(s), 0);
        assertEq(plans.getPlan(id).totalShares, 10);
    }

    /// Over-issued means totalShares > shareCap: exactly at the cap the bond goes back.
    function test_sweep_atTheCapReturnsTheBondOneShareMoreForfeitsIt() public {
        uint256 atCap = createPlan(1000, 500, 10);
        plans.submit(submission(atCap, p1, 10, bytes32(0), 0, 0));
        uint256 over = createPlan(1000, 500, 10);
        plans.submit(submission(over, p1, 11, bytes32(0), 0, 0));
        assertTrue(!plans.isOverIssued(atCap), "at the cap: not over-issued");
        assertTrue(plans.isOverIssued(over), "one share more: over-issued");
        toClaimDeadline(atCap);
        assertEq(plans.sweep(atCap), 1500);
        assertEq(plans.sweep(over), 1000);
    }

    // ------------------------------------------------------------------ P-1: ECDSA receipts, any funder

    function test_contractWalletFunder_fullPlanLifecycle() public {
        ERC1271Wallet wallet = new ERC1271Wallet(address(this));
        token.mint(address(wallet), 3000);
        wallet.execute(address(token), abi.encodeCall(token.approve, (address(plans), 3000)));
        uint256 t = block.timestamp;
        bytes memory ret = wallet.execute(
            address(plans),
            abi.encodeCall(
                ServicePlans.createPlan,
                (address(token), signer, 2000, 1000, 100, t + 1 days, t + 2 days, "w")
            )
        );
        uint256 id = abi.decode(ret, (uint256));
        assertEq(id, plans.planIdOf(address(wallet), "w"));
        assertEq(plans.getPlan(id).funder, address(wallet));
        plans.submit(submission(id, p1, 0, bytes32("a"), 100, 25));
        toSubmitDeadline(id);
        assertEq(plans.claim(id, p1), 500);
        toClaimDeadline(id);
        assertEq(plans.sweep(id), 2500);
        assertEq(token.balanceOf(address(wallet)), 2500);
    }

    // ------------------------------------------------------------------ P-3: minimum claim window

    function test_createPlan_claimWindowAtMinimumWorksOneSecondLessReverts() public {
        uint256 sd = block.timestamp + 10;
        vm.startPrank(funder);
        vm.expectRevert(
            abi.encodeWithSelector(IServicePlans.ClaimWindowTooShort.selector, sd, sd + MIN_WINDOW - 1, MIN_WINDOW)
        );
        plans.createPlan(address(token), signer, 1000, 0, 0, sd, sd + MIN_WINDOW - 1, "a");
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.ClaimWindowTooShort.selector, sd, sd + 1, MIN_WINDOW));
        plans.createPlan(address(token), signer, 1000, 0, 0, sd, sd + 1, "a");
        uint256 id = plans.createPlan(address(token), signer, 1000, 0, 0, sd, sd + MIN_WINDOW, "a");
        vm.stopPrank();
        assertEq(plans.getPlan(id).claimDeadline, sd + MIN_WINDOW);
        assertEq(plans.minClaimWindow(), MIN_WINDOW);
    }

    function test_createPlan_submitDeadlineMustBeInTheFuture() public {
        uint256 t = block.timestamp;
        vm.startPrank(funder);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidDeadlines.selector, t, t + MIN_WINDOW, t));
        plans.createPlan(address(token), signer, 1000, 0, 0, t, t + MIN_WINDOW, "a");
        plans.createPlan(address(token), signer, 1000, 0, 0, t + 1, t + 1 + MIN_WINDOW, "a");
        vm.stopPrank();
    }

    function test_constructor_boundsTheMinimumClaimWindow() public {
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidMinClaimWindow.selector, 0));
        new ServicePlans(0);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidMinClaimWindow.selector, 365 days + 1));
        new ServicePlans(365 days + 1);
        assertEq(new ServicePlans(365 days).minClaimWindow(), 365 days);
        assertEq(new ServicePlans(1).minClaimWindow(), 1);
        assertEq(plans.DEFAULT_MIN_CLAIM_WINDOW(), 1 days);
    }

    // ------------------------------------------------------------------ P-6: ids bind funder and salt

    function test_createPlan_idIsHashOfFunderAndSaltAndCannotBeReused() public {
        bytes32 salt = "salt";
        uint256 id = plans.planIdOf(funder, salt);
        assertEq(id, uint256(keccak256(abi.encode(funder, salt))));
        // a receipt signed before the plan exists
        IServicePlans.Submission memory early = submission(id, p1, 0, bytes32("a"), 10, 3);
        uint256 t = block.timestamp;
        vm.prank(funder);
        assertEq(plans.createPlan(address(token), signer, 1000, 0, 0, t + 1, t + 1 + MIN_WINDOW, salt), id);
        assertEq(plans.submit(early), 3);
        vm.prank(funder);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.PlanExists.selector, id));
        plans.createPlan(address(token), signer, 1000, 0, 0, t + 1, t + 1 + MIN_WINDOW, salt);
        // another funder with the same salt gets another plan, on which the receipt is worthless
        address other = address(0xF1);
        token.mint(other, 1000);
        vm.startPrank(other);
        token.approve(address(plans), 1000);
        uint256 otherId = plans.createPlan(address(token), signer, 1000, 0, 0, t + 1, t + 1 + MIN_WINDOW, salt);
        vm.stopPrank();
        assertTrue(otherId != id, "ids differ per funder");
        early.planId = otherId;
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidReceiptSignature.selector, otherId, p1, signer));
        plans.submit(early);
    }

    // ------------------------------------------------------------------ C-6 (plans): bounds before arithmetic

    function test_createPlan_hugeValuesGiveTypedErrors() public {
        uint256 t = block.timestamp;
        uint256 cd = t + 1 + MIN_WINDOW;
        vm.startPrank(funder);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.AmountsTooLarge.selector, type(uint256).max, 1));
        plans.createPlan(address(token), signer, type(uint256).max, 1, 0, t + 1, cd, "a");
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.AmountsTooLarge.selector, 1, type(uint256).max));
        plans.createPlan(address(token), signer, 1, type(uint256).max, 0, t + 1, cd, "a");
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.AmountsTooLarge.selector, MAX128, 1));
        plans.createPlan(address(token), signer, MAX128, 1, 0, t + 1, cd, "a");
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.ShareCapTooLarge.selector, MAX128 + 1));
        plans.createPlan(address(token), signer, 1, 0, MAX128 + 1, t + 1, cd, "a");
        uint256 max48 = type(uint48).max;
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidDeadlines.selector, t + 1, max48 + 1, t));
        plans.createPlan(address(token), signer, 1, 0, 0, t + 1, max48 + 1, "a");
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidDeadlines.selector, t + 1, type(uint256).max, t));
        plans.createPlan(address(token), signer, 1, 0, 0, t + 1, type(uint256).max, "a");
        vm.stopPrank();
        // the largest values that fit are accepted
        token.mint(funder, MAX128);
        vm.prank(funder);
        uint256 id = plans.createPlan(address(token), signer, MAX128 - 5, 5, MAX128, t + 1, max48, "a");
        IServicePlans.Plan memory p = plans.getPlan(id);
        assertEq(p.budget, MAX128 - 5);
        assertEq(p.bond, 5);
        assertEq(p.shareCap, MAX128);
        assertEq(p.claimDeadline, max48);
    }

    function test_topUp_beyond128BitsGivesTypedError() public {
        uint256 id = createPlan(1000, 0, 0);
        token.mint(funder, MAX128);
        vm.startPrank(funder);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.BudgetTooLarge.selector, id, 1000, MAX128 - 999));
        plans.topUp(id, MAX128 - 999);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.BudgetTooLarge.selector, id, 1000, type(uint256).max));
        plans.topUp(id, type(uint256).max);
        plans.topUp(id, MAX128 - 1000);
        vm.stopPrank();
        assertEq(plans.getPlan(id).budget, MAX128);
    }

    // ------------------------------------------------------------------ P-5: batches skip what cannot apply

    function test_submitBatch_skipsEveryEntryThatCannotApplyAndReportsIt() public {
        uint256 a = createPlan(1000, 0, 0);
        uint256 b = createPlan(1000, 0, 0);
        vm.prank(funder);
        uint256 closed = plans.createPlan(
            address(token),
            signer,
            1000,
            0,
            0,
            block.timestamp + 10,
            block.timestamp + 10 + MIN_WINDOW,
            "closed"
        );
        IServicePlans.Submission memory late = submission(closed, p1, 0, bytes32("c"), 10, 2);
        vm.warp(block.timestamp + 11);

        IServicePlans.Submission[] memory batch = new IServicePlans.Submission[](8);
        batch[0] = submission(a, p1, 0, bytes32("a"), 10, 4);
        batch[1] = submission(a, p2, MAX128, bytes32("x"), 10, 1); // 2^128 shares
        batch[2] = submission(b, p1, 0, bytes32("b"), 10, 6);
        batch[3] = submission(999, p1, 0, bytes32("u"), 10, 1); // unknown plan
        batch[4] = late; // submission closed
        batch[5] = submission(b, p2, 0, bytes32("d"), 10, 5);
        batch[5].depth = 11; // beyond the chain
        batch[6] = submission(b, p2, 0, bytes32("e"), 10, 5);
        batch[6].signature = signReceipt(0xBAD, b, p2, 0, batch[6].anchor, 10); // another key
        batch[7] = submission(a, p2, 0, bytes32("f"), 10, 3);

        bytes4[5] memory reasons = [
            IServicePlans.SharesOverflow.selector,
            IServicePlans.UnknownPlan.selector,
            IServicePlans.SubmissionClosed.selector,
            IServicePlans.DepthExceedsLength.selector,
            IServicePlans.InvalidReceiptSignature.selector
        ];
        uint256[5] memory idx = [uint256(1), 3, 4, 5, 6];
        uint256[5] memory planOf = [a, 999, closed, b, b];
        address[5] memory providerOf = [p2, p1, p1, p2, p2];
        for (uint256 i; i < 5; i++) {
            vm.expectEmit(true, true, true, true, address(plans));
            emit IServicePlans.SubmissionSkipped(idx[i], planOf[i], providerOf[i], reasons[i]);
        }
        assertEq(plans.submitBatch(batch), 13);
        assertEq(plans.getPlan(a).totalShares, 7);
        assertEq(plans.getPlan(b).totalShares, 6);
        assertEq(plans.getPlan(closed).totalShares, 0);
    }

    function test_submit_planTotalBeyond128BitsGivesTypedErrorAndBatchSkipsIt() public {
        uint256 id = createPlan(1000, 0, 0);
        plans.submit(submission(id, p1, MAX128, bytes32(0), 0, 0));
        IServicePlans.Submission memory s = submission(id, p2, 1, bytes32(0), 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.TotalSharesOverflow.selector, id, MAX128, 1));
        plans.submit(s);
        IServicePlans.Submission[] memory batch = new IServicePlans.Submission[](1);
        batch[0] = s;
        vm.expectEmit(true, true, true, true, address(plans));
        emit IServicePlans.SubmissionSkipped(0, id, p2, IServicePlans.TotalSharesOverflow.selector);
        assertEq(plans.submitBatch(batch), 0);
        assertEq(plans.getPlan(id).totalShares, MAX128);
    }

    // ------------------------------------------------------------------ P-4: rebasing tokens are unsupported

    /// The documented behaviour: all plans in a token share one balance. A negative rebase makes the
    /// LAST withdrawals of that token revert (here another plan's claim); a positive one stays
    /// locked in the contract, credited to no plan. Payouts still never exceed any plan's budget.
    function test_rebasingToken_sharedBalanceIsUnsupported() public {
        RebasingToken reb = new RebasingToken();
        reb.mint(funder, 2000);
        vm.prank(funder);
        reb.approve(address(plans), 2000);
        uint256 a = createPlanIn(address(reb), signer, 1000, 0, 0);
        uint256 b = createPlanIn(address(reb), signer, 1000, 0, 0);
        plans.submit(submission(a, p1, 0, bytes32("a"), 10, 5));
        plans.submit(submission(b, p2, 0, bytes32("b"), 10, 5));
        reb.rebase(address(plans), -300); // the contract's balance shrinks: 1,700 for 2,000 owed
        toSubmitDeadline(a);
        assertEq(plans.claim(a, p1), 1000); // plan a is paid in full, partly from b's tokens
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, address(plans), 700, 1000)
        );
        plans.claim(b, p2);
        reb.rebase(address(plans), 500); // a positive rebase: 1,200 held for 1,000 owed
        assertEq(plans.claim(b, p2), 1000);
        toClaimDeadline(a);
        assertEq(plans.sweep(a), 0);
        assertEq(plans.sweep(b), 0);
        assertEq(reb.balanceOf(address(plans)), 200); // the surplus belongs to no plan: locked
    }
}
