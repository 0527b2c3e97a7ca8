// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {Chequebook} from "../../swap/Chequebook.sol";
import {IChequebook} from "../../swap/IChequebook.sol";
import {ChequeHash} from "../../swap/libraries/ChequeHash.sol";
import {TestToken} from "../mocks/TestToken.sol";
import {ERC1271Wallet} from "../mocks/ERC1271Wallet.sol";

/// @notice Drives one chequebook through every operation with bounded, valid inputs and keeps ghost
/// totals of its own (what each beneficiary's sink received, what was deposited and withdrawn), never a
/// recomputation from the contract's formulas. Beneficiaries: three EOAs and one ERC-1271 wallet.
/// Every call is expected to succeed or to fail with one precise, expected error; anything else is
/// counted in `unexpected` (an invariant requires it to stay 0). `calls`/`ok` per action are reported.
contract ChequebookHandler is TestBase {
    Chequebook public immutable book;
    TestToken public immutable token;
    uint256 internal immutable issuerPk;
    address public immutable issuer;
    ERC1271Wallet public immutable wallet;

    uint256 public constant N = 4; // index 3 is the contract wallet
    uint256 internal constant MAX128 = type(uint128).max;
    uint256[N] internal pks = [uint256(0xB1), 0xB2, 0xB3, 0xB4];
    address public relayer = address(0x4E1A);

    mapping(address => uint256) public maxSigned;
    mapping(address => uint256) public ghostPaid;
    uint256 public ghostPaidTotal;
    uint256 public deposited;
    uint256 public withdrawn;
    uint256 public unexpected;

    enum Action {
        Cash,
        Recash,
        RecashStale,
        Relayed,
        RelayedRefused,
        Huge,
        Withdraw,
        Increase,
        Prepare,
        Decrease,
        CustomTimeout,
        BumpEpoch
    }

    uint256 public constant ACTIONS = 12;
    mapping(Action => uint256) public calls;
    mapping(Action => uint256) public ok;

    constructor(Chequebook book_, TestToken token_, uint256 issuerPk_) {
        book = book_;
        token = token_;
        issuerPk = issuerPk_;
        issuer = vm.addr(issuerPk_);
        wallet = new ERC1271Wallet(vm.addr(0xB4));
    }

    function beneficiary(uint256 i) public view returns (address) {
        i %= N;
        return i == N - 1 ? address(wallet) : vm.addr(pks[i]);
    }

    /// Where beneficiary `i`'s cash-outs are paid, so that ghost totals come from token balances.
    function sink(uint256 i) public pure returns (address) {
        return address(uint160(0x5100 + (i % N)));
    }

    // ------------------------------------------------------------------ funding

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

    // ------------------------------------------------------------------ cash-outs

    /// A new, higher cheque cashed by its beneficiary: always succeeds (pays or bounces).
    function cash(uint256 who, uint256 increment) external {
        address b = beneficiary(who);
        _cashAs(who, maxSigned[b] + bound(increment, 1, 5e23), Action.Cash);
    }

    /// Cheques near 2^128 against a huge balance: pays up to the 128-bit cap, the rest bounces.
    function cashHuge(uint256 who, uint256 offset, uint256 funding) external {
        address b = beneficiary(who);
        uint256 cum = MAX128 - 2 ** 64 + bound(offset, 0, 2 ** 65);
        if (cum <= maxSigned[b]) cum = maxSigned[b] + 1;
        funding = bound(funding, 0, 2 ** 129);
        token.mint(address(book), funding);
        deposited += funding;
        _cashAs(who, cum, Action.Huge);
    }

    /// The rest of a bounced cheque, cashed with the same cheque once there is money again.
    function recash(uint256 who, uint256 topUp) external {
        address b = beneficiary(who);
        if (book.paidOut(b) >= maxSigned[b]) return _recashStale(who, 0);
        topUp = bound(topUp, 0, 1e24);
        token.mint(address(book), topUp);
        deposited += topUp;
        _cashAs(who, maxSigned[b], Action.Recash);
    }

    /// A stale (or fully paid) cheque must revert ChequeNotIncreasing and change nothing.
    function recashStale(uint256 who, uint256 below) external {
        _recashStale(who, below);
    }

    function _recashStale(uint256 who, uint256 below) internal {
        address b = beneficiary(who);
        uint256 paid = book.paidOut(b);
        if (paid == 0) return;
        uint256 cum = paid - bound(below, 0, paid - 1);
        calls[Action.RecashStale]++;
        bytes memory sig = _sign(ChequeHash.hashCheque(address(book), b, cum));
        uint256 balBefore = book.balance();
        (bool success, bytes memory err) = _tryCash(who, cum, sig);
        if (
            !success &&
            keccak256(err) == keccak256(abi.encodeWithSelector(IChequebook.ChequeNotIncreasing.selector, cum, paid))
        ) {
            ok[Action.RecashStale]++;
        } else {
            unexpected++;
        }
        if (book.balance() != balBefore || book.paidOut(b) != paid) unexpected++;
    }

    /// A relayed cash-out: pays in full when covered, else must revert RelayedChequeWouldBounce.
    function relayedCash(uint256 who, uint256 increment, uint256 callerPayout) external {
        address b = beneficiary(who);
        uint256 cum = maxSigned[b] + bound(increment, 1, 5e23);
        (uint256 req, uint256 pay) = book.previewCashout(b, cum);
        maxSigned[b] = cum;
        callerPayout = bound(callerPayout, 0, pay);
        bytes memory bsig = _signWith(
            pks[who % N],
            ChequeHash.hashCashout(address(book), relayer, cum, sink(who), callerPayout)
        );
        bytes memory isig = _sign(ChequeHash.hashCheque(address(book), b, cum));
        Action a = pay < req ? Action.RelayedRefused : Action.Relayed;
        calls[a]++;
        uint256 before = _received(who);
        vm.prank(relayer);
        try book.cashCheque(b, sink(who), cum, bsig, callerPayout, isig) {
            if (a == Action.RelayedRefused) unexpected++;
            else ok[a]++;
        } catch (bytes memory err) {
            bool expected =
                a == Action.RelayedRefused &&
                    keccak256(err) ==
                        keccak256(abi.encodeWithSelector(IChequebook.RelayedChequeWouldBounce.selector, req, pay));
            if (expected) ok[a]++;
            else unexpected++;
        }
        _credit(who, before);
    }

    // ------------------------------------------------------------------ issuer operations

    function withdraw(uint256 amount) external {
        calls[Action.Withdraw]++;
        amount = bound(amount, 0, book.liquidBalance());
        vm.prank(issuer);
        book.withdraw(amount);
        withdrawn += amount;
        ok[Action.Withdraw]++;
    }

    function increaseHardDeposit(uint256 who, uint256 amount) external {
        calls[Action.Increase]++;
        uint256 room = type(uint120).max - book.totalHardDeposit();
        uint256 liquid = book.liquidBalance();
        amount = bound(amount, 0, liquid < room ? liquid : room);
        vm.prank(issuer);
        book.increaseHardDeposit(beneficiary(who), amount);
        ok[Action.Increase]++;
    }

    function prepareDecrease(uint256 who, uint256 amount) external {
        calls[Action.Prepare]++;
        (uint256 hd, , , ) = book.hardDeposits(beneficiary(who));
        amount = bound(amount, 0, hd);
        vm.prank(issuer);
        book.prepareDecreaseHardDeposit(beneficiary(who), amount);
        ok[Action.Prepare]++;
    }

    /// Waits (up to past the longest timeout this handler sets) and applies a prepared decrease.
    function decrease(uint256 who, uint256 wait) external {
        (, , , uint256 due) = book.hardDeposits(beneficiary(who));
        if (due == 0) return;
        calls[Action.Decrease]++;
        vm.warp(block.timestamp + bound(wait, 0, 3 days));
        if (block.timestamp < due) {
            vm.expectRevert(abi.encodeWithSelector(IChequebook.DecreaseNotDue.selector, due, block.timestamp));
            book.decreaseHardDeposit(beneficiary(who));
        } else {
            book.decreaseHardDeposit(beneficiary(who));
        }
        ok[Action.Decrease]++;
    }

    /// The beneficiary agrees to a custom timeout (at its current epoch); the issuer sets it.
    function setCustomTimeout(uint256 who, uint256 timeout) external {
        address b = beneficiary(who);
        uint256 value = (book.timeoutEpoch(b) << 128) | bound(timeout, 1, 2 days);
        bytes32 digest = _digest(ChequeHash.hashCustomDecreaseTimeout(address(book), b, value));
        if (book.timeoutSignatureUsed(digest)) return; // this exact agreement was made before
        calls[Action.CustomTimeout]++;
        vm.prank(issuer);
        book.setCustomHardDepositTimeout(
            b,
            value,
            _signWith(pks[who % N], ChequeHash.hashCustomDecreaseTimeout(address(book), b, value))
        );
        ok[Action.CustomTimeout]++;
    }

    /// The beneficiary bumps its epoch; a signature it made before the bump must stop working.
    function bumpEpoch(uint256 who, uint256 timeout) external {
        calls[Action.BumpEpoch]++;
        address b = beneficiary(who);
        uint256 epoch = book.timeoutEpoch(b);
        uint256 value = (epoch << 128) | bound(timeout, 1, 2 days);
        bytes memory unused = _signWith(pks[who % N], ChequeHash.hashCustomDecreaseTimeout(address(book), b, value));
        if (who % N == N - 1) {
            vm.prank(wallet.owner());
            wallet.execute(address(book), abi.encodeCall(Chequebook.bumpTimeoutEpoch, ()));
        } else {
            vm.prank(b);
            book.bumpTimeoutEpoch();
        }
        vm.prank(issuer);
        try book.setCustomHardDepositTimeout(b, value, unused) {
            unexpected++;
        } catch (bytes memory err) {
            if (
                keccak256(err) ==
                keccak256(abi.encodeWithSelector(IChequebook.TimeoutEpochMismatch.selector, b, epoch, epoch + 1))
            ) {
                ok[Action.BumpEpoch]++;
            } else {
                unexpected++;
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /// Cash as beneficiary `who` (the wallet through its owner), catching a revert.
    function _tryCash(uint256 who, uint256 cum, bytes memory sig) internal returns (bool success, bytes memory err) {
        address b = beneficiary(who);
        if (who % N == N - 1) {
            vm.prank(wallet.owner());
            try wallet.execute(address(book), abi.encodeCall(Chequebook.cashChequeBeneficiary, (sink(who), cum, sig))) {
                return (true, "");
            } catch (bytes memory e) {
                return (false, e);
            }
        }
        vm.prank(b);
        try book.cashChequeBeneficiary(sink(who), cum, sig) {
            return (true, "");
        } catch (bytes memory e) {
            return (false, e);
        }
    }

    function _cashAs(uint256 who, uint256 cum, Action a) internal {
        address b = beneficiary(who);
        if (cum > maxSigned[b]) maxSigned[b] = cum;
        calls[a]++;
        bytes memory sig = _sign(ChequeHash.hashCheque(address(book), b, cum));
        (uint256 req, uint256 pay) = book.previewCashout(b, cum);
        uint256 before = _received(who);
        (bool success, ) = _tryCash(who, cum, sig);
        if (success) {
            ok[a]++;
            if (_received(who) - before != pay || req == 0) unexpected++; // paid what the preview said
        } else {
            unexpected++;
        }
        _credit(who, before);
    }

    /// Tokens that reached beneficiary `who`'s sink and the relayer so far.
    function _received(uint256 who) internal view returns (uint256) {
        return token.balanceOf(sink(who)) + token.balanceOf(relayer);
    }

    function _credit(uint256 who, uint256 before) internal {
        uint256 got = _received(who) - before;
        ghostPaid[beneficiary(who)] += got;
        ghostPaidTotal += got;
    }

    function _digest(bytes32 structHash) internal view returns (bytes32) {
        return ChequeHash.toTypedDataHash(ChequeHash.domainSeparator(block.chainid), structHash);
    }

    function _sign(bytes32 structHash) internal view returns (bytes memory) {
        return _signWith(issuerPk, structHash);
    }

    function _signWith(uint256 pk, bytes32 structHash) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, _digest(structHash));
        return abi.encodePacked(r, s, v);
    }
}
