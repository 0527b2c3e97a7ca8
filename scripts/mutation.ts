// npm run test:mutation [-- --only P01,C03] [-- --list] [-- --write]
//
// Applies a fixed list of mutants to the money paths of ServicePlans and Chequebook, one at a time,
// runs the Solidity tests that cover each, restores the file (always: on failure, Ctrl-C, SIGTERM,
// and at the next start if a run was killed outright), and reports which mutants the tests killed.
// Each mutant is (file, exact original snippet, replacement); a snippet that is missing or
// ambiguous stops the run before anything is mutated. `--write` puts the table into TESTING.md.
//
// Speed: the mutants are compiled with the optimizer off (viaIR kept) into cache/mutation/, through
// a throw-away config written next to hardhat.config.ts; only the listed test files are compiled
// and run. Optimizer settings change gas, never behaviour, which is all the tests check here.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Mutant {
  id: string;
  file: string;
  /** What the mutation does (the kind of fault a reviewer would inject). */
  what: string;
  find: string;
  replace: string;
  /** 1-based occurrence when `find` appears more than once (then it must appear exactly `count` times). */
  occurrence?: number;
  count?: number;
  tests: string[];
}

const ROOT = process.cwd();
const SP = "contracts/plans/ServicePlans.sol";
const CB = "contracts/swap/Chequebook.sol";
const FINDINGS = ["contracts/test/plans/ServicePlansFindings.t.sol"]; // boundaries, bounds, P-1 … P-7
const PLAN_TESTS = ["contracts/test/plans/ServicePlans.t.sol"]; // function-by-function unit and fuzz tests
const CLAIM_MANY_TESTS = ["contracts/test/plans/ClaimMany.t.sol"];
const CHEQUE_TESTS = ["contracts/test/swap/Chequebook.t.sol"];

