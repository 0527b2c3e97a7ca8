// The demo itself (started by `npm run demo`, see scripts/demo-launch.mjs); prints a report.
import hre from "hardhat";
import { formatUnits } from "ethers";
import { runDemo } from "../src/demo/scenario.js";
import { saveDeployment } from "../src/deployments.js";
import { resolvePaths } from "../src/ops/operator.js";

const started = Date.now();
const { ethers, networkName, networkConfig } = await hre.network.getOrCreate();
const [funder] = await ethers.getSigners();
const tst = (v: bigint) => `${formatUnits(v, 18)} TST`;
const r = await runDemo({ provider: ethers.provider, funder, network: networkName, log: (l) => console.log(l) });
if (networkConfig.type !== "edr-simulated") {
  // its own file (demo-<network>.json), next to the operator's but never replacing it
  const { deploymentOut } = resolvePaths({
    root: hre.config.paths.root,
    network: networkName,
    chainId: BigInt(r.deployment.chainId),
  });
  console.log(
    `deployment written to ${saveDeployment({ ...r.deployment, network: `demo-${networkName}` }, deploymentOut)}`,
  );
}

console.log(`\n== Deployment (${networkName}, chain ${r.deployment.chainId})`);
console.table({
  token: r.deployment.token,
  factory: r.deployment.factory,
  implementation: r.deployment.chequebookImplementation,
  servicePlans: r.deployment.servicePlans,
});
console.log("== Chequebooks funded");
console.table(r.funded.map((f) => ({ node: f.node, chequebook: f.chequebook, funded: tst(f.amount) })));
console.log("== Per-peer balances (> 0: the peer owes this node)");
console.table(r.peers.map((p) => ({ node: p.node, peer: p.peer, balance: tst(p.balance), surplus: tst(p.surplus) })));
console.log("== Cheques received");
console.table(r.cheques.map((c) => ({ from: c.from, to: c.to, cumulative: tst(c.cumulativePayout) })));
console.log("== Disconnects (each counted once, under the node that disconnected)");
console.table(r.disconnects);
console.log("== Cash-outs");
console.table(
  r.cashouts.map((c) => ({
    node: c.node,
    chequebook: c.chequebook,
    status: c.status,
    paid: tst(c.totalPayout),
    gas: c.gasUsed.toString(),
  })),
);
console.log(
  `== Service plan #${r.plan.planId}: budget ${tst(r.plan.budget)} + bond ${tst(r.plan.bond)}, cap ${r.plan.shareCap} shares, ${r.plan.totalShares} shares submitted, ${r.plan.forgedRejected} forged tokens rejected`,
);
console.table(r.plan.payouts.map((p) => ({ provider: p.provider, shares: p.shares.toString(), paid: tst(p.amount) })));
console.log(
  `swept back to the funder: ${tst(r.plan.swept)} = budget not paid out ${tst(r.plan.unspentBudget)} + bond returned ${tst(r.plan.bondReturned)}` +
    (r.plan.forfeited ? ` (bond forfeited: ${tst(r.plan.forfeited)})` : ""),
);
console.log("== Checks");
for (const c of r.checks) console.log(`  ${c.ok ? "✔" : "✘"} ${c.name}`);
const ok = r.checks.every((c) => c.ok);
const paid = r.cashouts.reduce((s, c) => s + c.totalPayout, 0n);
const gas = r.cashouts.reduce((s, c) => s + c.gasUsed, 0n);
console.log(
  `\nSUMMARY: ${ok ? "OK" : "FAILED"} — funded ${r.funded.length} chequebooks with ${tst(r.funded.reduce((s, f) => s + f.amount, 0n))}, ${r.cheques.length} cheques, ` +
    `${r.cashouts.length} cash-outs paying ${tst(paid)} for ${gas} gas, ${r.disconnects.length} disconnect(s), ` +
    `plan paid ${tst(r.plan.payouts.reduce((s, p) => s + p.amount, 0n))} to ${r.plan.payouts.length} relays, ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s on ${networkName}`,
);
if (!ok) process.exitCode = 1;
