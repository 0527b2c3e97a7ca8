// npm run bench:gas — gas per named chequebook scenario (bench/gas-scenarios.ts) on the in-process
// Hardhat network, side by side with Swarm's figures for the same scenarios on the same token, written
// into BENCHMARKS.md. The same scenarios are the gas snapshot checked by `npm test`.
import { network } from "hardhat";
import { calldataGas, measureChequebookGas, type GasFigure } from "./gas-scenarios.js";
import { fmt, machine, table, writeSection } from "./report.js";

const { ethers } = await network.create();
const figures = await measureChequebookGas(ethers);
const by = new Map(figures.map((f) => [f.name, f]));
const get = (name: string): GasFigure => {
  const f = by.get(name);
  if (!f) throw new Error(`scenario ${name} was not measured`);
  return f;
};

/**
 * Swarm's SimpleSwap v0.6.9 (ERC20SimpleSwap + SimpleSwapFactory, solc 0.7.6, 200 runs) measured
 * side by side with this project's TestToken on the same EVM, as quoted in issue 11. Swarm's code
 * cannot be compiled here (no solc 0.7.6 offline), so these are quoted, not re-measured.
 */
const SWARM: Record<string, number> = {
  deploy: 161_829,
  cashFirstFresh: 122_499,
  cashFirstBeneficiary: 105_399,
  cashLater: 71_211,
  cashThirdParty: 138_811,
  withdraw: 47_691,
};

// ---------------------------------------------------------------- like for like
const ratio = (ours: bigint, theirs: number) => `${((Number(ours) / theirs) * 100).toFixed(1)}%`;
const likeRows = Object.entries(SWARM).map(([name, swarm]) => {
  const f = get(name);
  return [f.scenario, fmt(swarm), fmt(f.gas), ratio(f.gas, swarm), fmt(swarm - Number(f.gas))];
});

// ---------------------------------------------------------------- batches, per cheque
const later = SWARM.cashLater!;
const batchRows = figures
  .filter((f) => f.batch !== undefined)
  .map((f) => {
    const target =
      f.name === "routerCompact10" || f.name === "router10"
        ? 0.6
        : f.name === "routerCompact50" || f.name === "router50"
          ? 0.55
          : undefined;
    const mark =
      target === undefined
        ? "–"
        : `≤ ${fmt(Math.floor(later * target))} ${Number(f.gas) <= later * target ? "met" : "missed"}`;
    return [f.scenario, String(f.batch), fmt(f.gas), ratio(f.gas, later), mark];
  });

