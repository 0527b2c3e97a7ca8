/**
 * The node's two keys: its Ethereum wallet (from an encrypted keystore, geth/ethers JSON or
 * Hardhat 3's; from an environment variable; or, only when the operator insists, from the config)
 * and its libp2p identity (Ed25519, created in the data directory on first start, mode 0600).
 * Neither is ever logged.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "ethers";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import type { DaemonConfig } from "./config.js";
import { KeyLoadError } from "./errors.js";
import { hardhatKeystorePaths, openHardhatKeystoreSecret } from "./hardhat-keystore.js";

/** Asks the operator for a secret (on a terminal, without echo); absent when nobody can answer. */
export type PasswordPrompt = (question: string) => Promise<string>;

export async function loadWallet(
  cfg: DaemonConfig["key"],
  env: NodeJS.ProcessEnv = process.env,
  prompt?: PasswordPrompt,
): Promise<Wallet> {
  if (cfg.hardhatKeystore) {
    const hk = cfg.hardhatKeystore;
    const paths = hardhatKeystorePaths(env);
    const file = hk.file ?? (hk.dev ? paths.devFile : paths.file);
    const password =
      readPassword(cfg, env) ??
      (hk.dev ? readSecretFile(paths.devPasswordFile, "Hardhat's development keystore password file") : undefined) ??
      (prompt ? await prompt(`Password of the Hardhat keystore ${file}: `) : undefined);
    if (password === undefined)
      throw new KeyLoadError(`Hardhat keystore ${file}`, `no password: set ${cfg.passwordEnv} or key.passwordFile`);
    return walletFrom(await openHardhatKeystoreSecret(file, hk.name, password), `Hardhat keystore key ${hk.name}`);
  }
  if (cfg.keystore) {
    let json: string;
    try {
      json = readFileSync(cfg.keystore, "utf8");
    } catch (e) {
      throw new KeyLoadError(`keystore ${cfg.keystore}`, "unreadable", e);
    }
    const password =
      readPassword(cfg, env) ?? (prompt ? await prompt(`Password of the keystore ${cfg.keystore}: `) : undefined);
    if (password === undefined)
      throw new KeyLoadError(`keystore ${cfg.keystore}`, `no password: set ${cfg.passwordEnv} or key.passwordFile`);
    try {
      const w = await Wallet.fromEncryptedJson(json, password);
      return new Wallet(w.privateKey);
    } catch (e) {
      throw new KeyLoadError(`keystore ${cfg.keystore}`, "wrong password or not a keystore", e);
    }
  }
  const fromEnv = env[cfg.env];
  if (fromEnv) return walletFrom(fromEnv, `environment ${cfg.env}`);
  if (cfg.privateKey && cfg.insecureAllowPlaintextKey) return walletFrom(cfg.privateKey, "config key.privateKey");
  throw new KeyLoadError("nowhere", `set ${cfg.env}, key.keystore or key.hardhatKeystore in the config`);
}

/** The keystore password from the environment, else from `key.passwordFile`. */
function readPassword(cfg: DaemonConfig["key"], env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env[cfg.passwordEnv];
  if (fromEnv !== undefined) return fromEnv;
  return cfg.passwordFile ? readSecretFile(cfg.passwordFile, "password file") : undefined;
}

function readSecretFile(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (e) {
    throw new KeyLoadError(`${what} ${file}`, "unreadable", e);
  }
}

function walletFrom(hex: string, source: string): Wallet {
  const key = hex.trim();
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw new KeyLoadError(source, "not a 32-byte hex private key");
  try {
    return new Wallet(key.startsWith("0x") ? key : `0x${key}`);
  } catch (e) {
    throw new KeyLoadError(source, "not a valid secp256k1 private key", e);
  }
}

/** The libp2p identity: loaded from `<dataDir>/libp2p.key`, or created (atomically) on first start. */
export async function loadPeerKey(dataDir: string): Promise<PrivateKey> {
  const file = join(dataDir, "libp2p.key");
  if (existsSync(file)) {
    try {
      return privateKeyFromProtobuf(readFileSync(file));
    } catch (e) {
      throw new KeyLoadError(file, "not a libp2p private key", e);
    }
  }
  const key = await generateKeyPair("Ed25519");
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, privateKeyToProtobuf(key), { mode: 0o600 });
  renameSync(tmp, file);
  return key;
}
