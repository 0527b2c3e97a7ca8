// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {Chequebook} from "../../swap/Chequebook.sol";
import {ChequebookFactory} from "../../swap/ChequebookFactory.sol";
import {ChequeHash} from "../../swap/libraries/ChequeHash.sol";
import {TestToken} from "../mocks/TestToken.sol";

/// @notice Shared fixture: a funded chequebook for `issuer`, and signing helpers.
abstract contract ChequebookTestBase is TestBase {
    uint256 internal constant ISSUER_PK = 0xA11CE;
    uint256 internal constant BENEFICIARY_PK = 0xB0B;
    uint256 internal constant OTHER_PK = 0xBAD;
    uint256 internal constant TIMEOUT = 1 days;

    address internal issuer;
    address internal beneficiary;
    address internal other;
    address internal recipient = address(0xCAFE);
    address internal relayer = address(0xFEE);

    TestToken internal token;
    ChequebookFactory internal factory;
    Chequebook internal book;

    function setUp() public virtual {
        issuer = vm.addr(ISSUER_PK);
        beneficiary = vm.addr(BENEFICIARY_PK);
        other = vm.addr(OTHER_PK);
        token = new TestToken();
        factory = new ChequebookFactory(address(token));
        book = Chequebook(factory.deploySimpleSwap(issuer, TIMEOUT, bytes32("salt")));
        token.mint(address(book), 1000);
    }

    function sig(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }

    function chequeSig(
        uint256 pk,
        address chequebook,
        address to,
        uint256 cumulative
    ) internal view returns (bytes memory) {
        return sig(pk, digestOf(ChequeHash.hashCheque(chequebook, to, cumulative)));
    }

    function chequeSig(address to, uint256 cumulative) internal view returns (bytes memory) {
        return chequeSig(ISSUER_PK, address(book), to, cumulative);
    }

    function cashoutSig(
        uint256 pk,
        address sender,
        uint256 cumulative,
        address to,
        uint256 callerPayout
    ) internal view returns (bytes memory) {
        return sig(pk, digestOf(ChequeHash.hashCashout(address(book), sender, cumulative, to, callerPayout)));
    }

    function timeoutSig(uint256 pk, address forBeneficiary, uint256 timeout) internal view returns (bytes memory) {
        return sig(pk, digestOf(ChequeHash.hashCustomDecreaseTimeout(address(book), forBeneficiary, timeout)));
    }

    function digestOf(bytes32 structHash) internal view returns (bytes32) {
        return ChequeHash.toTypedDataHash(ChequeHash.domainSeparator(block.chainid), structHash);
    }

    function cash(uint256 cumulative) internal {
        vm.prank(beneficiary);
        book.cashChequeBeneficiary(recipient, cumulative, chequeSig(beneficiary, cumulative));
    }

    function hardDepositOf(address b) internal view returns (uint256 amount) {
        (amount, , , ) = book.hardDeposits(b);
    }
}
