// Operator tasks (npx hardhat <group> <command> --help). Actions live in ./actions.ts.
import { emptyTask, task } from "hardhat/config";

// (the helpers below build options generically, so the action types are asserted, not inferred)
const lazy = (name: keyof typeof import("./actions.js")) => () => import("./actions.js").then((m) => ({ default: m[name] as never }));
type B = ReturnType<typeof task>;
const common = (t: B) =>
  t.addFlag({ name: "json", description: "Print JSON instead of a table" })
    .addOption({ name: "db", description: "Node database (default .swap/<network>.db)", defaultValue: "" });
const opt = (t: B, name: string, description: string) => t.addOption({ name, description, defaultValue: "" });

export const swapTasks = [
  emptyTask("swap", "SWAP settlement: deployments").build(),
  common(opt(task(["swap", "deploy"], "Deploy the chequebook factory and ServicePlans; write deployments/<network>.json"), "token", "ERC20 token (default: deploy a test token)")).setAction(lazy("swapDeploy")).build(),

  emptyTask("chequebook", "Your chequebook: deploy, deposit, withdraw, balance, status").build(),
  common(opt(opt(task(["chequebook", "deploy"], "Deploy your chequebook through the factory"), "timeout", "Default hard-deposit timeout, seconds"), "salt", "Salt (any text)")).setAction(lazy("chequebookDeploy")).build(),
  common(opt(task(["chequebook", "deposit"], "Deposit tokens (approves first)"), "amount", "Amount in base units")).setAction(lazy("chequebookDeposit")).build(),
  common(opt(task(["chequebook", "withdraw"], "Withdraw from the liquid balance"), "amount", "Amount in base units")).setAction(lazy("chequebookWithdraw")).build(),
  common(task(["chequebook", "balance"], "Total, liquid and hard-deposited balance")).setAction(lazy("chequebookBalance")).build(),
  common(task(["chequebook", "status"], "Balance, uncommitted (available), issued and received totals")).setAction(lazy("chequebookStatus")).build(),

  common(task("cheques", "Last cheque sent to and received from each peer")).setAction(lazy("cheques")).build(),
  common(opt(opt(opt(task("cashout", "Cash out received cheques when worth the gas"), "peer", "One peer (id or chequebook)"), "minAmount", "Minimum payout"), "gasMultiplier", "Payout must exceed gas × this"))
    .addFlag({ name: "all", description: "Every peer" })
    .addFlag({ name: "dryRun", description: "Only print the profitability table" })
    .setAction(lazy("cashout")).build(),

  emptyTask("plan", "Service plans: create, fund, status, submit, claim, sweep").build(),
  common(["token", "signer", "budget", "bond", "cap", "submitIn", "claimIn"].reduce((t, n) => opt(t, n, n === "submitIn" || n === "claimIn" ? `${n} seconds` : n), task(["plan", "create"], "Create and fund a plan"))).setAction(lazy("planCreate")).build(),
  common(opt(opt(task(["plan", "fund"], "Top up a plan's budget"), "plan", "Plan id"), "amount", "Amount")).setAction(lazy("planFund")).build(),
  common(opt(task(["plan", "status"], "A plan's terms and totals"), "plan", "Plan id")).setAction(lazy("planStatus")).build(),
  common(opt(task(["plan", "submit"], "Submit share receipts from a JSON file (a provider's best submissions)"), "file", "JSON file")).setAction(lazy("planSubmit")).build(),
  common(opt(opt(task(["plan", "claim"], "Claim a provider's payout"), "plan", "Plan id"), "provider", "Provider (default: you)")).setAction(lazy("planClaim")).build(),
  common(opt(task(["plan", "sweep"], "Return what is not owed to the funder"), "plan", "Plan id")).setAction(lazy("planSweep")).build(),
];