// prettier-ignore
const MUTANTS: Mutant[] = [
  // ServicePlans: deadline boundaries (inclusive deadlines, PROTOCOL.md §2)
  { id: "P01", file: SP, what: "submit: deadline > becomes >=", find: "if (block.timestamp > p.submitDeadline) {", replace: "if (block.timestamp >= p.submitDeadline) {", tests: FINDINGS },
  { id: "P02", file: SP, what: "topUp: deadline > becomes >=", find: "if (block.timestamp > p.submitDeadline) revert SubmissionClosed(planId", replace: "if (block.timestamp >= p.submitDeadline) revert SubmissionClosed(planId", tests: FINDINGS },
  { id: "P03", file: SP, what: "claim: opens at the submit deadline (<= becomes <)", find: "} else if (block.timestamp <= p.submitDeadline) {", replace: "} else if (block.timestamp < p.submitDeadline) {", tests: FINDINGS },
  { id: "P04", file: SP, what: "claim: closes at the claim deadline (> becomes >=)", find: "} else if (block.timestamp > p.claimDeadline) {", replace: "} else if (block.timestamp >= p.claimDeadline) {", tests: FINDINGS },
  { id: "P05", file: SP, what: "sweep: opens at the claim deadline (<= becomes <)", find: "if (block.timestamp <= p.claimDeadline) revert SweepNotOpen", replace: "if (block.timestamp < p.claimDeadline) revert SweepNotOpen", tests: FINDINGS },
  { id: "P06", file: SP, what: "createPlan: submit deadline may be now (<= becomes <)", find: "if (submitDeadline <= block.timestamp ||", replace: "if (submitDeadline < block.timestamp ||", tests: FINDINGS },
  { id: "P07", file: SP, what: "createPlan: claim window boundary (< becomes <=)", find: "if (claimDeadline - submitDeadline < _minClaimWindow) {", replace: "if (claimDeadline - submitDeadline <= _minClaimWindow) {", tests: FINDINGS },
  { id: "P08", file: SP, what: "createPlan: minimum claim window dropped", find: "if (claimDeadline - submitDeadline < _minClaimWindow) {", replace: "if (false) {", tests: FINDINGS },
  // ServicePlans: the proof of shares
  { id: "P09", file: SP, what: "chain's last word refused (depth > length becomes >=)", find: "if (s.depth > s.length) {", replace: "if (s.depth >= s.length) {", tests: FINDINGS },
  { id: "P10", file: SP, what: "depth bound dropped", find: "if (s.depth > s.length) {", replace: "if (false) {", tests: PLAN_TESTS },
  { id: "P11", file: SP, what: "hash-chain check dropped", find: "if (s.length != 0 && ShareHash.walk(s.word, s.depth) != s.anchor) {", replace: "if (false) {", tests: PLAN_TESTS },
  { id: "P12", file: SP, what: "signature checked only for chains (length == 0 mints shares)", find: "if (err != ECDSA.RecoverError.NoError || recovered != signer) {", replace: "if (s.length != 0 && (err != ECDSA.RecoverError.NoError || recovered != signer)) {", tests: FINDINGS },
  { id: "P13", file: SP, what: "signature check dropped", find: "if (err != ECDSA.RecoverError.NoError || recovered != signer) {", replace: "if (false) {", tests: PLAN_TESTS },
  { id: "P14", file: SP, what: "stale check: equal submissions verified (<= becomes <)", find: "if (claimed <= current) return 0;", replace: "if (claimed < current) return 0;", tests: FINDINGS },
  { id: "P15", file: SP, what: "shares overflow check loses its depth half", find: "if (s.baseShares > MAX128 || s.depth > MAX128 - s.baseShares) {", replace: "if (s.baseShares > MAX128) {", tests: PLAN_TESTS },
  { id: "P16", file: SP, what: "plan total overflow check dropped", find: "if (total > MAX128) {", replace: "if (false) {", tests: FINDINGS },
  // ServicePlans: payout and sweep
  { id: "P17", file: SP, what: "denominator ignores the cap (no floor price)", find: "uint256 denominator = p.shareCap > total ? p.shareCap : total;", replace: "uint256 denominator = total;", tests: PLAN_TESTS },
  { id: "P18", file: SP, what: "claim pays the funder instead of the provider (swapped argument)", find: "_push(p.token, provider, paid);", replace: "_push(p.token, p.funder, paid);", tests: PLAN_TESTS },
  { id: "P19", file: SP, what: "double claim allowed", find: "if (ps.claimed) {", replace: "if (false) {", tests: PLAN_TESTS },
  { id: "P20", file: SP, what: "paidOut not recorded (sweep returns paid money)", find: "p.paidOut += uint128(amount);", replace: "p.paidOut += 0;", tests: PLAN_TESTS },
  { id: "P21", file: SP, what: "bond never forfeited", find: "uint256 forfeited = _overIssued(p) ? p.bond : 0;", replace: "uint256 forfeited = 0;", tests: PLAN_TESTS },
  { id: "P22", file: SP, what: "over-issued at total == cap (> becomes >=)", find: "return p.shareCap != 0 && p.totalShares > p.shareCap;", replace: "return p.shareCap != 0 && p.totalShares >= p.shareCap;", tests: FINDINGS },
  { id: "P23", file: SP, what: "double sweep allowed", find: "if (p.swept) revert AlreadySwept(planId);", replace: "", tests: PLAN_TESTS },
  { id: "P24", file: SP, what: "anyone may top up (funder check dropped)", find: "if (msg.sender != p.funder) revert NotFunder(msg.sender, p.funder);", replace: "", tests: PLAN_TESTS },
  { id: "P25", file: SP, what: "plan id reuse allowed (overwrites a funded plan)", find: "if (p.signer != address(0)) revert PlanExists(planId);", replace: "", tests: FINDINGS },
  { id: "P26", file: SP, what: "amount bound off by one (> becomes >=)", find: "budget > MAX128 - bond", replace: "budget >= MAX128 - bond", tests: FINDINGS },
  { id: "P27", file: SP, what: "top-up bound dropped", find: "if (amount > MAX128 - budget) revert BudgetTooLarge(planId, budget, amount);", replace: "", tests: FINDINGS },
  // ServicePlans: claimMany
  { id: "P28", file: SP, what: "claimMany: last token run never paid", find: "        if (pending != 0) _push(token, provider, pending);\n    }", replace: "    }", tests: CLAIM_MANY_TESTS },
  { id: "P29", file: SP, what: "claimMany: token change not detected (!= becomes ==)", find: "if (t != token) {", replace: "if (t == token) {", tests: CLAIM_MANY_TESTS },
  { id: "P30", file: SP, what: "claimMany: pending not reset on a token change", find: "(token, pending) = (t, 0);", replace: "token = t;", tests: CLAIM_MANY_TESTS },
  // Chequebook: small snippets (the chequebook is being edited in parallel; the integrator re-bases any that moved)
  { id: "C01", file: CB, what: "cash: equal cheque accepted (<= becomes <)", find: "if (cumulativePayout <= acct.paidOut) revert", replace: "if (cumulativePayout < acct.paidOut) revert", tests: CHEQUE_TESTS },
  { id: "C02", file: CB, what: "issuer signature check dropped", find: "if (!_isValidSignature(issuer_, digest, issuerSig)) {", replace: "if (false) {", tests: CHEQUE_TESTS },
  { id: "C03", file: CB, what: "beneficiary signature check dropped (relayed cash-out)", find: "if (!_isValidSignature(beneficiary, digest, beneficiarySig)) {", replace: "if (false) {", occurrence: 1, count: 2, tests: CHEQUE_TESTS },
  { id: "C04", file: CB, what: "bounce at payout == request (< becomes <=)", find: "bool bounce = totalPayout < requestPayout;", replace: "bool bounce = totalPayout <= requestPayout;", tests: CHEQUE_TESTS },
  { id: "C05", file: CB, what: "relayed bouncing cheque allowed", find: "if (bounce && relayed) revert", replace: "if (false) revert", tests: CHEQUE_TESTS },
  { id: "C06", file: CB, what: "caller payout boundary (< becomes <=)", find: "if (totalPayout < callerPayout) revert", replace: "if (totalPayout <= callerPayout) revert", tests: CHEQUE_TESTS },
  { id: "C07", file: CB, what: "payout not capped by what is available (min becomes max)", find: "Math.min(requestPayout, _available(", replace: "Math.max(requestPayout, _available(", occurrence: 2, count: 2, tests: CHEQUE_TESTS },
  { id: "C08", file: CB, what: "withdraw of exactly the liquid balance refused (> becomes >=)", find: "if (amount > liquid) revert", replace: "if (amount >= liquid) revert", tests: CHEQUE_TESTS },
  { id: "C09", file: CB, what: "hard deposit may exceed the balance (check dropped)", find: "if (newTotal > bal) revert", replace: "if (false) revert", tests: CHEQUE_TESTS },
  { id: "C10", file: CB, what: "decrease due one second early (< becomes <=)", find: "if (block.timestamp < p.canBeDecreasedAt) revert", replace: "if (block.timestamp <= p.canBeDecreasedAt) revert", tests: CHEQUE_TESTS },
  { id: "C11", file: CB, what: "decrease not bounded by the deposit (> becomes >=)", find: "if (decreaseAmount > amount) revert", replace: "if (decreaseAmount >= amount) revert", tests: CHEQUE_TESTS },
  { id: "C12", file: CB, what: "custom-timeout signature replay allowed", find: "if (timeoutSignatureUsed[digest]) revert", replace: "if (false) revert", tests: CHEQUE_TESTS },
  { id: "C13", file: CB, what: "hard deposit not consumed by a cash-out", find: "uint256 hardDepositUsage = Math.min(totalPayout, acct.hardDeposit);", replace: "uint256 hardDepositUsage = 0;", tests: CHEQUE_TESTS },
  { id: "C14", file: CB, what: "caller payout paid to the recipient (swapped argument)", find: "if (callerPayout != 0) _token.safeTransfer(msg.sender, callerPayout);", replace: "if (callerPayout != 0) _token.safeTransfer(recipient, callerPayout);", tests: CHEQUE_TESTS },
];

