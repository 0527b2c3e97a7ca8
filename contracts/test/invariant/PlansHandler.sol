// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {ServicePlans} from "../../plans/ServicePlans.sol";
import {IServicePlans} from "../../plans/IServicePlans.sol";
import {TestToken} from "../mocks/TestToken.sol";

/// @notice Creates plans, submits plain cumulative receipts, claims, sweeps and moves time;
/// keeps ghost totals and records any violation of the payout rules at the moment it happens.
contract PlansHandler is TestBase {
    ServicePlans public immutable plans;
    TestToken public immutable token;
    uint256 internal constant SIGNER_PK = 0x5161;
    address internal immutable signer;
    address internal constant FUNDER = address(0xF0);

    uint256[] public ids;
    uint256 public deposited;
    uint256 public claimed;
    uint256 public returned;
    uint256 public forfeited;
    uint256 public floorViolations;
    uint256 public sweepViolations;
    uint256 public successes;

    constructor(ServicePlans plans_, TestToken token_) {
        plans = plans_;
        token = token_;
        signer = vm.addr(SIGNER_PK);
        token.mint(FUNDER, type(uint128).max);
        vm.prank(FUNDER);
        token.approve(address(plans), type(uint256).max);
    }

    function planCount() external view returns (uint256) {
        return ids.length;
    }

    function provider(uint256 i) public pure returns (address) {
        return address(uint160(0x1000 + (i % 4)));
    }

    function create(uint256 budget, uint256 bond, uint256 cap) external {
        budget = bound(budget, 1, 1e24);
        bond = bound(bond, 0, 1e24);
        cap = bound(cap, 0, 500);
        vm.prank(FUNDER);
        uint256 id = plans.createPlan(address(token), signer, budget, bond, cap, block.timestamp + 1 days, block.timestamp + 2 days);
        ids.push(id);
        deposited += budget + bond;
        successes++;
    }

    function topUp(uint256 idx, uint256 amount) external {
        if (ids.length == 0) return;
        uint256 id = ids[idx % ids.length];
        if (block.timestamp > plans.getPlan(id).submitDeadline) return;
        amount = bound(amount, 0, 1e24);
        vm.prank(FUNDER);
        plans.topUp(id, amount);
        deposited += amount;
        successes++;
    }

    function submit(uint256 idx, uint256 p, uint256 increment) external {
        if (ids.length == 0) return;
        uint256 id = ids[idx % ids.length];
        if (block.timestamp > plans.getPlan(id).submitDeadline) return;
        (uint256 current,) = plans.sharesOf(id, provider(p));
        uint256 base = current + bound(increment, 0, 300);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(SIGNER_PK, plans.hashShareReceipt(id, provider(p), base, bytes32(0), 0));
        plans.submit(IServicePlans.Submission(id, provider(p), base, bytes32(0), 0, 0, bytes32(0), abi.encodePacked(r, s, v)));
        successes++;
    }

    function claim(uint256 idx, uint256 p) external {
        if (ids.length == 0) return;
        uint256 id = ids[idx % ids.length];
        IServicePlans.Plan memory plan = plans.getPlan(id);
        if (block.timestamp <= plan.submitDeadline || block.timestamp > plan.claimDeadline) return;
        if (plans.previewClaim(id, provider(p)) == 0) return;
        (uint256 shares,) = plans.sharesOf(id, provider(p));
        uint256 amount = plans.claim(id, provider(p));
        claimed += amount;
        if (plan.shareCap != 0 && plan.totalShares <= plan.shareCap && amount < shares * (plan.budget / plan.shareCap)) {
            floorViolations++;
        }
        successes++;
    }

    function sweep(uint256 idx) external {
        if (ids.length == 0) return;
        uint256 id = ids[idx % ids.length];
        IServicePlans.Plan memory plan = plans.getPlan(id);
        if (block.timestamp <= plan.claimDeadline || plan.swept) return;
        bool over = plans.isOverIssued(id);
        uint256 r = plans.sweep(id);
        returned += r;
        uint256 f = over ? plan.bond : 0;
        forfeited += f;
        if (plan.paidOut + r + f != uint256(plan.budget) + plan.bond) sweepViolations++;
        successes++;
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 0, 1 days));
    }
}
