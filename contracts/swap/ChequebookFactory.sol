// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IChequebookFactory} from "./IChequebookFactory.sol";
import {Chequebook} from "./Chequebook.sol";

/// @title ChequebookFactory
/// @notice Deploys `Chequebook` clones (ERC-1167 with immutable args) for one token.
/// @dev A clone's issuer and default timeout are appended to its code, so it is complete the moment
/// it exists: there is no initialiser for anyone to call first.
contract ChequebookFactory is IChequebookFactory {
    /// @inheritdoc IChequebookFactory
    address public immutable ERC20Address;
    /// @inheritdoc IChequebookFactory
    address public immutable master;
    /// @inheritdoc IChequebookFactory
    mapping(address chequebook => bool) public deployedContracts;

    constructor(address erc20Address) {
        ERC20Address = erc20Address;
        master = address(new Chequebook(erc20Address));
    }

    /// @inheritdoc IChequebookFactory
    function deploySimpleSwap(address issuer, uint256 defaultHardDepositTimeoutDuration, bytes32 salt)
        external
        returns (address chequebook)
    {
        if (issuer == address(0)) revert ZeroIssuer();
        chequebook = Clones.cloneDeterministicWithImmutableArgs(
            master, abi.encode(issuer, defaultHardDepositTimeoutDuration), _salt(msg.sender, salt)
        );
        deployedContracts[chequebook] = true;
        emit SimpleSwapDeployed(chequebook);
    }

    /// @inheritdoc IChequebookFactory
    function predictAddress(address deployer, address issuer, uint256 defaultHardDepositTimeoutDuration, bytes32 salt)
        external
        view
        returns (address)
    {
        return Clones.predictDeterministicAddressWithImmutableArgs(
            master, abi.encode(issuer, defaultHardDepositTimeoutDuration), _salt(deployer, salt), address(this)
        );
    }

    function _salt(address deployer, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(deployer, salt));
    }
}
