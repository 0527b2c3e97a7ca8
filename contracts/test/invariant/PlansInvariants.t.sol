// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {ServicePlans} from "../../plans/ServicePlans.sol";
import {IServicePlans} from "../../plans/IServicePlans.sol";
import {TestToken} from "../mocks/TestToken.sol";
import {PlansHandler} from "./PlansHandler.sol";

contract PlansInvariants is TestBase {
    PlansHandler internal handler;
    ServicePlans internal plans;
    TestToken internal token;

    function setUp() public {
        plans = new ServicePlans();
        token = new TestToken();
        handler = new PlansHandler(plans, token);
        targetContract(address(handler));
    }

    function invariant_payoutsNeverExceedThePool() public view {
        for (uint256 i; i < handler.planCount(); i++) {
            IServicePlans.Plan memory p = plans.getPlan(handler.ids(i));
            assertLe(p.paidOut, p.budget, "paid more than the budget");
        }
    }

    function invariant_everyTokenIsAccountedFor() public view {
        // held = deposited − claimed − returned; the forfeited bonds are part of what is held
        assertEq(token.balanceOf(address(plans)), handler.deposited() - handler.claimed() - handler.returned());
    }

    function invariant_floorPriceHoldsWithoutOverIssuance() public view {
        assertEq(handler.floorViolations(), 0);
    }

    function invariant_sweepAccountsForEverything() public view {
        assertEq(handler.sweepViolations(), 0);
    }
}
