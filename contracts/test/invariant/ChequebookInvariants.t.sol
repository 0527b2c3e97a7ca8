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

    function setUp() public {
        TestToken token = new TestToken();
        ChequebookFactory factory = new ChequebookFactory(address(token));
        uint256 issuerPk = 0x1557;
        book = Chequebook(factory.deploySimpleSwap(vm.addr(issuerPk), 1 days, bytes32(0)));
        handler = new ChequebookHandler(book, token, issuerPk);
        targetContract(address(handler));
    }

    function invariant_paidOutNeverExceedsSignedCumulative() public view {
        for (uint256 i; i < 3; i++) {
            address b = handler.beneficiary(i);
            assertLe(book.paidOut(b), handler.maxSigned(b), "paid more than signed");
        }
    }

    function invariant_paidOutPlusBalanceEqualsDepositedMinusWithdrawn() public view {
        assertEq(book.totalPaidOut() + book.balance(), handler.deposited() - handler.withdrawn());
    }

    function invariant_liquidBalanceNeverNegative() public view {
        // liquidBalance() saturates at 0, so check the underlying relation directly
        assertLe(book.totalHardDeposit(), book.balance(), "hard deposits exceed the balance");
        assertEq(book.liquidBalance(), book.balance() - book.totalHardDeposit());
    }

    function invariant_totalsAreSums() public view {
        uint256 paid;
        uint256 hd;
        for (uint256 i; i < 3; i++) {
            address b = handler.beneficiary(i);
            paid += book.paidOut(b);
            (uint256 amount,,,) = book.hardDeposits(b);
            hd += amount;
        }
        assertEq(book.totalPaidOut(), paid);
        assertEq(book.totalHardDeposit(), hd);
    }

    /// The handler must mostly succeed, or the invariants above prove little.
    function invariant_handlerMostlySucceeds() public view {
        assertLe(handler.cashReverts(), handler.cashes() + 20, "cash-outs mostly revert");
    }
}
