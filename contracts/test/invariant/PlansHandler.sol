// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {ServicePlans} from "../../plans/ServicePlans.sol";
import {IServicePlans} from "../../plans/IServicePlans.sol";
import {TestToken} from "../mocks/TestToken.sol";
import {RebasingToken} from "../mocks/RebasingToken.sol";
import {ERC1271Wallet} from "../mocks/ERC1271Wallet.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Drives whole plan lifecycles: creates plans (an EOA funder and a contract-wallet funder;
/// a plain and a rebasing token), submits valid hash-chain receipts, moves time through both
/// deadlines, claims (one plan and many), sweeps. Keeps ghost books of what it deposited, of the
/// shares it had signed and of what actually arrived (balance deltas, never the contract's return
/// values or formula), and records a violation the moment one happens. Counts calls and successes
/// per action so the invariant run can fail when claims or sweeps rarely succeed.
contract PlansHandler is TestBase {
    ServicePlans public immutable plans;
    TestToken public immutable token;
    RebasingToken public immutable reb;
    ERC1271Wallet public immutable wallet; // a contract-wallet funder; this handler owns it
    uint256 internal constant SIGNER_PK = 0x5161;
    address internal immutable signer;
    address internal constant FUNDER = address(0xF0);
    uint256 internal constant PROVIDERS = 4;

    struct Ghost {
        address token;
        address funder;
        uint256 budget;
        uint256 bond;
        uint256 cap;
        uint256 totalShares;
        uint256 paid;
        uint256 submitDeadline;
        uint256 claimDeadline;
        bool swept;
    }

    uint256[] public ids;
    mapping(uint256 planId => Ghost) internal _ghost;
    mapping(uint256 planId => mapping(address provider => uint256)) public ghostShares;
    mapping(uint256 planId => mapping(address provider => uint256)) public ghostPaid;
    mapping(address token => uint256) public deposited;
    mapping(address token => uint256) public paid;
    mapping(address token => uint256) public returned;
    mapping(address token => uint256) public forfeited;
    mapping(address token => uint256) public rebased;
    uint256 public floorViolations;
    uint256 public sweepViolations;
    uint256 public doublePays;
    uint256 internal _salt;

    // calls / successes per action
    uint256 public createCalls;
    uint256 public createOk;
    uint256 public topUpCalls;
    uint256 public topUpOk;
    uint256 public submitCalls;
    uint256 public submitOk;
    uint256 public claimCalls;
    uint256 public claimOk;
    uint256 public claimManyCalls;
    uint256 public claimManyOk;
    uint256 public sweepCalls;
    uint256 public sweepOk;
    uint256 public rebaseCalls;

    constructor(ServicePlans plans_, TestToken token_, RebasingToken reb_) {
        plans = plans_;
        token = token_;
        reb = reb_;
        signer = vm.addr(SIGNER_PK);
        wallet = new ERC1271Wallet(address(this));
        token.mint(FUNDER, type(uint128).max);
        reb.mint(FUNDER, type(uint128).max);
        token.mint(address(wallet), type(uint128).max);
        vm.startPrank(FUNDER);
        token.approve(address(plans), type(uint256).max);
        reb.approve(address(plans), type(uint256).max);
        vm.stopPrank();
        wallet.execute(address(token), abi.encodeCall(IERC20.approve, (address(plans), type(uint256).max)));
    }

    function planCount() external view returns (uint256) {
        return ids.length;
    }

    function ghost(uint256 planId) external view returns (Ghost memory) {
        return _ghost[planId];
    }

    function provider(uint256 i) public pure returns (address) {
        return address(uint160(0x1000 + (i % PROVIDERS)));
    }

    // ------------------------------------------------------------------ actions

    function create(uint256 budget, uint256 bond, uint256 cap, uint256 kind, uint256 window) external {
        createCalls++;
        _create(budget, bond, cap, kind, window);
        createOk++;
    }

    function topUp(uint256 idx, uint256 amount) external {
        topUpCalls++;
        (bool found, uint256 id) = _findOpenForShares(idx);
        if (!found) return;
        Ghost storage g = _ghost[id];
        amount = bound(amount, 0, 1e24);
        if (g.funder == address(wallet)) {
            wallet.execute(address(plans), abi.encodeCall(ServicePlans.topUp, (id, amount)));
        } else {
            vm.prank(g.funder);
            plans.topUp(id, amount);
        }
        g.budget += amount;
        deposited[g.token] += amount;
        topUpOk++;
    }

    function submit(uint256 idx, uint256 p, uint256 inc, uint256 length, uint256 depth) external {
        submitCalls++;
        (bool found, uint256 id) = _findOpenForShares(idx);
        if (!found) id = _create(idx, inc, length, idx, depth);
        _submit(id, provider(p), inc, length, depth);
        submitOk++;
    }

    /// A batch where one entry is forged: the others apply, the forged one is skipped.
    function submitBatchWithForgery(uint256 idx, uint256 p, uint256 inc) external {
        submitCalls++;
        (bool found, uint256 id) = _findOpenForShares(idx);
        if (!found) return;
        IServicePlans.Submission[] memory batch = new IServicePlans.Submission[](2);
        address honest = provider(p);
        address victim = provider(p + 1);
        (batch[0], ) = _build(id, honest, inc, 8, 5);
        (batch[1], ) = _build(id, victim, inc, 8, 5);
        batch[1].word = keccak256(abi.encode("forged", inc));
        uint256 increase = plans.submitBatch(batch);
        uint256 expected = batch[0].baseShares + batch[0].depth - ghostShares[id][honest];
        if (increase != expected) sweepViolations++; // the honest entry must apply in full
        ghostShares[id][honest] += expected;
        _ghost[id].totalShares += expected;
        submitOk++;
    }

    function claim(uint256 idx, uint256 p) external {
        claimCalls++;
        (bool found, uint256 id, address who) = _findClaimable(idx, p);
        if (!found) return;
        if (block.timestamp <= _ghost[id].submitDeadline) vm.warp(_ghost[id].submitDeadline + 1);
        IERC20 t = IERC20(_ghost[id].token);
        uint256 before = t.balanceOf(who);
        plans.claim(id, who);
        _booked(id, who, t.balanceOf(who) - before);
        claimOk++;
    }

    /// Every plan the provider can claim now, in one call.
    function claimMany(uint256 p) external {
        claimManyCalls++;
        address who = provider(p);
        uint256[] memory list = new uint256[](ids.length);
        uint256 n;
        for (uint256 i; i < ids.length; i++) {
            Ghost storage g = _ghost[ids[i]];
            if (block.timestamp <= g.submitDeadline || block.timestamp > g.claimDeadline) continue;
            if (ghostShares[ids[i]][who] == 0 || ghostPaid[ids[i]][who] != 0) continue;
            list[n++] = ids[i];
        }
        if (n == 0) return;
        assembly ("memory-safe") {
            mstore(list, n)
        }
        uint256[2] memory before = [token.balanceOf(who), reb.balanceOf(who)];
        uint256[] memory amounts = plans.claimMany(list, who);
        uint256 sum;
        for (uint256 i; i < n; i++) {
            _booked(list[i], who, amounts[i]);
            sum += amounts[i];
        }
        // what arrived equals what the plans report, summed over both tokens
        if (token.balanceOf(who) + reb.balanceOf(who) - before[0] - before[1] != sum) doublePays++;
        claimManyOk++;
    }

    function sweep(uint256 idx) external {
        sweepCalls++;
        uint256 n = ids.length;
        for (uint256 k; k < n; k++) {
            uint256 id = ids[(idx + k) % n];
            if (!_ghost[id].swept) return _sweep(id);
        }
        // every plan is swept: run a fresh one through both deadlines
        uint256 fresh = _create(idx, idx >> 8, idx >> 16, idx, idx >> 24);
        _submit(fresh, provider(idx), idx, idx >> 4, idx >> 12);
        _sweep(fresh);
    }

    function _sweep(uint256 id) internal {
        Ghost storage g = _ghost[id];
        if (block.timestamp <= g.claimDeadline) vm.warp(g.claimDeadline + 1);
        IERC20 t = IERC20(g.token);
        uint256 before = t.balanceOf(g.funder);
        plans.sweep(id);
        uint256 back = t.balanceOf(g.funder) - before;
        g.swept = true;
        // forfeiture from the shares the handler itself had signed, not from the contract
        uint256 lost = g.cap != 0 && g.totalShares > g.cap ? g.bond : 0;
        if (g.paid + back + lost != g.budget + g.bond) sweepViolations++;
        returned[g.token] += back;
        forfeited[g.token] += lost;
        sweepOk++;
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 0, 6 hours));
    }

    /// A positive rebase of the plans contract's balance in the rebasing token (negative ones are
    /// documented to make the last withdrawals revert; see ServicePlansFindings.t.sol).
    function rebase(uint256 amount) external {
        rebaseCalls++;
        amount = bound(amount, 0, 1e20);
        reb.rebase(address(plans), int256(amount));
        rebased[address(reb)] += amount;
    }

    // ------------------------------------------------------------------ internals

    function _create(
        uint256 budget,
        uint256 bond,
        uint256 cap,
        uint256 kind,
        uint256 window
    ) internal returns (uint256 id) {
        budget = bound(budget, 1e6, 1e24); // every share of a few thousand earns something
        bond = bound(bond, 0, 1e24);
        cap = bound(cap, 0, 500);
        uint256 sd = block.timestamp + 1 hours + (window % 12 hours);
        uint256 cd = sd + plans.minClaimWindow() + ((window >> 32) % 1 days);
        kind %= 3;
        address t = kind == 1 ? address(reb) : address(token);
        bytes32 salt = bytes32(++_salt);
        if (kind == 2) {
            bytes memory ret = wallet.execute(
                address(plans),
                abi.encodeCall(ServicePlans.createPlan, (t, signer, budget, bond, cap, sd, cd, salt))
            );
            id = abi.decode(ret, (uint256));
        } else {
            vm.prank(FUNDER);
            id = plans.createPlan(t, signer, budget, bond, cap, sd, cd, salt);
        }
        ids.push(id);
        _ghost[id] = Ghost(t, kind == 2 ? address(wallet) : FUNDER, budget, bond, cap, 0, 0, sd, cd, false);
        deposited[t] += budget + bond;
    }

    /// A valid receipt over a fresh chain (or a plain one) lifting `who` by at least one share.
    function _build(
        uint256 id,
        address who,
        uint256 inc,
        uint256 length,
        uint256 depth
    ) internal view returns (IServicePlans.Submission memory s, uint256 shares) {
        uint256 base = ghostShares[id][who] + bound(inc, 0, 50);
        length = bound(length, 0, 24);
        depth = length == 0 ? 0 : bound(depth, 1, length);
        if (length == 0) base += 1; // a plain cumulative receipt must still add a share
        bytes32 w = keccak256(abi.encode(id, who, base, inc));
        for (uint256 i = length; i > depth; i--) w = keccak256(abi.encode(w));
        bytes32 anchor = w;
        for (uint256 i = depth; i > 0; i--) anchor = keccak256(abi.encode(anchor));
        if (length == 0) (w, anchor) = (bytes32(0), bytes32(0));
        (uint8 v, bytes32 r, bytes32 sig) = vm.sign(SIGNER_PK, plans.hashShareReceipt(id, who, base, anchor, length));
        s = IServicePlans.Submission(id, who, base, anchor, length, depth, w, abi.encodePacked(r, sig, v));
        shares = base + depth;
    }

    function _submit(uint256 id, address who, uint256 inc, uint256 length, uint256 depth) internal {
        (IServicePlans.Submission memory s, uint256 shares) = _build(id, who, inc, length, depth);
        uint256 increase = plans.submit(s);
        if (increase != shares - ghostShares[id][who]) sweepViolations++;
        ghostShares[id][who] = shares;
        _ghost[id].totalShares += increase;
    }

    function _findOpenForShares(uint256 idx) internal view returns (bool, uint256) {
        uint256 n = ids.length;
        for (uint256 k; k < n; k++) {
            uint256 id = ids[(idx + k) % n];
            if (block.timestamp <= _ghost[id].submitDeadline) return (true, id);
        }
        return (false, 0);
    }

    /// A plan and provider with an unclaimed payout whose claim window has not passed; when none
    /// holds shares yet, a receipt is submitted first (a fresh plan if every plan is closed).
    function _findClaimable(uint256 idx, uint256 p) internal returns (bool, uint256, address) {
        uint256 n = ids.length;
        for (uint256 k; k < n; k++) {
            uint256 id = ids[(idx + k) % n];
            Ghost storage g = _ghost[id];
            if (block.timestamp > g.claimDeadline) continue;
            for (uint256 j; j < PROVIDERS; j++) {
                address who = provider(p + j);
                if (ghostShares[id][who] != 0 && ghostPaid[id][who] == 0) return (true, id, who);
            }
            if (block.timestamp <= g.submitDeadline) {
                _submit(id, provider(p), idx, p, idx >> 8);
                return (true, id, provider(p));
            }
        }
        uint256 fresh = _create(idx, p, idx >> 16, idx, p >> 8);
        _submit(fresh, provider(p), idx, p, idx >> 8);
        return (true, fresh, provider(p));
    }

    /// Books a payout measured by balance delta and checks it against the handler's own ghosts.
    function _booked(uint256 id, address who, uint256 amount) internal {
        Ghost storage g = _ghost[id];
        if (ghostPaid[id][who] != 0) doublePays++;
        ghostPaid[id][who] = amount;
        g.paid += amount;
        paid[g.token] += amount;
        uint256 shares = ghostShares[id][who];
        if (g.cap != 0 && g.totalShares <= g.cap && amount < shares * (g.budget / g.cap)) floorViolations++;
    }
}
