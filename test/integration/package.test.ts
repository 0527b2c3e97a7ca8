/**
 * The package as importers get it: `npm pack`, installed into a fresh project that uses it as
 * ESM TypeScript (`node16` and `bundler` resolution), as CommonJS TypeScript, and as a browser
 * bundle (esbuild, platform browser) run in headless Chromium — all type-checked with
 * `skipLibCheck: false` and without any devDependency's types (no `@types/better-sqlite3`): the root,
 * `/browser`, `/node`, `/testing`, `/capacity` and `/gateway` entries. The cheque signed in the
 * browser is verified by the installed package under Node and cashed by the chequebook contract.
 */
import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { network } from "hardhat";
import { Wallet, id } from "ethers";
import { launchChromium } from "../../test-support/chromium.js";
import { build } from "esbuild";
import { TestToken__factory } from "../../typechain-types/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../../src/chain/chequebook.js";
import { hashCheque } from "../../src/cheque/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

const key = Wallet.createRandom();
const cheque = { chequebook: "0x" + "ab".repeat(20), beneficiary: "0x" + "cd".repeat(20), cumulativePayout: 1000n };

/** What every consumer does with the package: sign, verify, tamper, and look at the exports. */
const SCRIPT = (
  from: string,
  nodeFrom: string,
) => `import { signCheque, verifyCheque, hashCheque, secp256k1Backend, chequebookAbi, type Cheque } from "${from}";
import { MemoryStore, SqliteStore, UnsupportedNodeError, type Store } from "${nodeFrom}";
import { assertPlanPayouts } from "@swap-settlement/core/testing";
const cheque: Cheque = { chequebook: "${cheque.chequebook}", beneficiary: "${cheque.beneficiary}", cumulativePayout: 1000n };
async function main(): Promise<void> {
  const sig = await signCheque(cheque, 100n, "${key.privateKey}");
  const store: Store = new MemoryStore();
  const sqlite: Store = new SqliteStore(":memory:");
  console.log(JSON.stringify({
    digest: hashCheque(cheque, 100n),
    signature: sig,
    valid: verifyCheque(cheque, 100n, sig, "${key.address}"),
    tampered: verifyCheque({ ...cheque, cumulativePayout: 1001n }, 100n, sig, "${key.address}"),
    backend: secp256k1Backend(),
    errors: chequebookAbi.filter((x) => x.type === "error").length,
    stores: [store.listPeers().length, sqlite.listPeers().length],
    engineError: new UnsupportedNodeError("20.0.0").name,
    sweep: assertPlanPayouts({ budget: 100n, bond: 5n, shareCap: 10n, shares: new Map([["${cheque.beneficiary}", 4n]]) }, new Map([["${cheque.beneficiary}", 40n]])).sweep.toString(),
  }));
}
void main();
`;

/** The `/capacity` entry alone: credit deposited on a capacity database survives a reopen. */
const CAPACITY_SCRIPT = `import { openCapacity, type CapacityStack, type SqliteHandle } from "@swap-settlement/core/capacity";
const open = (): CapacityStack =>
  openCapacity({ db: "capacity.db", totalCapacity: 100, minCapacity: 10, price: { minPriceMicro: 1n }, flushIntervalMs: 0 });
const a = open();
a.pool.connect("c", "g", { canPay: true, goodStanding: true });
a.store.transaction(() => a.pool.deposit("c", 7n));
a.close();
const b = open();
const handle: SqliteHandle = b.store.db;
console.log(JSON.stringify({ credit: b.pool.creditOf("c").toString(), open: handle.open }));
b.close();
`;

/** The `/capacity` and `/gateway` entries as a gateway operator uses them: a capacity stack on its
 * own database, and a gateway whose capacity tables share the SWAP store's database. */
