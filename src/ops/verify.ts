/**
 * What `swap deploy --verify` submits to a block explorer, and the small types the deploy path
 * shares with the Ignition module (./ignition.ts, loaded only when deploying: it needs
 * `@nomicfoundation/ignition-core`, which this file does not).
 */
import { join } from "node:path";
import type { Hex } from "../crypto/index.js";
import type { Deployment } from "../deployments.js";
import { DEFAULT_MIN_CLAIM_WINDOW } from "../chain/plans.js";

/** Source file of each contract the deployment creates. */
export const SOURCES = {
  ChequebookFactory: "contracts/swap/ChequebookFactory.sol",
  Chequebook: "contracts/swap/Chequebook.sol",
  ServicePlans: "contracts/plans/ServicePlans.sol",
  CashoutRouter: "contracts/swap/batch/CashoutRouter.sol",
  TestToken: "contracts/test/mocks/TestToken.sol",
} as const;
export type SwapContractName = keyof typeof SOURCES;

/** Fully qualified name (`source:Name`), what hardhat-verify and the artifacts use. */
export const qualifiedName = (name: SwapContractName) => `${SOURCES[name]}:${name}`;

/** An EIP-1193 provider (Hardhat's network connection provider is one). */
export interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/** The default Ignition journal: Ignition's own layout on live chains, none (in memory) on development chains. */
export const ignitionDeploymentDir = (root: string, chainId: bigint, local: boolean) =>
  local ? undefined : join(root, "ignition", "deployments", `chain-${chainId}`);

/** One contract to verify on a block explorer (what hardhat-verify's `verifyContract` takes). */
export interface VerifyRequest {
  address: Hex;
  /** Fully qualified name, e.g. `contracts/swap/ChequebookFactory.sol:ChequebookFactory`. */
  contract: string;
  constructorArgs: unknown[];
}
export type Verifier = (req: VerifyRequest) => Promise<boolean>;

/** What `--verify` submits for a deployment: every contract deployed, with its constructor args. */
export function verifyRequests(d: Deployment, opts: { testToken: boolean }): VerifyRequest[] {
  return [
    ...(opts.testToken ? [{ address: d.token, contract: qualifiedName("TestToken"), constructorArgs: [] }] : []),
    { address: d.factory, contract: qualifiedName("ChequebookFactory"), constructorArgs: [d.token] },
    { address: d.chequebookImplementation, contract: qualifiedName("Chequebook"), constructorArgs: [d.token] },
    {
      address: d.servicePlans,
      contract: qualifiedName("ServicePlans"),
      constructorArgs: [BigInt(d.minClaimWindow ?? DEFAULT_MIN_CLAIM_WINDOW)],
    },
    ...(d.cashoutRouter
      ? [{ address: d.cashoutRouter, contract: qualifiedName("CashoutRouter"), constructorArgs: [] }]
      : []),
  ];
}
