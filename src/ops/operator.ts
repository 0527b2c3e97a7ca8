/**
 * What an operator does from the command line, as plain functions over the clients, the store and
 * the deployment record. Hardhat tasks and scripts only parse arguments and print.
 */
import { join } from "node:path";
import { mkdirSync, readFileSync } from "node:fs";
import type { Signer } from "ethers";
import { TestToken__factory } from "../../typechain-types/index.js";
import { SettlementError } from "../errors.js";
import { toAddress, toUint256, type AmountLike } from "../values.js";
import type { Hex } from "../crypto/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../chain/chequebook.js";
import { ServicePlansClient } from "../chain/plans.js";
import { deployAll, loadDeployment, saveDeployment, type Deployment } from "../deployments.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/types.js";
import { CashoutService, type CashoutPolicy } from "../settlement/cashout.js";
import type { Submission } from "../plans/collector.js";

export class NoChequebookError extends SettlementError {
  override readonly name = "NoChequebookError" as const;
  constructor(readonly issuer: string) {
    super(`no chequebook recorded for ${issuer}`, { details: "run `npx hardhat chequebook deploy --network <name>` first" });
  }
}

export interface Operator {
  signer: Signer;
  address: Hex;
  network: string;
  deployment: Deployment;
  store: Store;
  close(): void;
}

/** The operator's state: its key, the deployment of this chain, and its node database. */
export async function openOperator(signer: Signer, network: string, db?: string): Promise<Operator> {
  const { chainId } = await signer.provider!.getNetwork();
  const deployment = loadDeployment(chainId);
  const file = db ?? join(".swap", `${network}.db`);
  if (file !== ":memory:") mkdirSync(join(file, ".."), { recursive: true });
  const store = new SqliteStore(file);
  return { signer, address: toAddress(await signer.getAddress()), network, deployment, store, close: () => store.close() };
}

/** Deploy the factory and ServicePlans (and a test token when none is given) and record them. */
export async function deploySystem(signer: Signer, network: string, token?: string): Promise<{ deployment: Deployment; file: string }> {
  let t = token;
  if (!t) {
    const tt = await new TestToken__factory(signer).deploy();
    await tt.waitForDeployment();
    t = await tt.getAddress();
  }
  const deployment = await deployAll(signer, network, t);
  return { deployment, file: saveDeployment(deployment) };
}

export function chequebookOf(op: Operator): ChequebookClient {
  const cb = op.deployment.chequebooks[op.address];
  if (!cb) throw new NoChequebookError(op.address);
  return new ChequebookClient(cb, op.signer);
}

export async function deployChequebook(op: Operator, timeout: AmountLike, salt: string): Promise<{ chequebook: Hex; gasUsed: bigint }> {
  const f = new ChequebookFactoryClient(op.deployment.factory, op.signer);
  const d = await f.deployChequebook({ issuer: op.address, defaultHardDepositTimeout: timeout, salt });
  op.deployment.chequebooks[op.address] = d.address;
  saveDeployment(op.deployment);
  return { chequebook: d.address, gasUsed: d.gasUsed };
}

export async function chequebookStatus(op: Operator) {
  const book = chequebookOf(op);
  const [balance, liquid, totalPaidOut, totalHardDeposit, bounced] = await Promise.all([
    book.balance(), book.liquidBalance(), book.totalPaidOut(), book.totalHardDeposit(), book.bounced(),
  ]);
  const issued = op.store.totalIssued(book.address);
  const received = op.store.listReceived().reduce((s, c) => s + c.cumulativePayout, 0n);
  return {
    chequebook: book.address, issuer: op.address, balance, liquidBalance: liquid, totalHardDeposit, totalPaidOut, bounced,
    issued, available: balance + totalPaidOut - issued, received,
  };
}

export async function deposit(op: Operator, amount: AmountLike) {
  return chequebookOf(op).deposit(toUint256(amount));
}

export async function withdraw(op: Operator, amount: AmountLike) {
  return chequebookOf(op).withdraw(toUint256(amount));
}

/** Last cheque sent to and received from each peer. */
export function chequesByPeer(op: Operator) {
  const rows = new Map<string, { peer: string; sent?: bigint; sentTo?: string; received?: bigint; receivedFrom?: string }>();
  for (const c of op.store.listIssued()) rows.set(c.peer, { ...(rows.get(c.peer) ?? { peer: c.peer }), sent: c.cumulativePayout, sentTo: c.beneficiary });
  for (const c of op.store.listReceived()) rows.set(c.peer, { ...(rows.get(c.peer) ?? { peer: c.peer }), received: c.cumulativePayout, receivedFrom: c.chequebook });
  return [...rows.values()];
}

export function cashoutService(op: Operator, policy: CashoutPolicy): CashoutService {
  return new CashoutService({ store: op.store, signer: op.signer, policy });
}

/** Cash out one peer (by peer id or chequebook), all of them, or only report (dry run). */
export async function cashout(op: Operator, policy: CashoutPolicy, which: { peer?: string; all?: boolean; dryRun?: boolean }) {
  const svc = cashoutService(op, policy);
  const resumed = await svc.resume();
  if (which.dryRun) return { resumed, candidates: await svc.candidates(), records: [] };
  const targets = op.store.listReceived().filter((c) => which.all || c.peer === which.peer || c.chequebook.toLowerCase() === which.peer?.toLowerCase());
  const records = [];
  for (const t of targets) {
    const r = await svc.cashOut(t.chequebook);
    if (r) records.push(r);
  }
  return { resumed, candidates: [], records };
}

export function plansClient(op: Operator): ServicePlansClient {
  return new ServicePlansClient(op.deployment.servicePlans, op.signer);
}

export function readSubmissions(file: string): Submission[] {
  const raw = JSON.parse(readFileSync(file, "utf8"));
  return (Array.isArray(raw) ? raw : [raw]).map((s: Record<string, string>) => ({
    planId: BigInt(s.planId), provider: toAddress(s.provider), baseShares: BigInt(s.baseShares), anchor: s.anchor as Hex,
    length: BigInt(s.length), depth: BigInt(s.depth), word: s.word as Hex, signature: s.signature as Hex,
  }));
}