const SUBPATHS_SCRIPT = `import { openCapacity, SqliteCapacityStore, type SqliteHandle } from "@swap-settlement/core/capacity";
import { openGateway, SCHEME, type Gateway } from "@swap-settlement/core/gateway";
import { SqliteStore } from "@swap-settlement/core/node";
async function main(): Promise<void> {
  const cap = openCapacity({ db: ":memory:", totalCapacity: 100, minCapacity: 10, price: { minPriceMicro: 1n }, flushIntervalMs: 0 });
  cap.pool.connect("c", "g", { canPay: true, goodStanding: true });
  cap.pool.deposit("c", 5n);
  const credit = cap.pool.creditOf("c").toString();
  cap.close();
  const store = new SqliteStore(":memory:");
  const gw: Gateway = openGateway({
    upstream: "http://127.0.0.1:9",
    store,
    chainId: 31337n,
    beneficiary: "${cheque.beneficiary}",
    token: "${cheque.chequebook}",
    chequebookFactory: "${cheque.chequebook}",
    policy: { mode: "mock", paymentThreshold: 100n },
    pricePerCostUnit: 3n,
    capacity: { totalCapacity: 100, minCapacity: 10, price: { minPriceMicro: 1n }, flushIntervalMs: 0 },
  });
  const url = await gw.listen(0, "127.0.0.1");
  try {
    const terms = (await (await fetch(url + "/swap/terms")).json()) as { accepts: { scheme: string; amount: string }[] };
    const shared: SqliteHandle | undefined = gw.settlement.database;
    console.log(JSON.stringify({
      credit,
      scheme: terms.accepts[0].scheme === SCHEME,
      amount: terms.accepts[0].amount,
      store: gw.capacity.store instanceof SqliteCapacityStore,
      shared: shared !== undefined && gw.capacity.store.db === shared,
    }));
  } finally {
    await gw.close();
    store.close();
  }
}
void main();
`;

function tsconfig(options: Record<string, unknown>, files: string[]) {
  return JSON.stringify({
    compilerOptions: {
      target: "es2023",
      lib: ["es2023", "dom"],
      strict: true,
      skipLibCheck: false,
      types: [],
      ...options,
    },
    files,
  });
}

interface Manifest {
  name: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  exports: Record<string, unknown>;
}

/** Every declaration file the exports map points at (`types` conditions, any nesting). */
function typesEntries(exports: unknown): string[] {
  if (typeof exports !== "object" || exports === null) return [];
  return Object.entries(exports).flatMap(([k, v]) => (k === "types" && typeof v === "string" ? [v] : typesEntries(v)));
}

/** The package a bare module specifier belongs to ("@scope/name/sub" → "@scope/name"). */
function packageName(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * The declaration files a consumer's compiler can reach from `entries` (following relative
 * imports, `import("…")` types and re-exports), each with the bare modules it names — what a
 * consumer with `skipLibCheck: false` must be able to resolve. Comments are left out (JSDoc examples
 * name modules too).
 */
