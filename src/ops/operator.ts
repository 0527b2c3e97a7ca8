/**
 * What an operator does from the command line, as plain functions over the clients, the store and
 * the deployment record. Hardhat tasks and scripts only parse arguments and print.
 *
 * Where things live (all resolved from the project root, never from the shell's directory):
 * - data directory: `$SWAP_DATA_DIR`, else `<root>/.swap`;
 * - node database: `--db`, else `$SWAP_DB`, else `<data dir>/<network>.db`;
 * - deployments: `$SWAP_DEPLOYMENTS_DIR` when set; else development chains in
 *   `<data dir>/deployments/` (never shipped), public chains in `<root>/deployments/`.
 */
import { isAbsolute, join, resolve, dirname } from "node:path";
import { mkdirSync, readFileSync } from "node:fs";
import type { Signer } from "ethers";
import { InvalidArgumentError, SettlementError } from "../errors.js";
import { toAddress, toUint256, type AmountLike } from "../values.js";
import type { Hex } from "../crypto/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../chain/chequebook.js";
import { ServicePlansClient } from "../chain/plans.js";
import { EthersChainFacts } from "../chain/facts.js";
import { ERC20InsufficientBalanceError, TokenClient, type TokenInfo } from "../chain/token.js";
import { simulate } from "../chain/tx.js";
import { findDeployment, isLocalChain, saveDeployment, type Deployment } from "../deployments.js";
import { ignitionDeploymentDir, verifyRequests, type Eip1193, type Verifier, type VerifyRequest } from "./verify.js";
export type { Verifier, VerifyRequest } from "./verify.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/types.js";
import { CashoutService, type CashoutPolicy, type CashoutProgress } from "../settlement/cashout.js";
import type { BatchCasher } from "../settlement/casher.js";
import { RouterBatchCasher } from "../settlement/router-casher.js";
import type { Submission } from "../plans/collector.js";

export class NoChequebookError extends SettlementError {
  override readonly name = "NoChequebookError" as const;
  constructor(readonly issuer: string) {
    super(`no chequebook recorded for ${issuer}`, {
      details: "run `npx hardhat chequebook deploy --network <name>` first",
    });
  }
}

/** A state-keeping command on Hardhat's in-process chain, which vanishes when the command ends. */
export class EphemeralNetworkError extends SettlementError {
  override readonly name = "EphemeralNetworkError" as const;
  constructor(readonly network: string) {
    super(
      `network "${network}" is Hardhat's in-process chain: it vanishes when this command ends, so nothing it records would stay true`,
      {
        details:
          "start `npx hardhat node --hostname 127.0.0.1` and add `--network localhost` (or use --network custom)",
      },
    );
  }
}

/** A development-only action (faucet, open-mint test token) on a chain that is not local. */
export class NotLocalChainError extends SettlementError {
  override readonly name = "NotLocalChainError" as const;
  constructor(
    readonly action: string,
    readonly chainId: bigint,
  ) {
    super(`${action} is refused on chain ${chainId}: only development chains (31337, 1337) allow it`, {
      details: action.startsWith("deploying")
        ? "pass the real token with `--token 0x…`"
        : action.startsWith("verifying")
          ? "check the network: block explorers verify public chains only (drop --verify on a development chain)"
          : "get tokens from the token's issuer or an exchange",
    });
  }
}

/** `--peer` names no peer (nor chequebook) we hold a cheque from. */
export class UnknownPeerError extends SettlementError {
  override readonly name = "UnknownPeerError" as const;
  constructor(
    readonly peer: string,
    readonly known: string[],
  ) {
    super(`no cheque received from peer ${peer}`, {
      details: `list peers with \`npx hardhat cheques\`${known.length ? ` (known: ${known.slice(0, 5).join(", ")}${known.length > 5 ? ", …" : ""})` : " (none yet)"}`,
    });
  }
}

