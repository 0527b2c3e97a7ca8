// npm run demo [-- --network localhost]: compile only the contracts the demo deploys (quietly,
// compiler output shown only on failure), then run scripts/demo.ts without compiling again.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const hardhat = fileURLToPath(new URL("../node_modules/hardhat/dist/src/cli.js", import.meta.url));
const files = [
  "contracts/swap/Chequebook.sol",
  "contracts/swap/ChequebookFactory.sol",
  "contracts/plans/ServicePlans.sol",
  "contracts/swap/batch/CashoutRouter.sol",
  "contracts/swap/batch/BatchCashoutExecutor.sol",
  "contracts/test/mocks/TestToken.sol",
];
const t0 = Date.now();
console.log(
  "compiling contracts… (chequebook, factory, batch router, service plans, test token; up to a minute on a fresh clone)",
);
const build = spawnSync(process.execPath, [hardhat, "build", "--no-tests", "--quiet", ...files], {
  cwd: root,
  encoding: "utf8",
});
if (build.status !== 0) {
  process.stderr.write(build.stdout + build.stderr);
  process.exit(build.status ?? 1);
}
console.log(`contracts ready (${((Date.now() - t0) / 1000).toFixed(1)} s); running the demo …`);
const demo = spawnSync(
  process.execPath,
  [hardhat, "run", "--no-compile", "scripts/demo.ts", ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit" },
);
process.exit(demo.status ?? 1);
