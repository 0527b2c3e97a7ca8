/**
 * A local chain for the multi-node demo and the daemon's chain tests: `hardhat node` on a free
 * loopback port as a child process (stopped by its pid), the contracts deployed with a deployment
 * record in a directory of the caller's, and funded chequebooks for node keys.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { JsonRpcProvider, NonceManager, Wallet, id } from "ethers";
import { TestToken__factory, type TestToken } from "../../typechain-types/index.js";
import { deployAll, saveDeployment, type Deployment } from "../deployments.js";
import { ChequebookFactoryClient } from "../chain/chequebook.js";
import type { Hex } from "../crypto/index.js";
import { LocalChainStartError } from "./errors.js";
import { freePort } from "./launcher.js";

/** Hardhat node's account #0 (its well-known development key; never holds real funds). */
export const HARDHAT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

export interface LocalChain {
  rpcUrl: string;
  provider: JsonRpcProvider;
  funder: NonceManager;
  token: TestToken;
  deployment: Deployment;
  deploymentsDir: string;
  /** A fresh key with 1 ETH and a chequebook holding `tokens`. */
  operator(tokens: bigint, label: string): Promise<{ wallet: Wallet; chequebook: Hex }>;
  stop(): Promise<void>;
}

export async function startLocalChain(deploymentsDir: string): Promise<LocalChain> {
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  // hardhat's package exports do not include its CLI: find it beside its package.json
  const cli = join(dirname(createRequire(import.meta.url).resolve("hardhat/package.json")), "dist/src/cli.js");
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)],
    { stdio: ["ignore", "ignore", "ignore"] },
  );
  const exited = new Promise((r) => child.once("exit", r));
  const stop = async () => {
    provider?.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  let provider: JsonRpcProvider | undefined;
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const probe = {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      };
      const ok = await fetch(rpcUrl, probe).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new LocalChainStartError(rpcUrl, child.exitCode);
      await new Promise((r) => setTimeout(r, 250));
    }
    provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, pollingInterval: 250 });
    const funder = new NonceManager(new Wallet(HARDHAT_KEY, provider));
    const token = await new TestToken__factory(funder).deploy();
    await token.waitForDeployment();
    const deployment = await deployAll(funder, "localhost", await token.getAddress());
    saveDeployment(deployment, deploymentsDir);
    const factory = new ChequebookFactoryClient(deployment.factory, funder);
    return {
      rpcUrl,
      provider,
      funder,
      token,
      deployment,
      deploymentsDir,
      stop,
      async operator(tokens, label) {
        const wallet = Wallet.createRandom() as unknown as Wallet;
        await (await funder.sendTransaction({ to: wallet.address, value: 10n ** 18n })).wait();
        const d = await factory.deployChequebook({
          issuer: wallet.address,
          defaultHardDepositTimeout: 86_400,
          salt: id(`swap-node-${label}-${Date.now()}-${Math.random()}`),
        });
        if (tokens > 0n) await (await token.mint(d.address, tokens)).wait();
        return { wallet, chequebook: d.address };
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
