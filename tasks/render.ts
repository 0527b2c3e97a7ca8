/** Output for tasks: aligned tables by default, JSON with --json; typed errors as one line with the fix. */
import { SettlementError } from "../src/errors.js";

const HINTS: Record<string, string> = {
  DeploymentNotFoundError: "run `npx hardhat swap deploy --network <name>` first",
  NoChequebookError: "run `npx hardhat chequebook deploy --network <name>` first",
  InsufficientLiquidBalanceError: "withdraw at most the liquid balance (see `chequebook balance`)",
  NotIssuerError: "use the issuer's key (configuration variable SWAP_DEPLOYER_KEY) for this network",
  ProviderError: "check that the node is running and the RPC URL is right",
  InvalidArgumentError: "check the option's value",
  ClaimNotOpenError: "wait for the submission deadline to pass",
  SweepNotOpenError: "wait for the claim deadline to pass",
  SubmissionClosedError: "the submission deadline has passed",
};

export const toJson = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x), 2);

export function print(data: unknown, json: boolean): void {
  if (json) return void console.log(toJson(data));
  const rows = Array.isArray(data) ? data : [data];
  if (rows.length === 0) return void console.log("(nothing)");
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
  const cell = (v: unknown) => (v === undefined || v === null ? "–" : typeof v === "object" ? toJson(v) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell((r as Record<string, unknown>)[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(line(cols));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => cell((r as Record<string, unknown>)[c]))));
}

/** A one-line progress note on stderr for anything that takes longer than a moment. */
export function progress(what: string): () => void {
  const start = Date.now();
  process.stderr.write(`… ${what}`);
  return () => process.stderr.write(` done (${((Date.now() - start) / 1000).toFixed(1)} s)\n`);
}

/** Run a task body; a typed error becomes one clear line with the fix, and exit code 1. */
export async function run(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (!(e instanceof SettlementError)) throw e;
    console.error(`error: ${e.shortMessage} [${e.name}]`);
    const fix = e.details?.startsWith("run ") ? e.details : HINTS[e.name];
    if (fix) console.error(`fix:   ${fix}`);
    process.exitCode = 1;
  }
}
