// Task actions: parse arguments, call src/ops, print. No logic here.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { id } from "ethers";
import * as ops from "../ops/operator.js";
import { connectOperator } from "./operator-key.js";
import { formatAmount, formatDuration, formatTime, parseAmount } from "../ops/units.js";
import { cashoutPolicy, type PolicyOptions } from "../ops/policy.js";
import { TokenClient, type TokenInfo } from "../chain/token.js";
import { NATIVE_TOKEN } from "../chain/plans.js";
import { ERC20InsufficientBalanceError } from "../chain/token.js";
import { chainIdOf, chainTime } from "../chain/tx.js";
import { confirmLive, note, print, progress, run } from "./render.js";

type Hre = HardhatRuntimeEnvironment;
interface Common {
  json: boolean;
  db: string;
}

async function withOperator(hre: Hre, a: Common, fn: (op: ops.Operator) => Promise<unknown>) {
  await run(async () => {
    const c = await connectOperator(hre);
    const op = await ops.openOperator({ signer: c.signer, network: c.network, root: c.root, db: a.db || undefined });
    note(`network ${op.network} (chain ${op.chainId}), deployment ${op.deploymentFile}, database ${op.paths.db}`);
    try {
      print(await fn(op), a.json);
    } finally {
      op.close();
    }
  }, a.json);
}
async function timed<T>(what: string, p: Promise<T>): Promise<T> {
  const done = progress(what);
  try {
    return await p;
  } finally {
    done();
  }
}
/** Amounts in both forms for tables; raw base units (as strings) for --json. */
const amt = (a: Common, v: bigint, t: Pick<TokenInfo, "decimals" | "symbol">) => (a.json ? v : formatAmount(v, t));
async function tokenInfo(op: ops.Operator, token: string): Promise<TokenInfo> {
  if (token.toLowerCase() === NATIVE_TOKEN.toLowerCase()) return { address: NATIVE_TOKEN, symbol: "ETH", decimals: 18 };
  if (token.toLowerCase() === op.token.address.toLowerCase()) return op.token;
  return new TokenClient(token, op.signer).info();
}
const now = (op: ops.Operator) => chainTime(op.signer.provider!);

export const swapDeploy = (a: Common & { token: string; yes: boolean; verify: boolean }, hre: Hre) =>
  run(async () => {
    const c = await connectOperator(hre);
    const chainId = await chainIdOf(c.provider);
    const { isLocalChain } = await import("../deployments.js");
    await confirmLive("deploying the factory and ServicePlans", { local: isLocalChain(chainId), yes: a.yes, chainId });
    const done = progress(`deploying to ${c.network} with Ignition`);
    const r = await ops.deploySystem({
      signer: c.signer,
      provider: c.eip1193,
      network: c.network,
      root: c.root,
      token: a.token || undefined,
      verify: a.verify ? await hardhatVerifier(hre) : undefined,
    });
    done();
    for (const v of r.verified) note(`verified ${v.contract} at ${v.address}`);
    if (a.json) return print({ ...r.deployment, file: r.file }, true);
    const { blocks, chequebooks: _, ...rest } = r.deployment;
    print(
      Object.entries({
        ...rest,
        factoryBlock: blocks.factory,
        servicePlansBlock: blocks.servicePlans,
        file: r.file,
      }).map(([field, value]) => ({ field, value })),
      false,
    );
  }, a.json);

/** hardhat-verify's `verifyContract` bound to this runtime (the project must load that plugin; the
 * toolboxes do). Loaded only when `--verify` is given. */
async function hardhatVerifier(hre: Hre): Promise<ops.Verifier> {
  const { verifyContract } = await import("@nomicfoundation/hardhat-verify/verify");
  return (req) =>
    verifyContract({ address: req.address, contract: req.contract, constructorArgs: req.constructorArgs }, hre);
}

export const swapFaucet = (a: Common & { amount: string; to: string; baseUnits: boolean }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const amount = parseAmount(a.amount, op.token, { baseUnits: a.baseUnits });
    const r = await ops.faucet(op, a.to || op.address, amount);
    return { to: r.to, minted: amt(a, r.minted, op.token), balance: amt(a, r.balance, op.token), tx: r.tx };
  });

export const chequebookDeploy = (a: Common & { timeout: bigint; salt: string; yes: boolean }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    await confirmLive("deploying your chequebook", { local: op.local, yes: a.yes, chainId: op.chainId });
    const r = await timed(
      "deploying your chequebook",
      ops.deployChequebook(op, a.timeout, id(a.salt || `${op.address}`)),
    );
    return { ...r, defaultHardDepositTimeout: a.json ? a.timeout : formatDuration(a.timeout) };
  });