function reachableDeclarations(pkg: string, entries: string[]): Map<string, string[]> {
  // `from "x"`, `import "x"`, `import("x")`, `require("x")`, `/// <reference types="x" />` — not the
  // ABI literals of the typechain declarations (`readonly name: "from"`)
  const specifier = /(?:\sfrom\s+|\bimport\s+|\bimport\(\s*|\brequire\(\s*|<reference\s+types=)["']([^"']+)["']/g;
  const out = new Map<string, string[]>();
  const todo = entries.map((e) => join(pkg, e));
  while (todo.length > 0) {
    const file = todo.pop()!;
    const rel = file.slice(pkg.length + 1);
    if (out.has(rel)) continue;
    const text = readFileSync(file, "utf8");
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/(?!\/ <reference).*$/gm, "");
    const bare: string[] = [];
    for (const [, spec] of code.matchAll(specifier)) {
      if (!spec.startsWith(".")) {
        bare.push(spec);
        continue;
      }
      const base = join(file, "..", spec.replace(/\.c?js$/, ""));
      const ext = file.endsWith(".d.cts") ? ".d.cts" : ".d.ts";
      const target = [base + ext, join(base, "index" + ext)].find((f) => existsSync(f));
      if (!target) throw new Error(`${rel}: ${spec} resolves to no declaration file`);
      todo.push(target);
    }
    out.set(rel, bare);
  }
  return out;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} exited ${r.status ?? r.signal}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

describe("integration: npm pack → fresh projects (ESM node16/bundler, CJS, browser) with skipLibCheck: false", function () {
  this.timeout(300_000);
  let dir: string;
  let app: string;
  let operator: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "swap-pack-"));
    execFileSync("npm", ["pack", "--pack-destination", dir], { cwd: ROOT, stdio: "pipe" });
    const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    app = join(dir, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    execFileSync("npm", ["install", join(dir, tgz), "--no-audit", "--no-fund"], { cwd: app, stdio: "pipe" });
    // a gateway operator's TypeScript project: its own @types/node for Node 22, as any such project has
    // (fastify's logger types, through pino's thread-stream, need a newer one than the 22.7.5 ethers pins)
    operator = join(dir, "operator");
    mkdirSync(operator);
    const typesNode = `@types/node@${(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies["@types/node"]}`;
    writeFileSync(join(operator, "package.json"), JSON.stringify({ name: "operator", private: true, type: "module" }));
    execFileSync("npm", ["install", join(dir, tgz), typesNode, "--prefer-offline", "--no-audit", "--no-fund"], {
      cwd: operator,
      stdio: "pipe",
    });
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function expectSubpathsOutput(out: string): void {
    expect(JSON.parse(out.trim())).to.deep.equal({
      credit: "5",
      scheme: true,
      amount: "3", // one cost unit at the price per cost unit
      store: true,
      shared: true, // the capacity tables live in the SWAP store's database
    });
  }

  function expectConsumerOutput(out: string): void {
    const r = JSON.parse(out.trim());
    expect(r.digest).to.equal(hashCheque(cheque, 100n));
    expect(r.valid).to.equal(true);
    expect(r.tampered).to.equal(false);
    expect(r.backend).to.equal("native"); // the optional native module was installed with the package
    expect(r.errors).to.be.greaterThan(10);
    expect(r.stores).to.deep.equal([0, 0]);
    expect(r.engineError).to.equal("UnsupportedNodeError");
    expect(r.sweep).to.equal("65"); // 100 + 5 − 40: the testing subpath works too
  }

  it("ships no test-contract bindings, no TypeScript sources, and maps with their sources inlined", () => {
    const pkg = join(app, "node_modules/@swap-settlement/core");
    const files = execFileSync("find", [".", "-type", "f"], { cwd: pkg, encoding: "utf8" }).split("\n");
    expect(files.filter((f) => /typechain-types\/(factories\/)?test\//.test(f) && !/TestToken/.test(f))).to.deep.equal(
      [],
    );
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".d.cts"))).to.deep.equal([]);
    expect(files).to.include("./contracts/swap/Chequebook.sol");
    const map = JSON.parse(readFileSync(join(pkg, "dist/esm/src/cheque/index.js.map"), "utf8"));
    expect(map.sourcesContent[0]).to.contain("export function hashCheque");
    const cjsMap = JSON.parse(readFileSync(join(pkg, "dist/cjs/src/cheque/index.cjs.map"), "utf8"));
    expect(cjsMap.sourcesContent[0]).to.contain("export function hashCheque");
  });

  it("declarations name better-sqlite3 nowhere, and what the entries reach names only dependencies and peers", () => {
    const pkg = join(app, "node_modules/@swap-settlement/core");
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as Manifest;
    const all = execFileSync("find", ["dist", "-name", "*.d.ts", "-o", "-name", "*.d.cts"], {
      cwd: pkg,
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean);
    expect(all.length).to.be.greaterThan(100);
    // @types/better-sqlite3 is a devDependency: no declaration file may name the module
    expect(all.filter((f) => /["']better-sqlite3["']/.test(readFileSync(join(pkg, f), "utf8")))).to.deep.equal([]);
    expect(
      existsSync(join(app, "node_modules/@types/better-sqlite3")),
      "the consumer has no @types/better-sqlite3",
    ).to.equal(false);

    const allowed = new Set([
      manifest.name,
      ...Object.keys(manifest.dependencies),
      ...Object.keys(manifest.peerDependencies),
    ]);
    const entries = typesEntries(manifest.exports);
    expect(entries).to.include.members([
      "./dist/esm/src/capacity/index.d.ts",
      "./dist/cjs/src/capacity/index.d.cts",
      "./dist/esm/src/gateway/index.d.ts",
      "./dist/cjs/src/gateway/index.d.cts",
      "./dist/esm/src/hardhat/index.d.ts",
    ]);
    const leaks: string[] = [];
    const reached = reachableDeclarations(pkg, entries);
    for (const [file, modules] of reached)
      for (const m of modules)
        if (!m.startsWith("node:") && !allowed.has(packageName(m))) leaks.push(`${file} names ${m}`);
    expect(leaks).to.deep.equal([]);
    expect(reached.size).to.be.greaterThan(100);
  });

  it("ESM TypeScript, node16 resolution: type-checks and runs", () => {
    writeFileSync(join(app, "esm.ts"), SCRIPT("@swap-settlement/core", "@swap-settlement/core/node"));
    writeFileSync(
      join(app, "tsconfig.node16.json"),
      tsconfig({ module: "node16", moduleResolution: "node16", outDir: "out-esm" }, ["esm.ts"]),
    );
    run(process.execPath, [TSC, "-p", "tsconfig.node16.json"], app);
    expectConsumerOutput(run(process.execPath, ["out-esm/esm.js"], app));
  });

  it("/capacity, ESM TypeScript node16: type-checks with only the types its dependencies bring, keeps credit across a reopen", () => {
    expect(existsSync(join(app, "node_modules/@types/better-sqlite3"))).to.equal(false);
    writeFileSync(join(app, "capacity.ts"), CAPACITY_SCRIPT);
    writeFileSync(
      join(app, "tsconfig.capacity.json"),
      tsconfig({ module: "node16", moduleResolution: "node16", outDir: "out-capacity" }, ["capacity.ts"]),
    );
    run(process.execPath, [TSC, "-p", "tsconfig.capacity.json"], app);
    rmSync(join(app, "capacity.db"), { force: true });
    expect(JSON.parse(run(process.execPath, ["out-capacity/capacity.js"], app))).to.deep.equal({
      credit: "7",
      open: true,
    });
  });

  describe("/capacity and /gateway in a gateway operator's project, without @types/better-sqlite3", () => {
    before(() => expect(existsSync(join(operator, "node_modules/@types/better-sqlite3"))).to.equal(false));

    it("ESM TypeScript, node16 resolution: type-checks and runs", () => {
      writeFileSync(join(operator, "gateway.ts"), SUBPATHS_SCRIPT);
      writeFileSync(
        join(operator, "tsconfig.node16.json"),
        tsconfig({ module: "node16", moduleResolution: "node16", outDir: "out-esm" }, ["gateway.ts"]),
      );
      run(process.execPath, [TSC, "-p", "tsconfig.node16.json"], operator);
      expectSubpathsOutput(run(process.execPath, ["out-esm/gateway.js"], operator));
    });

    it("ESM TypeScript, bundler resolution: type-checks, bundles and runs", async () => {
      writeFileSync(join(operator, "bundler.ts"), SUBPATHS_SCRIPT);
      writeFileSync(
        join(operator, "tsconfig.bundler.json"),
        tsconfig({ module: "esnext", moduleResolution: "bundler", noEmit: true }, ["bundler.ts"]),
      );
      run(process.execPath, [TSC, "-p", "tsconfig.bundler.json"], operator);
      await build({
        entryPoints: [join(operator, "bundler.ts")],
        outfile: join(operator, "out-bundler/main.js"),
        bundle: true,
        platform: "node",
        format: "esm",
        packages: "external",
        logLevel: "error",
      });
      expectSubpathsOutput(run(process.execPath, ["out-bundler/main.js"], operator));
    });

    it("CommonJS TypeScript (require conditions): type-checks and runs", () => {
      writeFileSync(join(operator, "gateway.cts"), SUBPATHS_SCRIPT);
      writeFileSync(
        join(operator, "tsconfig.cjs.json"),
        tsconfig({ module: "node16", moduleResolution: "node16", outDir: "out-cjs" }, ["gateway.cts"]),
      );
      run(process.execPath, [TSC, "-p", "tsconfig.cjs.json"], operator);
      expect(readFileSync(join(operator, "out-cjs/gateway.cjs"), "utf8")).to.contain(
        'require("@swap-settlement/core/gateway")',
      );
      expectSubpathsOutput(run(process.execPath, ["out-cjs/gateway.cjs"], operator));
    });
  });

  it("ESM TypeScript, bundler resolution: type-checks, bundles and runs", async () => {
    writeFileSync(join(app, "bundler.ts"), SCRIPT("@swap-settlement/core/browser", "@swap-settlement/core/node"));
    writeFileSync(
      join(app, "tsconfig.bundler.json"),
      tsconfig({ module: "esnext", moduleResolution: "bundler", noEmit: true }, ["bundler.ts"]),
    );
    run(process.execPath, [TSC, "-p", "tsconfig.bundler.json"], app);
    await build({
      entryPoints: [join(app, "bundler.ts")],
      outfile: join(app, "out-bundler/main.js"),
      bundle: true,
      platform: "node",
      format: "esm",
      packages: "external",
      logLevel: "error",
    });
    expectConsumerOutput(run(process.execPath, ["out-bundler/main.js"], app));
  });

  it("CommonJS TypeScript (require conditions): type-checks and runs", () => {
    writeFileSync(join(app, "cjs.cts"), SCRIPT("@swap-settlement/core", "@swap-settlement/core/node"));
    writeFileSync(
      join(app, "tsconfig.cjs.json"),
      tsconfig({ module: "node16", moduleResolution: "node16", outDir: "out-cjs" }, ["cjs.cts"]),
    );
    run(process.execPath, [TSC, "-p", "tsconfig.cjs.json"], app);
    expect(readFileSync(join(app, "out-cjs/cjs.cjs"), "utf8")).to.contain('require("@swap-settlement/core")');
    expectConsumerOutput(run(process.execPath, ["out-cjs/cjs.cjs"], app));
    // plain require from JavaScript
    const viaRequire = run(
      process.execPath,
      [
        "-e",
        'const c = require("@swap-settlement/core/browser"); console.log(typeof c.signCheque, typeof require("@swap-settlement/core").SwapNode)',
      ],
      app,
    );
    expect(viaRequire.trim()).to.equal("function function");
    // the Solidity sources are part of the exports map
    const sol = run(
      process.execPath,
      ["-p", 'require.resolve("@swap-settlement/core/contracts/swap/IChequebook.sol")'],
      app,
    );
    expect(readFileSync(sol.trim(), "utf8")).to.contain("interface IChequebook");
  });

  it("fails with 'Node ≥ 22 required' on Node 20 instead of crashing", () => {
    // this machine's system Node is 20 (the toolchain's Node 22 comes from node_modules)
    expect(run("/usr/bin/node", ["--version"], app)).to.match(/^v20\./);
    const r = spawnSync("/usr/bin/node", ["--input-type=module", "-e", 'await import("@swap-settlement/core/node")'], {
      cwd: app,
      encoding: "utf8",
    });
    expect(r.signal).to.equal(null);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain("UnsupportedNodeError").and.to.contain("Node ≥ 22 required");
  });

  it("browser: the /browser entry bundles for the browser, signs in Chromium; Node verifies and the contract pays", async function () {
    // the chain first: a chequebook whose issuer is the key the browser will sign with
    const { ethers } = await network.create();
    const [deployer, beneficiary] = await ethers.getSigners();
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const token = await new TestToken__factory(deployer).deploy();
    const factory = await ChequebookFactoryClient.deploy(deployer, await token.getAddress());
    const { address } = await factory.deployChequebook({
      issuer: key.address,
      defaultHardDepositTimeout: 3600,
      salt: id("browser"),
    });
    await token.mint(address, 5000n);

    writeFileSync(
      join(app, "page.ts"),
      `import { signCheque, verifyCheque, secp256k1Backend } from "@swap-settlement/core/browser";
const w = window as unknown as { sign(c: { chequebook: string; beneficiary: string; cumulativePayout: string }, chainId: string, key: \`0x\${string}\`): Promise<unknown> };
w.sign = async (c, chainId, key) => {
  const cheque = { ...c, cumulativePayout: BigInt(c.cumulativePayout) };
  const signature = await signCheque(cheque, BigInt(chainId), key);
  return { signature, backend: secp256k1Backend(), selfCheck: verifyCheque(cheque, BigInt(chainId), signature, "${key.address}") };
};
`,
    );
    writeFileSync(
      join(app, "tsconfig.browser.json"),
      tsconfig({ module: "esnext", moduleResolution: "bundler", noEmit: true }, ["page.ts"]),
    );
    run(process.execPath, [TSC, "-p", "tsconfig.browser.json"], app);
    const bundle = await build({
      entryPoints: [join(app, "page.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "error",
    });
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.filter((f) => /node:|better-sqlite3|secp256k1\/|ethers|libp2p/.test(f))).to.deep.equal([]);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      await page.setContent("<!doctype html><html><body></body></html>");
      await page.addScriptTag({ content: bundle.outputFiles[0].text, type: "module" });
      await page.waitForFunction(() => typeof (globalThis as unknown as { sign?: unknown }).sign === "function");
      const c = { chequebook: address, beneficiary: beneficiary.address, cumulativePayout: "1200" };
      const out = (await page.evaluate(
        ([c, chainId, k]) => (globalThis as unknown as { sign(...a: unknown[]): Promise<unknown> }).sign(c, chainId, k),
        [c, chainId.toString(), key.privateKey] as const,
      )) as { signature: `0x${string}`; backend: string; selfCheck: boolean };
      expect(pageErrors).to.deep.equal([]);
      expect(out.backend).to.equal("noble");
      expect(out.selfCheck).to.equal(true);

      // Node: the installed package verifies it…
      const installed = await import(
        pathToFileURL(join(app, "node_modules/@swap-settlement/core/dist/esm/src/browser.js")).href
      );
      const signed = {
        chequebook: address,
        beneficiary: beneficiary.address,
        cumulativePayout: 1200n,
        signature: out.signature,
      };
      expect(installed.verifyCheque(signed, chainId, out.signature, key.address)).to.equal(true);
      expect(out.signature).to.equal(await installed.signCheque(signed, chainId, key.privateKey));
      // …and the chequebook pays it
      const book = new ChequebookClient(address, beneficiary);
      await book.cashChequeBeneficiary(signed);
      expect(await token.balanceOf(beneficiary.address)).to.equal(1200n);
      expect(await token.balanceOf(address)).to.equal(3800n);
    } finally {
      await browser.close();
    }
  });
});