// ---------------------------------------------------------------- floors for this design
const P = {
  delegate: 2_600,
  ecrecover: 3_100 /* precompile 3,000 + its warm STATICCALL 100 */,
  newSlot: 22_100,
  dirtySlot: 5_000,
  coldRead: 2_100,
  tokenAccount: 2_600,
  warmCall: 100,
  transferEvent: 1_756,
  cashedEvent: 2_643,
  withdrawEvent: 1_006,
  deployedEvent: 1_006,
};
const cashParts = (paidOutNew: boolean, totalsNew: boolean, recipientNew: boolean): [string, number][] => [
  ["delegatecall", P.delegate],
  ["ecrecover", P.ecrecover],
  ["paidOut", paidOutNew ? P.newSlot : P.dirtySlot],
  ["totals", totalsNew ? P.newSlot : P.dirtySlot],
  ["token account (balanceOf)", P.tokenAccount],
  ["chequebook balance", P.dirtySlot],
  ["2nd token call (transfer)", P.warmCall],
  ["recipient balance", recipientNew ? P.newSlot : P.dirtySlot],
  ["Transfer", P.transferEvent],
  ["ChequeCashed", P.cashedEvent],
];
const floorParts: Record<string, [string, number][]> = {
  deploy: [
    ["CREATE2", 32_000],
    ["code deposit 73 B", 73 * 200],
    ["SimpleSwapDeployed", P.deployedEvent],
  ],
  cashFirstFresh: cashParts(true, true, true),
  cashFirstBeneficiary: cashParts(true, false, true),
  cashLater: cashParts(false, false, false),
  cashThirdParty: [
    ...cashParts(true, false, true),
    ["2nd ecrecover", P.ecrecover],
    ["3rd token call", P.warmCall],
    ["caller balance", P.newSlot],
    ["2nd Transfer", P.transferEvent],
  ],
  withdraw: [
    ["delegatecall", P.delegate],
    ["totals read", P.coldRead],
    ["token account (balanceOf)", P.tokenAccount],
    ["chequebook balance", P.dirtySlot],
    ["2nd token call (transfer)", P.warmCall],
    ["issuer balance", P.dirtySlot],
    ["Transfer", P.transferEvent],
    ["Withdraw (an event Swarm never emits)", P.withdrawEvent],
  ],
};
const floorLines: string[] = [];
const allRows: string[][] = [];
for (const f of figures.filter((x) => x.batch === undefined)) {
  const parts = floorParts[f.name];
  let floor = "–";
  let over = "–";
  if (parts && f.hash) {
    const all: [string, number][] = [["tx", 21_000], ["calldata", await calldataGas(ethers, f.hash)], ...parts];
    const total = all.reduce((s, [, g]) => s + g, 0);
    floor = fmt(total);
    over = `+${fmt(Number(f.gas) - total)}`;
    floorLines.push(`- ${f.scenario}: ${all.map(([n, g]) => `${n} ${fmt(g)}`).join(" + ")} = **${fmt(total)}**`);
  }
  allRows.push([f.scenario, `\`${f.name}\``, fmt(f.gas), floor, over]);
}

const likeHead = ["scenario (TestToken, same EVM)", "Swarm 0.6.9", "this project", "ratio", "saved"];
const batchHead = [
  "batch scenario (TestToken)",
  "N",
  "gas per cheque",
  "of Swarm's single later cash-out (71,211)",
  "target",
];
const allHead = ["scenario", "snapshot key", "gas", "floor for this design", "over floor"];
console.log(table(likeHead, likeRows));
console.log();
console.log(table(batchHead, batchRows));
console.log();
console.log(table(allHead, allRows));

writeSection(
  "gas",
  `## Chequebook gas per scenario\n\n` +
    `Command: \`npm run bench:gas\` (in-process Hardhat network, EDR, hardfork osaka; solc 0.8.37 viaIR, 10,000 runs; ` +
    `this project's \`TestToken\`, fixed keys). Machine: ${machine()}.\n\n` +
    `### Like for like with Swarm\n\n` +
    `Swarm's figures: SimpleSwap v0.6.9 (\`ERC20SimpleSwap\` + \`SimpleSwapFactory\`, solc 0.7.6, 200 runs) measured side by side ` +
    `on the same EVM with this project's \`TestToken\`, as quoted in issue 11 — Swarm's code cannot be compiled here ` +
    `(no solc 0.7.6 offline), so they are quoted, not re-measured by this command. Same scenario, same token, same chain.\n\n` +
    table(likeHead, likeRows) +
    `\n\n### Batch cash-out, per cheque\n\n` +
    `One beneficiary cashes the cheques of N peers (N chequebooks of one token), each already cashed once (every cash-out is a ` +
    `"later" one; the recipient already holds tokens): transaction gas ÷ N. Router rows pass \`checkFirst = false\` (this project's ` +
    `chequebooks revert instead of bouncing) unless marked; the EIP-7702 account already delegates to the executor.\n\n` +
    table(batchHead, batchRows) +
    `\n\n### Every scenario (the gas snapshot)\n\n` +
    table(allHead, allRows) +
    `\n\nFloors for this design — a clone holding its own tokens, one transfer per cheque, Swarm's ABI and events — at EIP-2929 ` +
    `prices (cold account 2,600, new slot 22,100, dirty slot 5,000, LOG costs), with the calldata of the actual transaction. ` +
    `They are not floors for any chequebook (one that did not keep its own balance, or skipped an event, could go lower):\n\n` +
    floorLines.join("\n"),
);
