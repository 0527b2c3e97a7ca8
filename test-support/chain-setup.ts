/**
 * The chain the e2e cash-out and hard-mode suites share: a fresh in-process network, the token and
 * factory from the `testing` subpath's `deploySwapFixture`, the `CashoutRouter` (which that fixture
 * does not deploy), and `chequebook(issuer, funds)` for chequebooks of any key (the fixture's own
 * chequebooks belong to the network's signers; suites here need random issuers).
 */
import { network } from "hardhat";
import { id, type Signer } from "ethers";
import type { TestToken } from "../typechain-types/index.js";
import { deploySwapFixture } from "../src/testing/index.js";
import type { ChequebookFactoryClient } from "../src/chain/chequebook.js";
import { CashoutRouterClient } from "../src/chain/batch-cashout.js";
import type { Hex } from "../src/crypto/index.js";

export type Ethers = Awaited<ReturnType<typeof network.create>>["ethers"];

export interface ChainSetup {
  ethers: Ethers;
  deployer: Signer;
  chainId: bigint;
  token: TestToken;
  factory: ChequebookFactoryClient;
  /** The deployed `CashoutRouter`. */
  router: Hex;
  /** A chequebook of `issuer` from the factory with `funds` tokens minted into it (hard-deposit
   * timeout 86,400 s, Bee's, unless given). */
  chequebook(issuer: string, funds: bigint, hardDepositTimeout?: number): Promise<Hex>;
}

export async function chainSetup(): Promise<ChainSetup> {
  const { ethers } = await network.create();
  // one fixture account: the fixture needs at least one; its chequebook is not used here
  const { deployer, chainId, token, factory } = await deploySwapFixture({ ethers }, { accounts: 1 });
  const router = (await CashoutRouterClient.deploy(deployer)).address;
  let salt = 0;
  const chequebook = async (issuer: string, funds: bigint, hardDepositTimeout = 86_400): Promise<Hex> => {
    const d = await factory.deployChequebook({
      issuer,
      defaultHardDepositTimeout: hardDepositTimeout,
      salt: id(`chain-setup chequebook ${salt++}`),
    });
    if (funds > 0n) await (await token.mint(d.address, funds)).wait();
    return d.address;
  };
  return { ethers, deployer, chainId, token, factory, router, chequebook };
}
