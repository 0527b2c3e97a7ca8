// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChequebookTestBase} from "./ChequebookTestBase.sol";
import {IChequebook} from "../../swap/IChequebook.sol";
import {Chequebook} from "../../swap/Chequebook.sol";
import {ChequebookFactory} from "../../swap/ChequebookFactory.sol";
import {ChequeHash} from "../../swap/libraries/ChequeHash.sol";
import {IBatchCashout} from "../../swap/batch/IBatchCashout.sol";
import {ICashoutRouter} from "../../swap/batch/ICashoutRouter.sol";
import {CashoutRouter} from "../../swap/batch/CashoutRouter.sol";
import {ReentrantToken} from "../mocks/ReentrantToken.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {
    SwarmLikeChequebook,
    GasBombChequebook,
    RevertBombChequebook,
    ReturnBombChequebook,
    ReentrantChequebook
} from "./BatchMocks.sol";

contract CashoutRouterTest is ChequebookTestBase {
    CashoutRouter internal router;
    Chequebook internal book2;
    address internal submitter = address(0x5B);
    uint256 internal constant GAS = 200_000;

    function setUp() public override {
        super.setUp();
        router = new CashoutRouter();
        book2 = Chequebook(factory.deploySimpleSwap(issuer, TIMEOUT, bytes32("two")));
        token.mint(address(book2), 1000);
    }

    function _entry(
        address cb,
        uint256 cumulative,
        uint256 callerPayout,
        address sender
    ) internal view returns (ICashoutRouter.Entry memory e) {
        e.chequebook = cb;
        e.beneficiary = beneficiary;
        e.recipient = recipient;
        e.cumulativePayout = cumulative;
        e.callerPayout = callerPayout;
        e.beneficiarySig = sig(
            BENEFICIARY_PK,
            digestOf(ChequeHash.hashCashout(cb, sender, cumulative, recipient, callerPayout))
        );
        e.issuerSig = chequeSig(ISSUER_PK, cb, beneficiary, cumulative);
    }

    function _entry(address cb, uint256 cumulative) internal view returns (ICashoutRouter.Entry memory) {
        return _entry(cb, cumulative, 0, address(router));
    }

    function _list(ICashoutRouter.Entry memory a) internal pure returns (ICashoutRouter.Entry[] memory list) {
        list = new ICashoutRouter.Entry[](1);
        list[0] = a;
    }

    function _list(
        ICashoutRouter.Entry memory a,
        ICashoutRouter.Entry memory b
    ) internal pure returns (ICashoutRouter.Entry[] memory list) {
        list = new ICashoutRouter.Entry[](2);
        list[0] = a;
        list[1] = b;
    }

    function _list(
        ICashoutRouter.Entry memory a,
        ICashoutRouter.Entry memory b,
        ICashoutRouter.Entry memory c
    ) internal pure returns (ICashoutRouter.Entry[] memory list) {
        list = new ICashoutRouter.Entry[](3);
        list[0] = a;
        list[1] = b;
        list[2] = c;
    }

    function _expectSkip(uint256 i, address cb, IBatchCashout.SkipReason reason, bytes4 selector) internal {
        vm.expectEmit(true, true, true, true, address(router));
        emit IBatchCashout.CashoutSkipped(i, cb, beneficiary, reason, selector);
    }

    // ------------------------------------------------------------------ the happy path

    function test_cashMany_cashesEveryEntryAndPaysTheSignedRecipient() public {
        vm.expectEmit(true, true, true, true, address(book));
        emit IChequebook.ChequeCashed(beneficiary, recipient, address(router), 300, 300, 0);
        vm.expectEmit(true, true, true, true, address(book2));
        emit IChequebook.ChequeCashed(beneficiary, recipient, address(router), 200, 200, 0);
        vm.prank(submitter);
        uint256 cashed = router.cashMany(_list(_entry(address(book), 300), _entry(address(book2), 200)), GAS, false);
        assertEq(cashed, 2);
        assertEq(token.balanceOf(recipient), 500);
        assertEq(book.paidOut(beneficiary), 300);
        assertEq(book2.paidOut(beneficiary), 200);
        assertEq(token.balanceOf(address(router)), 0);
    }

    function test_cashMany_forwardsEveryCallerPayoutToTheSubmitter() public {
        vm.prank(submitter);
        router.cashMany(
            _list(_entry(address(book), 300, 10, address(router)), _entry(address(book2), 200, 7, address(router))),
            GAS,
            true
        );
        assertEq(token.balanceOf(submitter), 17);
        assertEq(token.balanceOf(recipient), 483);
        assertEq(token.balanceOf(address(router)), 0, "the router keeps nothing");
    }

    // ------------------------------------------------------------------ skipped entries

    function test_cashMany_skipsStaleBouncingAndForeignEntriesAndCashesTheRest() public {
        cash(100); // book: paidOut 100
        ICashoutRouter.Entry memory stale = _entry(address(book), 100);
        ICashoutRouter.Entry memory bouncing = _entry(address(book2), 5000);
        ICashoutRouter.Entry memory good = _entry(address(book), 400);
        _expectSkip(0, address(book), IBatchCashout.SkipReason.Reverted, IChequebook.ChequeNotIncreasing.selector);
        _expectSkip(
            1,
            address(book2),
            IBatchCashout.SkipReason.Reverted,
            IChequebook.RelayedChequeWouldBounce.selector
        );
        uint256 cashed = router.cashMany(_list(stale, bouncing, good), GAS, false);
        assertEq(cashed, 1);
        assertEq(book.paidOut(beneficiary), 400);
        assertEq(book2.paidOut(beneficiary), 0);
        // with the Swarm-ABI check the same entries are skipped before any call, with their reason
        cash(420);
        good = _entry(address(book), 450);
        stale = _entry(address(book), 420);
        _expectSkip(0, address(book), IBatchCashout.SkipReason.NotIncreasing, 0);
        _expectSkip(1, address(book2), IBatchCashout.SkipReason.WouldBounce, 0);
        assertEq(router.cashMany(_list(stale, bouncing, good), GAS, true), 1);
        assertEq(book.paidOut(beneficiary), 450);
    }

    function test_cashMany_signatureForAnotherRouterIsSkipped() public {
        CashoutRouter otherRouter = new CashoutRouter();
        ICashoutRouter.Entry memory foreign = _entry(address(book), 300, 0, address(otherRouter));
        _expectSkip(
            0,
            address(book),
            IBatchCashout.SkipReason.Reverted,
            IChequebook.InvalidBeneficiarySignature.selector
        );
        assertEq(router.cashMany(_list(foreign, _entry(address(book2), 100)), GAS, false), 1);
        assertEq(book.paidOut(beneficiary), 0);
        // the same entry is good on the router it was signed for
        assertEq(otherRouter.cashMany(_list(foreign), GAS, false), 1);
        assertEq(book.paidOut(beneficiary), 300);
    }

    function test_cashMany_signatureForAnotherChainIsSkipped() public {
        ICashoutRouter.Entry memory e = _entry(address(book), 300);
        vm.chainId(block.chainid + 1);
        _expectSkip(
            0,
            address(book),
            IBatchCashout.SkipReason.Reverted,
            IChequebook.InvalidBeneficiarySignature.selector
        );
        assertEq(router.cashMany(_list(e), GAS, false), 0);
        assertEq(book.paidOut(beneficiary), 0);
    }

    function test_cashMany_entryWithoutCodeIsSkippedNotCounted() public {
        ICashoutRouter.Entry memory e = _entry(address(0xE0A), 300);
        _expectSkip(0, address(0xE0A), IBatchCashout.SkipReason.CheckFailed, 0);
        assertEq(router.cashMany(_list(e), GAS, false), 0);
        _expectSkip(0, address(0xE0A), IBatchCashout.SkipReason.CheckFailed, 0);
        assertEq(router.cashMany(_list(e), GAS, true), 0);
    }

    // ------------------------------------------------------------------ Bee's chequebooks as they are

    /// Swarm's relayed cash-out bounces (pays part) instead of reverting: only the check prevents it.
    function test_cashMany_swarmChequebook_bouncingEntrySkippedOnlyWithTheCheck() public {
        SwarmLikeChequebook swarm = new SwarmLikeChequebook(issuer, IERC20(address(token)));
        token.mint(address(swarm), 100);
        ICashoutRouter.Entry memory big = _entry(address(swarm), 300);
        _expectSkip(0, address(swarm), IBatchCashout.SkipReason.WouldBounce, 0);
        assertEq(router.cashMany(_list(big), GAS, true), 0);
        assertEq(swarm.paidOut(beneficiary), 0);
        assertTrue(!swarm.bounced(), "not touched");
        // a covered one is cashed through Swarm's ABI
        assertEq(router.cashMany(_list(_entry(address(swarm), 80)), GAS, true), 1);
        assertEq(swarm.paidOut(beneficiary), 80);
        // a stale one is skipped before the call
        _expectSkip(0, address(swarm), IBatchCashout.SkipReason.NotIncreasing, 0);
        assertEq(router.cashMany(_list(_entry(address(swarm), 80)), GAS, true), 0);
        // without the check Swarm's chequebook pays what is there and bounces
        assertEq(router.cashMany(_list(big), GAS, false), 1);
        assertTrue(swarm.bounced(), "bounced");
        assertEq(swarm.paidOut(beneficiary), 100);
    }

    // ------------------------------------------------------------------ hostile entries

    function test_cashMany_gasBombEntryBurnsOnlyItsAllowance() public {
        GasBombChequebook bomb = new GasBombChequebook();
        ICashoutRouter.Entry memory b = _entry(address(bomb), 1);
        _expectSkip(0, address(bomb), IBatchCashout.SkipReason.Reverted, 0);
        uint256 before = gasleft();
        uint256 cashed = router.cashMany(_list(b, _entry(address(book), 300)), GAS, false);
        uint256 used = before - gasleft();
        assertEq(cashed, 1);
        assertEq(book.paidOut(beneficiary), 300);
        assertLe(used, GAS + 150_000, "the bomb burnt no more than its allowance");
    }

    function test_cashMany_gasBombInTheChecksIsBoundedToo() public {
        GasBombChequebook bomb = new GasBombChequebook();
        _expectSkip(0, address(bomb), IBatchCashout.SkipReason.CheckFailed, 0);
        assertEq(router.cashMany(_list(_entry(address(bomb), 1), _entry(address(book), 300)), GAS, true), 1);
    }

    function test_cashMany_revertDataBombCostsTheBatchNothing() public {
        RevertBombChequebook bomb = new RevertBombChequebook(100_000);
        _expectSkip(0, address(bomb), IBatchCashout.SkipReason.Reverted, bytes4(0xdeadbeef));
        uint256 before = gasleft();
        assertEq(router.cashMany(_list(_entry(address(bomb), 1), _entry(address(book), 300)), GAS, false), 1);
        // copying 100 kB of revert data into the router's memory would cost > 40,000 gas on its own
        assertLe(before - gasleft(), GAS + 150_000);
    }

    function test_cashMany_returnDataBombAndALyingChequebookStealNothing() public {
        // answers the checks with 100 kB, "cashes" without paying, and claims the honest token
        ReturnBombChequebook liar = new ReturnBombChequebook(100_000, address(token));
        ICashoutRouter.Entry memory lying = _entry(address(liar), 50, 50, address(router));
        ICashoutRouter.Entry memory honest = _entry(address(book), 300, 10, address(router));
        vm.prank(submitter);
        assertEq(router.cashMany(_list(lying, honest), GAS, true), 2);
        assertEq(token.balanceOf(submitter), 10, "only the caller payout that arrived");
        assertEq(token.balanceOf(recipient), 290);
        assertEq(token.balanceOf(address(router)), 0);
    }

    function test_cashMany_reentrantChequebookIsSkipped() public {
        ReentrantChequebook re = new ReentrantChequebook(router);
        _expectSkip(
            0,
            address(re),
            IBatchCashout.SkipReason.Reverted,
            ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector
        );
        assertEq(router.cashMany(_list(_entry(address(re), 1), _entry(address(book), 300)), GAS, false), 1);
        assertEq(book.paidOut(beneficiary), 300);
    }

    /// A token that calls back into the router during a payout: the re-entry fails, the payout stands.
    function test_cashMany_reentrancyThroughTheTokenFails() public {
        ReentrantToken rt = new ReentrantToken();
        ChequebookFactory f = new ChequebookFactory(address(rt));
        Chequebook cb = Chequebook(f.deploySimpleSwap(issuer, TIMEOUT, bytes32(0)));
        rt.mint(address(cb), 1000);
        ICashoutRouter.Entry memory second = _entry(address(cb), 700);
        rt.arm(address(router), recipient, abi.encodeCall(CashoutRouter.cashMany, (_list(second), GAS, false)));
        assertEq(router.cashMany(_list(_entry(address(cb), 300)), GAS, false), 1);
        assertTrue(rt.attempted(), "re-entry attempted");
        assertTrue(!rt.reentrySucceeded(), "re-entry refused");
        assertEq(
            rt.reentryRevertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        assertEq(cb.paidOut(beneficiary), 300);
        assertEq(rt.balanceOf(recipient), 300);
    }

    // ------------------------------------------------------------------ gas allowance

    function test_cashMany_revertsOnATooSmallAllowance() public {
        vm.expectRevert(abi.encodeWithSelector(IBatchCashout.GasPerEntryTooLow.selector, 49_999, 50_000));
        router.cashMany(_list(_entry(address(book), 300)), 49_999, false);
        // the smallest allowance is accepted; a first cash-out (two new slots) needs more, so it is skipped
        _expectSkip(0, address(book), IBatchCashout.SkipReason.Reverted, 0);
        assertEq(router.cashMany(_list(_entry(address(book), 300)), 50_000, false), 0);
        assertEq(book.paidOut(beneficiary), 0);
    }

    function _tail(bytes memory err) internal pure returns (bytes memory t) {
        t = new bytes(err.length - 4);
        for (uint256 i; i < t.length; ++i) t[i] = err[i + 4];
    }

    function test_cashMany_revertsWhenTheTransactionCannotGiveAnEntryItsAllowance() public {
        ICashoutRouter.Entry[] memory list = _list(_entry(address(book), 100), _entry(address(book2), 100));
        // enough for the first entry, not for a second full allowance: the whole batch reverts
        try router.cashMany{gas: 360_000}(list, 300_000, false) {
            assertTrue(false, "should have reverted");
        } catch (bytes memory err) {
            assertEq(bytes4(err), IBatchCashout.InsufficientGasForEntry.selector);
            (uint256 index, , uint256 needed) = abi.decode(_tail(err), (uint256, uint256, uint256));
            assertEq(index, 1);
            assertEq(needed, 300_000 + 4761 + 15_000); // allowance + 1/64 kept back by EIP-150 + reserve
        }
        assertEq(book.paidOut(beneficiary), 0);
        assertEq(router.cashMany{gas: 700_000}(list, 300_000, false), 2);
    }

    // ------------------------------------------------------------------ compact entries

    function _compact(
        address cb,
        uint256 cumulative,
        uint256 callerPayout,
        address sender
    ) internal view returns (ICashoutRouter.CompactEntry memory e) {
        e.chequebook = cb;
        e.cumulativePayout = cumulative;
        e.callerPayout = callerPayout;
        (e.beneficiaryR, e.beneficiaryVS) = _compactSig(
            BENEFICIARY_PK,
            digestOf(ChequeHash.hashCashout(cb, sender, cumulative, recipient, callerPayout))
        );
        (e.issuerR, e.issuerVS) = _compactSig(ISSUER_PK, digestOf(ChequeHash.hashCheque(cb, beneficiary, cumulative)));
    }

    /// EIP-2098: r, and yParity in the top bit of s.
    function _compactSig(uint256 pk, bytes32 digest) internal pure returns (bytes32 r, bytes32 vs) {
        (uint8 v, bytes32 r_, bytes32 s_) = vm.sign(pk, digest);
        return (r_, bytes32(uint256(s_) | (uint256(v - 27) << 255)));
    }

    function test_cashManyCompact_cashesWithExpandedSignaturesAndSkipsTheRest() public {
        cash(100); // book: paidOut 100
        ICashoutRouter.CompactEntry[] memory list = new ICashoutRouter.CompactEntry[](4);
        list[0] = _compact(address(book), 100, 0, address(router)); // stale
        list[1] = _compact(address(book2), 300, 10, address(router));
        list[2] = _compact(address(book), 250, 5, address(new CashoutRouter())); // signed for another router
        list[3] = _compact(address(book), 400, 5, address(router));
        vm.expectEmit(true, true, true, true, address(router));
        emit IBatchCashout.CashoutSkipped(
            0,
            address(book),
            beneficiary,
            IBatchCashout.SkipReason.Reverted,
            IChequebook.ChequeNotIncreasing.selector
        );
        vm.expectEmit(true, true, true, true, address(book2));
        emit IChequebook.ChequeCashed(beneficiary, recipient, address(router), 300, 300, 10);
        vm.expectEmit(true, true, true, true, address(router));
        emit IBatchCashout.CashoutSkipped(
            2,
            address(book),
            beneficiary,
            IBatchCashout.SkipReason.Reverted,
            IChequebook.InvalidBeneficiarySignature.selector
        );
        vm.prank(submitter);
        assertEq(router.cashManyCompact(beneficiary, recipient, list, GAS, false), 2);
        assertEq(book.paidOut(beneficiary), 400);
        assertEq(book2.paidOut(beneficiary), 300);
        assertEq(token.balanceOf(submitter), 15);
        assertEq(token.balanceOf(recipient), 100 + 290 + 295);
        assertEq(token.balanceOf(address(router)), 0);
    }

    function test_cashManyCompact_checkFirstSkipsBouncesOnSwarmChequebooks() public {
        SwarmLikeChequebook swarm = new SwarmLikeChequebook(issuer, IERC20(address(token)));
        token.mint(address(swarm), 100);
        ICashoutRouter.CompactEntry[] memory list = new ICashoutRouter.CompactEntry[](2);
        list[0] = _compact(address(swarm), 300, 0, address(router));
        list[1] = _compact(address(swarm), 60, 0, address(router));
        _expectSkip(0, address(swarm), IBatchCashout.SkipReason.WouldBounce, 0);
        assertEq(router.cashManyCompact(beneficiary, recipient, list, GAS, true), 1);
        assertEq(swarm.paidOut(beneficiary), 60);
        assertTrue(!swarm.bounced(), "no bounce");
    }

    function test_cashManyCompact_aTamperedRecipientInvalidatesTheCashout() public {
        ICashoutRouter.CompactEntry[] memory list = new ICashoutRouter.CompactEntry[](1);
        list[0] = _compact(address(book), 300, 0, address(router));
        _expectSkip(
            0,
            address(book),
            IBatchCashout.SkipReason.Reverted,
            IChequebook.InvalidBeneficiarySignature.selector
        );
        assertEq(router.cashManyCompact(beneficiary, address(0xBAD), list, GAS, false), 0);
        assertEq(token.balanceOf(address(0xBAD)), 0);
    }
}
