// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {ServicePlans} from "../../plans/ServicePlans.sol";
import {IServicePlans} from "../../plans/IServicePlans.sol";
import {TestToken} from "../mocks/TestToken.sol";

abstract contract PlansTestBase is TestBase {
    uint256 internal constant SIGNER_PK = 0x5161;
    address internal signer;
    address internal funder = address(0xF0);
    ServicePlans internal plans;
    TestToken internal token;
    uint256 internal constant MIN_WINDOW = 1 days;
    uint256 internal saltNonce;

    function setUp() public virtual {
        signer = vm.addr(SIGNER_PK);
        plans = new ServicePlans(MIN_WINDOW);
        token = new TestToken();
        token.mint(funder, 1e30);
        vm.prank(funder);
        token.approve(address(plans), type(uint256).max);
    }

    function createPlan(uint256 budget, uint256 bond, uint256 cap) internal returns (uint256 planId) {
        return createPlanIn(address(token), signer, budget, bond, cap);
    }

    /// A plan of `funder` in `tokenAddr` (approved already) with a fresh salt: submit for a day, claim for a day.
    function createPlanIn(
        address tokenAddr,
        address signer_,
        uint256 budget,
        uint256 bond,
        uint256 cap
    ) internal returns (uint256 planId) {
        vm.prank(funder);
        planId = plans.createPlan(
            tokenAddr,
            signer_,
            budget,
            bond,
            cap,
            block.timestamp + 1 days,
            block.timestamp + 2 days,
            bytes32(++saltNonce)
        );
    }

    /// Word `depth` of the chain of length `length` grown from `seed`: w_length = seed, w_{i-1} = keccak(w_i).
    function word(bytes32 seed, uint256 length, uint256 depth) internal pure returns (bytes32 w) {
        w = seed;
        for (uint256 i = length; i > depth; i--) w = keccak256(abi.encode(w));
    }

    function signReceipt(
        uint256 pk,
        uint256 planId,
        address provider,
        uint256 base,
        bytes32 anchor,
        uint256 length
    ) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, plans.hashShareReceipt(planId, provider, base, anchor, length));
        return abi.encodePacked(r, s, v);
    }

    /// A valid submission of depth `depth` on a fresh chain of `length` words from `seed`.
    function submission(
        uint256 planId,
        address provider,
        uint256 base,
        bytes32 seed,
        uint256 length,
        uint256 depth
    ) internal view returns (IServicePlans.Submission memory s) {
        bytes32 anchor = word(seed, length, 0);
        s = IServicePlans.Submission({
            planId: planId,
            provider: provider,
            baseShares: base,
            anchor: anchor,
            length: length,
            depth: depth,
            word: word(seed, length, depth),
            signature: signReceipt(SIGNER_PK, planId, provider, base, anchor, length)
        });
    }

    function toSubmitDeadline(uint256 planId) internal {
        vm.warp(plans.getPlan(planId).submitDeadline + 1);
    }

    function toClaimDeadline(uint256 planId) internal {
        vm.warp(plans.getPlan(planId).claimDeadline + 1);
    }
}
