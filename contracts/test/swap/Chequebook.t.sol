// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChequebookTestBase} from "./ChequebookTestBase.sol";
import {IChequebook} from "../../swap/IChequebook.sol";
import {IChequebookFactory} from "../../swap/IChequebookFactory.sol";
import {Chequebook} from "../../swap/Chequebook.sol";
import {ChequeHash} from "../../swap/libraries/ChequeHash.sol";
import {ERC1271Wallet} from "../mocks/ERC1271Wallet.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract ChequebookTest is ChequebookTestBase {
    // ------------------------------------------------------------------ factory

    function test_factory_deploysConfiguredCloneAtPredictedAddress() public {
        address predicted = factory.predictAddress(address(this), other, 7 days, bytes32("x"));
        vm.expectEmit(false, false, false, true, address(factory));
        emit IChequebookFactory.SimpleSwapDeployed(predicted);
        address deployed = factory.deploySimpleSwap(other, 7 days, bytes32("x"));
        assertEq(deployed, predicted);
        assertTrue(factory.deployedContracts(deployed), "registered");
        Chequebook cb = Chequebook(deployed);
        assertEq(cb.issuer(), other);
        assertEq(cb.token(), address(token));
        assertEq(cb.defaultHardDepositTimeout(), 7 days);
        assertEq(factory.ERC20Address(), address(token));
        assertTrue(!factory.deployedContracts(address(0xdead)), "unknown address not registered");
    }

    function test_factory_revertsOnZeroIssuer() public {
        vm.expectRevert(abi.encodeWithSelector(IChequebookFactory.ZeroIssuer.selector));
        factory.deploySimpleSwap(address(0), TIMEOUT, bytes32("y"));
    }

    function test_factory_saltIsBoundToCaller() public {
        address mine = factory.predictAddress(address(this), issuer, TIMEOUT, bytes32("s2"));
        vm.prank(other);
        address theirs = factory.deploySimpleSwap(issuer, TIMEOUT, bytes32("s2"));
        assertTrue(mine != theirs, "another caller cannot take my address");
        assertEq(factory.deploySimpleSwap(issuer, TIMEOUT, bytes32("s2")), mine);
    }

    function test_factory_revertsOnRedeployToSameAddress() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IChequebookFactory.ChequebookAlreadyDeployed.selector,
                address(book),
                address(this),
                bytes32("salt")
            )
        );
        factory.deploySimpleSwap(issuer, TIMEOUT, bytes32("salt"));
    }

    // ------------------------------------------------------------------ weakness 1: initialisation

    function test_init_revertsOnClone() public {
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InitializedAtCreation.selector));
        book.init(other, address(token), 0);
        assertEq(book.issuer(), issuer);
    }

    function test_init_revertsOnImplementation() public {
        Chequebook impl = Chequebook(factory.master());
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InitializedAtCreation.selector));
        impl.init(other, address(token), 0);
    }

    function test_implementation_refusesUse() public {
        Chequebook impl = Chequebook(factory.master());
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotAClone.selector));
        impl.issuer();
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotAClone.selector));
        impl.withdraw(0);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotAClone.selector));
        impl.cashChequeBeneficiary(recipient, 1, "");
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotAClone.selector));
        impl.deposit(0);
    }

    // ------------------------------------------------------------------ views

    function test_views_balances() public {
        assertEq(book.balance(), 1000);
        assertEq(book.liquidBalance(), 1000);
        vm.prank(issuer);
        book.increaseHardDeposit(beneficiary, 300);
        assertEq(book.liquidBalance(), 700);
        assertEq(book.liquidBalanceFor(beneficiary), 1000);
        assertEq(book.liquidBalanceFor(other), 700);
        assertEq(book.totalHardDeposit(), 300);
    }

    function test_previewCashout_matchesCashing() public {
        (uint256 req, uint256 pay) = book.previewCashout(beneficiary, 400);
        assertEq(req, 400);
        assertEq(pay, 400);
        cash(400);
        (req, pay) = book.previewCashout(beneficiary, 400);
        assertEq(req, 0);
        assertEq(pay, 0);
        (req, pay) = book.previewCashout(beneficiary, 300);
        assertEq(req, 0);
        (req, pay) = book.previewCashout(beneficiary, 2000);
        assertEq(req, 1600);
        assertEq(pay, 600);
    }

    // ------------------------------------------------------------------ cashChequeBeneficiary

    function test_cashChequeBeneficiary_paysAndEmits() public {
        bytes memory s = chequeSig(beneficiary, 250);
        vm.expectEmit(true, true, true, true, address(book));
        emit IChequebook.ChequeCashed(beneficiary, recipient, beneficiary, 250, 250, 0);
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, 250, s);
        assertEq(token.balanceOf(recipient), 250);
        assertEq(book.paidOut(beneficiary), 250);
        assertEq(book.totalPaidOut(), 250);
        assertEq(book.balance(), 750);
        assertTrue(!book.bounced(), "not bounced");
    }

    function test_cashChequeBeneficiary_laterChequePaysDifference() public {
        cash(100);
        cash(350);
        assertEq(token.balanceOf(recipient), 350);
        assertEq(book.paidOut(beneficiary), 350);
    }

    function test_cashChequeBeneficiary_revertsWhenNotIncreasing() public {
        cash(300);
        bytes memory s = chequeSig(beneficiary, 200);
        vm.prank(beneficiary);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.ChequeNotIncreasing.selector, 200, 300));
        book.cashChequeBeneficiary(recipient, 200, s);
    }

    function test_cashChequeBeneficiary_revertsWhenAlreadyFullyPaid() public {
        cash(300);
        bytes memory s = chequeSig(beneficiary, 300);
        vm.prank(beneficiary);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.ChequeNotIncreasing.selector, 300, 300));
        book.cashChequeBeneficiary(recipient, 300, s);
        assertEq(token.balanceOf(recipient), 300);
    }

    function test_cashChequeBeneficiary_revertsOnSignatureByOtherKey() public {
        bytes memory s = chequeSig(OTHER_PK, address(book), beneficiary, 100);
        vm.prank(beneficiary);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidIssuerSignature.selector, issuer, beneficiary, 100));
        book.cashChequeBeneficiary(recipient, 100, s);
    }

    function test_cashChequeBeneficiary_revertsOnTamperedAmount() public {
        bytes memory s = chequeSig(beneficiary, 100);
        vm.prank(beneficiary);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidIssuerSignature.selector, issuer, beneficiary, 101));
        book.cashChequeBeneficiary(recipient, 101, s);
    }

    function test_cashChequeBeneficiary_revertsForChequeOfAnotherBeneficiary() public {
        bytes memory s = chequeSig(beneficiary, 100);
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidIssuerSignature.selector, issuer, other, 100));
        book.cashChequeBeneficiary(recipient, 100, s);
    }

    function test_cashChequeBeneficiary_revertsForChequeOfAnotherChequebook() public {
        address otherBook = factory.deploySimpleSwap(issuer, TIMEOUT, bytes32("other"));
        bytes memory s = chequeSig(ISSUER_PK, otherBook, beneficiary, 100);
        vm.prank(beneficiary);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidIssuerSignature.selector, issuer, beneficiary, 100));
        book.cashChequeBeneficiary(recipient, 100, s);
    }

    function test_cashChequeBeneficiary_revertsForChequeOfAnotherChain() public {
        bytes memory s = chequeSig(beneficiary, 100);
        vm.chainId(block.chainid + 1);
        vm.prank(beneficiary);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidIssuerSignature.selector, issuer, beneficiary, 100));
        book.cashChequeBeneficiary(recipient, 100, s);
    }

    function test_cashChequeBeneficiary_revertsOnHighS() public {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(
            ISSUER_PK,
            digestOf(ChequeHash.hashCheque(address(book), beneficiary, 100))
        );
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        bytes memory malleable = abi.encodePacked(r, bytes32(n - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        vm.prank(beneficiary);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidIssuerSignature.selector, issuer, beneficiary, 100));
        book.cashChequeBeneficiary(recipient, 100, malleable);
    }

    function test_cashChequeBeneficiary_revertsOnShortSignature() public {
        (, bytes32 r, bytes32 s) = vm.sign(ISSUER_PK, digestOf(ChequeHash.hashCheque(address(book), beneficiary, 100)));
        vm.prank(beneficiary);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidIssuerSignature.selector, issuer, beneficiary, 100));
        book.cashChequeBeneficiary(recipient, 100, abi.encodePacked(r, s));
    }

    function test_cashChequeBeneficiary_revertsOnZeroRecipient() public {
        bytes memory s = chequeSig(beneficiary, 100);
        vm.prank(beneficiary);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.ZeroRecipient.selector));
        book.cashChequeBeneficiary(address(0), 100, s);
    }

    function test_cashChequeBeneficiary_issuerNeedsNoSignature() public {
        vm.prank(issuer);
        book.cashChequeBeneficiary(recipient, 100, "");
        assertEq(book.paidOut(issuer), 100);
    }

    function test_cashChequeBeneficiary_bouncesThenRestIsCashableLater() public {
        bytes memory s = chequeSig(beneficiary, 1500);
        vm.expectEmit(true, true, true, true, address(book));
        emit IChequebook.ChequeCashed(beneficiary, recipient, beneficiary, 1000, 1500, 0);
        vm.expectEmit(false, false, false, true, address(book));
        emit IChequebook.ChequeBounced();
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, 1500, s);
        assertEq(token.balanceOf(recipient), 1000);
        assertEq(book.paidOut(beneficiary), 1000);
        assertTrue(book.bounced(), "bounced flag");

        token.mint(address(book), 800);
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, 1500, s);
        assertEq(token.balanceOf(recipient), 1500);
        assertEq(book.balance(), 300);
    }

    function test_cashChequeBeneficiary_emptyChequebookBouncesWithZeroPayout() public {
        vm.prank(issuer);
        book.withdraw(1000);
        bytes memory s = chequeSig(beneficiary, 10);
        vm.expectEmit(true, true, true, true, address(book));
        emit IChequebook.ChequeCashed(beneficiary, recipient, beneficiary, 0, 10, 0);
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, 10, s);
        assertEq(book.paidOut(beneficiary), 0);
        assertTrue(book.bounced(), "bounced flag");
    }

    function test_cashChequeBeneficiary_drawsHardDepositFirst() public {
        vm.startPrank(issuer);
        book.increaseHardDeposit(beneficiary, 400);
        book.increaseHardDeposit(other, 500);
        vm.stopPrank();
        // liquid for beneficiary = 1000 - 900 + 400 = 500
        assertEq(book.liquidBalanceFor(beneficiary), 500);
        cash(450);
        assertEq(hardDepositOf(beneficiary), 0);
        assertEq(book.totalHardDeposit(), 500);
        assertEq(book.liquidBalance(), 50);
        // the other beneficiary's collateral is untouched by this bounce
        bytes memory s = chequeSig(beneficiary, 600);
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, 600, s);
        assertEq(book.paidOut(beneficiary), 500);
        assertEq(book.balance(), 500);
        assertEq(hardDepositOf(other), 500);
    }

    // ------------------------------------------------------------------ cashCheque (relayed)

    function test_cashCheque_paysRecipientAndCaller() public {
        bytes memory bsig = cashoutSig(BENEFICIARY_PK, relayer, 300, recipient, 20);
        bytes memory isig = chequeSig(beneficiary, 300);
        vm.expectEmit(true, true, true, true, address(book));
        emit IChequebook.ChequeCashed(beneficiary, recipient, relayer, 300, 300, 20);
        vm.prank(relayer);
        book.cashCheque(beneficiary, recipient, 300, bsig, 20, isig);
        assertEq(token.balanceOf(recipient), 280);
        assertEq(token.balanceOf(relayer), 20);
        assertEq(book.paidOut(beneficiary), 300);
    }

    function test_cashCheque_revertsWhenSenderIsNotTheAuthorisedOne() public {
        bytes memory bsig = cashoutSig(BENEFICIARY_PK, relayer, 300, recipient, 20);
        bytes memory isig = chequeSig(beneficiary, 300);
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidBeneficiarySignature.selector, beneficiary));
        book.cashCheque(beneficiary, recipient, 300, bsig, 20, isig);
    }

    function test_cashCheque_revertsOnTamperedRecipientOrCallerPayout() public {
        bytes memory bsig = cashoutSig(BENEFICIARY_PK, relayer, 300, recipient, 20);
        bytes memory isig = chequeSig(beneficiary, 300);
        vm.startPrank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidBeneficiarySignature.selector, beneficiary));
        book.cashCheque(beneficiary, relayer, 300, bsig, 20, isig);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidBeneficiarySignature.selector, beneficiary));
        book.cashCheque(beneficiary, recipient, 300, bsig, 21, isig);
        vm.stopPrank();
    }

    function test_cashCheque_revertsOnBadIssuerSignature() public {
        bytes memory bsig = cashoutSig(BENEFICIARY_PK, relayer, 300, recipient, 20);
        bytes memory isig = chequeSig(OTHER_PK, address(book), beneficiary, 300);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidIssuerSignature.selector, issuer, beneficiary, 300));
        book.cashCheque(beneficiary, recipient, 300, bsig, 20, isig);
    }

    function test_cashCheque_revertsWhenCallerPayoutExceedsPayout() public {
        bytes memory bsig = cashoutSig(BENEFICIARY_PK, relayer, 300, recipient, 301);
        bytes memory isig = chequeSig(beneficiary, 300);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.CallerPayoutExceedsPayout.selector, 301, 300));
        book.cashCheque(beneficiary, recipient, 300, bsig, 301, isig);
    }

    /// Weakness 2: in Swarm's original the relayer is paid `callerPayout` on every re-submission of
    /// one `Cashout` signature while the cheque stays bounced. Here a relayed cash-out is all-or-nothing.
    function test_cashCheque_callerPayoutIsEarnedOnceAcrossABounce() public {
        bytes memory bsig = cashoutSig(BENEFICIARY_PK, relayer, 1500, recipient, 50);
        bytes memory isig = chequeSig(beneficiary, 1500);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.RelayedChequeWouldBounce.selector, 1500, 1000));
        book.cashCheque(beneficiary, recipient, 1500, bsig, 50, isig);
        assertEq(token.balanceOf(relayer), 0);

        token.mint(address(book), 500);
        vm.prank(relayer);
        book.cashCheque(beneficiary, recipient, 1500, bsig, 50, isig);
        assertEq(token.balanceOf(relayer), 50);
        assertEq(token.balanceOf(recipient), 1450);

        token.mint(address(book), 500);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.ChequeNotIncreasing.selector, 1500, 1500));
        book.cashCheque(beneficiary, recipient, 1500, bsig, 50, isig);
        assertEq(token.balanceOf(relayer), 50);
    }

    // ------------------------------------------------------------------ withdraw (weakness 3)

    function test_withdraw_transfersAndEmits() public {
        vm.expectEmit(false, false, false, true, address(book));
        emit IChequebook.Withdraw(400);
        vm.prank(issuer);
        book.withdraw(400);
        assertEq(token.balanceOf(issuer), 400);
        assertEq(book.balance(), 600);
    }

    function test_withdraw_revertsWhenNotIssuer() public {
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotIssuer.selector, other, issuer));
        book.withdraw(1);
    }

    function test_withdraw_revertsBeyondLiquidBalance() public {
        vm.startPrank(issuer);
        book.increaseHardDeposit(beneficiary, 300);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InsufficientLiquidBalance.selector, 701, 700));
        book.withdraw(701);
        book.withdraw(700);
        vm.stopPrank();
        assertEq(book.balance(), 300);
    }

    // ------------------------------------------------------------------ hard deposits

    function test_increaseHardDeposit_updatesAndEmits() public {
        vm.expectEmit(true, false, false, true, address(book));
        emit IChequebook.HardDepositAmountChanged(beneficiary, 300);
        vm.prank(issuer);
        book.increaseHardDeposit(beneficiary, 300);
        assertEq(hardDepositOf(beneficiary), 300);
        assertEq(book.totalHardDeposit(), 300);
    }

    function test_increaseHardDeposit_revertsWhenNotIssuer() public {
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotIssuer.selector, other, issuer));
        book.increaseHardDeposit(beneficiary, 1);
    }

    function test_increaseHardDeposit_revertsBeyondBalance() public {
        vm.startPrank(issuer);
        book.increaseHardDeposit(beneficiary, 600);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.HardDepositExceedsBalance.selector, 1001, 1000));
        book.increaseHardDeposit(other, 401);
        vm.stopPrank();
    }

    function test_increaseHardDeposit_cancelsPendingDecrease() public {
        vm.startPrank(issuer);
        book.increaseHardDeposit(beneficiary, 300);
        book.prepareDecreaseHardDeposit(beneficiary, 100);
        book.increaseHardDeposit(beneficiary, 1);
        vm.stopPrank();
        (, uint256 dec, , uint256 dueAt) = book.hardDeposits(beneficiary);
        assertEq(dec, 0);
        assertEq(dueAt, 0);
        vm.warp(block.timestamp + TIMEOUT);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NoDecreasePrepared.selector, beneficiary));
        book.decreaseHardDeposit(beneficiary);
    }

    function test_prepareDecreaseHardDeposit_usesDefaultTimeout() public {
        vm.startPrank(issuer);
        book.increaseHardDeposit(beneficiary, 300);
        vm.expectEmit(true, false, false, true, address(book));
        emit IChequebook.HardDepositDecreasePrepared(beneficiary, 100);
        book.prepareDecreaseHardDeposit(beneficiary, 100);
        vm.stopPrank();
        (uint256 amount, uint256 dec, uint256 timeout, uint256 dueAt) = book.hardDeposits(beneficiary);
        assertEq(amount, 300);
        assertEq(dec, 100);
        assertEq(timeout, 0);
        assertEq(dueAt, block.timestamp + TIMEOUT);
    }

    function test_prepareDecreaseHardDeposit_revertsWhenNotIssuer() public {
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotIssuer.selector, other, issuer));
        book.prepareDecreaseHardDeposit(beneficiary, 0);
    }

    function test_prepareDecreaseHardDeposit_revertsBeyondDeposit() public {
        vm.startPrank(issuer);
        book.increaseHardDeposit(beneficiary, 300);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.DecreaseExceedsHardDeposit.selector, 301, 300));
        book.prepareDecreaseHardDeposit(beneficiary, 301);
        vm.stopPrank();
    }

    function test_decreaseHardDeposit_appliesWhenDue() public {
        vm.startPrank(issuer);
        book.increaseHardDeposit(beneficiary, 300);
        book.prepareDecreaseHardDeposit(beneficiary, 100);
        vm.stopPrank();
        uint256 due = block.timestamp + TIMEOUT;
        vm.warp(due - 1);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.DecreaseNotDue.selector, due, due - 1));
        book.decreaseHardDeposit(beneficiary);
        vm.warp(due);
        vm.expectEmit(true, false, false, true, address(book));
        emit IChequebook.HardDepositAmountChanged(beneficiary, 200);
        vm.prank(other); // anyone may apply it
        book.decreaseHardDeposit(beneficiary);
        assertEq(hardDepositOf(beneficiary), 200);
        assertEq(book.totalHardDeposit(), 200);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NoDecreasePrepared.selector, beneficiary));
        book.decreaseHardDeposit(beneficiary);
    }

    function test_decreaseHardDeposit_revertsWhenNotPrepared() public {
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NoDecreasePrepared.selector, beneficiary));
        book.decreaseHardDeposit(beneficiary);
    }

    /// Weakness 5: Swarm's original underflows here, blocking the decrease forever.
    function test_decreaseHardDeposit_afterCashOutConsumedPartOfIt() public {
        vm.startPrank(issuer);
        book.increaseHardDeposit(beneficiary, 1000); // all the balance is collateral
        book.prepareDecreaseHardDeposit(beneficiary, 800);
        vm.stopPrank();
        cash(500); // drawn from the hard deposit: 500 left, less than the prepared 800
        assertEq(hardDepositOf(beneficiary), 500);
        vm.warp(block.timestamp + TIMEOUT);
        book.decreaseHardDeposit(beneficiary);
        assertEq(hardDepositOf(beneficiary), 0);
        assertEq(book.totalHardDeposit(), 0);
        assertEq(book.liquidBalance(), 500);
    }

    // ------------------------------------------------------------------ custom timeout (weakness 4)

    function test_setCustomHardDepositTimeout_setsAndIsUsed() public {
        bytes memory s = timeoutSig(BENEFICIARY_PK, beneficiary, 30 days);
        vm.expectEmit(true, false, false, true, address(book));
        emit IChequebook.HardDepositTimeoutChanged(beneficiary, 30 days);
        vm.startPrank(issuer);
        book.setCustomHardDepositTimeout(beneficiary, 30 days, s);
        book.increaseHardDeposit(beneficiary, 10);
        book.prepareDecreaseHardDeposit(beneficiary, 10);
        vm.stopPrank();
        (, , uint256 timeout, uint256 dueAt) = book.hardDeposits(beneficiary);
        assertEq(timeout, 30 days);
        assertEq(dueAt, block.timestamp + 30 days);
    }

    function test_setCustomHardDepositTimeout_revertsWhenNotIssuer() public {
        bytes memory s = timeoutSig(BENEFICIARY_PK, beneficiary, 30 days);
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.NotIssuer.selector, other, issuer));
        book.setCustomHardDepositTimeout(beneficiary, 30 days, s);
    }

    function test_setCustomHardDepositTimeout_revertsOnSignatureOfOther() public {
        bytes memory s = timeoutSig(OTHER_PK, beneficiary, 30 days);
        vm.prank(issuer);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.InvalidBeneficiarySignature.selector, beneficiary));
        book.setCustomHardDepositTimeout(beneficiary, 30 days, s);
    }

    function test_setCustomHardDepositTimeout_revertsOnReplay() public {
        bytes memory short_ = timeoutSig(BENEFICIARY_PK, beneficiary, 1 hours);
        bytes memory long_ = timeoutSig(BENEFICIARY_PK, beneficiary, 30 days);
        vm.startPrank(issuer);
        book.setCustomHardDepositTimeout(beneficiary, 1 hours, short_);
        book.setCustomHardDepositTimeout(beneficiary, 30 days, long_);
        bytes32 digest = digestOf(ChequeHash.hashCustomDecreaseTimeout(address(book), beneficiary, 1 hours));
        assertTrue(book.timeoutSignatureUsed(digest), "digest consumed");
        vm.expectRevert(abi.encodeWithSelector(IChequebook.TimeoutSignatureUsed.selector, digest));
        book.setCustomHardDepositTimeout(beneficiary, 1 hours, short_);
        vm.stopPrank();
        (, , uint256 timeout, ) = book.hardDeposits(beneficiary);
        assertEq(timeout, 30 days);
    }

    // ------------------------------------------------------------------ deposits

    function test_deposit_pullsAndEmits() public {
        token.mint(other, 500);
        vm.startPrank(other);
        token.approve(address(book), 500);
        vm.expectEmit(true, false, false, true, address(book));
        emit IChequebook.Deposit(other, 500);
        uint256 received = book.deposit(500);
        vm.stopPrank();
        assertEq(received, 500);
        assertEq(book.balance(), 1500);
    }

    function test_deposit_revertsWithoutAllowance() public {
        token.mint(other, 500);
        vm.prank(other);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(book), 0, 500)
        );
        book.deposit(500);
        assertEq(book.balance(), 1000);
    }

    function test_depositWithPermit_revertsWithBadPermitAndNoAllowance() public {
        token.mint(other, 500);
        vm.prank(other);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(book), 0, 200)
        );
        book.depositWithPermit(200, block.timestamp + 1, 27, bytes32(uint256(1)), bytes32(uint256(2)));
        assertEq(book.balance(), 1000);
    }

    function test_cashCheque_revertsOnZeroRecipient() public {
        bytes memory bsig = cashoutSig(BENEFICIARY_PK, relayer, 300, address(0), 0);
        bytes memory isig = chequeSig(beneficiary, 300);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IChequebook.ZeroRecipient.selector));
        book.cashCheque(beneficiary, address(0), 300, bsig, 0, isig);
    }

    function test_increaseHardDeposit_revertsWhenTotalExceeds120Bits() public {
        token.mint(address(book), uint256(type(uint120).max) + 1);
        vm.prank(issuer);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChequebook.HardDepositTooLarge.selector,
                uint256(type(uint120).max) + 1,
                type(uint120).max
            )
        );
        book.increaseHardDeposit(beneficiary, uint256(type(uint120).max) + 1);
        assertEq(book.totalHardDeposit(), 0);
    }

    function test_depositWithPermit_worksAndToleratesFrontRun() public {
        token.mint(other, 500);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                other,
                address(book),
                200,
                token.nonces(other),
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(OTHER_PK, digest);
        // a front-runner submits the permit first: the deposit still goes through
        token.permit(other, address(book), 200, deadline, v, r, s);
        vm.prank(other);
        uint256 received = book.depositWithPermit(200, deadline, v, r, s);
        assertEq(received, 200);
        assertEq(book.balance(), 1200);
    }

    // ------------------------------------------------------------------ ERC-1271 (weakness 8)

    function test_erc1271Issuer_canSignChequesAndManage() public {
        ERC1271Wallet wallet = new ERC1271Wallet(vm.addr(ISSUER_PK));
        Chequebook cb = Chequebook(factory.deploySimpleSwap(address(wallet), TIMEOUT, bytes32("wallet")));
        token.mint(address(cb), 100);
        bytes memory s = chequeSig(ISSUER_PK, address(cb), beneficiary, 60);
        vm.prank(beneficiary);
        cb.cashChequeBeneficiary(recipient, 60, s);
        assertEq(token.balanceOf(recipient), 60);

        bytes memory bad = chequeSig(OTHER_PK, address(cb), beneficiary, 80);
        vm.prank(beneficiary);
        vm.expectRevert(
            abi.encodeWithSelector(IChequebook.InvalidIssuerSignature.selector, address(wallet), beneficiary, 80)
        );
        cb.cashChequeBeneficiary(recipient, 80, bad);

        vm.prank(vm.addr(ISSUER_PK));
        wallet.execute(address(cb), abi.encodeCall(Chequebook.withdraw, (40)));
        assertEq(token.balanceOf(address(wallet)), 40);
    }

    function test_erc1271Beneficiary_canAuthoriseRelayedCashout() public {
        ERC1271Wallet wallet = new ERC1271Wallet(vm.addr(BENEFICIARY_PK));
        bytes memory bsig = cashoutSig(BENEFICIARY_PK, relayer, 100, recipient, 5);
        bytes memory isig = chequeSig(address(wallet), 100);
        vm.prank(relayer);
        book.cashCheque(address(wallet), recipient, 100, bsig, 5, isig);
        assertEq(book.paidOut(address(wallet)), 100);
        assertEq(token.balanceOf(relayer), 5);
    }

    // ------------------------------------------------------------------ domain & golden vectors

    function test_domainSeparator_followsChainId() public {
        bytes32 before = book.domainSeparator();
        assertEq(before, ChequeHash.domainSeparator(block.chainid));
        vm.chainId(block.chainid + 5);
        assertTrue(book.domainSeparator() != before, "changes with the chain");
        assertEq(book.domainSeparator(), ChequeHash.domainSeparator(block.chainid));
    }

    function test_goldenVectors_matchTypeScript() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/test/vectors/eip712.json"));
        vm.chainId(vm.parseJsonUint(json, ".chainId"));
        assertEq(ChequeHash.domainSeparator(block.chainid), vm.parseJsonBytes32(json, ".chequeDomainSeparator"));

        uint256 pk = vm.parseJsonUint(json, ".privateKey");
        address cb = vm.parseJsonAddress(json, ".cheque.chequebook");
        bytes32 chequeDigest = digestOf(
            ChequeHash.hashCheque(
                cb,
                vm.parseJsonAddress(json, ".cheque.beneficiary"),
                vm.parseJsonUint(json, ".cheque.cumulativePayout")
            )
        );
        assertEq(chequeDigest, vm.parseJsonBytes32(json, ".cheque.digest"));
        assertEq(sig(pk, chequeDigest), vm.parseJsonBytes(json, ".cheque.signature"));

        bytes32 cashoutDigest = digestOf(
            ChequeHash.hashCashout(
                vm.parseJsonAddress(json, ".cashout.chequebook"),
                vm.parseJsonAddress(json, ".cashout.sender"),
                vm.parseJsonUint(json, ".cashout.requestPayout"),
                vm.parseJsonAddress(json, ".cashout.recipient"),
                vm.parseJsonUint(json, ".cashout.callerPayout")
            )
        );
        assertEq(cashoutDigest, vm.parseJsonBytes32(json, ".cashout.digest"));
        assertEq(sig(pk, cashoutDigest), vm.parseJsonBytes(json, ".cashout.signature"));

        bytes32 timeoutDigest = digestOf(
            ChequeHash.hashCustomDecreaseTimeout(
                vm.parseJsonAddress(json, ".customDecreaseTimeout.chequebook"),
                vm.parseJsonAddress(json, ".customDecreaseTimeout.beneficiary"),
                vm.parseJsonUint(json, ".customDecreaseTimeout.decreaseTimeout")
            )
        );
        assertEq(timeoutDigest, vm.parseJsonBytes32(json, ".customDecreaseTimeout.digest"));
        assertEq(sig(pk, timeoutDigest), vm.parseJsonBytes(json, ".customDecreaseTimeout.signature"));
    }

    // ------------------------------------------------------------------ fuzz

    function test_fuzz_cashCheque_paysMinOfOwedAndAvailable(
        uint128 funded,
        uint128 hardDeposit,
        uint128 first,
        uint128 second
    ) public {
        Chequebook cb = Chequebook(factory.deploySimpleSwap(issuer, TIMEOUT, bytes32("fuzz")));
        token.mint(address(cb), funded);
        hardDeposit = uint128(bound(hardDeposit, 0, funded < type(uint120).max ? funded : type(uint120).max));
        if (hardDeposit > 0) {
            vm.prank(issuer);
            cb.increaseHardDeposit(other, hardDeposit); // collateral for someone else
        }
        first = uint128(bound(first, 1, type(uint128).max - 1));
        second = uint128(bound(second, uint256(first) + 1, type(uint128).max));
        uint256 liquid = uint256(funded) - hardDeposit;

        vm.startPrank(beneficiary);
        cb.cashChequeBeneficiary(recipient, first, chequeSig(ISSUER_PK, address(cb), beneficiary, first));
        uint256 paid1 = first < liquid ? first : liquid;
        assertEq(cb.paidOut(beneficiary), paid1);
        assertEq(token.balanceOf(recipient), paid1);
        assertEq(cb.bounced(), paid1 < first);

        cb.cashChequeBeneficiary(recipient, second, chequeSig(ISSUER_PK, address(cb), beneficiary, second));
        vm.stopPrank();
        uint256 owed2 = uint256(second) - paid1;
        uint256 paid2 = owed2 < liquid - paid1 ? owed2 : liquid - paid1;
        assertEq(cb.paidOut(beneficiary), paid1 + paid2);
        assertEq(cb.totalPaidOut(), paid1 + paid2);
        assertLe(cb.paidOut(beneficiary), second);
        assertEq(cb.balance() + cb.totalPaidOut(), funded);
        assertEq(cb.totalHardDeposit(), hardDeposit);
    }
}
