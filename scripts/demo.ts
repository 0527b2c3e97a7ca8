// npm run demo [-- --network localhost]: the end-to-end demo; prints a report.
import { network } from "hardhat";
import { formatUnits } from "ethers";
import { runDemo } from "../src/demo/scenario.js";
import { saveDeployment } from "../src/deployments.js";

const started = Date.now();
const { ethers, networkName } = await network.getOrCreate();
const [funder] = await ethers.getSigners();
const tst = (v: bigint) => `${formatUnits(v, 18)} TST`;
const r = await runDemo({ provider: ethers.provider, funder, network: networkName, log: (l) => console.log(l) });
if (networkName !== "hardhat" && networkName !== "default") console.log(`deployment written to ${saveDeployment(r.deployment)}`);

console.log(`\n== Deployment (${networkName}, chain ${r.deployment.chainId})`);
console.table({ token: r.deployment.token, factory: r.deployment.factory, implementation: r.deployment.chequebookImplementation, servicePlans: r.deployment.servicePlans });
console.log("== Per-peer balances (> 0: the peer owes this node)");
console.table(r.peers.map((p) => ({ node: p.node, peer: p.peer, balance: tst(p.balance), surplus: tst(p.surplus) })));
console.log("== Cheques received");
console.table(r.cheques.map((c) => ({ from: c.from, to: c.to, cumulative: tst(c.cumulativePayout) })));
console.log("== Disconnects");
console.table(r.disconnects);
console.log("== Cash-outs");
console.table(r.cashouts.map((c) => ({ node: c.node, chequebook: c.chequebook, status: c.status, paid: tst(c.totalPayout), gas: c.gasUsed.toString() })));
console.log(`== Service plan #${r.plan.planId}: budget ${tst(r.plan.budget)}, cap ${r.plan.shareCap} shares, ${r.plan.totalShares} shares submitted, ${r.plan.forgedRejected} forged tokens rejected`);
console.table(r.plan.payouts.map((p) => ({ provider: p.provider, shares: p.shares.toString(), paid: tst(p.amount) })));
console.log(`swept back to the funder: ${tst(r.plan.swept)}`);
console.log("== Checks");
for (const c of r.checks) console.log(`  ${c.ok ? "✔" : "✘"} ${c.name}`);
const ok = r.checks.every((c) => c.ok);
const paid = r.cashouts.reduce((s, c) => s + c.totalPayout, 0n);
const gas = r.cashouts.reduce((s, c) => s + c.gasUsed, 0n);
console.log(
  `\nSUMMARY: ${ok ? "OK" : "FAILED"} — ${r.cheques.length} cheques, ${r.cashouts.length} cash-outs paying ${tst(paid)} for ${gas} gas, ` +
    `${r.disconnects.length} disconnect(s), plan paid ${tst(r.plan.payouts.reduce((s, p) => s + p.amount, 0n))} to ${r.plan.payouts.length} relays, ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s on ${networkName}`,
);
if (!ok) process.exitCode = 1;
