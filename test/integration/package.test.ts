import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Wallet } from "ethers";
import { hashCheque } from "../../src/cheque/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("integration: npm pack → install in a fresh project → import", function () {
  this.timeout(240_000);

  it("signs and verifies a cheque from the installed package, with types and ABIs", () => {
    const dir = mkdtempSync(join(tmpdir(), "swap-pack-"));
    try {
      execFileSync("npm", ["pack", "--pack-destination", dir], { cwd: ROOT, stdio: "pipe" });
      const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
      const app = join(dir, "app");
      execFileSync("mkdir", ["-p", app]);
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
      execFileSync("npm", ["install", join(dir, tgz), "--no-audit", "--no-fund"], { cwd: app, stdio: "pipe" });
      const key = Wallet.createRandom();
      writeFileSync(
        join(app, "main.ts"),
        `import { signCheque, verifyCheque, hashCheque, type Cheque } from "@swap-settlement/core";
import abi from "@swap-settlement/core/abi/swap/Chequebook.sol/Chequebook.json" with { type: "json" };
const cheque: Cheque = { chequebook: "0x${"ab".repeat(20)}", beneficiary: "0x${"cd".repeat(20)}", cumulativePayout: 1000n };
const sig = await signCheque(cheque, 100n, "${key.privateKey}");
console.log(JSON.stringify({
  digest: hashCheque(cheque, 100n),
  valid: verifyCheque(cheque, 100n, sig, "${key.address}"),
  tampered: verifyCheque({ ...cheque, cumulativePayout: 1001n }, 100n, sig, "${key.address}"),
  functions: abi.abi.filter((x: { type: string }) => x.type === "function").length,
}));
`,
      );
      // the consumer's own type check against the published declarations
      writeFileSync(join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2023", strict: true, noEmit: true, skipLibCheck: true, resolveJsonModule: true }, files: ["main.ts"] }));
      execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", app], { cwd: app, stdio: "pipe" });
      const out = JSON.parse(execFileSync(process.execPath, ["--import", join(ROOT, "node_modules/tsx/dist/esm/index.mjs"), "main.ts"], { cwd: app, encoding: "utf8" }).trim());
      expect(out.digest).to.equal(hashCheque({ chequebook: "0x" + "ab".repeat(20), beneficiary: "0x" + "cd".repeat(20), cumulativePayout: 1000n }, 100n));
      expect(out.valid).to.equal(true);
      expect(out.tampered).to.equal(false);
      expect(out.functions).to.be.greaterThan(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
