/**
 * Deploying the system through Hardhat Ignition (ignition-core, so it works from any Hardhat 3
 * project, with the ethers or the viem toolbox, and without one): the Ignition modules, an artifact
 * resolver over this package's own compiled contracts (the consumer's project does not compile
 * them), and the deployment record (`Deployment`) built from Ignition's result.
 *
 * - `SwapSettlement` (live chains): factory for the `token` parameter + ServicePlans;
 * - `SwapSettlementDev` (development chains only): the open-mint test token, then the same.
 * On a live chain Ignition's journal is kept in `<root>/ignition/deployments/chain-<id>`, so a rerun
 * resumes or reuses what is on chain; on a development chain nothing is journaled (a restarted
 * `hardhat node` starts empty).
 */
import {
  buildModule,
  deploy,
  DeploymentResultType,
  type Artifact,
  type ArtifactResolver,
} from "@nomicfoundation/ignition-core";
import { SettlementError } from "../errors.js";
import { toAddress } from "../values.js";
import {
  ChequebookFactory__factory,
  Chequebook__factory,
  ServicePlans__factory,
  TestToken__factory,
  CashoutRouter__factory,
} from "../../typechain-types/index.js";
import type { Deployment } from "../deployments.js";
import { SOURCES, type Eip1193, type SwapContractName } from "./verify.js";
import { DEFAULT_MIN_CLAIM_WINDOW } from "../chain/plans.js";

/** The contracts the modules deploy, from this package's typechain factories (abi + bytecode). */
const CONTRACTS = {
  ChequebookFactory: { sourceName: SOURCES.ChequebookFactory, f: ChequebookFactory__factory },
  Chequebook: { sourceName: SOURCES.Chequebook, f: Chequebook__factory },
  ServicePlans: { sourceName: SOURCES.ServicePlans, f: ServicePlans__factory },
  TestToken: { sourceName: SOURCES.TestToken, f: TestToken__factory },
  CashoutRouter: { sourceName: SOURCES.CashoutRouter, f: CashoutRouter__factory },
} as const;

/** Ignition's artifact resolver over the contracts this package ships. */
export const swapArtifactResolver: ArtifactResolver = {
  async loadArtifact(contractName: string): Promise<Artifact> {
    const c = CONTRACTS[contractName as SwapContractName];
    if (!c) throw new UnknownContractError(contractName);
    return {
      _format: "hh3-artifact-1",
      contractName,
      sourceName: c.sourceName,
      abi: c.f.abi as unknown as Artifact["abi"],
      bytecode: c.f.bytecode,
      deployedBytecode: "0x",
      linkReferences: {},
      deployedLinkReferences: {},
    };
  },
  async getBuildInfo() {
    return undefined;
  },
};

export class UnknownContractError extends SettlementError {
  override readonly name = "UnknownContractError" as const;
  constructor(readonly contract: string) {
    super(`the swap Ignition modules deploy no contract named ${contract}`);
  }
}

/** Ignition refused or failed the deployment (validation, reconciliation with its journal, a revert). */
export class IgnitionDeploymentError extends SettlementError {
  override readonly name = "IgnitionDeploymentError" as const;
  constructor(
    readonly kind: string,
    readonly errors: Record<string, string[]>,
    readonly deploymentDir: string | undefined,
  ) {
    super(
      `Ignition deployment failed (${kind}): ${Object.entries(errors)
        .map(([f, e]) => `${f}: ${e.join("; ")}`)
        .join(" | ")}`,
      {
        details: deploymentDir
          ? `see Ignition's journal in ${deploymentDir} (\`npx hardhat ignition status\`)`
          : undefined,
      },
    );
  }
}

/** The module for a live chain: factory (for the `token` parameter), its implementation, ServicePlans
 * (with the `minClaimWindow` parameter, default one day), the batch cash-out router. */
export const SwapSettlementModule = buildModule("SwapSettlement", (m) => {
  const token = m.getParameter<string>("token");
  const minClaimWindow = m.getParameter("minClaimWindow", DEFAULT_MIN_CLAIM_WINDOW);
  const factory = m.contract("ChequebookFactory", [token]);
  const implementation = m.contractAt("Chequebook", m.staticCall(factory, "master"), {
    id: "ChequebookImplementation",
  });
  const servicePlans = m.contract("ServicePlans", [minClaimWindow]);
  const cashoutRouter = m.contract("CashoutRouter", []);
  return { factory, implementation, servicePlans, cashoutRouter };
});

