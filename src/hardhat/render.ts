/** Output for tasks: aligned tables by default, JSON with --json; typed errors as one line with the fix. */
import { createInterface } from "node:readline/promises";
import { SettlementError } from "../errors.js";

const HINTS: Record<string, string> = {
  DeploymentNotFoundError: "run `npx hardhat swap deploy --network <name>` first",
  NoChequebookError: "run `npx hardhat chequebook deploy --network <name>` first",
  InsufficientLiquidBalanceError: "withdraw at most the liquid balance (see `chequebook balance`)",
  NotIssuerError: "use the issuer's key (configuration variable SWAP_DEPLOYER_KEY) for this network",
  ProviderError: "check that the node is running and the RPC URL is right",
  RetriesExhaustedError: "check that the node is running and the RPC URL is right",
  InvalidArgumentError: "check the option's value (see --help)",
  ClaimNotOpenError: "wait for the submission deadline to pass (see `plan status`)",
  SweepNotOpenError: "wait for the claim deadline to pass (see `plan status`)",
  SubmissionClosedError: "the submission deadline has passed",
  ERC20InsufficientBalanceError:
    "get tokens first (on a development chain: `npx hardhat swap faucet <amount> --network localhost`)",
  ERC20InsufficientAllowanceError: "approve the contract for the amount first",
  SafeERC20FailedOperationError: "the token refused the transfer: check the token address and balance",
  ChequeNotIncreasingError: "this cheque is already cashed; wait for a larger one",
  UnknownPlanError: "check the plan id (the id printed by `plan create`)",
  ConfirmationRequiredError: "re-run with --yes to confirm",
  IgnitionDeploymentError:
    "see `npx hardhat ignition status chain-<id>`; another --token on the same chain needs its own journal (move ignition/deployments/chain-<id> away)",
};

export const toJson = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x), 2);

export function print(data: unknown, json: boolean): void {
  if (json) return void console.log(toJson(data));
  const rows = Array.isArray(data) ? data : [data];
  if (rows.length === 0) return void console.log("(nothing)");
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
  const cell = (v: unknown) => (v === undefined || v === null ? "–" : typeof v === "object" ? toJson(v) : String(v));
  const widths = cols.map((c) =>
    Math.max(c.length, ...rows.map((r) => cell((r as Record<string, unknown>)[c]).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(line(cols));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => cell((r as Record<string, unknown>)[c]))));
}

/** A note on stderr (never mixed into --json output). */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A one-line progress note on stderr for anything that takes longer than a moment. */
export function progress(what: string): () => void {
  const start = Date.now();
  process.stderr.write(`… ${what}`);
  return () => process.stderr.write(` done (${((Date.now() - start) / 1000).toFixed(1)} s)\n`);
}

/** The user did not confirm an action on a live chain. */
export class ConfirmationRequiredError extends SettlementError {
  override readonly name = "ConfirmationRequiredError" as const;
  constructor(readonly action: string) {
    super(`not confirmed: ${action}`);
  }
}

/** On a live chain ask before `action` (unless `yes`); without a terminal, refuse. */
export async function confirmLive(
  action: string,
  opts: { local: boolean; yes: boolean; chainId: bigint },
): Promise<void> {
  if (opts.local || opts.yes) return;
  if (!process.stdin.isTTY)
    throw new ConfirmationRequiredError(`${action} on chain ${opts.chainId} (no terminal to ask)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${action} on chain ${opts.chainId}. Proceed? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new ConfirmationRequiredError(action);
  } finally {
    rl.close();
  }
}

/** Run a task body; a typed error becomes one clear line with the fix (or a JSON object with
 * `--json`), and exit code 1. */
export async function run(body: () => Promise<void>, json = false): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (!(e instanceof SettlementError)) throw e;
    const fix = e.details?.match(/^(run |use |start |configure |pass |redeploy |point |get |list |re-run |check )/)
      ? e.details
      : HINTS[e.name];
    if (json) console.log(toJson({ error: { name: e.name, message: e.shortMessage, fix: fix ?? null } }));
    else {
      console.error(`error: ${e.shortMessage} [${e.name}]`);
      if (fix) console.error(`fix:   ${fix}`);
    }
    process.exitCode = 1;
  }
}
