// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Calls back into `target` with `callData` on every transfer to `hookedRecipient`
/// (an ERC777-style hook), and records whether the re-entrant call succeeded.
contract ReentrantToken is ERC20 {
    address public reentryTarget;
    bytes public callData;
    address public hookedRecipient;
    bool public attempted;
    bool public reentrySucceeded;
    bytes public reentryRevertData;

    constructor() ERC20("Reentrant Token", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, address hookedRecipient_, bytes calldata callData_) external {
        reentryTarget = target_;
        hookedRecipient = hookedRecipient_;
        callData = callData_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (to == hookedRecipient && reentryTarget != address(0) && !attempted) {
            attempted = true;
            (bool ok, bytes memory ret) = reentryTarget.call(callData);
            reentrySucceeded = ok;
            reentryRevertData = ret;
        }
    }
}
