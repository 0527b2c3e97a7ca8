import { expect } from "chai";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Wallet } from "ethers";
import { parseConfig } from "../../src/daemon/config.js";
import {
  ConfigError,
  KeyLoadError,
  KeystorePasswordError,
  KeystoreSecretNotFoundError,
} from "../../src/daemon/errors.js";
import { aes256GcmSivOpen } from "../../src/daemon/gcm-siv.js";
import { hardhatKeystorePaths, openHardhatKeystoreSecret } from "../../src/daemon/hardhat-keystore.js";
import { loadWallet } from "../../src/daemon/keys.js";
import { spawnDaemon, stopDaemon, writeConfig } from "../../src/daemon/launcher.js";
import { expectError } from "../../test-support/helpers.js";
import { call, tempDir } from "./helpers.js";

const HARDHAT_CLI = join(dirname(createRequire(import.meta.url).resolve("hardhat/package.json")), "dist/src/cli.js");
const PASSWORD = "correct horse battery";

/**
 * `npx hardhat keystore set [--dev] <name>` for real, with Hardhat's config directory in `configHome`:
 * it prompts on stdout and reads each answer from stdin (a piped stdin must be fed one prompt at a time).
 * It exits when stdin closes; the test's own timeout bounds it.
 */
function hardhatKeystoreSet(configHome: string, name: string, answers: string[], dev = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = [HARDHAT_CLI, "keystore", "set", ...(dev ? ["--dev"] : []), name];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, XDG_CONFIG_HOME: configHome },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    const queue = [...answers];
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (!out.endsWith(": ") || !queue.length) return;
      child.stdin.write(`${queue.shift()}\n`);
      if (!queue.length) child.stdin.end(); // hardhat waits for its stdin to close before exiting
    });
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`hardhat keystore set exited ${code}: ${out.slice(-1000)}`)),
    );
  });
}

