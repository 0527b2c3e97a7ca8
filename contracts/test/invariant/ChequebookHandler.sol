// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {Chequebook} from "../../swap/Chequebook.sol";
import {ChequeHash} from "../../swap/libraries/ChequeHash.sol";
import {TestToken} from "../mocks/TestToken.sol";

/// @notice Drives one chequebook through every operation with bounded, mostly-valid inputs and
/// keeps ghost totals; `calls`/`reverts` per action show the handler is not just reverting.
contract ChequebookHandler is TestBase {
    Chequebook public immutable book;
    TestToken public immutable token;
    uint256 internal immutable issuerPk;
    address public immutable issuer;

    uint256 internal constant N = 3;
    uint256[N] internal pks = [uint256(0xB1), 0xB2, 0xB3];
    address public relayer = address(0x4E1A);

    mapping(address => uint256) public maxSigned;
    uint256 public deposited;
    uint256 public withdrawn;
    uint256 public cashes;
    uint256 public cashReverts;
    uint256 public bounces;

    constructor(Chequebook book_, TestToken token_, uint256 issuerPk_) {
        book = book_;
        token = token_;
        issuerPk = issuerPk_;
        issuer = vm.addr(issuerPk_);
    }

    function beneficiary(uint256 i) public view returns (address) {
        return vm.addr(pks[i % N]);
    }

    function deposit(uint256 amount) external {
        amount = bound(amount, 0, 1e24);
        token.mint(address(this), amount);
        token.approve(address(book), amount);
        deposited += book.deposit(amount);
    }

    function transferIn(uint256 amount) external {
        amount = bound(amount, 0, 1e24);
        token.mint(address(book), amount);
        deposited += amount;
    }

    function cash(uint256 who, uint256 increment) external {
        address b = beneficiary(who);
        uint256 cum = maxSigned[b] + bound(increment, 1, 5e23);
        maxSigned[b] = cum;
        bytes memory sig = _sign(ChequeHash.hashCheque(address(book), b, cum));
        (uint256 req, uint256 pay) = book.previewCashout(b, cum);
        vm.prank(b);
        try book.cashChequeBeneficiary(b, cum, sig) {
            cashes++;
            if (pay < req) bounces++;
        } catch {
            cashReverts++;
        }
    }

    /// Re-cash the highest cheque (the rest of a bounce), or a stale lower one (must change nothing).
    function recash(uint256 who, uint256 below) external {
        address b = beneficiary(who);
        if (maxSigned[b] == 0) return;
        uint256 cum = maxSigned[b] - bound(below, 0, maxSigned[b] - 1);
        bytes memory sig = _sign(ChequeHash.hashCheque(address(book), b, cum));
        vm.prank(b);
        try book.cashChequeBeneficiary(b, cum, sig) {
            cashes++;
        } catch {
            cashReverts++;
        }
    }

    function relayedCash(uint256 who, uint256 increment, uint256 callerPayout) external {
        address b = beneficiary(who);
        uint256 cum = maxSigned[b] + bound(increment, 1, 5e23);
        (uint256 req, uint256 pay) = book.previewCashout(b, cum);
        if (pay < req) return; // would bounce: relayed cash-outs are all-or-nothing
        maxSigned[b] = cum;
        callerPayout = bound(callerPayout, 0, req);
        bytes memory bsig = _signWith(pks[who % N], ChequeHash.hashCashout(address(book), relayer, cum, b, callerPayout));
        bytes memory isig = _sign(ChequeHash.hashCheque(address(book), b, cum));
        vm.prank(relayer);
        book.cashCheque(b, b, cum, bsig, callerPayout, isig);
        cashes++;
    }

    function withdraw(uint256 amount) external {
        amount = bound(amount, 0, book.liquidBalance());
        vm.prank(issuer);
        book.withdraw(amount);
        withdrawn += amount;
    }

    function increaseHardDeposit(uint256 who, uint256 amount) external {
        amount = bound(amount, 0, book.liquidBalance());
        vm.prank(issuer);
        book.increaseHardDeposit(beneficiary(who), amount);
    }

    function prepareDecrease(uint256 who, uint256 amount) external {
        (uint256 hd,,,) = book.hardDeposits(beneficiary(who));
        amount = bound(amount, 0, hd);
        vm.prank(issuer);
        book.prepareDecreaseHardDeposit(beneficiary(who), amount);
    }

    function decrease(uint256 who, uint256 wait) external {
        vm.warp(block.timestamp + bound(wait, 0, 2 days));
        (,,, uint256 due) = book.hardDeposits(beneficiary(who));
        if (due == 0 || block.timestamp < due) return;
        book.decreaseHardDeposit(beneficiary(who));
    }

    function _sign(bytes32 structHash) internal view returns (bytes memory) {
        return _signWith(issuerPk, structHash);
    }

    function _signWith(uint256 pk, bytes32 structHash) internal view returns (bytes memory) {
        bytes32 digest = ChequeHash.toTypedDataHash(ChequeHash.domainSeparator(block.chainid), structHash);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }
}
