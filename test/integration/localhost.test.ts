import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
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
    const child = spawn(process.execPath, [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
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

  it("runs the whole scenario against a node on 127.0.0.1 and writes its own demo-localhost.json (never the operator's)", async () => {
    port = await freePort();
    process.env.SWAP_LOCALHOST_PORT = String(port);
    node = await startNode();
    const deployments = mkdtempSync(join(tmpdir(), "swap-deployments-"));
    const demo = spawnSync(process.execPath, [HARDHAT, "run", "scripts/demo.ts", "--network", "localhost"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 150_000,
      env: { ...process.env, SWAP_DEPLOYMENTS_DIR: deployments },
    });
    expect(demo.status, demo.stdout + demo.stderr).to.equal(0);
    const summary = demo.stdout.split("\n").find((l) => l.startsWith("SUMMARY:"));
    expect(summary).to.match(/^SUMMARY: OK/);
    expect(summary).to.contain("on localhost");
    const file = join(deployments, "demo-localhost.json");
    expect(existsSync(join(deployments, "localhost.json"))).to.equal(false);
    expect(existsSync(file)).to.equal(true);
    const d = JSON.parse(readFileSync(file, "utf8"));
    expect(d.chainId).to.equal("31337");
    expect(d.factory).to.match(/^0x[0-9a-fA-F]{40}$/);
    rmSync(deployments, { recursive: true, force: true });
  });
  // the operator commands: test/integration/localhost-operator.test.ts
});