/** The module for a development chain: the open-mint test token first, then the same contracts. */
export const SwapSettlementDevModule = buildModule("SwapSettlementDev", (m) => {
  const token = m.contract("TestToken", []);
  const minClaimWindow = m.getParameter("minClaimWindow", DEFAULT_MIN_CLAIM_WINDOW);
  const factory = m.contract("ChequebookFactory", [token]);
  const implementation = m.contractAt("Chequebook", m.staticCall(factory, "master"), {
    id: "ChequebookImplementation",
  });
  const servicePlans = m.contract("ServicePlans", [minClaimWindow]);
  const cashoutRouter = m.contract("CashoutRouter", []);
  return { token, factory, implementation, servicePlans, cashoutRouter };
});

export interface IgnitionDeployOptions {
  /** The network's EIP-1193 provider (Hardhat's: signs with the network's configured accounts). */
  provider: Eip1193;
  /** The deployer (must be one of the provider's accounts). */
  sender: string;
  network: string;
  chainId: bigint;
  local: boolean;
  /** The token for the live module; absent = the development module (test token). */
  token?: string;
  /** Where Ignition keeps its journal (undefined: in memory). */
  deploymentDir?: string;
  /** Blocks to wait for each transaction (default: 1 on development chains, Ignition's 5 elsewhere). */
  confirmations?: number;
}

/** Run the Ignition module and turn its result into the address book's `Deployment`. */
export async function deployWithIgnition(o: IgnitionDeployOptions): Promise<Deployment> {
  const accounts = (await o.provider.request({ method: "eth_accounts" })) as string[];
  const confirmed = new Map<string, string>();
  const listener = new Proxy({} as Record<string, unknown>, {
    get: (_, k) =>
      k === "then"
        ? undefined
        : k === "transactionConfirm"
          ? async (e: { futureId: string; hash: string }) => void confirmed.set(e.futureId, e.hash)
          : async () => {},
  });
  const module = o.token === undefined ? SwapSettlementDevModule : SwapSettlementModule;
  const r = await deploy({
    config: {
      ...(o.local ? { requiredConfirmations: 1, blockPollingInterval: 50 } : {}),
      ...(o.confirmations === undefined ? {} : { requiredConfirmations: o.confirmations }),
    },
    artifactResolver: swapArtifactResolver,
    provider: o.provider,
    executionEventListener: listener as never,
    deploymentDir: o.deploymentDir,
    ignitionModule: module as never,
    deploymentParameters: o.token === undefined ? {} : { SwapSettlement: { token: o.token } },
    accounts,
    defaultSender: o.sender.toLowerCase(),
  });
  if (r.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) {
    const errors: Record<string, string[]> =
      "errors" in r
        ? r.errors
        : Object.fromEntries([
            ...r.failed.map((f) => [f.futureId, [f.error]]),
            ...r.held.map((f) => [f.futureId, [`held: ${f.reason}`]]),
            ...r.timedOut.map((f) => [f.futureId, ["timed out"]]),
          ]);
    throw new IgnitionDeploymentError(r.type, errors, o.deploymentDir);
  }
  const c = r.contracts;
  const at = (key: string) => toAddress(c[`${module.id}#${key}`]!.address);
  const block = async (futureId: string) => {
    const hash = confirmed.get(`${module.id}#${futureId}`);
    if (!hash) return 0; // reused from Ignition's journal: scan from genesis
    const receipt = (await o.provider.request({ method: "eth_getTransactionReceipt", params: [hash] })) as {
      blockNumber: string;
    } | null;
    return receipt ? Number(BigInt(receipt.blockNumber)) : 0;
  };
  return {
    network: o.network,
    chainId: o.chainId.toString(),
    token: o.token === undefined ? at("TestToken") : toAddress(o.token, "token"),
    factory: at("ChequebookFactory"),
    chequebookImplementation: at("ChequebookImplementation"),
    servicePlans: at("ServicePlans"),
    minClaimWindow: DEFAULT_MIN_CLAIM_WINDOW.toString(),
    cashoutRouter: at("CashoutRouter"),
    blocks: { factory: await block("ChequebookFactory"), servicePlans: await block("ServicePlans") },
    chequebooks: {},
    deployedAt: new Date().toISOString(),
  };
}