describe("daemon: keys from Hardhat 3's keystore", function () {
  this.timeout(120_000);
  const mock = { mode: "mock", chain: { chainId: 31337 } };
  const node = Wallet.createRandom();
  const other = Wallet.createRandom();
  let home: string;
  let env: NodeJS.ProcessEnv;
  let file: string;

  before(async () => {
    home = tempDir("swap-hh-keystore-");
    env = { XDG_CONFIG_HOME: home };
    // the first `set` creates the production keystore: password twice, then the secret
    const first = await hardhatKeystoreSet(home, "SWAP_NODE_KEY", [PASSWORD, PASSWORD, node.privateKey]);
    expect(first).to.match(/Key "SWAP_NODE_KEY" set in the production keystore/);
    await hardhatKeystoreSet(home, "OTHER_KEY", [PASSWORD, other.privateKey.slice(2)]);
    // other secrets of the same file, however long, do not get in the way
    await hardhatKeystoreSet(home, "SWAP_RPC_URL", [PASSWORD, `https://rpc.example/${"k".repeat(10_000)}`]);
    file = hardhatKeystorePaths(env).file;
    expect(file).to.equal(join(home, "hardhat-nodejs", "keystore.json"));
  });

  it("AES-256-GCM-SIV: RFC 8452's empty-message vector opens; any flipped bit or a short input does not", () => {
    const key = Buffer.alloc(32);
    key[0] = 1;
    const nonce = Buffer.alloc(12);
    nonce[0] = 3;
    const tag = Buffer.from("07f5f4169bbf55a8400cd47ea6fd400f", "hex");
    expect(aes256GcmSivOpen(key, nonce, tag)).to.deep.equal(new Uint8Array(0));
    for (let bit = 0; bit < 128; bit += 9) {
      const bad = Buffer.from(tag);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(aes256GcmSivOpen(key, nonce, bad)).to.equal(undefined);
    }
    expect(aes256GcmSivOpen(key, nonce, tag.subarray(0, 15))).to.equal(undefined);
    expect(aes256GcmSivOpen(key.subarray(0, 16), nonce, tag)).to.equal(undefined);
  });

  it("opens a key `hardhat keystore set` stored (with and without 0x), from the default location", async () => {
    const cfg = parseConfig({ ...mock, key: { hardhatKeystore: { name: "SWAP_NODE_KEY" } } }).key;
    const w = await loadWallet(cfg, { ...env, SWAP_NODE_KEYSTORE_PASSWORD: PASSWORD });
    expect(w.address).to.equal(node.address);
    const o = parseConfig({ ...mock, key: { hardhatKeystore: { name: "OTHER_KEY", file } } }).key;
    expect((await loadWallet(o, { SWAP_NODE_KEYSTORE_PASSWORD: PASSWORD })).address).to.equal(other.address);
  });

  it("the password may come from key.passwordFile or the prompt; without any it is a KeyLoadError", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "pw"), `${PASSWORD}\n`);
    const base = { name: "SWAP_NODE_KEY", file };
    const fromFile = parseConfig({ ...mock, key: { hardhatKeystore: base, passwordFile: join(dir, "pw") } }).key;
    expect((await loadWallet(fromFile, {})).address).to.equal(node.address);
    const cfg = parseConfig({ ...mock, key: { hardhatKeystore: base } }).key;
    const asked: string[] = [];
    const prompt = async (q: string) => (asked.push(q), PASSWORD);
    expect((await loadWallet(cfg, {}, prompt)).address).to.equal(node.address);
    expect(asked).to.deep.equal([`Password of the Hardhat keystore ${file}: `]);
    const none = await expectError(loadWallet(cfg, {}), KeyLoadError);
    expect(none.message).to.match(/no password: set SWAP_NODE_KEYSTORE_PASSWORD or key.passwordFile/);
  });

  it("a wrong password is a KeystorePasswordError, a missing key a KeystoreSecretNotFoundError naming the keys", async () => {
    const wrong = await expectError(
      openHardhatKeystoreSecret(file, "SWAP_NODE_KEY", "not the password"),
      KeystorePasswordError,
    );
    expect(wrong.file).to.equal(file);
    // NFKC: the plugin normalises the password, so a composed/decomposed spelling is the same password
    expect(await openHardhatKeystoreSecret(file, "SWAP_NODE_KEY", PASSWORD.normalize("NFD"))).to.equal(node.privateKey);
    const missing = await expectError(openHardhatKeystoreSecret(file, "NOPE", PASSWORD), KeystoreSecretNotFoundError);
    expect([missing.key, missing.available.sort()]).to.deep.equal([
      "NOPE",
      ["OTHER_KEY", "SWAP_NODE_KEY", "SWAP_RPC_URL"],
    ]);
    expect(missing.details).to.match(/npx hardhat keystore set NOPE/);
  });

  it("refuses a modified file (HMAC), another format, oversized parameters, and a missing file", async () => {
    const dir = tempDir();
    const ks = JSON.parse(readFileSync(file, "utf8"));
    const write = (name: string, doc: unknown) => {
      const f = join(dir, name);
      writeFileSync(f, typeof doc === "string" ? doc : JSON.stringify(doc));
      return f;
    };
    // a secret swapped for another one of the same file: every part decrypts, only the HMAC catches it
    const swapped = write("swapped.json", {
      ...ks,
      secrets: { ...ks.secrets, SWAP_NODE_KEY: ks.secrets.OTHER_KEY },
    });
    expect(
      (await expectError(openHardhatKeystoreSecret(swapped, "SWAP_NODE_KEY", PASSWORD), KeyLoadError)).message,
    ).to.match(/HMAC does not match/);
    const hugeN = write("n.json", {
      ...ks,
      crypto: { ...ks.crypto, masterKeyDerivation: { ...ks.crypto.masterKeyDerivation, paramN: 2 ** 30 } },
    });
    expect(
      (await expectError(openHardhatKeystoreSecret(hugeN, "SWAP_NODE_KEY", PASSWORD), KeyLoadError)).message,
    ).to.match(/not a hardhat-v3-keystore-1 keystore \(crypto.masterKeyDerivation.paramN/);
    const geth = write("geth.json", { version: 3, crypto: {} });
    expect((await expectError(openHardhatKeystoreSecret(geth, "X", PASSWORD), KeyLoadError)).message).to.match(
      /\(version: /,
    );
    expect(
      (await expectError(openHardhatKeystoreSecret(write("t.txt", "{"), "X", PASSWORD), KeyLoadError)).message,
    ).to.match(/not JSON/);
    const gone = await expectError(openHardhatKeystoreSecret(join(dir, "none.json"), "X", PASSWORD), KeyLoadError);
    expect(gone.message).to.match(/unreadable \(ENOENT\)/);
    const big = write("big.json", " ".repeat(4 * 1024 * 1024 + 1));
    expect((await expectError(openHardhatKeystoreSecret(big, "X", PASSWORD), KeyLoadError)).message).to.match(
      /larger than 4 MiB/,
    );
    // a secret that is not a private key
    const home2 = tempDir("swap-hh-keystore-");
    await hardhatKeystoreSet(home2, "NOT_A_KEY", [PASSWORD, PASSWORD, "hello"]);
    const cfg = parseConfig({ ...mock, key: { hardhatKeystore: { name: "NOT_A_KEY" } } }).key;
    const bad = await expectError(
      loadWallet(cfg, { XDG_CONFIG_HOME: home2, SWAP_NODE_KEYSTORE_PASSWORD: PASSWORD }),
      KeyLoadError,
    );
    expect(bad.message).to.match(/Hardhat keystore key NOT_A_KEY: not a 32-byte hex private key/);
    expect(bad.message).to.not.include("hello");
  });

  it("the development keystore (`--dev`) opens with Hardhat's own password file", async () => {
    const devHome = tempDir("swap-hh-keystore-");
    const dev = Wallet.createRandom();
    await hardhatKeystoreSet(devHome, "DEV_KEY", [dev.privateKey], true);
    const paths = hardhatKeystorePaths({ XDG_CONFIG_HOME: devHome });
    expect(existsSync(paths.devFile) && existsSync(paths.devPasswordFile)).to.equal(true);
    const cfg = parseConfig({ ...mock, key: { hardhatKeystore: { name: "DEV_KEY", dev: true } } }).key;
    expect((await loadWallet(cfg, { XDG_CONFIG_HOME: devHome })).address).to.equal(dev.address);
  });

  it("config: a bad key name or both keystores at once is a ConfigError; a relative file resolves", () => {
    const bad = (key: unknown) => expect(() => parseConfig({ ...mock, key })).to.throw(ConfigError);
    bad({ hardhatKeystore: { name: "1ABC" } });
    bad({ hardhatKeystore: { name: "A-B" } });
    bad({ hardhatKeystore: {} });
    bad({ hardhatKeystore: { name: "A", extra: 1 } });
    try {
      parseConfig({ ...mock, key: { keystore: "k.json", hardhatKeystore: { name: "A" } } });
      expect.fail("accepted both keystores");
    } catch (e) {
      expect([(e as ConfigError).key, (e as ConfigError).problem]).to.deep.equal([
        "key.hardhatKeystore",
        "set key.keystore or key.hardhatKeystore, not both",
      ]);
    }
    const c = parseConfig({ ...mock, key: { hardhatKeystore: { name: "_A1", file: "ks.json" } } }, {}, "/etc/swap");
    expect(c.key.hardhatKeystore).to.deep.equal({ name: "_A1", file: "/etc/swap/ks.json", dev: false });
  });

  it("a swap-node process starts with its key from the Hardhat keystore and never logs it", async () => {
    const dir = tempDir();
    const cfg = writeConfig(
      {
        ...mock,
        dataDir: dir,
        chequebook: Wallet.createRandom().address,
        key: { hardhatKeystore: { name: "SWAP_NODE_KEY" } },
        api: { port: 0 },
      },
      dir,
    );
    const p = spawnDaemon(cfg, { ...env, SWAP_NODE_KEYSTORE_PASSWORD: PASSWORD, SWAP_NODE_PRIVATE_KEY: "" });
    try {
      const s = await p.started;
      const info = (await call(s.api, "/node")).body;
      expect(info.beneficiary).to.equal(node.address);
    } finally {
      await stopDaemon(p);
    }
    const all = JSON.stringify(p.logs) + p.stderr.join("");
    expect(all).to.not.include(node.privateKey.slice(2));
    expect(all).to.not.include(PASSWORD);
    // a wrong password: the process exits 1 with the typed error in one line
    const q = spawnDaemon(cfg, { ...env, SWAP_NODE_KEYSTORE_PASSWORD: "wrong password", SWAP_NODE_PRIVATE_KEY: "" });
    const exit = await q.exited;
    expect(exit.code).to.equal(1);
    expect(q.stderr.join("")).to.match(/^KeystorePasswordError: wrong password for the Hardhat keystore /);
  });
});
