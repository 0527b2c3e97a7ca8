// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A token whose balances change without a transfer, as a rebasing token's do: `rebase`
/// moves one holder's balance up (positive rebase) or down (negative rebase, e.g. a slashing).
contract RebasingToken is ERC20 {
    constructor() ERC20("Rebasing Token", "REB") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function rebase(address holder, int256 delta) external {
        if (delta >= 0) _mint(holder, uint256(delta));
        else _burn(holder, uint256(-delta));
    }
}