export interface Paths {
  root: string;
  dataDir: string;
  db: string;
  /** Where deployments are looked up (in order) and where a new one is written. */
  deploymentDirs: string[];
  deploymentOut: string;
}

/** Resolve every path from the project root and the environment (see the module comment). */
export function resolvePaths(opts: {
  root: string;
  network: string;
  chainId: bigint;
  db?: string;
  env?: NodeJS.ProcessEnv;
}): Paths {
  const env = opts.env ?? process.env;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(opts.root, p));
  const dataDir = abs(env.SWAP_DATA_DIR || ".swap");
  const dbRaw = opts.db || env.SWAP_DB || join(dataDir, `${opts.network}.db`);
  const db = dbRaw === ":memory:" ? dbRaw : abs(dbRaw);
  const local = isLocalChain(opts.chainId);
  const own = env.SWAP_DEPLOYMENTS_DIR
    ? [abs(env.SWAP_DEPLOYMENTS_DIR)]
    : [join(dataDir, "deployments"), join(opts.root, "deployments")];
  const out = env.SWAP_DEPLOYMENTS_DIR
    ? abs(env.SWAP_DEPLOYMENTS_DIR)
    : local
      ? join(dataDir, "deployments")
      : join(opts.root, "deployments");
  return { root: opts.root, dataDir, db, deploymentDirs: own, deploymentOut: out };
}

export interface Operator {
  signer: Signer;
  address: Hex;
  network: string;
  chainId: bigint;
  local: boolean;
  deployment: Deployment;
  deploymentFile: string;
  token: TokenInfo;
  paths: Paths;
  store: Store;
  close(): void;
}

export interface OpenOptions {
  signer: Signer;
  network: string;
  root: string;
  db?: string;
  /** Open the node database (default true). */
  withStore?: boolean;
}

async function chainOf(signer: Signer): Promise<{ chainId: bigint; facts: EthersChainFacts }> {
  const facts = await EthersChainFacts.connect(signer.provider!, []);
  return { chainId: facts.chainId, facts };
}

/** The operator's state: its key, the checked deployment of this network, and its node database. */
export async function openOperator(o: OpenOptions): Promise<Operator> {
  const { chainId, facts } = await chainOf(o.signer);
  const paths = resolvePaths({ root: o.root, network: o.network, chainId, db: o.db });
  const { deployment, file } = await findDeployment({
    network: o.network,
    dirs: paths.deploymentDirs,
    chainId,
    getCode: async (a) => ((await facts.hasCode(a)) ? "0x01" : "0x"),
  });
  const token = await new TokenClient(deployment.token, o.signer).info();
  let store: Store | undefined;
  if (o.withStore !== false) {
    if (paths.db !== ":memory:") mkdirSync(dirname(paths.db), { recursive: true });
    store = new SqliteStore(paths.db);
  }
  return {
    signer: o.signer,
    address: toAddress(await o.signer.getAddress()),
    network: o.network,
    chainId,
    local: isLocalChain(chainId),
    deployment,
    deploymentFile: file,
    token,
    paths,
    store: store!,
    close: () => store?.close(),
  };
}

/** Deploy the factory and ServicePlans (and, on a development chain only, an open-mint test token)
 * and record them. */
/**
 * Deploy the factory and ServicePlans through Ignition (see ./ignition.ts) and write the address
 * book (`<network>.json`, for consumers without Hardhat). Without `token`, the open-mint test token
 * is deployed first: development chains only. With `verify`, every deployed contract is submitted
 * (live chains only; the verifier is injected: hardhat-verify's `verifyContract` from the task).
 */