const CONFIG = join(ROOT, ".mutation.hardhat.config.ts");
const backupOf = (file: string) => join(ROOT, `${file}.mutation-orig`);

class MutationSetupError extends Error {
  override readonly name = "MutationSetupError";
}

function restore(file: string): void {
  const b = backupOf(file);
  if (existsSync(b)) renameSync(b, join(ROOT, file)); // atomic: the original is back in one step
}

function cleanup(): void {
  for (const f of new Set(MUTANTS.map((m) => m.file))) restore(f);
  rmSync(CONFIG, { force: true });
}

/** Where `find` starts in `source`, checked to be exactly where the mutant says. */
function locate(m: Mutant, source: string): number {
  const at: number[] = [];
  for (let i = source.indexOf(m.find); i !== -1; i = source.indexOf(m.find, i + 1)) at.push(i);
  const expected = m.count ?? 1;
  if (at.length !== expected) {
    throw new MutationSetupError(
      `${m.id}: snippet found ${at.length} time(s) in ${m.file}, expected ${expected}: ${JSON.stringify(m.find)}`,
    );
  }
  return at[(m.occurrence ?? 1) - 1];
}

let interrupted = false;
let current: ChildProcess | undefined;
const stopChild = (sig: NodeJS.Signals) => {
  // the test run is its own process group (detached): signal all of it, npx and hardhat included
  if (current?.pid !== undefined && current.exitCode === null) {
    try {
      process.kill(-current.pid, sig);
    } catch {
      // already gone
    }
  }
};
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    interrupted = true;
    stopChild("SIGTERM"); // it ends, runTests resolves, the file is restored, the run stops
  });
}
process.on("exit", () => {
  stopChild("SIGKILL");
  cleanup();
});

interface TestRun {
  ok: boolean;
  compileError: boolean;
  seconds: number;
  output: string;
}

