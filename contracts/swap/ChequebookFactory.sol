// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";
import {IChequebookFactory} from "./IChequebookFactory.sol";
import {Chequebook} from "./Chequebook.sol";

/// @title ChequebookFactory
/// @notice Deploys `Chequebook` clones (ERC-1167 with immutable args) for one token.
/// @dev A clone's issuer and default timeout are appended to its code (packed: 20 + 8 bytes), so it is
/// complete the moment it exists: there is no initialiser for anyone to call first. The code is the one
/// OpenZeppelin's `Clones.cloneDeterministicWithImmutableArgs` produces; it is built here so that a
/// reused salt can fail with a typed error.
contract ChequebookFactory is IChequebookFactory {
    /// @dev The clone's code: 45 bytes of ERC-1167 proxy, issuer (20), timeout (8).
    uint256 private constant CODE_LENGTH = 0x2d + 28;

    /// @inheritdoc IChequebookFactory
    address public immutable ERC20Address;
    /// @inheritdoc IChequebookFactory
    address public immutable master;

    constructor(address erc20Address) {
        ERC20Address = erc20Address;
        master = address(new Chequebook(erc20Address));
    }

    /// @inheritdoc IChequebookFactory
    function deploySimpleSwap(
        address issuer,
        uint256 defaultHardDepositTimeoutDuration,
        bytes32 salt
    ) external returns (address chequebook) {
        if (issuer == address(0)) revert ZeroIssuer();
        if (defaultHardDepositTimeoutDuration > type(uint64).max) {
            revert TimeoutTooLarge(defaultHardDepositTimeoutDuration, type(uint64).max);
        }
        bytes memory initCode = _initCode(issuer, defaultHardDepositTimeoutDuration);
        bytes32 boundSalt = _salt(msg.sender, salt);
        assembly ("memory-safe") {
            chequebook := create2(0, add(initCode, 0x20), mload(initCode), boundSalt)
        }
        if (chequebook == address(0)) {
            address predicted = _predict(keccak256(initCode), boundSalt);
            if (predicted.code.length != 0) revert ChequebookAlreadyDeployed(predicted, msg.sender, salt);
            revert Errors.FailedDeployment(); // out of gas or call depth: nothing more to say
        }
        emit SimpleSwapDeployed(chequebook);
    }

    /// @inheritdoc IChequebookFactory
    function deployedContracts(address chequebook) external view returns (bool) {
        if (chequebook.code.length != CODE_LENGTH) return false;
        bytes32 prefixA;
        bytes32 prefixB;
        assembly ("memory-safe") {
            extcodecopy(chequebook, 0x00, 0, 0x40)
            prefixA := mload(0x00)
            prefixB := mload(0x20)
        }
        // bytes 0..31 and 32..44 of the proxy code, then the issuer must be non-zero (bytes 45..64)
        (bytes32 wantA, bytes32 wantB) = _proxyWords();
        bytes32 maskB = bytes32(~uint256(0) << 152); // the first 13 bytes of the second word
        if (prefixA != wantA || prefixB & maskB != wantB) return false;
        return Chequebook(chequebook).issuer() != address(0);
    }

    /// @inheritdoc IChequebookFactory
    function predictAddress(
        address deployer,
        address issuer,
        uint256 defaultHardDepositTimeoutDuration,
        bytes32 salt
    ) external view returns (address) {
        return _predict(keccak256(_initCode(issuer, defaultHardDepositTimeoutDuration)), _salt(deployer, salt));
    }

    /// @dev OpenZeppelin `Clones._cloneCodeWithImmutableArgs(master, abi.encodePacked(issuer, uint64(timeout)))`.
    function _initCode(address issuer, uint256 timeout) private view returns (bytes memory) {
        return
            abi.encodePacked(
                hex"61",
                uint16(CODE_LENGTH),
                hex"3d81600a3d39f3363d3d373d3d3d363d73",
                master,
                hex"5af43d82803e903d91602b57fd5bf3",
                issuer,
                uint64(timeout)
            );
    }

    /// @dev The first 45 bytes of every clone's code, as two words (the second left-aligned, 13 bytes).
    function _proxyWords() private view returns (bytes32 a, bytes32 b) {
        bytes memory proxy = abi.encodePacked(hex"363d3d373d3d3d363d73", master, hex"5af43d82803e903d91602b57fd5bf3");
        assembly ("memory-safe") {
            a := mload(add(proxy, 0x20))
            b := and(mload(add(proxy, 0x40)), not(shr(104, not(0))))
        }
    }

    function _predict(bytes32 initCodeHash, bytes32 boundSalt) private view returns (address) {
        return
            address(
                uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), boundSalt, initCodeHash))))
            );
    }

    function _salt(address deployer, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(deployer, salt));
    }
}
