// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PlansTestBase} from "./PlansTestBase.sol";
import {IServicePlans} from "../../plans/IServicePlans.sol";
import {ServicePlans} from "../../plans/ServicePlans.sol";
import {CountingToken} from "../mocks/CountingToken.sol";
import {ReentrantToken} from "../mocks/ReentrantToken.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

contract ClaimManyTest is PlansTestBase {
    address internal p1 = address(0x111);
    address internal p2 = address(0x222);
    CountingToken internal cntA;
    CountingToken internal cntB;

    function setUp() public override {
        super.setUp();
        cntA = new CountingToken();
        cntB = new CountingToken();
        for (uint256 i; i < 2; i++) {
            CountingToken c = i == 0 ? cntA : cntB;
            c.mint(funder, 1e30);
            vm.prank(funder);
            c.approve(address(plans), type(uint256).max);
        }
    }

    /// A plan in `t` where p1 holds `mine` shares and p2 holds `theirs`.
    function planWith(address t, uint256 budget, uint256 mine, uint256 theirs) internal returns (uint256 id) {
        id = createPlanIn(t, signer, budget, 0, 0);
        if (mine != 0) plans.submit(submission(id, p1, mine, bytes32(0), 0, 0));
        if (theirs != 0) plans.submit(submission(id, p2, theirs, bytes32(0), 0, 0));
    }

    function test_claimMany_paysEveryPlanWithOneTransferPerTokenRun() public {
        uint256[] memory ids = new uint256[](5);
        ids[0] = planWith(address(cntA), 1000, 1, 1); // 500
        ids[1] = planWith(address(cntA), 900, 1, 2); // 300
        ids[2] = planWith(address(cntA), 100, 1, 0); // 100
        ids[3] = planWith(address(cntB), 1000, 3, 1); // 750
        ids[4] = planWith(address(cntB), 10, 1, 9); // 1
        toSubmitDeadline(ids[0]);
        uint256[] memory expected = new uint256[](5);
        for (uint256 i; i < 5; i++) {
            expected[i] = plans.previewClaim(ids[i], p1);
            vm.expectEmit(true, true, false, true, address(plans));
            emit IServicePlans.Claimed(ids[i], p1, expected[i]);
        }
        uint256 before = cntA.transfers() + cntB.transfers();
        uint256[] memory paid = plans.claimMany(ids, p1);
        assertEq(cntA.transfers() + cntB.transfers() - before, 2, "one transfer per token");
        assertEq(paid.length, 5);
        assertEq(paid[0], 500);
        assertEq(paid[1], 300);
        assertEq(paid[2], 100);
        assertEq(paid[3], 750);
        assertEq(paid[4], 1);
        for (uint256 i; i < 5; i++) {
            assertEq(paid[i], expected[i]);
            (, bool claimed) = plans.sharesOf(ids[i], p1);
            assertTrue(claimed, "claimed");
            assertEq(plans.getPlan(ids[i]).paidOut, paid[i]);
        }
        assertEq(cntA.balanceOf(p1), 900);
        assertEq(cntB.balanceOf(p1), 751);
    }

    /// Interleaved tokens still pay correctly (one transfer per run, not per token).
    function test_claimMany_interleavedTokensPayPerRun() public {
        uint256[] memory ids = new uint256[](3);
        ids[0] = planWith(address(cntA), 100, 1, 0);
        ids[1] = planWith(address(cntB), 200, 1, 0);
        ids[2] = planWith(address(cntA), 300, 1, 0);
        toSubmitDeadline(ids[0]);
        uint256 before = cntA.transfers() + cntB.transfers();
        plans.claimMany(ids, p1);
        assertEq(cntA.transfers() + cntB.transfers() - before, 3);
        assertEq(cntA.balanceOf(p1), 400);
        assertEq(cntB.balanceOf(p1), 200);
    }

    /// Plans `claim` would revert on are skipped and reported; the rest pay. Nobody can block the
    /// batch by claiming one plan for the provider first.
    function test_claimMany_skipsAndReportsWhatCannotBeClaimed() public {
        uint256 ok1 = planWith(address(token), 1000, 1, 1);
        uint256 frontRun = planWith(address(token), 1000, 1, 0);
        uint256 none = planWith(address(token), 1000, 0, 1);
        uint256 ok2 = planWith(address(token), 1000, 1, 3);
        toSubmitDeadline(ok1);
        uint256 notOpen = planWith(address(token), 1000, 1, 0); // created later: still open for shares
        vm.prank(address(0xBAD));
        plans.claim(frontRun, p1); // a third party claims one plan for p1 first
        uint256 balanceBefore = token.balanceOf(p1);

        uint256[] memory ids = new uint256[](6);
        (ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]) = (ok1, frontRun, none, 12345, notOpen, ok2);
        vm.expectEmit(true, true, false, true, address(plans));
        emit IServicePlans.Claimed(ok1, p1, 500);
        vm.expectEmit(true, true, false, true, address(plans));
        emit IServicePlans.ClaimSkipped(frontRun, p1, IServicePlans.AlreadyClaimed.selector);
        vm.expectEmit(true, true, false, true, address(plans));
        emit IServicePlans.ClaimSkipped(none, p1, IServicePlans.NothingToClaim.selector);
        vm.expectEmit(true, true, false, true, address(plans));
        emit IServicePlans.ClaimSkipped(12345, p1, IServicePlans.UnknownPlan.selector);
        vm.expectEmit(true, true, false, true, address(plans));
        emit IServicePlans.ClaimSkipped(notOpen, p1, IServicePlans.ClaimNotOpen.selector);
        vm.expectEmit(true, true, false, true, address(plans));
        emit IServicePlans.Claimed(ok2, p1, 250);
        uint256[] memory paid = plans.claimMany(ids, p1);
        assertEq(paid[0], 500);
        assertEq(paid[1] + paid[2] + paid[3] + paid[4], 0);
        assertEq(paid[5], 250);
        assertEq(token.balanceOf(p1) - balanceBefore, 750);

        // after the claim deadline every plan is skipped as closed, and nothing moves
        toClaimDeadline(ok1);
        uint256[] memory again = new uint256[](1);
        again[0] = ok1;
        vm.expectEmit(true, true, false, true, address(plans));
        emit IServicePlans.ClaimSkipped(ok1, p2, IServicePlans.ClaimClosed.selector);
        assertEq(plans.claimMany(again, p2)[0], 0);
        assertEq(token.balanceOf(p2), 0);
    }

    function test_claimMany_emptyListPaysNothing() public {
        uint256[] memory ids = new uint256[](0);
        assertEq(plans.claimMany(ids, p1).length, 0);
    }

    function test_claimMany_sameIdTwicePaysOnce() public {
        uint256 id = planWith(address(token), 1000, 1, 1);
        toSubmitDeadline(id);
        uint256[] memory ids = new uint256[](2);
        (ids[0], ids[1]) = (id, id);
        uint256[] memory paid = plans.claimMany(ids, p1);
        assertEq(paid[0], 500);
        assertEq(paid[1], 0);
        assertEq(token.balanceOf(p1), 500);
    }

    function test_claimMany_nativeEth() public {
        vm.deal(funder, 3 ether);
        uint256[] memory ids = new uint256[](2);
        for (uint256 i; i < 2; i++) {
            vm.prank(funder);
            ids[i] = plans.createPlan{value: 1 ether}(
                address(0),
                signer,
                1 ether,
                0,
                0,
                block.timestamp + 1,
                block.timestamp + 1 + MIN_WINDOW,
                bytes32(i)
            );
            plans.submit(submission(ids[i], p1, 1, bytes32(0), 0, 0));
        }
        toSubmitDeadline(ids[0]);
        plans.claimMany(ids, p1);
        assertEq(p1.balance, 2 ether);
    }

    /// A token calling back into claimMany during the payout is stopped by the guard.
    function test_claimMany_reentrantTokenCannotClaimTwice() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(funder, 2000);
        vm.prank(funder);
        re.approve(address(plans), 2000);
        uint256[] memory ids = new uint256[](2);
        ids[0] = createPlanIn(address(re), signer, 1000, 0, 0);
        ids[1] = createPlanIn(address(re), signer, 1000, 0, 0);
        for (uint256 i; i < 2; i++) {
            plans.submit(submission(ids[i], p1, 1, bytes32(0), 0, 0));
            plans.submit(submission(ids[i], p2, 1, bytes32(0), 0, 0));
        }
        re.arm(address(plans), p1, abi.encodeCall(ServicePlans.claimMany, (ids, p2)));
        toSubmitDeadline(ids[0]);
        plans.claimMany(ids, p1);
        assertTrue(re.attempted(), "re-entry attempted");
        assertTrue(!re.reentrySucceeded(), "re-entry blocked");
        assertEq(
            re.reentryRevertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        assertEq(re.balanceOf(p1), 1000);
        assertEq(re.balanceOf(p2), 0);
    }

    /// claimMany pays exactly what single claims pay.
    function test_fuzz_claimMany_equalsSingleClaims(uint16 a, uint16 b, uint16 c, uint96 budget) public {
        budget = uint96(bound(budget, 1, 1e27));
        a = uint16(bound(a, 1, 1000));
        uint256[] memory ids = new uint256[](3);
        uint256[] memory twins = new uint256[](3);
        for (uint256 i; i < 3; i++) {
            ids[i] = planWith(address(token), budget, a, uint256(b) + i);
            twins[i] = planWith(address(token), budget, a, uint256(b) + i);
            plans.submit(submission(ids[i], address(0x333), c, bytes32(0), 0, 0));
            plans.submit(submission(twins[i], address(0x333), c, bytes32(0), 0, 0));
        }
        toSubmitDeadline(ids[0]);
        uint256 before = token.balanceOf(p1);
        uint256[] memory paid = plans.claimMany(ids, p1);
        uint256 batched = token.balanceOf(p1) - before;
        uint256 single;
        for (uint256 i; i < 3; i++) {
            if (paid[i] == 0) {
                // too small a share of a tiny budget: skipped in the batch, refused alone
                vm.expectRevert(abi.encodeWithSelector(IServicePlans.NothingToClaim.selector, twins[i], p1));
                plans.claim(twins[i], p1);
                continue;
            }
            uint256 s = plans.claim(twins[i], p1);
            assertEq(paid[i], s);
            single += s;
        }
        assertEq(batched, single);
    }
}
