// Scheduled cash-out (cron): npx hardhat run scripts/cashout.ts --network <name>
// Env: SWAP_DB (node database, default .swap/<network>.db), SWAP_MIN_AMOUNT (default 1),
// SWAP_GAS_MULTIPLIER (default 2), SWAP_DRY_RUN=1 to only print the table.
// Idempotent: pending transactions from an earlier run are looked up first; nothing is sent when
// nothing is owed or the payout is not worth the gas.
import { network } from "hardhat";
import { openOperator, cashout } from "../src/ops/operator.js";
import { print, run } from "../tasks/render.js";

await run(async () => {
  const { ethers, networkName } = await network.getOrCreate();
  const [signer] = await ethers.getSigners();
  const op = await openOperator(signer, networkName, process.env.SWAP_DB || undefined);
  try {
    const policy = { minAmount: BigInt(process.env.SWAP_MIN_AMOUNT || "1"), gasMultiplier: Number(process.env.SWAP_GAS_MULTIPLIER || "2") };
    const r = await cashout(op, policy, { all: true, dryRun: process.env.SWAP_DRY_RUN === "1" });
    print(process.env.SWAP_DRY_RUN === "1" ? r.candidates : [...r.resumed, ...r.records], process.argv.includes("--json"));
  } finally {
    op.close();
  }
});
