// Task actions: parse arguments, call src/ops, print. No logic here.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { id } from "ethers";
import * as ops from "../src/ops/operator.js";
import { print, progress, run } from "./render.js";

type Hre = HardhatRuntimeEnvironment;
interface Common { json: boolean; db: string }

async function operator(hre: Hre, db: string) {
  const { ethers, networkName } = await hre.network.getOrCreate();
  const [signer] = await ethers.getSigners();
  return ops.openOperator(signer, networkName, db || undefined);
}
async function withOperator(hre: Hre, a: Common, fn: (op: ops.Operator) => Promise<unknown>) {
  await run(async () => {
    const op = await operator(hre, a.db);
    try {
      print(await fn(op), a.json);
    } finally {
      op.close();
    }
  });
}
async function timed<T>(what: string, p: Promise<T>): Promise<T> {
  const done = progress(what);
  try {
    return await p;
  } finally {
    done();
  }
}
const policy = (a: { minAmount: string; gasMultiplier: string }) => ({ minAmount: BigInt(a.minAmount || "1"), gasMultiplier: Number(a.gasMultiplier || "2") });

export const swapDeploy = (a: Common & { token: string }, hre: Hre) =>
  run(async () => {
    const { ethers, networkName } = await hre.network.getOrCreate();
    const [signer] = await ethers.getSigners();
    const done = progress(`deploying to ${networkName}`);
    const r = await ops.deploySystem(signer, networkName, a.token || undefined);
    done();
    print({ ...r.deployment, file: r.file }, a.json);
  });

export const chequebookDeploy = (a: Common & { timeout: string; salt: string }, hre: Hre) =>
  withOperator(hre, a, (op) => timed("deploying your chequebook", ops.deployChequebook(op, a.timeout || "86400", id(a.salt || `${op.address}`))));
export const chequebookDeposit = (a: Common & { amount: string }, hre: Hre) =>
  withOperator(hre, a, async (op) => ({ deposited: a.amount, tx: (await ops.deposit(op, a.amount)).hash }));
export const chequebookWithdraw = (a: Common & { amount: string }, hre: Hre) =>
  withOperator(hre, a, async (op) => ({ withdrawn: a.amount, tx: (await ops.withdraw(op, a.amount)).hash }));
export const chequebookBalance = (a: Common, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const s = await ops.chequebookStatus(op);
    return { chequebook: s.chequebook, balance: s.balance, liquidBalance: s.liquidBalance, totalHardDeposit: s.totalHardDeposit };
  });
export const chequebookStatus = (a: Common, hre: Hre) => withOperator(hre, a, (op) => ops.chequebookStatus(op));
export const cheques = (a: Common, hre: Hre) => withOperator(hre, a, async (op) => ops.chequesByPeer(op));
export const cashout = (a: Common & { peer: string; all: boolean; dryRun: boolean; minAmount: string; gasMultiplier: string }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const r = await timed(a.dryRun ? "previewing cash-outs" : "cashing out", ops.cashout(op, policy(a), { peer: a.peer || undefined, all: a.all, dryRun: a.dryRun }));
    return a.dryRun ? r.candidates : [...r.resumed, ...r.records];
  });

export const planCreate = (a: Common & { token: string; signer: string; budget: string; bond: string; cap: string; submitIn: string; claimIn: string }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const now = BigInt((await op.signer.provider!.getBlock("latest"))!.timestamp);
    const submitDeadline = now + BigInt(a.submitIn || "86400");
    const r = await ops.plansClient(op).createPlan({
      token: a.token || op.deployment.token, signer: a.signer || op.address, budget: a.budget, bond: a.bond || "0",
      shareCap: a.cap || "0", submitDeadline, claimDeadline: submitDeadline + BigInt(a.claimIn || "86400"),
    });
    return { planId: r.planId, tx: r.hash };
  });
export const planFund = (a: Common & { plan: string; amount: string }, hre: Hre) =>
  withOperator(hre, a, async (op) => ({ planId: a.plan, toppedUp: a.amount, tx: (await ops.plansClient(op).topUp(a.plan, a.amount)).hash }));
export const planStatus = (a: Common & { plan: string }, hre: Hre) =>
  withOperator(hre, a, async (op) => ({ ...(await ops.plansClient(op).getPlan(a.plan)), overIssued: await ops.plansClient(op).isOverIssued(a.plan) }));
export const planSubmit = (a: Common & { file: string }, hre: Hre) =>
  withOperator(hre, a, async (op) => (await ops.plansClient(op).submitBatch(ops.readSubmissions(a.file))).map((t) => ({ tx: t.hash, gasUsed: t.gasUsed })));
export const planClaim = (a: Common & { plan: string; provider: string }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const r = await ops.plansClient(op).claim(a.plan, a.provider || op.address);
    return { planId: a.plan, paid: r.amount, tx: r.hash };
  });
export const planSweep = (a: Common & { plan: string }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const r = await ops.plansClient(op).sweep(a.plan);
    return { planId: a.plan, returned: r.returned, forfeited: r.forfeited, tx: r.hash };
  });
