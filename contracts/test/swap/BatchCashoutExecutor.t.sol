// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChequebookTestBase} from "./ChequebookTestBase.sol";
import {IChequebook} from "../../swap/IChequebook.sol";
import {Chequebook} from "../../swap/Chequebook.sol";
import {IBatchCashout} from "../../swap/batch/IBatchCashout.sol";
import {IBatchCashoutExecutor} from "../../swap/batch/IBatchCashoutExecutor.sol";
import {BatchCashoutExecutor} from "../../swap/batch/BatchCashoutExecutor.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SwarmLikeChequebook, GasBombChequebook} from "./BatchMocks.sol";

/// @notice `vm.etch` (forge-std Vm.sol signature). EDR 0.22 runs a 0xef0100 ‖ address designator as a
/// real EIP-7702 delegation; `vm.signAndAttachDelegation` is not supported by Hardhat, so the signed
/// type-4 transaction is shown in test/e2e/batch-cashout.test.ts instead.
interface Vm7702 {
    function etch(address target, bytes calldata newRuntimeBytecode) external;
}

/// @notice The beneficiary's EOA delegates to the executor (EIP-7702) and cashes many cheques itself.
contract BatchCashoutExecutorTest is ChequebookTestBase {
    Vm7702 internal constant vm7702 = Vm7702(address(uint160(uint256(keccak256("hevm cheat code")))));
    BatchCashoutExecutor internal executor;
    Chequebook internal book2;
    uint256 internal constant GAS = 200_000;

    function setUp() public override {
        super.setUp();
        executor = new BatchCashoutExecutor();
        book2 = Chequebook(factory.deploySimpleSwap(issuer, TIMEOUT, bytes32("two")));
        token.mint(address(book2), 1000);
        // the beneficiary's EOA now runs the executor's code (delegation designator 0xef0100 ‖ address)
        vm7702.etch(beneficiary, abi.encodePacked(hex"ef0100", address(executor)));
    }

    function _cheque(address cb, uint256 cumulative) internal view returns (IBatchCashoutExecutor.Cheque memory c) {
        c.chequebook = cb;
        c.recipient = recipient;
        c.cumulativePayout = cumulative;
        c.issuerSig = chequeSig(ISSUER_PK, cb, beneficiary, cumulative);
    }

    function _two(
        IBatchCashoutExecutor.Cheque memory a,
        IBatchCashoutExecutor.Cheque memory b
    ) internal pure returns (IBatchCashoutExecutor.Cheque[] memory list) {
        list = new IBatchCashoutExecutor.Cheque[](2);
        list[0] = a;
        list[1] = b;
    }

    function test_cashMany_theAccountCashesManyChequesAsBeneficiary() public {
        vm.expectEmit(true, true, true, true, address(book));
        emit IChequebook.ChequeCashed(beneficiary, recipient, beneficiary, 300, 300, 0);
        vm.prank(beneficiary);
        uint256 cashed = IBatchCashoutExecutor(beneficiary).cashMany(
            _two(_cheque(address(book), 300), _cheque(address(book2), 250)),
            GAS,
            false
        );
        assertEq(cashed, 2);
        assertEq(book.paidOut(beneficiary), 300);
        assertEq(book2.paidOut(beneficiary), 250);
        assertEq(token.balanceOf(recipient), 550);
    }

    function test_cashMany_onlyTheAccountItselfMayCall() public {
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IBatchCashoutExecutor.OnlySelf.selector, other));
        IBatchCashoutExecutor(beneficiary).cashMany(
            _two(_cheque(address(book), 300), _cheque(address(book2), 1)),
            GAS,
            false
        );
        // nor on the executor's own address, by anyone
        vm.expectRevert(abi.encodeWithSelector(IBatchCashoutExecutor.OnlySelf.selector, address(this)));
        executor.cashMany(_two(_cheque(address(book), 300), _cheque(address(book2), 1)), GAS, false);
        assertEq(book.paidOut(beneficiary), 0);
    }

    function test_cashMany_skipsStaleAndHostileEntries() public {
        cash(100); // the EOA cashes directly too: paidOut 100
        GasBombChequebook bomb = new GasBombChequebook();
        IBatchCashoutExecutor.Cheque[] memory list = new IBatchCashoutExecutor.Cheque[](3);
        list[0] = _cheque(address(book), 100);
        list[1] = _cheque(address(bomb), 1);
        list[2] = _cheque(address(book2), 400);
        vm.expectEmit(true, true, true, true, beneficiary);
        emit IBatchCashout.CashoutSkipped(
            0,
            address(book),
            beneficiary,
            IBatchCashout.SkipReason.Reverted,
            IChequebook.ChequeNotIncreasing.selector
        );
        vm.expectEmit(true, true, true, true, beneficiary);
        emit IBatchCashout.CashoutSkipped(1, address(bomb), beneficiary, IBatchCashout.SkipReason.Reverted, 0);
        vm.prank(beneficiary);
        assertEq(IBatchCashoutExecutor(beneficiary).cashMany(list, GAS, false), 1);
        assertEq(book2.paidOut(beneficiary), 400);
    }

    /// Swarm's beneficiary cash-out pays what is there; `checkFirst` skips it instead.
    function test_cashMany_swarmChequebookBounceSkippedWithTheCheck() public {
        SwarmLikeChequebook swarm = new SwarmLikeChequebook(issuer, IERC20(address(token)));
        token.mint(address(swarm), 100);
        IBatchCashoutExecutor.Cheque[] memory list = new IBatchCashoutExecutor.Cheque[](1);
        list[0] = _cheque(address(swarm), 300);
        vm.expectEmit(true, true, true, true, beneficiary);
        emit IBatchCashout.CashoutSkipped(0, address(swarm), beneficiary, IBatchCashout.SkipReason.WouldBounce, 0);
        vm.prank(beneficiary);
        assertEq(IBatchCashoutExecutor(beneficiary).cashMany(list, GAS, true), 0);
        assertEq(swarm.paidOut(beneficiary), 0);
    }
}
