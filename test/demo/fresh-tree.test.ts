import { expect } from "chai";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** What the demo deploys: each must have been compiled from nothing. */
const CONTRACTS = [
  "Chequebook",
  "ChequebookFactory",
  "ServicePlans",
  "CashoutRouter",
  "BatchCashoutExecutor",
  "TestToken",
];

/**
 * `npm run demo` as someone who just cloned the repository runs it: in a copy of the sources (what
 * git tracks, plus this worktree's uncommitted files, minus everything .gitignore excludes: no
 * artifacts, typechain-types or cache), with node_modules linked in. A partial
 * compile that misses a contract the demo deploys fails here, not on an operator's first run.
 */
describe("demo: `npm run demo` in a fresh tree (no artifacts, no typechain-types, no cache)", function () {
  this.timeout(900_000);
  let dir: string;
  let child: ReturnType<typeof spawn> | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "swap-demo-fresh-"));
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    })
      .split("\0")
      .filter((f) => f && existsSync(join(ROOT, f))); // a file deleted but not yet committed is gone
    for (const f of files) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      cpSync(join(ROOT, f), join(dir, f));
    }
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  });
  after(() => {
    // npm → sh → node → hardhat: the whole process group, by the group leader's pid
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("compiles what it needs and ends with SUMMARY: OK, exit 0", async () => {
    for (const generated of ["artifacts", "typechain-types", "cache"])
      expect(existsSync(join(dir, generated)), generated).to.equal(false);
    // the generated ABI module is committed (`npm test` checks it matches the contracts)
    expect(existsSync(join(dir, "src/abi/generated.ts"))).to.equal(true);
    expect(existsSync(join(dir, "contracts/swap/Chequebook.sol"))).to.equal(true);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${join(dir, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
    };
    // the demo must not depend on anything of the test run's environment that a user would not have
    for (const k of Object.keys(env)) if (k.startsWith("HARDHAT_") || k.startsWith("SWAP_")) delete env[k];
    let out = "";
    const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child = spawn("npm", ["run", "demo"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
      child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
      child.once("error", reject);
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    expect(result, out.slice(-4000)).to.deep.equal({ code: 0, signal: null });
    expect(out).to.match(/contracts ready \(/);
    expect(out).to.match(/^SUMMARY: OK /m);
    expect(out).to.not.match(/✘/);
    const artifacts = readdirSync(join(dir, "artifacts", "contracts"), { recursive: true, encoding: "utf8" });
    for (const c of CONTRACTS)
      expect(artifacts.filter((f) => basename(f) === `${c}.json`).length, `artifact of ${c}`).to.equal(1);
  });
});
