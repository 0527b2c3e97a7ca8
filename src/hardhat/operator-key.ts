/**
 * The operator's key on a Hardhat network, as an ethers `Wallet` that signs raw transactions (the
 * cash-out service records the signed bytes before broadcasting them, which a JSON-RPC account
 * cannot do: `HardhatEthersSigner.signTransaction` is not implemented).
 *
 * - `accounts: [configVariable("SWAP_DEPLOYER_KEY")]` (the `custom` network): that key;
 * - an HD `accounts` config: its first derived key;
 * - `"remote"` (the `localhost` network, i.e. a `hardhat node`): the node's first account, derived
 *   from the `node` network's configuration (the same config the node was started from) and checked
 *   against the node's `eth_accounts[0]`.
 * Hardhat's in-process network is refused for commands that keep state (`EphemeralNetworkError`).
 */
import {
  BrowserProvider,
  HDNodeWallet,
  Wallet,
  Mnemonic,
  type Eip1193Provider,
  type Provider,
  type Signer,
} from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { SettlementError } from "../errors.js";
import { EphemeralNetworkError } from "../ops/operator.js";

/** No key for this network could be found: nothing can sign raw transactions. */
export class NoOperatorKeyError extends SettlementError {
  override readonly name = "NoOperatorKeyError" as const;
  constructor(readonly network: string) {
    super(`no private key configured for network "${network}" (its accounts are the node's)`, {
      details:
        'configure `accounts: [configVariable("SWAP_DEPLOYER_KEY")]` for the network, or use `--network custom` with SWAP_DEPLOYER_KEY set',
    });
  }
}

interface ConfigVar {
  get(): Promise<string>;
}
type Accounts =
  | "remote"
  | ConfigVar[]
  | { mnemonic: ConfigVar; passphrase: ConfigVar; path: string; initialIndex: number }
  | { privateKey: ConfigVar }[];

async function firstKey(accounts: Accounts | undefined): Promise<string | undefined> {
  if (!accounts || accounts === "remote") return undefined;
  if (Array.isArray(accounts)) {
    const a = accounts[0];
    if (!a) return undefined;
    return "privateKey" in a ? a.privateKey.get() : (a as ConfigVar).get();
  }
  const phrase = await accounts.mnemonic.get();
  const pass = await accounts.passphrase.get();
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(phrase, pass), `${accounts.path}/${accounts.initialIndex}`)
    .privateKey;
}

export interface OperatorConnection {
  signer: Signer;
  provider: Provider;
  /** The network's EIP-1193 provider (signs with the network's configured accounts; Ignition uses it). */
  eip1193: Eip1193Provider & { request(args: { method: string; params?: unknown[] }): Promise<unknown> };
  network: string;
  root: string;
  /** Hardhat's in-process chain (state vanishes at exit). */
  ephemeral: boolean;
}

/** Connect to the selected network with a raw-signing wallet for its operator key. */
export async function connectOperator(
  hre: HardhatRuntimeEnvironment,
  opts: { persistent?: boolean } = {},
): Promise<OperatorConnection> {
  const conn = await hre.network.getOrCreate();
  const ephemeral = conn.networkConfig.type === "edr-simulated";
  if (ephemeral && opts.persistent !== false) throw new EphemeralNetworkError(conn.networkName);
  // hardhat-ethers' provider when that plugin is loaded (no type extension needed), else a plain wrapper
  const withEthers = conn as unknown as { ethers?: { provider: Provider } };
  const provider = withEthers.ethers?.provider ?? new BrowserProvider(conn.provider as unknown as Eip1193Provider);
  let key = await firstKey(conn.networkConfig.accounts as Accounts);
  if (!key && conn.networkConfig.accounts === "remote") {
    const nodeCfg = hre.config.networks.node;
    const candidate = await firstKey(nodeCfg?.accounts as Accounts | undefined);
    const [remote] = (await conn.provider.request({ method: "eth_accounts" })) as string[];
    if (candidate && remote && new Wallet(candidate).address.toLowerCase() === remote.toLowerCase()) key = candidate;
  }
  if (!key) throw new NoOperatorKeyError(conn.networkName);
  return {
    signer: new Wallet(key, provider),
    provider,
    eip1193: conn.provider as never,
    network: conn.networkName,
    root: hre.config.paths.root,
    ephemeral,
  };
}
