import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { JsonRpcProvider } from "ethers";
import { TestToken__factory } from "../../typechain-types/index.js";
import { fileURLToPath } from "node:url";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HARDHAT = fileURLToPath(new URL("../../node_modules/hardhat/dist/src/cli.js", import.meta.url));

/** A free loopback port (the `localhost` network reads it from SWAP_LOCALHOST_PORT). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
let port = 8545;

/** Start `hardhat node` on loopback and resolve once it listens. */
function startNode(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(port)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start:\n${out}`)), 60_000);
    child.stdout!.on("data", (d) => {
      out += d;
      if (/Started HTTP and WebSocket JSON-RPC server/.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on("data", (d) => (out += d));
    child.on("exit", (code) => reject(new Error(`hardhat node exited with ${code}:\n${out}`)));
  });
}

describe("integration: the demo over real JSON-RPC against `hardhat node`", function () {
  this.timeout(180_000);
  let node: ChildProcess | undefined;
  after(() => {
    if (node?.pid) process.kill(node.pid, "SIGTERM"); // stopped by its process id
    delete process.env.SWAP_LOCALHOST_PORT;
  });

  it("runs the whole scenario against a node on 127.0.0.1 and writes deployments/localhost.json", async () => {
    port = await freePort();
    process.env.SWAP_LOCALHOST_PORT = String(port);
    node = await startNode();
    const deployments = mkdtempSync(join(tmpdir(), "swap-deployments-"));
    const demo = spawnSync(process.execPath, [HARDHAT, "run", "scripts/demo.ts", "--network", "localhost"], { cwd: ROOT, encoding: "utf8", timeout: 150_000, env: { ...process.env, SWAP_DEPLOYMENTS_DIR: deployments } });
    expect(demo.status, demo.stdout + demo.stderr).to.equal(0);
    const summary = demo.stdout.split("\n").find((l) => l.startsWith("SUMMARY:"));
    expect(summary).to.match(/^SUMMARY: OK/);
    expect(summary).to.contain("on localhost");
    const file = join(deployments, "localhost.json");
    expect(existsSync(file)).to.equal(true);
    const d = JSON.parse(readFileSync(file, "utf8"));
    expect(d.chainId).to.equal("31337");
    expect(d.factory).to.match(/^0x[0-9a-fA-F]{40}$/);
    rmSync(deployments, { recursive: true, force: true });
  });

  it("operator tasks: deploy, chequebook deploy/deposit/withdraw/status, cheques, cash-out dry run, plans, typed one-line errors", async () => {
    const deployments = mkdtempSync(join(tmpdir(), "swap-deployments-"));
    const env = { ...process.env, SWAP_DEPLOYMENTS_DIR: deployments };
    const hh = (...args: string[]) => spawnSync(process.execPath, [HARDHAT, ...args, "--network", "localhost"], { cwd: ROOT, encoding: "utf8", env, timeout: 60_000 });
    const json = (r: ReturnType<typeof hh>) => {
      expect(r.status, r.stdout + r.stderr).to.equal(0);
      return JSON.parse(r.stdout.slice(r.stdout.search(/[[{]/)));
    };
    // before any deployment: one line saying what is wrong and how to fix it
    const missing = hh("chequebook", "status", "--db", join(deployments, "op.db"));
    expect(missing.status).to.equal(1);
    expect(missing.stderr).to.match(/error: no deployment for chain 31337 .*\[DeploymentNotFoundError\]/);
    expect(missing.stderr).to.contain("fix:   run `npx hardhat swap deploy");
    const d = json(hh("swap", "deploy", "--json"));
    expect(d.factory).to.match(/^0x[0-9a-fA-F]{40}$/);
    const cb = json(hh("chequebook", "deploy", "--json", "--db", join(deployments, "op.db")));
    expect(cb.chequebook).to.match(/^0x[0-9a-fA-F]{40}$/);
    const status = json(hh("chequebook", "status", "--json", "--db", join(deployments, "op.db")));
    expect(status).to.deep.include({ chequebook: cb.chequebook, balance: "0", issued: "0", available: "0" });
    expect(json(hh("cheques", "--json", "--db", join(deployments, "op.db")))).to.deep.equal([]);
    expect(json(hh("cashout", "--dry-run", "--json", "--db", join(deployments, "op.db")))).to.deep.equal([]);
    const table = hh("chequebook", "balance", "--db", join(deployments, "op.db"));
    expect(table.stdout).to.match(/chequebook\s+balance\s+liquidBalance/);
    const unknown = hh("plan", "status", "--plan", "999", "--db", join(deployments, "op.db"));
    expect(unknown.status).to.equal(1);
    expect(unknown.stderr).to.contain("[UnknownPlanError]");

    // fund the operator with test tokens, then deposit / withdraw / plans through the CLI
    const provider = new JsonRpcProvider(`http://127.0.0.1:${port}`);
    const operator = await provider.getSigner(0);
    await (await TestToken__factory.connect(d.token, operator).mint(await operator.getAddress(), 10_000n)).wait();
    const db = ["--db", join(deployments, "op.db")];
    json(hh("chequebook", "deposit", "--amount", "1000", "--json", ...db));
    json(hh("chequebook", "withdraw", "--amount", "400", "--json", ...db));
    expect(json(hh("chequebook", "balance", "--json", ...db))).to.deep.include({ balance: "600", liquidBalance: "600" });
    const overdraw = hh("chequebook", "withdraw", "--amount", "601", ...db);
    expect(overdraw.status).to.equal(1);
    expect(overdraw.stderr).to.contain("[InsufficientLiquidBalanceError]");
    expect(overdraw.stderr).to.contain("fix:   withdraw at most the liquid balance");
    const plan = json(hh("plan", "create", "--budget", "500", "--bond", "500", "--cap", "10", "--json", ...db));
    json(hh("plan", "fund", "--plan", plan.planId, "--amount", "100", "--json", ...db));
    expect(json(hh("plan", "status", "--plan", plan.planId, "--json", ...db))).to.deep.include({ budget: "600", bond: "500", shareCap: "10", totalShares: "0", overIssued: false });
    const early = hh("plan", "sweep", "--plan", plan.planId, ...db);
    expect(early.status).to.equal(1);
    expect(early.stderr).to.contain("[SweepNotOpenError]");
    provider.destroy();
    rmSync(deployments, { recursive: true, force: true });
  });
});
