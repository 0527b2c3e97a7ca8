// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IChequebookFactory
/// @notice Deploys chequebook clones for one token and tells which contracts are its chequebooks.
/// External ABI a superset of Swarm's `SimpleSwapFactory` v0.6.9.
interface IChequebookFactory {
    /// @notice A chequebook was deployed at `contractAddress` (Swarm ABI).
    event SimpleSwapDeployed(address contractAddress);

    /// @notice A chequebook must have an issuer.
    error ZeroIssuer();
    /// @notice The default timeout is stored in 64 bits (`max`) of the clone's code.
    error TimeoutTooLarge(uint256 defaultHardDepositTimeout, uint256 max);
    /// @notice `deployer` already used `salt` with these arguments: the chequebook exists at `chequebook`.
    error ChequebookAlreadyDeployed(address chequebook, address deployer, bytes32 salt);

    /// @notice The token every chequebook of this factory uses.
    function ERC20Address() external view returns (address);
    /// @notice The implementation behind the clones (Swarm: `master`).
    function master() external view returns (address);
    /// @notice Whether `chequebook` is a chequebook of this factory (Bee's check before accepting cheques).
    /// @dev Answered from the code at that address, not from a registry slot (saves 22,100 gas per
    /// deployment): true iff the code is exactly this factory's clone of `master` (the 45-byte ERC-1167
    /// proxy pointing at `master`, then a non-zero issuer and an 8-byte timeout). Such a contract runs
    /// `master`'s code with `master`'s token whoever created it, so it behaves exactly like one from
    /// `deploySimpleSwap` — which is what Bee's check is for. Any other code (another implementation,
    /// other args, an EIP-7702 delegation designator, no code) answers false.
    function deployedContracts(address chequebook) external view returns (bool);

    /// @notice Deploy a chequebook for `issuer`, fully configured in the same transaction.
    /// @dev Address is deterministic in (msg.sender, salt, issuer, timeout): a salt is bound to
    /// its caller, so nobody can squat another deployer's address. The timeout must fit 64 bits.
    function deploySimpleSwap(
        address issuer,
        uint256 defaultHardDepositTimeoutDuration,
        bytes32 salt
    ) external returns (address);

    /// @notice The address `deploySimpleSwap` called by `deployer` with these arguments deploys to.
    function predictAddress(
        address deployer,
        address issuer,
        uint256 defaultHardDepositTimeoutDuration,
        bytes32 salt
    ) external view returns (address);
}
