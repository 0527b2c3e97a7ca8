// The Hardhat plugin as another project uses it: `npm pack` this package, install the tarball with
// hardhat and the ethers toolbox into a fresh Hardhat 3 project (offline: a lockfile cut from this
// checkout's, so every tarball comes from the npm cache by its integrity), add the plugin to
// `plugins`, start that project's `hardhat node` and run its `swap deploy` and `swap faucet` tasks.
import { expect } from "chai";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider, parseUnits } from "ethers";
import { TestToken__factory, ChequebookFactory__factory } from "../../typechain-types/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The lockfile entries `roots` need (dependencies, optional and peer dependencies, transitively),
 * resolved the way Node does: the nearest `node_modules` up the tree. */
export function cutLockfile(lock: { packages: Record<string, LockEntry> }, roots: string[]): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {};
  const visit = (from: string, name: string) => {
    let dir = from;
    for (;;) {
      const key = `${dir ? `${dir}/` : ""}node_modules/${name}`;
      const entry = lock.packages[key];
      if (entry) {
        if (out[key]) return;
        out[key] = entry;
        for (const d of Object.keys({
          ...entry.dependencies,
          ...entry.optionalDependencies,
          ...entry.peerDependencies,
        }))
          visit(key, d);
        return;
      }
      if (!dir) return; // not in the lock (an optional peer nobody installed)
      const i = dir.lastIndexOf("/node_modules/");
      dir = i < 0 ? "" : dir.slice(0, i);
    }
  };
  for (const r of roots) visit("", r);
  return out;
}

