// Scheduled cash-out (cron): npx hardhat run scripts/cashout.ts --network <name>
// Environment (see the README's table): SWAP_DB, SWAP_DATA_DIR, SWAP_MIN_AMOUNT, SWAP_MAX_FEE_PERCENT,
// SWAP_MAX_GAS_PRICE_GWEI, SWAP_ALWAYS_CASH, SWAP_BATCH_SIZE, SWAP_GAS_PRICE, SWAP_DRY_RUN=1 (only
// print the decision table), SWAP_JSON=1.
// Idempotent: pending transactions from an earlier run are settled first; nothing is sent when
// nothing is owed or the policy says wait (what waits is printed, never dropped). A cron job runs
// unattended, so it does not ask for confirmation.
import hre from "hardhat";
import { connectOperator } from "../src/hardhat/operator-key.js";
import { openOperator, cashout } from "../src/ops/operator.js";
import { cashoutPolicy } from "../src/ops/policy.js";
import { formatAmount } from "../src/ops/units.js";
import { note, print, run } from "../src/hardhat/render.js";

const json = process.env.SWAP_JSON === "1";
await run(async () => {
  const c = await connectOperator(hre);
  const op = await openOperator({ signer: c.signer, network: c.network, root: c.root });
  note(`network ${op.network} (chain ${op.chainId}), deployment ${op.deploymentFile}, database ${op.paths.db}`);
  try {
    const dryRun = process.env.SWAP_DRY_RUN === "1";
    const r = await cashout(op, cashoutPolicy({}, op.token), {
      all: true,
      dryRun,
      onProgress: (p) =>
        note(
          `[${p.index}/${p.total}] ${p.peer} … ${p.record ? `${p.record.status} ${formatAmount(p.record.totalPayout, op.token)}` : `failed: ${p.error?.shortMessage} [${p.error?.name}]`}`,
        ),
    });
    for (const f of r.failed) note(`failed: ${f.peer} — ${f.error.shortMessage} [${f.error.name}]`);
    if (r.failed.length) process.exitCode = 1;
    for (const w of r.waiting) note(`waiting: ${w.peer} ${formatAmount(w.totalPayout, op.token)} — ${w.reason}`);
    print(dryRun ? r.plan.candidates : [...r.resumed, ...r.sent], json);
  } finally {
    op.close();
  }
}, json);