function runTests(tests: string[]): Promise<TestRun> {
  const t = Date.now();
  return new Promise((resolve) => {
    const child = spawn("npx", ["hardhat", "--config", CONFIG, "test", "solidity", "--no-typechain", ...tests], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    current = child;
    let output = "";
    const keep = (d: Buffer) => {
      output = (output + d.toString("utf8")).slice(-256 * 1024); // bounded: the tail tells what failed
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const timer = setTimeout(() => stopChild("SIGKILL"), 15 * 60_000); // a mutant that loops for ever counts as killed
    const done = (code: number | null) => {
      clearTimeout(timer);
      current = undefined;
      resolve({
        ok: code === 0,
        compileError: /HHE9\d\d|Compilation failed|TypeError:|DeclarationError:|ParserError:/.test(output),
        seconds: (Date.now() - t) / 1000,
        output,
      });
    };
    child.on("error", (e) => {
      output += String(e);
      done(null);
    });
    child.on("close", done);
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const only = args.includes("--only") ? new Set(args[args.indexOf("--only") + 1].split(",")) : undefined;
  const mutants = MUTANTS.filter((m) => !only || only.has(m.id));
  if (args.includes("--list")) {
    for (const m of MUTANTS) console.log(`${m.id}  ${m.file}  ${m.what}`);
    return 0;
  }
  cleanup(); // a previous run killed with SIGKILL left a backup behind: put it back first
  // every snippet must be where the list says before anything is touched
  for (const m of mutants) locate(m, readFileSync(join(ROOT, m.file), "utf8"));
  writeFileSync(
    CONFIG,
    `// Written by scripts/mutation.ts for one run; removed when it ends.
import base from "./hardhat.config.js";
const profile = (base.solidity as { profiles: { default: object } }).profiles.default;
export default {
  ...base,
  paths: { artifacts: "cache/mutation/artifacts", cache: "cache/mutation/cache" },
  solidity: { profiles: { default: { ...profile, settings: { evmVersion: "osaka", viaIR: true, optimizer: { enabled: false } } } } },
};
`,
  );

  const started = Date.now();
  // the unmutated code must pass each test set, or a "kill" means nothing
  for (const tests of new Set(mutants.map((m) => m.tests.join(" ")))) {
    const base = await runTests(tests.split(" "));
    if (interrupted) return 130;
    if (!base.ok) {
      console.error(base.output.slice(-4000));
      throw new MutationSetupError(`the unmutated code fails ${tests}`);
    }
    console.log(`baseline passes: ${tests} (${base.seconds.toFixed(0)} s)`);
  }

  const rows: { m: Mutant; result: "killed" | "survived" | "invalid"; seconds: number }[] = [];
  for (const m of mutants) {
    const path = join(ROOT, m.file);
    const source = readFileSync(path, "utf8");
    const at = locate(m, source);
    writeFileSync(backupOf(m.file), source);
    let r: TestRun;
    try {
      writeFileSync(path, source.slice(0, at) + m.replace + source.slice(at + m.find.length));
      r = await runTests(m.tests);
    } finally {
      restore(m.file);
    }
    if (interrupted) return 130;
    const result = r.compileError ? "invalid" : r.ok ? "survived" : "killed";
    rows.push({ m, result, seconds: r.seconds });
    console.log(`${m.id} ${result.padEnd(8)} ${r.seconds.toFixed(0).padStart(4)} s  ${m.what}`);
  }

  const killed = rows.filter((r) => r.result === "killed").length;
  const invalid = rows.filter((r) => r.result === "invalid");
  const valid = rows.length - invalid.length;
  const score = valid === 0 ? 0 : (100 * killed) / valid;
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const summary = `${killed} of ${valid} mutants killed (${score.toFixed(1)}%) in ${minutes} min`;
  console.log(`\n${summary}`);
  if (args.includes("--write")) {
    const table = [
      "| id | file | mutation | result |",
      "| --- | --- | --- | --- |",
      ...rows.map((r) => `| ${r.m.id} | ${r.m.file.split("/").pop()} | ${r.m.what} | ${r.result} |`),
    ].join("\n");
    const section = `<!-- mutation:start -->\n${table}\n\n**${summary}** (\`npm run test:mutation\`, ${new Date().toISOString().slice(0, 10)}).\n<!-- mutation:end -->`;
    const doc = readFileSync(join(ROOT, "TESTING.md"), "utf8");
    writeFileSync(
      join(ROOT, "TESTING.md"),
      doc.replace(/<!-- mutation:start -->[\s\S]*<!-- mutation:end -->/, section),
    );
  }
  if (invalid.length) {
    console.error(`invalid mutants (do not compile): ${invalid.map((r) => r.m.id).join(", ")}`);
    return 2;
  }
  return score >= 90 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    cleanup();
    console.error(e instanceof MutationSetupError ? `mutation: ${e.message}` : e);
    process.exitCode = 2;
  },
);
