/**
 * Contract fixtures for users' integration suites: the test token, the chequebook factory,
 * ServicePlans, and one funded chequebook per account, deployed in one call. Works with Hardhat 3's
 * `networkHelpers.loadFixture` (which snapshots the chain after the first run):
 *
 *   const fixture = createSwapFixture({ accounts: 3, deposit: 10n ** 18n });   // once, at module level
 *   const { token, factory, plans, chequebooks } = await networkHelpers.loadFixture(fixture);
 */
import type { Signer } from "ethers";
import { TestToken__factory, type TestToken } from "../../typechain-types/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../chain/chequebook.js";
import { ServicePlansClient } from "../chain/plans.js";
import type { Hex } from "../crypto/index.js";
import { InvalidArgumentError } from "../errors.js";

/** The part of a Hardhat network connection the fixture needs (`await network.create()`). */
export interface FixtureConnection {
  ethers: {
    getSigners(): Promise<Signer[]>;
    provider: { getNetwork(): Promise<{ chainId: bigint }> };
  };
}

export interface SwapFixtureOptions {
  /** Accounts that get a chequebook (signers 1..N; signer 0 deploys). Default 2. */
  accounts?: number;
  /** Tokens minted into each chequebook. Default 10^18. */
  deposit?: bigint;
  /** Tokens minted to each account itself (to fund plans, pay gas-free deposits). Default 10^18. */
  wallet?: bigint;
  /** Hard-deposit decrease timeout of each chequebook, seconds. Default 86,400 (Bee's). */
  hardDepositTimeout?: bigint;
}

export interface FixtureChequebook {
  /** The issuer (signs cheques) and owner. */
  owner: Signer;
  ownerAddress: Hex;
  address: Hex;
  /** A client sending as the owner. */
  client: ChequebookClient;
}

export interface SwapFixture {
  chainId: bigint;
  deployer: Signer;
  token: TestToken;
  tokenAddress: Hex;
  factory: ChequebookFactoryClient;
  plans: ServicePlansClient;
  chequebooks: FixtureChequebook[];
}

/** Deploy everything now (without snapshots); see `createSwapFixture` for `loadFixture`. */
export async function deploySwapFixture(
  connection: FixtureConnection,
  options: SwapFixtureOptions = {},
): Promise<SwapFixture> {
  const accounts = options.accounts ?? 2;
  const deposit = options.deposit ?? 10n ** 18n;
  const wallet = options.wallet ?? 10n ** 18n;
  const timeout = options.hardDepositTimeout ?? 86_400n;
  const signers = await connection.ethers.getSigners();
  if (!Number.isSafeInteger(accounts) || accounts < 1 || accounts > signers.length - 1) {
    throw new InvalidArgumentError(
      "accounts",
      accounts,
      `1 to ${signers.length - 1} (the network's signers but the deployer)`,
    );
  }
  const [deployer, ...rest] = signers;
  const { chainId } = await connection.ethers.provider.getNetwork();
  const token = await new TestToken__factory(deployer).deploy();
  await token.waitForDeployment();
  const tokenAddress = (await token.getAddress()) as Hex;
  const factory = await ChequebookFactoryClient.deploy(deployer, tokenAddress);
  const plans = await ServicePlansClient.deploy(deployer);
  const chequebooks: FixtureChequebook[] = [];
  for (const [i, owner] of rest.slice(0, accounts).entries()) {
    const ownerAddress = (await owner.getAddress()) as Hex;
    const salt = `0x${(i + 1).toString(16).padStart(64, "0")}`;
    const { address } = await factory.deployChequebook({
      issuer: ownerAddress,
      defaultHardDepositTimeout: timeout,
      salt,
    });
    if (deposit > 0n) await (await token.mint(address, deposit)).wait();
    if (wallet > 0n) await (await token.mint(ownerAddress, wallet)).wait();
    chequebooks.push({ owner, ownerAddress, address, client: new ChequebookClient(address, owner) });
  }
  return { chainId, deployer, token, tokenAddress, factory, plans, chequebooks };
}

/**
 * A named fixture function for `networkHelpers.loadFixture` (which needs the same function object
 * on every call to reuse its snapshot: create it once, at module level).
 */
export function createSwapFixture(
  options: SwapFixtureOptions = {},
): (connection: FixtureConnection) => Promise<SwapFixture> {
  return async function swapFixture(connection: FixtureConnection): Promise<SwapFixture> {
    return deploySwapFixture(connection, options);
  };
}
