/** examples/ run as users run them (`npm run examples`), each checked on what it prints. */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = join(ROOT, "node_modules/tsx/dist/cli.mjs");
const run = (file: string) =>
  execFileSync(process.execPath, [TSX, file], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 90_000,
  });

describe("examples", function () {
  this.timeout(120_000);

  it("sign-verify: one signature from a key, ethers and viem; verified; tampering detected", () => {
    const out = run("examples/sign-verify.ts");
    expect(out).to.match(/same from ethers and viem: true/);
    expect(out).to.match(/verified: true/);
    expect(out).to.match(/tampered verified: false/);
  });

  it("node-pair: five echoes over TCP loopback and one cheque at the threshold", () => {
    const out = run("examples/node-pair.ts");
    expect(out.match(/client: echo hello \d/g)).to.have.length(5);
    expect(out).to.match(/server: cheque from client, cumulative 90, credited 90/);
  });

  it("browser: signed in Chromium with noble, verified in Node", () => {
    const out = run("examples/browser/run.ts");
    expect(out).to.match(/signed in Chromium \(noble\): 0x[0-9a-f]{130}/);
    expect(out).to.match(/verified in Node: true/);
  });
});
