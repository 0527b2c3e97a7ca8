import { expect } from "chai";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Wallet, encryptKeystoreJsonSync } from "ethers";
import { parse as parseYaml } from "yaml";
import { DEFAULT_CONFIG_YAML, loadConfig, parseConfig } from "../../src/daemon/config.js";
import { ConfigError, KeyLoadError } from "../../src/daemon/errors.js";
import { loadWallet } from "../../src/daemon/keys.js";
import { expectError } from "../../test-support/helpers.js";
import { tempDir } from "./helpers.js";

const mock = { mode: "mock", chain: { chainId: 1 } };
const keyOf = async (doc: unknown, env: NodeJS.ProcessEnv = {}) =>
  expectError(() => parseConfig(doc, env), ConfigError);

/** Run the CLI as its users do (a separate process); resolves with exit code and output. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/daemon/main.ts", ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("daemon: config", function () {
  this.timeout(60_000);

  it("names the bad key: unknown keys, bad amounts, bad enums, contradictions", async () => {
    const cases: [unknown, string][] = [
      [{ ...mock, thresholds: { paymnet: "1" } }, "thresholds.paymnet"],
      [{ ...mock, thresholds: { payment: "-5" } }, "thresholds.payment"],
      [{ ...mock, thresholds: { payment: "0" } }, "thresholds.payment"],
      [{ ...mock, thresholds: { payment: 1.5 } }, "thresholds.payment"],
      [{ ...mock, thresholds: { earlyPaymentPercent: 100 } }, "thresholds.earlyPaymentPercent"],
      [{ ...mock, thresholds: { contractIssuerMaxCredit: "-1" } }, "thresholds.contractIssuerMaxCredit"],
      [{ ...mock, thresholds: { contractIssuerMaxUncashed: "1.5" } }, "thresholds.contractIssuerMaxUncashed"],
      [{ ...mock, thresholds: { minPeerPayment: "10", maxPeerPayment: "9" } }, "thresholds.minPeerPayment"],
      [{ ...mock, prices: { store: "1e3" } }, "prices.store"],
      [{ ...mock, prices: { "bad protocol!": "1" } }, "prices.bad protocol!"],
      [{ ...mock, mode: "yolo" }, "mode"],
      [{ ...mock, chequebook: "0x12" }, "chequebook"],
      [{ ...mock, api: { port: 70_000 } }, "api.port"],
      [{ ...mock, api: { token: "short" } }, "api.token"],
      [{ ...mock, p2p: { bootstrap: "one" } }, "p2p.bootstrap"],
      [{ mode: "hard" }, "chain.rpcUrl"],
      [{ mode: "mock" }, "chain.chainId"],
      [{ ...mock, chain: { rpcUrl: "ftp://x" } }, "chain.rpcUrl"],
      [{ ...mock, key: { privateKey: `0x${"11".repeat(32)}` } }, "key.privateKey"],
      [["a list"], "(root)"],
    ];
    for (const [doc, key] of cases)
      expect([JSON.stringify(doc), (await keyOf(doc)).key]).to.deep.equal([JSON.stringify(doc), key]);
  });

  it("accepts the boundaries: amounts up to 2^256 − 1, port 0 and 65535, a plaintext key when insisted on", () => {
    const max = ((1n << 256n) - 1n).toString();
    expect(parseConfig({ ...mock, thresholds: { payment: max } }).thresholds.payment).to.equal((1n << 256n) - 1n);
    expect(() => parseConfig({ ...mock, thresholds: { payment: (1n << 256n).toString() } })).to.throw(ConfigError);
    expect(parseConfig({ ...mock, api: { port: 0 } }).api.port).to.equal(0);
    expect(parseConfig({ ...mock, api: { port: 65_535 } }).api.port).to.equal(65_535);
    expect(parseConfig({ ...mock, thresholds: { earlyPaymentPercent: 99 } }).thresholds.earlyPaymentPercent).to.equal(
      99n,
    );
    // 0 is a valid cap on contract-wallet credit: no paid work for them
    const t = parseConfig({ ...mock, thresholds: { contractIssuerMaxCredit: "0", contractIssuerMaxUncashed: max } });
    expect([t.thresholds.contractIssuerMaxCredit, t.thresholds.contractIssuerMaxUncashed]).to.deep.equal([
      0n,
      BigInt(max),
    ]);
    expect(
      parseConfig({ ...mock, key: { privateKey: `0x${"11".repeat(32)}`, insecureAllowPlaintextKey: true } }).key
        .privateKey,
    ).to.equal(`0x${"11".repeat(32)}`);
  });

  it("applies environment overrides over the file, and names the key of a bad one", async () => {
    const c = parseConfig(mock, {
      SWAP_NODE_API_PORT: "1700",
      SWAP_NODE_BOOTSTRAP: "/ip4/127.0.0.1/tcp/1/p2p/x, /ip4/127.0.0.1/tcp/2/p2p/y",
      SWAP_NODE_MODE: "soft",
      SWAP_NODE_DATA_DIR: "/var/x",
    });
    expect(c.api.port).to.equal(1700);
    expect(c.p2p.bootstrap).to.deep.equal(["/ip4/127.0.0.1/tcp/1/p2p/x", "/ip4/127.0.0.1/tcp/2/p2p/y"]);
    expect(c.mode).to.equal("soft");
    expect(c.dataDir).to.equal("/var/x");
    expect((await keyOf(mock, { SWAP_NODE_API_PORT: "80a" })).key).to.equal("api.port");
    expect((await keyOf(mock, { SWAP_NODE_MODE: "nope" })).key).to.equal("mode");
  });

  it("the commented default config is valid and documents every top-level key", () => {
    const c = parseConfig(parseYaml(DEFAULT_CONFIG_YAML));
    expect(c.mode).to.equal("hard");
    expect(c.api.host).to.equal("127.0.0.1");
    expect(c.thresholds.payment).to.equal(10_000_000_000_000_000n);
    for (const key of [
      "dataDir",
      "mode",
      "chain",
      "key",
      "chequebook",
      "thresholds",
      "prices",
      "freeTier",
      "p2p",
      "api",
      "metrics",
      "cashout",
      "log",
    ]) {
      expect(DEFAULT_CONFIG_YAML).to.match(new RegExp(`^#? ?${key}:`, "m"));
    }
  });

  it("reports unreadable files and YAML syntax errors with the line", async () => {
    const dir = tempDir();
    expect((await expectError(() => loadConfig(join(dir, "missing.yaml")), ConfigError)).problem).to.match(/ENOENT/);
    writeFileSync(join(dir, "bad.yaml"), "mode: mock\nchain: [\n");
    expect((await expectError(() => loadConfig(join(dir, "bad.yaml")), ConfigError)).problem).to.match(
      /not valid YAML at line/,
    );
    writeFileSync(join(dir, "rel.yaml"), "mode: mock\nchain: { chainId: 5 }\ndataDir: ./data\n");
    expect(loadConfig(join(dir, "rel.yaml"), {}).dataDir).to.equal(join(dir, "data")); // relative to the file
  });

  it("loads the key from an encrypted keystore (password from env or file), never without one", async () => {
    const dir = tempDir();
    const w = Wallet.createRandom();
    const file = join(dir, "key.json");
    writeFileSync(
      file,
      encryptKeystoreJsonSync({ address: w.address, privateKey: w.privateKey }, "pw", { scrypt: { N: 1 << 10 } }),
    );
    const cfg = parseConfig({ ...mock, key: { keystore: file } }).key;
    expect((await loadWallet(cfg, { SWAP_NODE_KEYSTORE_PASSWORD: "pw" })).address).to.equal(w.address);
    writeFileSync(join(dir, "pw.txt"), "pw\n");
    expect((await loadWallet({ ...cfg, passwordFile: join(dir, "pw.txt") }, {})).address).to.equal(w.address);
    expect(
      (await expectError(loadWallet(cfg, { SWAP_NODE_KEYSTORE_PASSWORD: "wrong" }), KeyLoadError)).message,
    ).to.match(/wrong password/);
    expect((await expectError(loadWallet(cfg, {}), KeyLoadError)).message).to.match(/no password/);
    const envCfg = parseConfig(mock).key;
    expect((await loadWallet(envCfg, { SWAP_NODE_PRIVATE_KEY: w.privateKey.slice(2) })).address).to.equal(w.address);
    expect((await expectError(loadWallet(envCfg, { SWAP_NODE_PRIVATE_KEY: "0x1234" }), KeyLoadError)).message).to.match(
      /not a 32-byte/,
    );
    expect((await expectError(loadWallet(envCfg, {}), KeyLoadError)).message).to.match(/SWAP_NODE_PRIVATE_KEY/);
  });

  it("swap-node init writes the default config once; start reports a bad config in one line, exit 2", async () => {
    const dir = tempDir();
    const file = join(dir, "node.yaml");
    const init = await runCli(["init", "--config", file]);
    expect([init.code, init.stdout.trim()]).to.deep.equal([0, `wrote ${file}`]);
    expect(readFileSync(file, "utf8")).to.equal(DEFAULT_CONFIG_YAML);
    const again = await runCli(["init", "--config", file]);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.match(/^ConfigError: config \(file\): .* exists/);
    writeFileSync(file, "mode: mock\nchain: { chainId: 5 }\nthresholds: { payment: nope }\n");
    const bad = await runCli(["start", "--config", file]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr.trim().split("\n")).to.have.length(1);
    expect(bad.stderr).to.match(/^ConfigError: config thresholds.payment: /);
    const usage = await runCli(["launch"]);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.match(/^UsageError: unknown command "launch"/);
    writeFileSync(file, "mode: mock\nchain: { chainId: 5 }\n");
    const nokey = await runCli(["start", "--config", file], { SWAP_NODE_PRIVATE_KEY: "" });
    expect(nokey.code).to.equal(1);
    expect(nokey.stderr).to.match(/^KeyLoadError: cannot load the node key/);
    expect(existsSync(join(dir, "swap-node-data"))).to.equal(true);
  });
});
