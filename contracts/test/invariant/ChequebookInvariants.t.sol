// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {Chequebook} from "../../swap/Chequebook.sol";
import {ChequebookFactory} from "../../swap/ChequebookFactory.sol";
import {TestToken} from "../mocks/TestToken.sol";
import {ChequebookHandler} from "./ChequebookHandler.sol";

contract ChequebookInvariants is TestBase {
    ChequebookHandler internal handler;
    Chequebook internal book;
    uint256 internal constant MAX128 = type(uint128).max;

    function setUp() public {
        TestToken token = new TestToken();
        ChequebookFactory factory = new ChequebookFactory(address(token));
        uint256 issuerPk = 0x1557;
        book = Chequebook(factory.deploySimpleSwap(vm.addr(issuerPk), 1 days, bytes32(0)));
        handler = new ChequebookHandler(book, token, issuerPk);
        targetContract(address(handler));
    }

    function invariant_paidOutNeverExceedsSignedCumulative() public view {
        for (uint256 i; i < handler.N(); i++) {
            address b = handler.beneficiary(i);
            assertLe(book.paidOut(b), handler.maxSigned(b), "paid more than signed");
        }
    }

    /// paidOut is what actually reached the beneficiary's recipients (ghost from token balances).
    function invariant_paidOutEqualsWhatArrived() public view {
        for (uint256 i; i < handler.N(); i++) {
            address b = handler.beneficiary(i);
            assertEq(book.paidOut(b), handler.ghostPaid(b), "paidOut differs from what arrived");
        }
    }

    function invariant_paidPlusBalanceEqualsDepositedMinusWithdrawn() public view {
        assertEq(handler.ghostPaidTotal() + book.balance(), handler.deposited() - handler.withdrawn());
    }

    function invariant_hardDepositsCoveredByBalance() public view {
        // liquidBalance() saturates at 0, so check the underlying relation directly
        assertLe(book.totalHardDeposit(), book.balance(), "hard deposits exceed the balance");
        assertEq(book.liquidBalance(), book.balance() - book.totalHardDeposit());
    }

    /// totalPaidOut is the ghost total, saturating at 2^128 - 1; totalHardDeposit the sum of deposits.
    function invariant_totalsAreSums() public view {
        uint256 hd;
        for (uint256 i; i < handler.N(); i++) {
            (uint256 amount, , , ) = book.hardDeposits(handler.beneficiary(i));
            hd += amount;
        }
        uint256 paid = handler.ghostPaidTotal();
        assertEq(book.totalPaidOut(), paid < MAX128 ? paid : MAX128);
        assertEq(book.totalHardDeposit(), hd);
    }

    /// Every handler call either succeeded or failed with exactly the expected error.
    function invariant_noUnexpectedOutcome() public view {
        assertEq(handler.unexpected(), 0, "a call failed, or succeeded, against expectation");
    }

    /// The actions that move money must mostly succeed, or the invariants above prove little:
    /// every call counted ends with its expected outcome, and the cash-outs pay in most calls.
    function invariant_handlerMostlySucceeds() public view {
        for (uint256 a; a < handler.ACTIONS(); a++) {
            ChequebookHandler.Action action = ChequebookHandler.Action(a);
            uint256 c = handler.calls(action);
            assertLe(c - handler.ok(action), c / 10, "an action fails in more than 10% of its calls");
        }
    }
}
