// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {Chequebook} from "../../swap/Chequebook.sol";
import {ChequebookFactory} from "../../swap/ChequebookFactory.sol";
import {ChequeHash} from "../../swap/libraries/ChequeHash.sol";
import {NoReturnToken} from "../mocks/NoReturnToken.sol";
import {FeeOnTransferToken} from "../mocks/FeeOnTransferToken.sol";
import {ReentrantToken} from "../mocks/ReentrantToken.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

contract AwkwardTokensTest is TestBase {
    uint256 internal constant ISSUER_PK = 0xA11CE;
    uint256 internal constant BENEFICIARY_PK = 0xB0B;
    address internal issuer = vm.addr(ISSUER_PK);
    address internal beneficiary = vm.addr(BENEFICIARY_PK);
    address internal recipient = address(0xCAFE);

    function _book(address token) internal returns (Chequebook) {
        ChequebookFactory factory = new ChequebookFactory(token);
        return Chequebook(factory.deploySimpleSwap(issuer, 1 days, bytes32(0)));
    }

    function _sig(Chequebook book, address to, uint256 cumulative) internal view returns (bytes memory) {
        bytes32 digest = ChequeHash.toTypedDataHash(
            ChequeHash.domainSeparator(block.chainid),
            ChequeHash.hashCheque(address(book), to, cumulative)
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ISSUER_PK, digest);
        return abi.encodePacked(r, s, v);
    }

    /// Weakness 6: Swarm's `require(token.transfer(...))` reverts on tokens that return nothing.
    function test_noReturnToken_depositCashAndWithdraw() public {
        NoReturnToken token = new NoReturnToken();
        Chequebook book = _book(address(token));
        token.mint(address(this), 1000);
        token.approve(address(book), 1000);
        assertEq(book.deposit(1000), 1000);
        bytes memory s = _sig(book, beneficiary, 300);
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, 300, s);
        assertEq(token.balanceOf(recipient), 300);
        vm.prank(issuer);
        book.withdraw(700);
        assertEq(token.balanceOf(issuer), 700);
        assertEq(book.balance(), 0);
    }

    /// Fee-on-transfer: deposits count what arrived; on cash-out `paidOut` counts what left the
    /// chequebook and the recipient bears the fee (documented in IChequebook).
    function test_feeOnTransferToken_countsWhatMoves() public {
        FeeOnTransferToken token = new FeeOnTransferToken();
        Chequebook book = _book(address(token));
        token.mint(address(this), 10_000);
        token.approve(address(book), 10_000);
        uint256 received = book.deposit(10_000);
        assertEq(received, 9_900);
        assertEq(book.balance(), 9_900);
        bytes memory s = _sig(book, beneficiary, 1_000);
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, 1_000, s);
        assertEq(book.paidOut(beneficiary), 1_000);
        assertEq(book.balance(), 8_900);
        assertEq(token.balanceOf(recipient), 990);
    }

    /// A token that calls back into the chequebook during a payout cannot cash twice.
    function test_reentrantToken_cannotReenterCashOut() public {
        ReentrantToken token = new ReentrantToken();
        Chequebook book = _book(address(token));
        token.mint(address(book), 1000);
        // the token holds a valid cheque of its own and tries to cash it mid-payout
        bytes memory tokenCheque = _sig(book, address(token), 500);
        token.arm(
            address(book),
            recipient,
            abi.encodeCall(Chequebook.cashChequeBeneficiary, (address(token), 500, tokenCheque))
        );
        bytes memory s = _sig(book, beneficiary, 600);
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, 600, s);

        assertTrue(token.attempted(), "re-entry attempted");
        assertTrue(!token.reentrySucceeded(), "re-entry blocked");
        assertEq(
            token.reentryRevertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        assertEq(book.paidOut(address(token)), 0);
        assertEq(book.paidOut(beneficiary), 600);
        assertEq(book.balance(), 400);
        // outside the payout the token's own cheque is cashable as usual
        vm.prank(address(token));
        book.cashChequeBeneficiary(address(token), 500, tokenCheque);
        assertEq(book.paidOut(address(token)), 400);
    }
}