export const chequebookDeposit = (a: Common & { amount: string; baseUnits: boolean }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const amount = parseAmount(a.amount, op.token, { baseUnits: a.baseUnits });
    const r = await timed("depositing", ops.deposit(op, amount));
    return { deposited: amt(a, amount, op.token), approveTx: r.approveTx, tx: r.hash };
  });
export const chequebookWithdraw = (a: Common & { amount: string; baseUnits: boolean; yes: boolean }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const amount = parseAmount(a.amount, op.token, { baseUnits: a.baseUnits });
    await confirmLive(`withdrawing ${formatAmount(amount, op.token)}`, {
      local: op.local,
      yes: a.yes,
      chainId: op.chainId,
    });
    const r = await timed("withdrawing", ops.withdraw(op, amount));
    return { withdrawn: amt(a, amount, op.token), tx: r.hash };
  });
export const chequebookBalance = (a: Common, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const s = await ops.chequebookStatus(op);
    return {
      chequebook: s.chequebook,
      balance: amt(a, s.balance, op.token),
      liquidBalance: amt(a, s.liquidBalance, op.token),
      totalHardDeposit: amt(a, s.totalHardDeposit, op.token),
    };
  });
export const chequebookStatus = (a: Common, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const s = await ops.chequebookStatus(op);
    if (a.json) return s;
    const f = (v: bigint) => formatAmount(v, op.token);
    return Object.entries({
      chequebook: s.chequebook,
      issuer: s.issuer,
      balance: f(s.balance),
      liquidBalance: f(s.liquidBalance),
      totalHardDeposit: f(s.totalHardDeposit),
      totalPaidOut: f(s.totalPaidOut),
      bounced: s.bounced,
      issued: f(s.issued),
      available: f(s.available),
      received: f(s.received),
      defaultHardDepositTimeout: formatDuration(s.defaultHardDepositTimeout),
    }).map(([field, value]) => ({ field, value }));
  });
export const cheques = (a: Common, hre: Hre) =>
  withOperator(hre, a, async (op) =>
    ops.chequesByPeer(op).map((r) => ({
      ...r,
      sent: r.sent === undefined ? undefined : amt(a, r.sent, op.token),
      received: r.received === undefined ? undefined : amt(a, r.received, op.token),
    })),
  );

interface CashoutArgs extends Common, PolicyOptions {
  peer: string;
  all: boolean;
  dryRun: boolean;
  yes: boolean;
}
export const cashout = (a: CashoutArgs, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    if (!a.peer && !a.all && !a.dryRun)
      throw new (await import("../errors.js")).InvalidArgumentError(
        "cashout",
        "",
        "one of --peer <id>, --all or --dry-run",
      );
    const policy = cashoutPolicy(a, op.token);
    if (a.all && !a.dryRun)
      await confirmLive("cashing out every peer", { local: op.local, yes: a.yes, chainId: op.chainId });
    const r = await ops.cashout(op, policy, {
      peer: a.peer || undefined,
      all: a.all,
      dryRun: a.dryRun,
      onProgress: (p) =>
        note(
          `[${p.index}/${p.total}] ${p.peer} … ${p.record ? `${p.record.status} ${formatAmount(p.record.totalPayout, op.token)}${p.record.txHash ? ` (${p.record.txHash})` : ""}` : `failed: ${p.error?.shortMessage} [${p.error?.name}]`}`,
        ),
    });
    note(
      `assumption: gas price ${Number(r.plan.gasPriceWei) / 1e9} gwei (node), priced at ${policy.gasPrice ? `${a.gasPrice || process.env.SWAP_GAS_PRICE} ${op.token.symbol} per gas (--gas-price)` : `1 wei = 1 base unit of ${op.token.symbol} (default; --gas-price to set)`}` +
        `; fee cap ${r.plan.maxFeePercent}% of the value cashed; batch size ${r.plan.batchSize}; gas = what each transaction is predicted to use, from a simulation on the node`,
    );
    const row = (c: (typeof r.plan.candidates)[number]) => ({
      peer: c.peer,
      chequebook: c.chequebook,
      owed: amt(a, c.requestPayout, op.token),
      payout: amt(a, c.totalPayout, op.token),
      tx: c.batch,
      gas: c.gas,
      fee: c.gasCostInToken === undefined ? undefined : amt(a, c.gasCostInToken, op.token),
      feePercent: c.feePercent === undefined ? undefined : `${c.feePercent.toFixed(3)}%`,
      decision: c.profitable ? "cash" : "wait",
      reason: c.reason,
    });
    if (a.dryRun) return r.plan.candidates.map(row);
    const recs = [...r.resumed, ...r.sent].map((x) => ({
      chequebook: x.chequebook,
      status: x.status,
      paid: amt(a, x.totalPayout, op.token),
      gasUsed: x.gasUsed,
      tx: x.txHash,
      error: x.error,
    }));
    for (const f of r.failed) note(`failed: ${f.peer} — ${f.error.shortMessage} [${f.error.name}]`);
    if (r.failed.length) process.exitCode = 1;
    for (const w of r.waiting) note(`waiting: ${w.peer} ${formatAmount(w.totalPayout, op.token)} — ${w.reason}`);
    return recs;
  });

