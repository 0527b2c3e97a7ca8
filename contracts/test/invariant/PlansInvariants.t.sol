// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "hardhat/console.sol";
import {TestBase} from "../utils/TestBase.sol";
import {ServicePlans} from "../../plans/ServicePlans.sol";
import {IServicePlans} from "../../plans/IServicePlans.sol";
import {TestToken} from "../mocks/TestToken.sol";
import {RebasingToken} from "../mocks/RebasingToken.sol";
import {PlansHandler} from "./PlansHandler.sol";

/// @notice Assertions read the handler's ghost books (deposits, signed shares, balance deltas),
/// never the contract's payout formula.
contract PlansInvariants is TestBase {
    PlansHandler internal handler;
    ServicePlans internal plans;
    TestToken internal token;
    RebasingToken internal reb;

    function setUp() public {
        plans = new ServicePlans(1 days);
        token = new TestToken();
        reb = new RebasingToken();
        handler = new PlansHandler(plans, token, reb);
        targetContract(address(handler));
    }

    function invariant_paidNeverExceedsTheBudgetAndMatchesTheContract() public view {
        for (uint256 i; i < handler.planCount(); i++) {
            uint256 id = handler.ids(i);
            PlansHandler.Ghost memory g = handler.ghost(id);
            assertLe(g.paid, g.budget, "paid more than the budget deposited");
            IServicePlans.Plan memory p = plans.getPlan(id);
            assertEq(p.paidOut, g.paid, "contract's paidOut differs from what arrived");
            assertEq(p.totalShares, g.totalShares, "contract's total differs from the shares signed");
        }
    }

    function invariant_everyTokenIsAccountedFor() public view {
        // held = deposited (+ rebased) − paid − returned; forfeited bonds are part of what is held
        assertEq(
            token.balanceOf(address(plans)),
            handler.deposited(address(token)) - handler.paid(address(token)) - handler.returned(address(token))
        );
        assertEq(
            reb.balanceOf(address(plans)),
            handler.deposited(address(reb)) +
                handler.rebased(address(reb)) -
                handler.paid(address(reb)) -
                handler.returned(address(reb))
        );
    }

    function invariant_everyLiabilityIsCovered() public view {
        uint256[2] memory owed;
        for (uint256 i; i < handler.planCount(); i++) {
            PlansHandler.Ghost memory g = handler.ghost(handler.ids(i));
            uint256 k = g.token == address(token) ? 0 : 1;
            owed[k] += g.swept ? 0 : g.budget + g.bond - g.paid;
        }
        assertGe(token.balanceOf(address(plans)), owed[0] + handler.forfeited(address(token)));
        assertGe(reb.balanceOf(address(plans)), owed[1] + handler.forfeited(address(reb)));
    }

    function invariant_floorPriceHoldsWithoutOverIssuance() public view {
        assertEq(handler.floorViolations(), 0);
    }

    function invariant_sweepAndSubmissionsAccountForEverything() public view {
        assertEq(handler.sweepViolations(), 0);
        assertEq(handler.doublePays(), 0);
    }

    /// The run must have reached payouts: claims and sweeps succeed in at least 20% of their calls.
    function afterInvariant() public view {
        _report();
    }

    /// A fixed pseudo-random walk of 600 handler calls, so the success counts are printed (the
    /// reporter shows logs of passing unit tests, not of invariant runs) and checked every run.
    function test_handlerReachesPayouts() public {
        uint256 r = 1;
        uint256 reverted;
        for (uint256 i; i < 600; i++) {
            r = uint256(keccak256(abi.encode(r)));
            (uint256 a, uint256 b, uint256 c, uint256 d) = (r >> 16, r >> 64, r >> 112, r >> 160);
            bytes memory call;
            uint256 action = r % 10;
            if (action == 0) call = abi.encodeCall(PlansHandler.create, (a, b, c, d, r >> 200));
            else if (action == 1) call = abi.encodeCall(PlansHandler.topUp, (a, b));
            else if (action == 2) call = abi.encodeCall(PlansHandler.submit, (a, b, c, d, r >> 200));
            else if (action == 3) call = abi.encodeCall(PlansHandler.submitBatchWithForgery, (a, b, c));
            else if (action == 4) call = abi.encodeCall(PlansHandler.claim, (a, b));
            else if (action == 5) call = abi.encodeCall(PlansHandler.claimMany, (a));
            else if (action == 6) call = abi.encodeCall(PlansHandler.sweep, (a));
            else if (action == 7) call = abi.encodeCall(PlansHandler.rebase, (a));
            else call = abi.encodeCall(PlansHandler.warp, (a));
            (bool ok, ) = address(handler).call(call);
            if (!ok) reverted++;
        }
        console.log("plans handler: reverted calls", reverted);
        _report();
        assertEq(reverted, 0);
        assertTrue(handler.claimOk() > 0 && handler.sweepOk() > 0 && handler.claimManyOk() > 0, "payouts reached");
        invariant_paidNeverExceedsTheBudgetAndMatchesTheContract();
        invariant_everyTokenIsAccountedFor();
        invariant_everyLiabilityIsCovered();
        invariant_floorPriceHoldsWithoutOverIssuance();
        invariant_sweepAndSubmissionsAccountForEverything();
    }

    function _report() internal view {
        console.log("plans handler create calls/ok", handler.createCalls(), handler.createOk());
        console.log("plans handler topUp calls/ok", handler.topUpCalls(), handler.topUpOk());
        console.log("plans handler submit calls/ok", handler.submitCalls(), handler.submitOk());
        console.log("plans handler claim calls/ok", handler.claimCalls(), handler.claimOk());
        console.log("plans handler claimMany calls/ok", handler.claimManyCalls(), handler.claimManyOk());
        console.log("plans handler sweep calls/ok", handler.sweepCalls(), handler.sweepOk());
        assertTrue(handler.claimOk() * 5 >= handler.claimCalls(), "claims succeed in fewer than 20% of calls");
        assertTrue(handler.sweepOk() * 5 >= handler.sweepCalls(), "sweeps succeed in fewer than 20% of calls");
    }
}
