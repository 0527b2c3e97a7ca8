/**
 * Deployment records: `deployments/<network>.json` holds chain id, contract addresses, deployment
 * blocks and the token; the library resolves addresses from them by chain id.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Signer } from "ethers";
import { SettlementError } from "./errors.js";
import { toAddress } from "./values.js";
import type { Hex } from "./crypto/index.js";
import { ChequebookFactoryClient } from "./chain/chequebook.js";
import { ServicePlansClient } from "./chain/plans.js";

export interface Deployment {
  network: string;
  chainId: string;
  token: Hex;
  factory: Hex;
  chequebookImplementation: Hex;
  servicePlans: Hex;
  blocks: { factory: number; servicePlans: number };
  /** Chequebooks deployed by operators of this checkout, by issuer. */
  chequebooks: Record<string, Hex>;
  deployedAt: string;
}

export class DeploymentNotFoundError extends SettlementError {
  override readonly name = "DeploymentNotFoundError" as const;
  constructor(readonly chainId: bigint, readonly dir: string) {
    super(`no deployment for chain ${chainId} in ${dir}`, { details: "run `npx hardhat swap deploy --network <name>` first" });
  }
}

/** `$SWAP_DEPLOYMENTS_DIR`, else the package's own `deployments/` folder (found from this file,
 * in src/ or dist/src/). */
export function defaultDeploymentsDir(): string {
  if (process.env.SWAP_DEPLOYMENTS_DIR) return process.env.SWAP_DEPLOYMENTS_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "deployments");
    dir = dirname(dir);
  }
  return join(process.cwd(), "deployments");
}

export function loadDeployment(chainId: bigint | number, dir = defaultDeploymentsDir()): Deployment {
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const d = JSON.parse(readFileSync(join(dir, f), "utf8")) as Deployment;
      if (BigInt(d.chainId) === BigInt(chainId)) return d;
    }
  }
  throw new DeploymentNotFoundError(BigInt(chainId), dir);
}

export function saveDeployment(d: Deployment, dir = defaultDeploymentsDir()): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${d.network}.json`);
  writeFileSync(file, JSON.stringify(d, null, 2) + "\n");
  return file;
}

/** Deploy the factory (for `token`) and the ServicePlans singleton. */
export async function deployAll(signer: Signer, network: string, token: string): Promise<Deployment> {
  const provider = signer.provider!;
  const factory = await ChequebookFactoryClient.deploy(signer, token);
  const factoryBlock = await provider.getBlockNumber();
  const plans = await ServicePlansClient.deploy(signer);
  const plansBlock = await provider.getBlockNumber();
  const { chainId } = await provider.getNetwork();
  return {
    network, chainId: chainId.toString(), token: toAddress(token), factory: factory.address,
    chequebookImplementation: toAddress(await factory.contract.master()), servicePlans: plans.address,
    blocks: { factory: factoryBlock, servicePlans: plansBlock }, chequebooks: {}, deployedAt: new Date().toISOString(),
  };
}
