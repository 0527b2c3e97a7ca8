// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PlansTestBase} from "./PlansTestBase.sol";
import {IServicePlans} from "../../plans/IServicePlans.sol";
import {ServicePlans} from "../../plans/ServicePlans.sol";
import {ShareHash} from "../../plans/libraries/ShareHash.sol";
import {ERC1271Wallet} from "../mocks/ERC1271Wallet.sol";
import {FeeOnTransferToken} from "../mocks/FeeOnTransferToken.sol";
import {ReentrantToken} from "../mocks/ReentrantToken.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

contract ServicePlansTest is PlansTestBase {
    address internal p1 = address(0x111);
    address internal p2 = address(0x222);

    // ------------------------------------------------------------------ createPlan

    function test_createPlan_storesPullsAndEmits() public {
        uint256 t = block.timestamp;
        vm.expectEmit(true, true, true, true, address(plans));
        uint256 expected = uint256(keccak256(abi.encode(funder, bytes32(uint256(1)))));
        emit IServicePlans.PlanCreated(
            expected,
            funder,
            signer,
            address(token),
            1000,
            500,
            100,
            t + 1 days,
            t + 2 days
        );
        uint256 id = createPlan(1000, 500, 100);
        assertEq(id, expected);
        assertEq(plans.planIdOf(funder, bytes32(uint256(1))), expected);
        IServicePlans.Plan memory p = plans.getPlan(id);
        assertEq(p.funder, funder);
        assertEq(p.signer, signer);
        assertEq(p.budget, 1000);
        assertEq(p.bond, 500);
        assertEq(p.shareCap, 100);
        assertEq(token.balanceOf(address(plans)), 1500);
    }

    function test_createPlan_revertsOnBadInput() public {
        vm.startPrank(funder);
        uint256 t = block.timestamp;
        uint256 w = MIN_WINDOW;
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.ZeroSigner.selector));
        plans.createPlan(address(token), address(0), 1, 0, 0, t + 1, t + 1 + w, 0);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.ZeroBudget.selector));
        plans.createPlan(address(token), signer, 0, 5, 0, t + 1, t + 1 + w, 0);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidDeadlines.selector, t, t + 2, t));
        plans.createPlan(address(token), signer, 1, 0, 0, t, t + 2, 0);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidDeadlines.selector, t + 2, t + 2, t));
        plans.createPlan(address(token), signer, 1, 0, 0, t + 2, t + 2, 0);
        vm.deal(funder, 10);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.IncorrectNativeValue.selector, 0, 1));
        plans.createPlan{value: 1}(address(token), signer, 1, 0, 0, t + 1, t + 1 + w, 0);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.IncorrectNativeValue.selector, 5, 4));
        plans.createPlan{value: 4}(address(0), signer, 3, 2, 0, t + 1, t + 1 + w, 0);
        vm.stopPrank();
        assertEq(token.balanceOf(address(plans)), 0);
    }

    function test_createPlan_feeOnTransferBudgetIsWhatArrived() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        fee.mint(funder, 10_000);
        vm.startPrank(funder);
        fee.approve(address(plans), 10_000);
        vm.stopPrank();
        uint256 id = createPlanIn(address(fee), signer, 10_000, 0, 0);
        assertEq(plans.getPlan(id).budget, 9_900);
        assertEq(fee.balanceOf(address(plans)), 9_900);
    }

    // ------------------------------------------------------------------ topUp

    function test_topUp_addsToBudget() public {
        uint256 id = createPlan(1000, 0, 0);
        vm.expectEmit(true, false, false, true, address(plans));
        emit IServicePlans.PlanToppedUp(id, 250, 1250);
        vm.prank(funder);
        plans.topUp(id, 250);
        assertEq(plans.getPlan(id).budget, 1250);
    }

    function test_topUp_revertsForOthersAfterDeadlineAndUnknownPlan() public {
        uint256 id = createPlan(1000, 0, 0);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.NotFunder.selector, p1, funder));
        plans.topUp(id, 1);
        uint256 deadline = plans.getPlan(id).submitDeadline;
        vm.warp(deadline + 1);
        vm.prank(funder);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.SubmissionClosed.selector, id, deadline, deadline + 1));
        plans.topUp(id, 1);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.UnknownPlan.selector, 99));
        plans.topUp(99, 1);
    }

    // ------------------------------------------------------------------ submit

    function test_submit_setsSharesAndTotal() public {
        uint256 id = createPlan(1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, 10, bytes32("seed"), 100, 40);
        vm.expectEmit(true, true, false, true, address(plans));
        emit IServicePlans.SharesSubmitted(id, p1, 50, 50, 50);
        vm.prank(address(0xABCD)); // anyone may submit for the provider
        assertEq(plans.submit(s), 50);
        (uint256 shares, bool claimed) = plans.sharesOf(id, p1);
        assertEq(shares, 50);
        assertTrue(!claimed, "not claimed");
        assertEq(plans.getPlan(id).totalShares, 50);
    }

    function test_submit_deeperWordSupersedesAndStaleChangesNothing() public {
        uint256 id = createPlan(1000, 0, 0);
        plans.submit(submission(id, p1, 0, bytes32("seed"), 100, 40));
        assertEq(plans.submit(submission(id, p1, 0, bytes32("seed"), 100, 70)), 30);
        assertEq(plans.submit(submission(id, p1, 0, bytes32("seed"), 100, 60)), 0);
        // a fresh receipt continuing from 70 shares
        assertEq(plans.submit(submission(id, p1, 70, bytes32("seed2"), 50, 5)), 5);
        (uint256 shares, ) = plans.sharesOf(id, p1);
        assertEq(shares, 75);
        assertEq(plans.getPlan(id).totalShares, 75);
    }

    function test_submit_plainCumulativeReceipt() public {
        uint256 id = createPlan(1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, 123, bytes32("unused"), 0, 0);
        s.word = bytes32(0);
        assertEq(plans.submit(s), 123);
    }

    function test_submit_revertsOnForgedWord() public {
        uint256 id = createPlan(1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, 0, bytes32("seed"), 100, 40);
        s.word = keccak256("forged");
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidShareToken.selector, s.word, 40, s.anchor));
        plans.submit(s);
        // a real word claimed at the wrong depth is forged too
        s = submission(id, p1, 0, bytes32("seed"), 100, 40);
        s.depth = 41;
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidShareToken.selector, s.word, 41, s.anchor));
        plans.submit(s);
        assertEq(plans.getPlan(id).totalShares, 0);
    }

    function test_submit_revertsWhenDepthExceedsLength() public {
        uint256 id = createPlan(1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, 0, bytes32("seed"), 10, 10);
        s.depth = 11;
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.DepthExceedsLength.selector, 11, 10));
        plans.submit(s);
    }

    function test_submit_revertsOnSharesOverflow() public {
        uint256 id = createPlan(1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, uint256(type(uint128).max), bytes32("seed"), 10, 1);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.SharesOverflow.selector, uint256(type(uint128).max), 1));
        plans.submit(s);
    }

    function test_submit_receiptIsWorthlessForAnyOtherPlanProviderChainOrContract() public {
        uint256 id = createPlan(1000, 0, 0);
        uint256 id2 = createPlan(1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, 0, bytes32("seed"), 10, 5);

        // (memory structs are references: build a fresh copy for every variant)
        IServicePlans.Submission memory other = submission(id, p1, 0, bytes32("seed"), 10, 5);
        other.planId = id2;
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidReceiptSignature.selector, id2, p1, signer));
        plans.submit(other);

        other = submission(id, p1, 0, bytes32("seed"), 10, 5);
        other.provider = p2;
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidReceiptSignature.selector, id, p2, signer));
        plans.submit(other);

        // another deployment (same funder and salt, so the same plan id) rejects it
        ServicePlans plans2 = new ServicePlans(MIN_WINDOW);
        vm.startPrank(funder);
        token.approve(address(plans2), 1000);
        uint256 idThere = plans2.createPlan(
            address(token),
            signer,
            1000,
            0,
            0,
            block.timestamp + 1 days,
            block.timestamp + 2 days,
            bytes32(uint256(1))
        );
        vm.stopPrank();
        assertEq(idThere, id);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidReceiptSignature.selector, id, p1, signer));
        plans2.submit(s);

        // another chain rejects it
        vm.chainId(block.chainid + 1);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidReceiptSignature.selector, id, p1, signer));
        plans.submit(s);
    }

    function test_submit_revertsOnSignatureOfAnotherKey() public {
        uint256 id = createPlan(1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, 0, bytes32("seed"), 10, 5);
        s.signature = signReceipt(0xBAD, id, p1, 0, s.anchor, 10);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.InvalidReceiptSignature.selector, id, p1, signer));
        plans.submit(s);
    }

    function test_submit_revertsAfterDeadlineAndForUnknownPlan() public {
        uint256 id = createPlan(1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, 0, bytes32("seed"), 10, 5);
        uint256 deadline = plans.getPlan(id).submitDeadline;
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.SubmissionClosed.selector, id, deadline, deadline + 1));
        plans.submit(s);
        s.planId = 77;
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.UnknownPlan.selector, 77));
        plans.submit(s);
    }

    /// P-1: receipts are ECDSA only. A contract-wallet signer gets no shares at all, so rotating the
    /// wallet's key later can revoke nothing a provider holds.
    function test_submit_erc1271SignerIsRefused() public {
        ERC1271Wallet wallet = new ERC1271Wallet(signer);
        uint256 id = createPlanIn(address(token), address(wallet), 1000, 0, 0);
        IServicePlans.Submission memory s = submission(id, p1, 0, bytes32("seed"), 10, 3);
        vm.expectRevert(
            abi.encodeWithSelector(IServicePlans.InvalidReceiptSignature.selector, id, p1, address(wallet))
        );
        plans.submit(s);
        assertEq(plans.getPlan(id).totalShares, 0);
    }

    function test_submitBatch_skipsStaleEntries() public {
        uint256 id = createPlan(1000, 0, 0);
        plans.submit(submission(id, p1, 0, bytes32("a"), 20, 10));
        IServicePlans.Submission[] memory batch = new IServicePlans.Submission[](3);
        batch[0] = submission(id, p1, 0, bytes32("a"), 20, 5); // stale
        batch[1] = submission(id, p2, 0, bytes32("b"), 20, 7);
        batch[2] = submission(id, p1, 0, bytes32("a"), 20, 12);
        assertEq(plans.submitBatch(batch), 9);
        assertEq(plans.getPlan(id).totalShares, 19);
    }

    /// P-5: a forged entry is skipped and reported; the other entries apply.
    function test_submitBatch_skipsForgedEntryAndAppliesTheRest() public {
        uint256 id = createPlan(1000, 0, 0);
        IServicePlans.Submission[] memory batch = new IServicePlans.Submission[](2);
        batch[0] = submission(id, p1, 0, bytes32("a"), 20, 5);
        batch[1] = submission(id, p2, 0, bytes32("b"), 20, 7);
        batch[1].word = bytes32("forged");
        vm.expectEmit(true, true, true, true, address(plans));
        emit IServicePlans.SubmissionSkipped(1, id, p2, IServicePlans.InvalidShareToken.selector);
        assertEq(plans.submitBatch(batch), 5);
        assertEq(plans.getPlan(id).totalShares, 5);
        (uint256 shares2, ) = plans.sharesOf(id, p2);
        assertEq(shares2, 0);
    }

    // ------------------------------------------------------------------ claim

    function test_claim_paysProRataOnceWithinWindow() public {
        uint256 id = createPlan(1000, 0, 0);
        plans.submit(submission(id, p1, 0, bytes32("a"), 100, 30));
        plans.submit(submission(id, p2, 0, bytes32("b"), 100, 70));
        uint256 sd = plans.getPlan(id).submitDeadline;
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.ClaimNotOpen.selector, id, sd, block.timestamp));
        plans.claim(id, p1);
        toSubmitDeadline(id);
        assertEq(plans.previewClaim(id, p1), 300);
        vm.expectEmit(true, true, false, true, address(plans));
        emit IServicePlans.Claimed(id, p1, 300);
        assertEq(plans.claim(id, p1), 300);
        assertEq(token.balanceOf(p1), 300);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.AlreadyClaimed.selector, id, p1));
        plans.claim(id, p1);
        assertEq(plans.previewClaim(id, p1), 0);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.NothingToClaim.selector, id, address(0x333)));
        plans.claim(id, address(0x333));
        uint256 cd = plans.getPlan(id).claimDeadline;
        vm.warp(cd + 1);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.ClaimClosed.selector, id, cd, cd + 1));
        plans.claim(id, p2);
    }

    function test_claim_capSetsTheFloorPrice() public {
        uint256 id = createPlan(1000, 0, 200); // floor: 5 per share
        plans.submit(submission(id, p1, 0, bytes32("a"), 100, 30));
        toSubmitDeadline(id);
        assertEq(plans.claim(id, p1), 150); // 30 × 1000 / 200, not the whole budget
    }

    function test_claim_roundsDownAndDustGoesToFunder() public {
        uint256 id = createPlan(1000, 0, 0);
        plans.submit(submission(id, p1, 0, bytes32("a"), 10, 1));
        plans.submit(submission(id, p2, 0, bytes32("b"), 10, 2));
        toSubmitDeadline(id);
        assertEq(plans.claim(id, p1), 333);
        assertEq(plans.claim(id, p2), 666);
        toClaimDeadline(id);
        uint256 before = token.balanceOf(funder);
        assertEq(plans.sweep(id), 1);
        assertEq(token.balanceOf(funder) - before, 1);
    }

    function test_unknownPlan_revertsEverywhere() public {
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.UnknownPlan.selector, 5));
        plans.claim(5, p1);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.UnknownPlan.selector, 5));
        plans.sweep(5);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.UnknownPlan.selector, 5));
        plans.getPlan(5);
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.UnknownPlan.selector, 5));
        plans.previewClaim(5, p1);
    }

    // ------------------------------------------------------------------ sweep

    function test_sweep_returnsUnusedUnclaimedAndBond() public {
        uint256 id = createPlan(1000, 400, 100);
        plans.submit(submission(id, p1, 0, bytes32("a"), 100, 30));
        plans.submit(submission(id, p2, 0, bytes32("b"), 100, 20));
        toSubmitDeadline(id);
        plans.claim(id, p1); // 300; p2's 200 stays unclaimed
        uint256 cd = plans.getPlan(id).claimDeadline;
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.SweepNotOpen.selector, id, cd, block.timestamp));
        plans.sweep(id);
        toClaimDeadline(id);
        uint256 before = token.balanceOf(funder);
        vm.expectEmit(true, true, false, true, address(plans));
        emit IServicePlans.Swept(id, funder, 1100, 0);
        plans.sweep(id);
        assertEq(token.balanceOf(funder) - before, 1100); // 500 unused + 200 unclaimed + 400 bond
        vm.expectRevert(abi.encodeWithSelector(IServicePlans.AlreadySwept.selector, id));
        plans.sweep(id);
        assertEq(token.balanceOf(address(plans)), 0);
    }

    function test_sweep_forfeitsBondWhenOverIssued() public {
        uint256 id = createPlan(1000, 1000, 100);
        plans.submit(submission(id, p1, 0, bytes32("a"), 100, 60));
        plans.submit(submission(id, p2, 0, bytes32("b"), 100, 60)); // 120 > cap 100
        assertTrue(plans.isOverIssued(id), "over-issued");
        toSubmitDeadline(id);
        assertEq(plans.claim(id, p1), 500);
        assertEq(plans.claim(id, p2), 500);
        toClaimDeadline(id);
        uint256 before = token.balanceOf(funder);
        vm.expectEmit(true, true, false, true, address(plans));
        emit IServicePlans.Swept(id, funder, 0, 1000);
        plans.sweep(id);
        assertEq(token.balanceOf(funder), before);
        assertEq(token.balanceOf(address(plans)), 1000); // locked forever
    }

    function test_nativeEth_planEndToEnd() public {
        vm.deal(funder, 10 ether);
        vm.prank(funder);
        uint256 id = plans.createPlan{value: 3 ether}(
            address(0),
            signer,
            2 ether,
            1 ether,
            0,
            block.timestamp + 1,
            block.timestamp + 1 + MIN_WINDOW,
            bytes32("eth")
        );
        plans.submit(submission(id, p1, 0, bytes32("a"), 10, 4));
        vm.deal(funder, 1 ether);
        vm.prank(funder);
        plans.topUp{value: 1 ether}(id, 1 ether);
        toSubmitDeadline(id);
        plans.claim(id, p1);
        assertEq(p1.balance, 3 ether);
        toClaimDeadline(id);
        plans.sweep(id);
        assertEq(funder.balance, 1 ether);
    }

    /// A token that calls back into claim during the payout cannot make it pay twice.
    function test_claim_reentrantTokenCannotClaimTwice() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(funder, 1000);
        vm.startPrank(funder);
        re.approve(address(plans), 1000);
        vm.stopPrank();
        uint256 id = createPlanIn(address(re), signer, 1000, 0, 0);
        plans.submit(submission(id, p1, 0, bytes32("a"), 10, 4));
        plans.submit(submission(id, p2, 0, bytes32("b"), 10, 4));
        re.arm(address(plans), p1, abi.encodeCall(ServicePlans.claim, (id, p2)));
        toSubmitDeadline(id);
        plans.claim(id, p1);
        assertTrue(re.attempted(), "re-entry attempted");
        assertTrue(!re.reentrySucceeded(), "re-entry blocked");
        assertEq(
            re.reentryRevertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        assertEq(re.balanceOf(p1), 500);
        (, bool claimed2) = plans.sharesOf(id, p2);
        assertTrue(!claimed2, "p2 not paid by the re-entry");
        plans.claim(id, p2);
        assertEq(re.balanceOf(p2), 500);
    }

    // ------------------------------------------------------------------ golden vector & hash chain

    function test_goldenVector_matchesTypeScript() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/test/vectors/plans.json"));
        vm.chainId(vm.parseJsonUint(json, ".chainId"));
        address verifying = vm.parseJsonAddress(json, ".verifyingContract");
        bytes32 separator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("ServicePlans"),
                keccak256("1"),
                block.chainid,
                verifying
            )
        );
        assertEq(separator, vm.parseJsonBytes32(json, ".domainSeparator"));
        bytes32 anchor = vm.parseJsonBytes32(json, ".receipt.anchor");
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                separator,
                ShareHash.hashReceipt(
                    vm.parseJsonUint(json, ".receipt.planId"),
                    vm.parseJsonAddress(json, ".receipt.provider"),
                    vm.parseJsonUint(json, ".receipt.baseShares"),
                    anchor,
                    vm.parseJsonUint(json, ".receipt.length")
                )
            )
        );
        assertEq(digest, vm.parseJsonBytes32(json, ".digest"));
        // the chain: words[5] = seed walks to the anchor in 5 steps
        assertEq(ShareHash.walk(vm.parseJsonBytes32(json, ".seed"), 5), anchor);
        assertEq(ShareHash.walk(vm.parseJsonBytes32(json, ".words[3]"), 3), anchor);
    }

    // ------------------------------------------------------------------ the guarantees, fuzzed

    function claimIfAny(uint256 id, address provider) internal returns (uint256) {
        return plans.previewClaim(id, provider) == 0 ? 0 : plans.claim(id, provider);
    }

    /// With a cap and no over-issuance every share earns at least budget / shareCap.
    function test_fuzz_floorPriceHolds(uint96 budget, uint16 cap, uint16 a, uint16 b) public {
        cap = uint16(bound(cap, 2, 1000));
        budget = uint96(bound(budget, cap, 1e27)); // below the cap the floor price is 0
        a = uint16(bound(a, 1, cap - 1));
        b = uint16(bound(b, 1, cap - a));
        uint256 id = createPlan(budget, 0, cap);
        plans.submit(submission(id, p1, a, bytes32("a"), 0, 0));
        plans.submit(submission(id, p2, b, bytes32("b"), 0, 0));
        toSubmitDeadline(id);
        uint256 pay1 = plans.claim(id, p1);
        uint256 pay2 = plans.claim(id, p2);
        assertGe(pay1, uint256(a) * (budget / cap));
        assertGe(pay2, uint256(b) * (budget / cap));
        assertLe(pay1 + pay2, budget);
    }

    /// Over-issuing to a fake provider never returns more to the funder than honest behaviour
    /// when bond >= budget.
    function test_fuzz_fakeProviderNeverPaysWhenBondCoversBudget(
        uint96 budget,
        uint96 extraBond,
        uint16 cap,
        uint16 honest,
        uint16 fake
    ) public {
        budget = uint96(bound(budget, 1, 1e27));
        uint256 bond = uint256(budget) + bound(extraBond, 0, 1e27);
        cap = uint16(bound(cap, 1, 1000));
        honest = uint16(bound(honest, 1, cap)); // honest behaviour stays within the cap
        fake = uint16(bound(fake, 1, 5000));
        address fakeProvider = address(0xFA4E);

        // honest run
        uint256 idHonest = createPlan(budget, bond, cap);
        plans.submit(submission(idHonest, p1, honest, bytes32("h"), 0, 0));
        // dishonest run: same honest traffic plus shares signed to the funder's own fake provider
        uint256 idFake = createPlan(budget, bond, cap);
        plans.submit(submission(idFake, p1, honest, bytes32("h"), 0, 0));
        plans.submit(submission(idFake, fakeProvider, fake, bytes32("f"), 0, 0));

        toSubmitDeadline(idFake);
        claimIfAny(idHonest, p1);
        uint256 honestPaid = claimIfAny(idFake, p1);
        uint256 fakePaid = claimIfAny(idFake, fakeProvider);
        toClaimDeadline(idFake);
        uint256 honestReturn = plans.sweep(idHonest);
        uint256 dishonestReturn = plans.sweep(idFake) + fakePaid;
        assertLe(dishonestReturn, honestReturn, "cheating paid off");
        // and the honest provider is never diluted below the floor without the bond going
        if (!plans.isOverIssued(idFake)) assertGe(honestPaid, uint256(honest) * (budget / cap));
    }
}