describe("integration: the Hardhat plugin in a fresh Hardhat 3 project (packed, installed offline)", function () {
  this.timeout(600_000);
  let dir = "";
  let node: ChildProcess | undefined;
  let provider: JsonRpcProvider | undefined;

  after(() => {
    provider?.destroy();
    if (node?.pid) process.kill(node.pid, "SIGTERM"); // stopped by its process id
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("adds the plugin to `plugins`, and `swap deploy` deploys the system through Ignition and writes the address book", async () => {
    dir = mkdtempSync(join(tmpdir(), "swap-plugin-"));
    execFileSync("npm", ["pack", "--pack-destination", dir], { cwd: ROOT, stdio: "pipe" });
    const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    const app = join(dir, "app");
    execFileSync("mkdir", ["-p", app]);

    // package.json: hardhat, the ethers toolbox with its peers (versions as in this checkout), the tarball
    const ours = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const toolbox = "@nomicfoundation/hardhat-toolbox-mocha-ethers";
    const peers = Object.keys(
      (
        JSON.parse(readFileSync(join(ROOT, "node_modules", toolbox, "package.json"), "utf8")) as {
          peerDependencies: Record<string, string>;
        }
      ).peerDependencies,
    );
    const dev = Object.fromEntries(
      [toolbox, ...peers].map((p) => [p, ours.devDependencies[p] ?? ours.dependencies[p]!]),
    );
    const pkg = {
      name: "fresh-hardhat-project",
      private: true,
      type: "module",
      devDependencies: { ...dev, "@swap-settlement/core": `file:../${tgz}` },
    };
    writeFileSync(join(app, "package.json"), JSON.stringify(pkg, null, 2));

    // lockfile: this checkout's entries for what the project needs, so npm installs from the cache alone
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, LockEntry>;
    };
    const cut = cutLockfile(lock, [...Object.keys(dev), ...Object.keys(ours.dependencies)]);
    const core = { version: "0.1.0", resolved: `file:../${tgz}`, dependencies: ours.dependencies };
    writeFileSync(
      join(app, "package-lock.json"),
      JSON.stringify(
        {
          name: pkg.name,
          lockfileVersion: 3,
          requires: true,
          packages: {
            "": { name: pkg.name, devDependencies: pkg.devDependencies },
            ...cut,
            "node_modules/@swap-settlement/core": { ...core, dev: true },
          },
        },
        null,
        2,
      ),
    );
    execFileSync("npm", ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: app,
      stdio: "pipe",
    });
    expect(existsSync(join(app, "node_modules/@swap-settlement/core/dist/esm/src/hardhat/index.js"))).to.equal(true);
    expect(
      existsSync(join(app, "node_modules/@swap-settlement/core/tasks")),
      "no tasks/ folder is needed at runtime",
    ).to.equal(false);

    const port = await freePort();
    writeFileSync(
      join(app, "hardhat.config.ts"),
      `import hardhatToolboxMochaEthersPlugin from "${toolbox}";
import swapSettlement from "@swap-settlement/core/hardhat";
import { defineConfig } from "hardhat/config";

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin, swapSettlement],
  networks: { localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:${port}" } },
});
`,
    );
    const hardhat = join(app, "node_modules/hardhat/dist/src/cli.js");
    // this runner's Hardhat variables (HARDHAT_CONFIG, …) would point the project's Hardhat at this repo
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("HARDHAT_")));
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [hardhat, ...args], { cwd: app, env, encoding: "utf8", timeout: 180_000 });

    // the tasks are there (from the installed package's dist)
    const help = cli(["--help"]);
    expect(help.status, help.stderr).to.equal(0);
    for (const t of ["swap", "chequebook", "cheques", "cashout", "plan"])
      expect(help.stdout).to.match(new RegExp(`^\\s+${t}\\s`, "m"));

    node = await new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn(process.execPath, [hardhat, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
        cwd: app,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        if (/Started HTTP and WebSocket JSON-RPC server/.test(out)) resolve(child);
      });
      child.stderr!.on("data", (d) => (out += d));
      child.on("exit", (code) => reject(new Error(`hardhat node exited with ${code}:\n${out}`)));
    });
    provider = new JsonRpcProvider(`http://127.0.0.1:${port}`, undefined, { staticNetwork: true, cacheTimeout: -1 });

    const deploy = cli(["swap", "deploy", "--network", "localhost", "--json"]);
    expect(deploy.status, deploy.stderr + deploy.stdout).to.equal(0);
    expect(deploy.stderr).to.contain("with Ignition");
    const d = JSON.parse(deploy.stdout) as {
      chainId: string;
      token: string;
      factory: string;
      chequebookImplementation: string;
      servicePlans: string;
      blocks: { factory: number; servicePlans: number };
      file: string;
    };
    expect(d.chainId).to.equal("31337");
    for (const a of [d.token, d.factory, d.chequebookImplementation, d.servicePlans])
      expect(await provider.getCode(a), a).to.not.equal("0x");
    // the contracts are the ones named: the factory serves the deployed token and implementation
    const factory = ChequebookFactory__factory.connect(d.factory, provider);
    expect(await factory.master()).to.equal(d.chequebookImplementation);
    expect(await TestToken__factory.connect(d.token, provider).symbol()).to.be.a("string");
    // the recorded deployment blocks are exact: no code one block before, code at that block
    for (const [a, b] of [
      [d.factory, d.blocks.factory],
      [d.servicePlans, d.blocks.servicePlans],
    ] as const) {
      expect(await provider.getCode(a, b - 1), `${a} before block ${b}`).to.equal("0x");
      expect(await provider.getCode(a, b), `${a} at block ${b}`).to.not.equal("0x");
    }

    // the JSON address book for non-Hardhat consumers, in the project's data directory
    expect(d.file).to.equal(join(app, ".swap/deployments/localhost.json"));
    const book = JSON.parse(readFileSync(d.file, "utf8")) as typeof d;
    expect(book).to.deep.include({
      token: d.token,
      factory: d.factory,
      servicePlans: d.servicePlans,
      chainId: "31337",
      network: "localhost",
    });

    // --verify loads hardhat-verify from the project, and is refused on a development chain (nothing sent)
    const blockBefore = await provider.getBlockNumber();
    const verify = cli(["swap", "deploy", "--verify", "--network", "localhost", "--json"]);
    expect(verify.status).to.equal(1);
    expect(JSON.parse(verify.stdout).error).to.deep.include({ name: "NotLocalChainError" });
    expect(await provider.getBlockNumber()).to.equal(blockBefore);

    // another task of the plugin uses that book: the faucet mints on the deployed token
    const [operator] = (await provider.send("eth_accounts", [])) as string[];
    const faucet = cli(["swap", "faucet", "2.5", "--network", "localhost", "--json"]);
    expect(faucet.status, faucet.stderr + faucet.stdout).to.equal(0);
    expect(await TestToken__factory.connect(d.token, provider).balanceOf(operator!)).to.equal(parseUnits("2.5", 18));
  });
});