export async function deploySystem(o: {
  signer: Signer;
  network: string;
  root: string;
  token?: string;
  /** The network's EIP-1193 provider, whose accounts include the signer's address. */
  provider?: Eip1193;
  deploymentDir?: string;
  /** Blocks to wait for each transaction (default: 1 on development chains, Ignition's 5 elsewhere). */
  confirmations?: number;
  verify?: Verifier;
}): Promise<{ deployment: Deployment; file: string; verified: VerifyRequest[] }> {
  const { chainId } = await chainOf(o.signer);
  const paths = resolvePaths({ root: o.root, network: o.network, chainId });
  const local = isLocalChain(chainId);
  if (!o.token && !local) throw new NotLocalChainError("deploying the open-mint test token", chainId);
  if (o.verify && local) throw new NotLocalChainError("verifying on a block explorer", chainId);
  if (!o.provider)
    throw new InvalidArgumentError(
      "provider",
      "",
      "the network's EIP-1193 provider (Hardhat: `(await hre.network.connect()).provider`)",
    );
  const token = o.token ? toAddress(o.token, "token") : undefined;
  const { deployWithIgnition } = await import("./ignition.js"); // needs @nomicfoundation/ignition-core
  const deployment = await deployWithIgnition({
    provider: o.provider,
    sender: await o.signer.getAddress(),
    network: o.network,
    chainId,
    local,
    token,
    deploymentDir: o.deploymentDir ?? ignitionDeploymentDir(o.root, chainId, local),
    confirmations: o.confirmations,
  });
  const file = saveDeployment(deployment, paths.deploymentOut);
  const verified: VerifyRequest[] = [];
  if (o.verify) {
    for (const req of verifyRequests(deployment, { testToken: false })) {
      await o.verify(req);
      verified.push(req);
    }
  }
  return { deployment, file, verified };
}

/** Mint test tokens (development chains only). */
export async function faucet(op: Operator, to: string, amount: bigint) {
  if (!op.local) throw new NotLocalChainError("the faucet", op.chainId);
  const token = new TokenClient(op.deployment.token, op.signer);
  const tx = await token.mint(to, amount);
  return { to: toAddress(to), minted: amount, balance: await token.balanceOf(to), tx: tx.hash };
}

export function chequebookOf(op: Operator): ChequebookClient {
  const cb = op.deployment.chequebooks[op.address];
  if (!cb) throw new NoChequebookError(op.address);
  return new ChequebookClient(cb, op.signer);
}

export async function deployChequebook(
  op: Operator,
  timeout: AmountLike,
  salt: string,
): Promise<{ chequebook: Hex; gasUsed: bigint; tx: string }> {
  const f = new ChequebookFactoryClient(op.deployment.factory, op.signer);
  const args = [op.address, toUint256(timeout, "timeout"), salt] as const;
  await simulate(() => f.contract.deploySimpleSwap.estimateGas(...args));
  const d = await f.deployChequebook({ issuer: op.address, defaultHardDepositTimeout: timeout, salt });
  op.deployment.chequebooks[op.address] = d.address;
  saveDeployment(op.deployment, dirname(op.deploymentFile));
  return { chequebook: d.address, gasUsed: d.gasUsed, tx: d.hash };
}

export async function chequebookStatus(op: Operator) {
  const book = chequebookOf(op);
  const [balance, liquid, totalPaidOut, totalHardDeposit, bounced, timeout] = await Promise.all([
    book.balance(),
    book.liquidBalance(),
    book.totalPaidOut(),
    book.totalHardDeposit(),
    book.bounced(),
    book.defaultHardDepositTimeout(),
  ]);
  const issued = op.store.totalIssued(book.address);
  const received = op.store.listReceived().reduce((s, c) => s + c.cumulativePayout, 0n);
  return {
    chequebook: book.address,
    issuer: op.address,
    balance,
    liquidBalance: liquid,
    totalHardDeposit,
    totalPaidOut,
    bounced,
    issued,
    available: balance + totalPaidOut - issued,
    received,
    defaultHardDepositTimeout: timeout,
  };
}

/**
 * Deposit: the balance is checked and the deposit simulated before anything is mined, so a
 * deposit that would fail never leaves an approval behind. Approves only what is missing.
 */
