/**
 * The node's two keys: its Ethereum wallet (from an encrypted keystore, an environment variable,
 * or — only when the operator insists — the config) and its libp2p identity (Ed25519, created in
 * the data directory on first start, mode 0600). Neither is ever logged.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "ethers";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import type { DaemonConfig } from "./config.js";
import { KeyLoadError } from "./errors.js";

export async function loadWallet(cfg: DaemonConfig["key"], env: NodeJS.ProcessEnv = process.env): Promise<Wallet> {
  if (cfg.keystore) {
    let json: string;
    try {
      json = readFileSync(cfg.keystore, "utf8");
    } catch (e) {
      throw new KeyLoadError(`keystore ${cfg.keystore}`, "unreadable", e);
    }
    let password = env[cfg.passwordEnv];
    if (password === undefined && cfg.passwordFile) {
      try {
        password = readFileSync(cfg.passwordFile, "utf8").replace(/\r?\n$/, "");
      } catch (e) {
        throw new KeyLoadError(`password file ${cfg.passwordFile}`, "unreadable", e);
      }
    }
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
  throw new KeyLoadError("nowhere", `set ${cfg.env}, or key.keystore in the config`);
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
