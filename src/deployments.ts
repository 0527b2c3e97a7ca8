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
import { ServicePlansClient, DEFAULT_MIN_CLAIM_WINDOW } from "./chain/plans.js";
import { CashoutRouterClient } from "./chain/batch-cashout.js";

export interface Deployment {
  network: string;
  chainId: string;
  token: Hex;
  factory: Hex;
  chequebookImplementation: Hex;
  servicePlans: Hex;
  /** ServicePlans' enforced minimum claim window in seconds (absent in older files: the default, one day). */
  minClaimWindow?: string;
  /** The batch cash-out router (absent in older files: one cheque per transaction). */
  cashoutRouter?: Hex;
  blocks: { factory: number; servicePlans: number };
  /** Chequebooks deployed by operators of this checkout, by issuer. */
  chequebooks: Record<string, Hex>;
  deployedAt: string;
}

export class DeploymentNotFoundError extends SettlementError {
  override readonly name = "DeploymentNotFoundError" as const;
  constructor(
    readonly chainId: bigint,
    readonly dir: string,
  ) {
    super(`no deployment for chain ${chainId} in ${dir}`, {
      details: "run `npx hardhat swap deploy --network <name>` first",
    });
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

/** Chains whose state is throw-away (Hardhat, Anvil, Ganache): faucets and test tokens allowed. */
export function isLocalChain(chainId: bigint | number | string): boolean {
  return [31337n, 1337n].includes(BigInt(chainId));
}

/** The deployment file recorded under `network` does not belong to the chain we are talking to. */
export class DeploymentChainMismatchError extends SettlementError {
  override readonly name = "DeploymentChainMismatchError" as const;
  constructor(
    readonly file: string,
    readonly recordedChainId: bigint,
    readonly chainId: bigint,
  ) {
    super(`${file} is for chain ${recordedChainId}, but the network is chain ${chainId}`, {
      details: "point the network at the right node, or redeploy with `npx hardhat swap deploy --network <name>`",
    });
  }
}

/** A recorded contract has no code on the chain (a restarted development node, a wrong RPC URL). */
export class DeploymentCodeMissingError extends SettlementError {
  override readonly name = "DeploymentCodeMissingError" as const;
  constructor(
    readonly file: string,
    readonly contract: string,
    readonly address: string,
  ) {
    super(`${file}: no code at ${contract} ${address} (a restarted node? a different chain?)`, {
      details: "redeploy with `npx hardhat swap deploy --network <name>` (a restarted `hardhat node` starts empty)",
    });
  }
}

/**
 * The deployment for `network`: `<dir>/<network>.json` in the first of `dirs` holding it, checked
 * against the chain id and the code at its addresses; when no file carries the network's name,
 * the first file of that chain id (checked the same way). Never another network's file silently.
 */
export async function findDeployment(opts: {
  network: string;
  dirs: string[];
  chainId: bigint;
  getCode: (address: string) => Promise<string>;
}): Promise<{ deployment: Deployment; file: string }> {
  let found: { deployment: Deployment; file: string } | undefined;
  for (const dir of opts.dirs) {
    const file = join(dir, `${opts.network}.json`);
    if (existsSync(file)) {
      found = { deployment: JSON.parse(readFileSync(file, "utf8")) as Deployment, file };
      break;
    }
  }
  if (!found) {
    for (const dir of opts.dirs.filter(existsSync)) {
      for (const f of readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort()) {
        const d = JSON.parse(readFileSync(join(dir, f), "utf8")) as Deployment;
        if (BigInt(d.chainId) === opts.chainId) {
          found = { deployment: d, file: join(dir, f) };
          break;
        }
      }
      if (found) break;
    }
  }
  if (!found) throw new DeploymentNotFoundError(opts.chainId, opts.dirs.join(", "));
  const { deployment: d, file } = found;
  if (BigInt(d.chainId) !== opts.chainId) throw new DeploymentChainMismatchError(file, BigInt(d.chainId), opts.chainId);
  for (const [name, address] of [
    ["factory", d.factory],
    ["servicePlans", d.servicePlans],
    ["token", d.token],
  ] as const) {
    if ((await opts.getCode(address)) === "0x") throw new DeploymentCodeMissingError(file, name, address);
  }
  return found;
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
  const plans = await ServicePlansClient.deploy(signer, { minClaimWindow: DEFAULT_MIN_CLAIM_WINDOW });
  const plansBlock = await provider.getBlockNumber();
  const router = await CashoutRouterClient.deploy(signer);
  const { chainId } = await provider.getNetwork();
  return {
    network,
    chainId: chainId.toString(),
    token: toAddress(token),
    factory: factory.address,
    chequebookImplementation: toAddress(await factory.contract.master()),
    servicePlans: plans.address,
    minClaimWindow: DEFAULT_MIN_CLAIM_WINDOW.toString(),
    cashoutRouter: router.address,
    blocks: { factory: factoryBlock, servicePlans: plansBlock },
    chequebooks: {},
    deployedAt: new Date().toISOString(),
  };
}