export const planCreate = (
  a: Common & {
    token: string;
    signer: string;
    budget: string;
    bond: string;
    cap: bigint;
    submitIn: bigint;
    claimIn: bigint;
    baseUnits: boolean;
  },
  hre: Hre,
) =>
  withOperator(hre, a, async (op) => {
    const token = a.token || op.deployment.token;
    const t = await tokenInfo(op, token);
    const budget = parseAmount(a.budget, t, { baseUnits: a.baseUnits, argument: "budget" });
    const bond = a.bond ? parseAmount(a.bond, t, { baseUnits: a.baseUnits, argument: "bond" }) : 0n;
    if (token.toLowerCase() !== NATIVE_TOKEN.toLowerCase()) {
      const balance = await new TokenClient(token, op.signer).balanceOf(op.address);
      if (balance < budget + bond)
        throw new ERC20InsufficientBalanceError("ERC20InsufficientBalance", {
          sender: op.address,
          balance,
          needed: budget + bond,
        });
    }
    const submitDeadline = (await now(op)) + a.submitIn;
    const r = await ops.plansClient(op).createPlan({
      token,
      signer: a.signer || op.address,
      budget,
      bond,
      shareCap: a.cap,
      submitDeadline,
      claimDeadline: submitDeadline + a.claimIn,
    });
    return {
      planId: r.planId,
      budget: amt(a, budget, t),
      bond: amt(a, bond, t),
      submitDeadline: a.json ? submitDeadline : formatTime(submitDeadline, await now(op)),
      tx: r.hash,
    };
  });
export const planFund = (a: Common & { plan: bigint; amount: string; baseUnits: boolean }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const plan = await ops.plansClient(op).getPlan(a.plan);
    const t = await tokenInfo(op, plan.token);
    const amount = parseAmount(a.amount, t, { baseUnits: a.baseUnits });
    return { planId: a.plan, toppedUp: amt(a, amount, t), tx: (await ops.plansClient(op).topUp(a.plan, amount)).hash };
  });
export const planStatus = (a: Common & { plan: bigint }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const c = ops.plansClient(op);
    const p = await c.getPlan(a.plan);
    const overIssued = await c.isOverIssued(a.plan);
    if (a.json) return { ...p, overIssued };
    const t = await tokenInfo(op, p.token);
    const ts = await now(op);
    return Object.entries({
      planId: p.planId,
      funder: p.funder,
      signer: p.signer,
      token: `${t.symbol} ${p.token}`,
      budget: formatAmount(p.budget, t),
      bond: formatAmount(p.bond, t),
      shareCap: p.shareCap,
      totalShares: p.totalShares,
      paidOut: formatAmount(p.paidOut, t),
      submitDeadline: formatTime(p.submitDeadline, ts),
      claimDeadline: formatTime(p.claimDeadline, ts),
      swept: p.swept,
      overIssued,
    }).map(([field, value]) => ({ field, value }));
  });
export const planSubmit = (a: Common & { file: string }, hre: Hre) =>
  withOperator(hre, a, async (op) =>
    (await ops.plansClient(op).submitBatch(ops.readSubmissions(a.file))).map((t) => ({
      tx: t.hash,
      gasUsed: t.gasUsed,
    })),
  );
export const planClaim = (a: Common & { plan: bigint; provider: string }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const c = ops.plansClient(op);
    const t = await tokenInfo(op, (await c.getPlan(a.plan)).token);
    const r = await c.claim(a.plan, a.provider || op.address);
    return { planId: a.plan, paid: amt(a, r.amount, t), tx: r.hash };
  });
export const planSweep = (a: Common & { plan: bigint; yes: boolean }, hre: Hre) =>
  withOperator(hre, a, async (op) => {
    const c = ops.plansClient(op);
    const p = await c.getPlan(a.plan);
    const t = await tokenInfo(op, p.token);
    await confirmLive(`sweeping plan ${a.plan}`, { local: op.local, yes: a.yes, chainId: op.chainId });
    const r = await c.sweep(a.plan);
    return {
      planId: a.plan,
      returned: amt(a, r.returned, t),
      forfeited: amt(a, r.forfeited, t),
      budget: amt(a, p.budget, t),
      bond: amt(a, p.bond, t),
      paidOut: amt(a, p.paidOut, t),
      tx: r.hash,
    };
  });