export async function deposit(op: Operator, amount: bigint) {
  const book = chequebookOf(op);
  const token = new TokenClient(op.deployment.token, op.signer);
  const balance = await token.balanceOf(op.address);
  if (balance < amount) {
    throw new ERC20InsufficientBalanceError("ERC20InsufficientBalance", {
      sender: op.address,
      balance,
      needed: amount,
    });
  }
  const allowance = await token.allowance(op.address, book.address);
  let approveTx: string | undefined;
  if (allowance < amount) approveTx = (await token.approve(book.address, amount)).hash;
  await simulate(() => book.contract.deposit.estimateGas(amount));
  const r = await book.deposit(amount);
  return { ...r, approveTx };
}

export async function withdraw(op: Operator, amount: bigint) {
  const book = chequebookOf(op);
  await simulate(() => book.contract.withdraw.estimateGas(amount)); // fixed gas limit: the provider would not estimate
  return book.withdraw(amount);
}

/** Last cheque sent to and received from each peer. */
export function chequesByPeer(op: Operator) {
  const rows = new Map<
    string,
    { peer: string; sent?: bigint; sentTo?: string; received?: bigint; receivedFrom?: string }
  >();
  for (const c of op.store.listIssued())
    rows.set(c.peer, { ...(rows.get(c.peer) ?? { peer: c.peer }), sent: c.cumulativePayout, sentTo: c.beneficiary });
  for (const c of op.store.listReceived())
    rows.set(c.peer, {
      ...(rows.get(c.peer) ?? { peer: c.peer }),
      received: c.cumulativePayout,
      receivedFrom: c.chequebook,
    });
  return [...rows.values()];
}

export function cashoutService(op: Operator, policy: CashoutPolicy, casher?: BatchCasher): CashoutService {
  // batch through the deployment's router unless the caller chose a casher
  const chosen =
    casher ??
    (op.deployment.cashoutRouter ? new RouterBatchCasher({ router: op.deployment.cashoutRouter }) : undefined);
  return new CashoutService({ store: op.store, signer: op.signer, policy, casher: chosen });
}

/** The chequebooks `peer` (a peer id or a chequebook address) names; `UnknownPeerError` if none. */
export function chequebooksOf(op: Operator, peer: string): string[] {
  const received = op.store.listReceived();
  const hits = received
    .filter((c) => c.peer === peer || c.chequebook.toLowerCase() === peer.toLowerCase())
    .map((c) => c.chequebook);
  if (!hits.length) throw new UnknownPeerError(peer, [...new Set(received.map((c) => c.peer))]);
  return hits;
}

/** Cash out one peer (by peer id or chequebook), all of them, or only report (dry run). */
export async function cashout(
  op: Operator,
  policy: CashoutPolicy,
  which: {
    peer?: string;
    all?: boolean;
    dryRun?: boolean;
    onProgress?: (p: CashoutProgress) => void;
    casher?: BatchCasher;
  },
) {
  const svc = cashoutService(op, policy, which.casher);
  const chequebooks = which.peer ? chequebooksOf(op, which.peer) : undefined;
  if (which.dryRun) return { resumed: [], sent: [], failed: [], waiting: [], plan: await svc.plan(chequebooks) };
  return svc.run({ chequebooks, onProgress: which.onProgress });
}

export function plansClient(op: Operator): ServicePlansClient {
  return new ServicePlansClient(op.deployment.servicePlans, op.signer);
}

export function readSubmissions(file: string): Submission[] {
  const raw = JSON.parse(readFileSync(file, "utf8"));
  return (Array.isArray(raw) ? raw : [raw]).map((s: Record<string, string>) => ({
    planId: BigInt(s.planId),
    provider: toAddress(s.provider),
    baseShares: BigInt(s.baseShares),
    anchor: s.anchor as Hex,
    length: BigInt(s.length),
    depth: BigInt(s.depth),
    word: s.word as Hex,
    signature: s.signature as Hex,
  }));
}
