/**
 * Reads one secret from a Hardhat 3 keystore (`npx hardhat keystore set <NAME>`, format
 * "hardhat-v3-keystore-1" of @nomicfoundation/hardhat-keystore) without loading Hardhat:
 * scrypt(password NFKC, salt) → master key; AES-256-GCM-SIV opens the HMAC key and the data key
 * under it; the file's HMAC-SHA-256 over its canonical JSON is checked before any secret is
 * trusted; the secret opens under the data key. Only the parameters that format fixes are
 * accepted, so a crafted file cannot make us run an unbounded key derivation.
 */
import { createHmac, scrypt, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { aes256GcmSivOpen } from "./gcm-siv.js";
import { KeyLoadError, KeystorePasswordError, KeystoreSecretNotFoundError } from "./errors.js";

const VERSION = "hardhat-v3-keystore-1";
const SCRYPT = { N: 131_072, r: 8, p: 1 } as const;
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_SECRET_BYTES = 256 * 1024;
/** Secret names as the plugin validates them. */
export const KEYSTORE_NAME = /^[a-zA-Z_]+[a-zA-Z0-9_]*$/;

const hex = (len: number) => z.string().regex(new RegExp(`^[0-9a-f]{${len}}$`));
/** Any secret of the file (other secrets than ours may be long: RPC URLs with keys, certificates). */
const cypherText = z
  .string()
  .max(2 * MAX_SECRET_BYTES)
  .regex(/^(?:[0-9a-f]{2})+$/);
const sealed = z.strictObject({ iv: hex(24), cypherText });
const keystoreSchema = z.strictObject({
  version: z.literal(VERSION),
  crypto: z.strictObject({
    masterKeyDerivation: z.strictObject({
      algorithm: z.literal("scrypt"),
      paramN: z.literal(SCRYPT.N),
      paramP: z.literal(SCRYPT.p),
      paramR: z.literal(SCRYPT.r),
      unicodeNormalizationForm: z.literal("NFKC"),
      keyLength: z.literal(256),
      salt: hex(64),
    }),
    encryption: z.strictObject({ algorithm: z.literal("AES-GCM-SIV"), keyLength: z.literal(256) }),
    hmac: z.strictObject({ algorithm: z.literal("HMAC-SHA-256"), keyLength: z.literal(256) }),
  }),
  dataEncryptionKey: sealed,
  hmacKey: sealed,
  hmac: hex(64),
  secrets: z.record(z.string().regex(KEYSTORE_NAME), sealed),
});
type HardhatKeystoreFile = z.infer<typeof keystoreSchema>;

/** Where Hardhat keeps its keystores on this machine (env-paths' config dir for "hardhat"). */
export function hardhatConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === "darwin") return join(homedir(), "Library", "Preferences", "hardhat-nodejs");
  if (process.platform === "win32")
    return join(env.APPDATA ?? join(homedir(), "AppData", "Roaming"), "hardhat-nodejs", "Config");
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "hardhat-nodejs");
}

/** The production keystore (`keystore.json`) or, with `dev`, the development one and its password file. */
export function hardhatKeystorePaths(env: NodeJS.ProcessEnv = process.env): {
  file: string;
  devFile: string;
  devPasswordFile: string;
} {
  const dir = hardhatConfigDir(env);
  return {
    file: join(dir, "keystore.json"),
    devFile: join(dir, "dev.keystore.json"),
    devPasswordFile: join(dir, "hardhat.checksum"),
  };
}

/** Parse and validate a keystore file (no password needed: nothing is decrypted yet). */
export function readHardhatKeystore(file: string): HardhatKeystoreFile {
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw new KeyLoadError(`Hardhat keystore ${file}`, "larger than 4 MiB");
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof KeyLoadError) throw e;
    throw new KeyLoadError(`Hardhat keystore ${file}`, `unreadable (${(e as NodeJS.ErrnoException).code ?? "?"})`, e);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new KeyLoadError(`Hardhat keystore ${file}`, "not JSON", e);
  }
  const r = keystoreSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new KeyLoadError(
      `Hardhat keystore ${file}`,
      `not a ${VERSION} keystore (${issue.path.map(String).join(".") || "(root)"}: ${issue.message})`,
    );
  }
  return r.data;
}

/** The secret `name` of the keystore `file`, unlocked with `password`. */
export async function openHardhatKeystoreSecret(file: string, name: string, password: string): Promise<string> {
  const ks = readHardhatKeystore(file);
  const source = `Hardhat keystore ${file}`;
  const masterKey = await new Promise<Buffer>((resolve, reject) =>
    scrypt(
      password.normalize("NFKC"),
      Buffer.from(ks.crypto.masterKeyDerivation.salt, "hex"),
      32,
      { ...SCRYPT, maxmem: 256 * 1024 * 1024 },
      (err, key) => (err ? reject(new KeyLoadError(source, "key derivation failed", err)) : resolve(key)),
    ),
  );
  try {
    // the HMAC key opens only under the right master key: this is the password check
    const hmacKey = openUtf8(masterKey, ks.hmacKey);
    if (hmacKey === undefined) throw new KeystorePasswordError(file);
    const mac = createHmac("sha256", Buffer.from(hmacKey, "hex"))
      .update(canonicalJson({ ...ks, hmac: undefined }))
      .digest();
    if (!timingSafeEqual(mac, Buffer.from(ks.hmac, "hex")))
      throw new KeyLoadError(source, "its HMAC does not match: the file was modified or is corrupt");
    const secret = ks.secrets[name];
    if (!Object.hasOwn(ks.secrets, name) || !secret)
      throw new KeystoreSecretNotFoundError(file, name, Object.keys(ks.secrets));
    const dataKey = openUtf8(masterKey, ks.dataEncryptionKey);
    const value = dataKey === undefined ? undefined : openUtf8(Buffer.from(dataKey, "hex"), secret);
    if (value === undefined) throw new KeyLoadError(source, `secret ${name} does not decrypt: the file is corrupt`);
    return value;
  } finally {
    masterKey.fill(0);
  }
}

function openUtf8(key: Uint8Array, s: { iv: string; cypherText: string }): string | undefined {
  const plain = aes256GcmSivOpen(key, Buffer.from(s.iv, "hex"), Buffer.from(s.cypherText, "hex"));
  if (plain === undefined) return undefined;
  const text = new TextDecoder().decode(plain);
  plain.fill(0);
  return text;
}

/** JSON with object keys sorted at every level and undefined members dropped (the plugin's HMAC pre-image). */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    const o = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  });
}
