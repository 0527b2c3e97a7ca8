// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChequebookTestBase} from "./ChequebookTestBase.sol";
import {IChequebook} from "../../swap/IChequebook.sol";
import {IChequebookFactory} from "../../swap/IChequebookFactory.sol";
import {Chequebook} from "../../swap/Chequebook.sol";
import {ChequebookFactory} from "../../swap/ChequebookFactory.sol";
import {ChequeHash} from "../../swap/libraries/ChequeHash.sol";
import {ERC1271Wallet} from "../mocks/ERC1271Wallet.sol";
import {ReentrantToken} from "../mocks/ReentrantToken.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @notice Cheatcodes beyond the shared TestBase subset (same signatures as forge-std's Vm.sol).
interface VmExtra {
    function etch(address target, bytes calldata newRuntimeBytecode) external;
}

/// @notice Deploys a clone of the chequebook implementation without going through the factory.
contract CloneDeployer {
    function deploy(bytes memory initCode) external returns (address a) {
        assembly ("memory-safe") {
            a := create2(0, add(initCode, 0x20), mload(initCode), 0)
        }
        require(a != address(0));
    }
}

/// @notice The review findings C-1 … C-9 on the chequebook: each test fails on the code before the fix.
contract ChequebookFindingsTest is ChequebookTestBase {
    uint256 internal constant MAX128 = type(uint128).max;
    VmExtra internal constant vmx = VmExtra(address(uint160(uint256(keccak256("hevm cheat code")))));

    // ------------------------------------------------------------------ C-1: 128-bit fields

    /// A cheque of 2^128 + 5 used to revert with SafeCast although previewCashout said it was payable.
    function test_cash_chequeAbove128BitsPaysUpToTheCapAndBounces() public {
        uint256 cumulative = MAX128 + 6;
        token.mint(address(book), MAX128 * 2);
        (uint256 req, uint256 pay) = book.previewCashout(beneficiary, cumulative);
        assertEq(req, cumulative);
        assertEq(pay, MAX128);
        bytes memory s = chequeSig(beneficiary, cumulative);
        vm.expectEmit(true, true, true, true, address(book));
        emit IChequebook.ChequeCashed(beneficiary, recipient, beneficiary, MAX128, cumulative, 0);
        vm.expectEmit(false, false, false, true, address(book));
        emit IChequebook.ChequeBounced();
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, cumulative, s);
        assertEq(book.paidOut(beneficiary), MAX128);
        assertEq(token.balanceOf(recipient), MAX128);
        assertTrue(book.bounced(), "the rest is a bounce");
        // nothing more can be paid to this beneficiary: a further cash-out pays 0 and bounces
        (req, pay) = book.previewCashout(beneficiary, cumulative);
        assertEq(req, 6);
        assertEq(pay, 0);
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, cumulative, s);
        assertEq(token.balanceOf(recipient), MAX128);
    }

    /// A relayed cheque above the cap is all-or-nothing: it reverts with the values, never pays part.
    function test_cashCheque_above128BitsRevertsWouldBounce() public {
        uint256 cumulative = MAX128 + 1;
        token.mint(address(book), MAX128 * 2);
        bytes memory bsig = cashoutSig(BENEFICIARY_PK, relayer, cumulative, recipient, 0);
        bytes memory isig = chequeSig(beneficiary, cumulative);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.RelayedChequeWouldBounce.selector, cumulative, MAX128));
        book.cashCheque(beneficiary, recipient, cumulative, bsig, 0, isig);
    }

    /// totalPaidOut (lifetime) used to overflow after recycled funds and block every later cash-out,
    /// hard-deposit-backed ones included. It now saturates.
    function test_totalPaidOut_saturatesAndCashOutsGoOn() public {
        token.mint(address(book), MAX128 - 1000);
        cash(MAX128 - 10); // totalPaidOut = 2^128 - 11
        assertEq(book.totalPaidOut(), MAX128 - 10);
        // the funds come back (recycled) and another beneficiary is backed by a hard deposit
        token.mint(address(book), 500);
        vm.prank(issuer);
        book.increaseHardDeposit(other, 400);
        bytes memory s = chequeSig(other, 300);
        vm.expectEmit(true, false, false, true, address(book));
        emit IChequebook.HardDepositAmountChanged(other, 100);
        vm.prank(other);
        book.cashChequeBeneficiary(recipient, 300, s);
        assertEq(book.paidOut(other), 300);
        assertEq(book.totalPaidOut(), MAX128, "saturated");
        assertEq(hardDepositOf(other), 100);
        assertEq(book.totalHardDeposit(), 100);
    }

    /// previewCashout agrees with cashChequeBeneficiary in every case (fuzzed against each other).
    function test_fuzz_previewCashout_agreesWithCash(
        uint256 funded,
        uint256 hdOther,
        uint256 hdMine,
        uint256 first,
        uint256 second,
        uint256 topUp
    ) public {
        Chequebook cb = Chequebook(factory.deploySimpleSwap(issuer, TIMEOUT, bytes32("fuzz")));
        funded = bound(funded, 0, type(uint256).max / 4);
        token.mint(address(cb), funded);
        uint256 maxHd = funded < type(uint120).max ? funded : type(uint120).max;
        hdOther = bound(hdOther, 0, maxHd);
        hdMine = bound(hdMine, 0, maxHd - hdOther);
        vm.startPrank(issuer);
        if (hdOther != 0) cb.increaseHardDeposit(other, hdOther);
        if (hdMine != 0) cb.increaseHardDeposit(beneficiary, hdMine);
        vm.stopPrank();
        first = bound(first, 1, type(uint256).max - 1);
        second = bound(second, 0, type(uint256).max);
        _cashAgainstPreview(cb, first);
        token.mint(address(cb), bound(topUp, 0, type(uint256).max / 4));
        _cashAgainstPreview(cb, second);
    }

    function _cashAgainstPreview(Chequebook cb, uint256 cumulative) internal {
        (uint256 req, uint256 pay) = cb.previewCashout(beneficiary, cumulative);
        uint256 paidBefore = cb.paidOut(beneficiary);
        uint256 balBefore = token.balanceOf(recipient);
        bool wasBounced = cb.bounced();
        bytes memory s = chequeSig(ISSUER_PK, address(cb), beneficiary, cumulative);
        vm.prank(beneficiary);
        if (cumulative <= paidBefore) {
            assertEq(req, 0);
            assertEq(pay, 0);
            vm.expectRevert(abi.encodeWithSelector(IChequebook.ChequeNotIncreasing.selector, cumulative, paidBefore));
            cb.cashChequeBeneficiary(recipient, cumulative, s);
            return;
        }
        cb.cashChequeBeneficiary(recipient, cumulative, s);
        assertEq(req, cumulative - paidBefore);
        assertEq(token.balanceOf(recipient) - balBefore, pay, "paid what the preview said");
        assertEq(cb.paidOut(beneficiary), paidBefore + pay);
        assertEq(cb.bounced(), wasBounced || pay < req);
        assertLe(cb.paidOut(beneficiary), MAX128);
    }

    // ------------------------------------------------------------------ C-2: timeout signatures

    function _epochValue(uint256 epoch, uint256 timeout) internal pure returns (uint256) {
        return (epoch << 128) | timeout;
    }

    /// An old unused signature could override a newer agreement; bumping the epoch now invalidates it.
    function test_bumpTimeoutEpoch_invalidatesUnusedSignatures() public {
        bytes memory oldShort = timeoutSig(BENEFICIARY_PK, beneficiary, 1 hours); // never used
        vm.expectEmit(true, false, false, true, address(book));
        emit IChequebook.TimeoutEpochBumped(beneficiary, 1);
        vm.prank(beneficiary);
        assertEq(book.bumpTimeoutEpoch(), 1);
        assertEq(book.timeoutEpoch(beneficiary), 1);

        uint256 value = _epochValue(1, 30 days);
        bytes memory agreed = timeoutSig(BENEFICIARY_PK, beneficiary, value);
        vm.startPrank(issuer);
        book.setCustomHardDepositTimeout(beneficiary, value, agreed);
        (, , uint256 timeout, ) = book.hardDeposits(beneficiary);
        assertEq(timeout, 30 days);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.TimeoutEpochMismatch.selector, beneficiary, 0, 1));
        book.setCustomHardDepositTimeout(beneficiary, 1 hours, oldShort);
        vm.stopPrank();
        (, , timeout, ) = book.hardDeposits(beneficiary);
        assertEq(timeout, 30 days, "the newer agreement stands");
    }

    /// A value once set could never be set again; in a new epoch it can.
    function test_setCustomHardDepositTimeout_sameValueAgainInANewEpoch() public {
        vm.startPrank(issuer);
        book.setCustomHardDepositTimeout(beneficiary, 1 hours, timeoutSig(BENEFICIARY_PK, beneficiary, 1 hours));
        book.setCustomHardDepositTimeout(beneficiary, 2 hours, timeoutSig(BENEFICIARY_PK, beneficiary, 2 hours));
        vm.stopPrank();
        vm.prank(beneficiary);
        book.bumpTimeoutEpoch();
        uint256 value = _epochValue(1, 1 hours);
        vm.expectEmit(true, false, false, true, address(book));
        emit IChequebook.HardDepositTimeoutChanged(beneficiary, 1 hours);
        vm.prank(issuer);
        book.setCustomHardDepositTimeout(beneficiary, value, timeoutSig(BENEFICIARY_PK, beneficiary, value));
        (, , uint256 timeout, ) = book.hardDeposits(beneficiary);
        assertEq(timeout, 1 hours);
    }

    /// A signature for a future epoch is refused too (both sides of the equality).
    function test_setCustomHardDepositTimeout_revertsForAFutureEpoch() public {
        uint256 value = _epochValue(1, 1 hours);
        bytes memory s = timeoutSig(BENEFICIARY_PK, beneficiary, value);
        vm.prank(issuer);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.TimeoutEpochMismatch.selector, beneficiary, 1, 0));
        book.setCustomHardDepositTimeout(beneficiary, value, s);
    }

    /// Epochs are per beneficiary: bumping mine leaves another beneficiary's signatures valid.
    function test_bumpTimeoutEpoch_isPerBeneficiary() public {
        vm.prank(beneficiary);
        book.bumpTimeoutEpoch();
        vm.prank(issuer);
        book.setCustomHardDepositTimeout(other, 5 hours, timeoutSig(OTHER_PK, other, 5 hours));
        (, , uint256 timeout, ) = book.hardDeposits(other);
        assertEq(timeout, 5 hours);
    }

    // ------------------------------------------------------------------ C-4: one Cashout, two wallets

    function test_cashCheque_erc1271CashoutDigestWorksOnce() public {
        ERC1271Wallet walletA = new ERC1271Wallet(beneficiary);
        ERC1271Wallet walletB = new ERC1271Wallet(beneficiary); // same owner key
        token.mint(address(book), 1000);
        bytes memory bsig = cashoutSig(BENEFICIARY_PK, relayer, 300, recipient, 30);
        bytes32 digest = digestOf(ChequeHash.hashCashout(address(book), relayer, 300, recipient, 30));
        vm.startPrank(relayer);
        book.cashCheque(address(walletA), recipient, 300, bsig, 30, chequeSig(address(walletA), 300));
        assertTrue(book.cashoutSignatureUsed(digest), "digest consumed");
        vm.expectRevert(abi.encodeWithSelector(IChequebook.CashoutSignatureUsed.selector, digest));
        book.cashCheque(address(walletB), recipient, 300, bsig, 30, chequeSig(address(walletB), 300));
        vm.stopPrank();
        assertEq(token.balanceOf(relayer), 30, "callerPayout earned once");
        assertEq(book.paidOut(address(walletB)), 0);
    }

    function test_cashCheque_eoaBeneficiaryConsumesNoDigest() public {
        bytes memory bsig = cashoutSig(BENEFICIARY_PK, relayer, 300, recipient, 30);
        bytes32 digest = digestOf(ChequeHash.hashCashout(address(book), relayer, 300, recipient, 30));
        vm.prank(relayer);
        book.cashCheque(beneficiary, recipient, 300, bsig, 30, chequeSig(beneficiary, 300));
        assertTrue(!book.cashoutSignatureUsed(digest), "EOA path writes nothing");
    }

    // ------------------------------------------------------------------ C-9: Swarm typehash getters

    function test_typehashGetters_matchSwarmValues() public view {
        assertEq(book.EIP712DOMAIN_TYPEHASH(), keccak256("EIP712Domain(string name,string version,uint256 chainId)"));
        assertEq(
            book.CHEQUE_TYPEHASH(),
            keccak256("Cheque(address chequebook,address beneficiary,uint256 cumulativePayout)")
        );
        assertEq(
            book.CASHOUT_TYPEHASH(),
            keccak256(
                // solhint-disable-next-line max-line-length
                "Cashout(address chequebook,address sender,uint256 requestPayout,address recipient,uint256 callerPayout)"
            )
        );
        assertEq(
            book.CUSTOMDECREASETIMEOUT_TYPEHASH(),
            keccak256("CustomDecreaseTimeout(address chequebook,address beneficiary,uint256 decreaseTimeout)")
        );
        // the value computed independently (ethers `id()`)
        assertEq(book.EIP712DOMAIN_TYPEHASH(), 0xc2f8787176b8ac6bf7215b4adcc1e069bf4ab82d9ab1df05a57a91d425935b6e);
    }

    // ------------------------------------------------------------------ C-6 / C-7: bounds and events

    function test_increaseHardDeposit_hugeAmountRevertsTyped() public {
        vm.startPrank(issuer);
        book.increaseHardDeposit(other, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChequebook.HardDepositExceedsBalance.selector, type(uint256).max, 1000)
        );
        book.increaseHardDeposit(beneficiary, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.HardDepositExceedsBalance.selector, 1001, 1000));
        book.increaseHardDeposit(beneficiary, 1000);
        book.increaseHardDeposit(beneficiary, 999); // exactly the balance: accepted
        vm.stopPrank();
        assertEq(book.totalHardDeposit(), 1000);
    }

    function test_increaseHardDeposit_exactly120BitsIsAccepted() public {
        token.mint(address(book), type(uint120).max);
        vm.prank(issuer);
        book.increaseHardDeposit(beneficiary, type(uint120).max);
        assertEq(book.totalHardDeposit(), type(uint120).max);
    }

    function test_prepareDecreaseHardDeposit_hugeCustomTimeoutMeansNever() public {
        vm.startPrank(issuer);
        book.setCustomHardDepositTimeout(beneficiary, MAX128, timeoutSig(BENEFICIARY_PK, beneficiary, MAX128));
        book.increaseHardDeposit(beneficiary, 10);
        book.prepareDecreaseHardDeposit(beneficiary, 10);
        vm.stopPrank();
        (, , , uint256 dueAt) = book.hardDeposits(beneficiary);
        assertEq(dueAt, MAX128);
        vm.warp(type(uint64).max);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.DecreaseNotDue.selector, MAX128, type(uint64).max));
        book.decreaseHardDeposit(beneficiary);
    }

    function test_cash_consumingHardDepositEmitsHardDepositAmountChanged() public {
        vm.prank(issuer);
        book.increaseHardDeposit(beneficiary, 400);
        bytes memory s = chequeSig(beneficiary, 250);
        vm.expectEmit(true, true, true, true, address(book));
        emit IChequebook.ChequeCashed(beneficiary, recipient, beneficiary, 250, 250, 0);
        vm.expectEmit(true, false, false, true, address(book));
        emit IChequebook.HardDepositAmountChanged(beneficiary, 150);
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, 250, s);
        assertEq(hardDepositOf(beneficiary), 150);
    }

    function test_increaseHardDeposit_cancellingAPendingDecreaseEmits() public {
        vm.startPrank(issuer);
        book.increaseHardDeposit(beneficiary, 300);
        book.prepareDecreaseHardDeposit(beneficiary, 120);
        vm.expectEmit(true, false, false, true, address(book));
        emit IChequebook.HardDepositDecreaseCancelled(beneficiary, 120);
        vm.expectEmit(true, false, false, true, address(book));
        emit IChequebook.HardDepositAmountChanged(beneficiary, 301);
        book.increaseHardDeposit(beneficiary, 1);
        vm.stopPrank();
    }

    function test_factory_timeoutBeyond64BitsRevertsTyped() public {
        uint256 tooLong = uint256(type(uint64).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IChequebookFactory.TimeoutTooLarge.selector, tooLong, type(uint64).max));
        factory.deploySimpleSwap(issuer, tooLong, bytes32("long"));
        Chequebook cb = Chequebook(factory.deploySimpleSwap(issuer, type(uint64).max, bytes32("long")));
        assertEq(cb.defaultHardDepositTimeout(), type(uint64).max);
        assertEq(cb.issuer(), issuer);
    }

    // ------------------------------------------------------------------ C-8: views during a payout

    function test_views_revertWhileAPayoutRuns() public {
        ReentrantToken rt = new ReentrantToken();
        ChequebookFactory f = new ChequebookFactory(address(rt));
        Chequebook cb = Chequebook(f.deploySimpleSwap(issuer, TIMEOUT, bytes32(0)));
        rt.mint(address(cb), 1000);
        rt.arm(address(cb), recipient, abi.encodeCall(Chequebook.liquidBalance, ()));
        bytes memory s = chequeSig(ISSUER_PK, address(cb), beneficiary, 600);
        vm.prank(beneficiary);
        cb.cashChequeBeneficiary(recipient, 600, s);
        assertTrue(rt.attempted(), "view read from the token hook");
        assertTrue(!rt.reentrySucceeded(), "view refused");
        assertEq(
            rt.reentryRevertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        assertEq(cb.liquidBalance(), 400, "answers again once the payout finished");
    }

    // ------------------------------------------------------------------ docs vs code: the implementation

    function test_implementation_viewsAnswerEmptyStateAndStateChangesRevert() public {
        Chequebook impl = Chequebook(factory.master());
        // storage views answer with the implementation's own, empty state
        assertEq(impl.paidOut(beneficiary), 0);
        assertEq(impl.totalPaidOut(), 0);
        assertEq(impl.token(), address(token));
        assertEq(impl.CHEQUE_TYPEHASH(), ChequeHash.CHEQUE_TYPEHASH);
        // views needing the clone arguments and every state change revert
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotAClone.selector));
        impl.defaultHardDepositTimeout();
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotAClone.selector));
        impl.bumpTimeoutEpoch();
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotAClone.selector));
        impl.increaseHardDeposit(beneficiary, 0);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotAClone.selector));
        impl.setCustomHardDepositTimeout(beneficiary, 1, "");
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotAClone.selector));
        impl.cashChequeBeneficiary(recipient, 1, "");
        // a check that comes first answers first
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidBeneficiarySignature.selector, beneficiary));
        impl.cashCheque(beneficiary, recipient, 1, "", 0, "");
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NoDecreasePrepared.selector, beneficiary));
        impl.decreaseHardDeposit(beneficiary);
    }

    // ------------------------------------------------------------------ deployedContracts from code

    function test_deployedContracts_answersFromTheCode() public {
        assertTrue(factory.deployedContracts(address(book)), "factory clone");
        // the same clone code deployed by someone else behaves the same, so it counts
        CloneDeployer d = new CloneDeployer();
        address twin = d.deploy(_initCode(address(factory.master()), other, 7 days));
        assertTrue(factory.deployedContracts(twin), "identical clone");
        assertEq(Chequebook(twin).issuer(), other);
        // anything else does not
        assertTrue(!factory.deployedContracts(address(0)), "no code");
        assertTrue(!factory.deployedContracts(issuer), "EOA");
        assertTrue(!factory.deployedContracts(factory.master()), "the implementation");
        assertTrue(
            !factory.deployedContracts(d.deploy(_initCode(address(token), other, 7 days))),
            "clone of another implementation"
        );
        assertTrue(
            !factory.deployedContracts(d.deploy(_initCode(factory.master(), address(0), 7 days))),
            "zero issuer"
        );
        ChequebookFactory otherFactory = new ChequebookFactory(address(token));
        assertTrue(!factory.deployedContracts(otherFactory.deploySimpleSwap(issuer, TIMEOUT, 0)), "another factory");
        // an EIP-7702 delegation designator pointing at the implementation
        address delegated = address(0x7702);
        vmx.etch(delegated, abi.encodePacked(hex"ef0100", factory.master()));
        assertTrue(!factory.deployedContracts(delegated), "7702 designator");
    }

    function _initCode(address impl, address issuer_, uint64 timeout) internal pure returns (bytes memory) {
        return
            abi.encodePacked(
                hex"61",
                uint16(73),
                hex"3d81600a3d39f3363d3d373d3d3d363d73",
                impl,
                hex"5af43d82803e903d91602b57fd5bf3",
                issuer_,
                timeout
            );
    }
}
