// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IChequebookFactory
/// @notice Deploys chequebook clones for one token and remembers which it deployed.
/// External ABI a superset of Swarm's `SimpleSwapFactory` v0.6.9.
interface IChequebookFactory {
    /// @notice A chequebook was deployed at `contractAddress` (Swarm ABI).
    event SimpleSwapDeployed(address contractAddress);

    /// @notice A chequebook must have an issuer.
    error ZeroIssuer();

    /// @notice The token every chequebook of this factory uses.
    function ERC20Address() external view returns (address);
    /// @notice The implementation behind the clones (Swarm: `master`).
    function master() external view returns (address);
    /// @notice Whether this factory deployed `chequebook`.
    function deployedContracts(address chequebook) external view returns (bool);

    /// @notice Deploy a chequebook for `issuer`, fully configured in the same transaction.
    /// @dev Address is deterministic in (msg.sender, salt, issuer, timeout): a salt is bound to
    /// its caller, so nobody can squat another deployer's address.
    function deploySimpleSwap(address issuer, uint256 defaultHardDepositTimeoutDuration, bytes32 salt)
        external
        returns (address);

    /// @notice The address `deploySimpleSwap` called by `deployer` with these arguments deploys to.
    function predictAddress(address deployer, address issuer, uint256 defaultHardDepositTimeoutDuration, bytes32 salt)
        external
        view
        returns (address);
}
