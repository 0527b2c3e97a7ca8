// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Plain ERC20 that counts the transfers it makes (mints and burns excluded).
contract CountingToken is ERC20 {
    uint256 public transfers;

    constructor() ERC20("Counting Token", "CNT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0) && to != address(0)) transfers++;
    }
}
