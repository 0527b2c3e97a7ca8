// Operator tasks (npx hardhat <group> <command> --help), shipped in the Hardhat plugin (./index.ts).
// Actions live in ./actions.ts and are loaded only when a task runs.
import { emptyTask, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

// (the helpers below build options generically, so the action types are asserted, not inferred)
const lazy = (name: keyof typeof import("./actions.js")) => () =>
  import("./actions.js").then((m) => ({ default: m[name] as never }));
type B = ReturnType<typeof task>;
const common = (t: B) =>
  t
    .addFlag({
      name: "json",
      description: "Print JSON instead of a table (amounts in base units; errors as {error:{name,message,fix}})",
    })
    .addOption({
      name: "db",
      description: "Node database (default: $SWAP_DB, else <project>/.swap/<network>.db)",
      defaultValue: "",
    });
const yes = (t: B) =>
  t.addFlag({ name: "yes", description: "Do not ask for confirmation on a live (non-development) chain" });
const baseUnits = (t: B) =>
  t.addFlag({
    name: "baseUnits",
    description: "Amounts are in base units (else token units like 1.5; 1500wei is always base units)",
  });
const amountArg = (t: B, description = "Amount in token units (1.5) or base units (1500000000000000000wei)") =>
  t.addPositionalArgument({ name: "amount", description });
const planArg = (t: B) => t.addPositionalArgument({ name: "plan", type: ArgumentType.BIGINT, description: "Plan id" });

export const swapTasks = [
  emptyTask("swap", "SWAP settlement: deployments and the development faucet").build(),
  yes(
    common(
      task(
        ["swap", "deploy"],
        "Deploy the chequebook factory and ServicePlans with Ignition; writes the address book (path printed)",
      )
        .addOption({
          name: "token",
          description: "ERC20 token (default: an open-mint test token, development chains only)",
          defaultValue: "",
        })
        .addFlag({
          name: "verify",
          description:
            "Verify the deployed contracts on the network's block explorer (hardhat-verify; live chains only)",
        }),
    ),
  )
    .setAction(lazy("swapDeploy"))
    .build(),
  baseUnits(
    common(
      amountArg(task(["swap", "faucet"], "Mint test tokens (development chains 31337/1337 only)")).addOption({
        name: "to",
        description: "Recipient (default: you)",
        defaultValue: "",
      }),
    ),
  )
    .setAction(lazy("swapFaucet"))
    .build(),

  emptyTask("chequebook", "Your chequebook: deploy, deposit, withdraw, balance, status").build(),
  yes(
    common(
      task(["chequebook", "deploy"], "Deploy your chequebook through the factory")
        .addOption({
          name: "timeout",
          type: ArgumentType.BIGINT,
          description: "Default hard-deposit timeout in seconds (default 86400 = 1 day)",
          defaultValue: 86_400n,
        })
        .addOption({ name: "salt", description: "Salt, any text (default: your address)", defaultValue: "" }),
    ),
  )
    .setAction(lazy("chequebookDeploy"))
    .build(),
  baseUnits(
    common(
      amountArg(
        task(
          ["chequebook", "deposit"],
          "Deposit tokens (checks the balance and simulates first; approves only what is missing)",
        ),
      ),
    ),
  )
    .setAction(lazy("chequebookDeposit"))
    .build(),
  yes(
    baseUnits(
      common(amountArg(task(["chequebook", "withdraw"], "Withdraw from the liquid balance (simulated first)"))),
    ),
  )
    .setAction(lazy("chequebookWithdraw"))
    .build(),
  common(task(["chequebook", "balance"], "Total, liquid and hard-deposited balance"))
    .setAction(lazy("chequebookBalance"))
    .build(),
  common(task(["chequebook", "status"], "Balance, uncommitted (available), issued and received totals"))
    .setAction(lazy("chequebookStatus"))
    .build(),

  common(task("cheques", "Last cheque sent to and received from each peer")).setAction(lazy("cheques")).build(),
  yes(
    baseUnits(
      common(
        task("cashout", "Cash out received cheques, fee-aware and batched (one of --peer, --all, --dry-run)")
          .addOption({
            name: "peer",
            description: "One peer (peer id or chequebook address); unknown peers are an error",
            defaultValue: "",
          })
          .addFlag({ name: "all", description: "Every peer, with per-item progress" })
          .addFlag({ name: "dryRun", description: "Only print the decision table (nothing is sent)" })
          .addOption({
            name: "minAmount",
            description: "Never cash less than this (token units; default 1 base unit; env SWAP_MIN_AMOUNT)",
            defaultValue: "",
          })
          .addOption({
            name: "maxFeePercent",
            type: ArgumentType.FLOAT,
            description: "Maximum fee as % of the value cashed (default 5; env SWAP_MAX_FEE_PERCENT)",
            defaultValue: -1,
          })
          .addOption({
            name: "maxGasPriceGwei",
            description:
              "Wait while the gas price is above this, in gwei (default: no cap; env SWAP_MAX_GAS_PRICE_GWEI)",
            defaultValue: "",
          })
          .addOption({
            name: "alwaysCash",
            description: "Cash a cheque paying at least this whatever the fee (token units; env SWAP_ALWAYS_CASH)",
            defaultValue: "",
          })
          .addOption({
            name: "batchSize",
            type: ArgumentType.INT,
            description:
              "Cheques per transaction (default: the casher's maximum: 50 through the deployment's router, 1 without one)",
            defaultValue: 0,
          })
          .addOption({
            name: "gasPrice",
            description:
              "Price of one gas in token units, e.g. 0.000000002 (default: 1 wei = 1 base unit; env SWAP_GAS_PRICE)",
            defaultValue: "",
          }),
      ),
    ),
  )
    .setAction(lazy("cashout"))
    .build(),

  emptyTask("plan", "Service plans: create, fund, status, submit, claim, sweep").build(),
  baseUnits(
    common(
      task(["plan", "create"], "Create and fund a plan (budget + bond are pulled from you)")
        .addPositionalArgument({
          name: "budget",
          description: "Budget in token units (1.5) or base units (1500wei); required",
        })
        .addOption({ name: "bond", description: "Bond in token units (default 0)", defaultValue: "" })
        .addOption({
          name: "cap",
          type: ArgumentType.BIGINT,
          description: "Share cap (0 = no cap, no floor price)",
          defaultValue: 0n,
        })
        .addOption({
          name: "submitIn",
          type: ArgumentType.BIGINT,
          description: "Submission window in seconds (default 86400 = 1 day)",
          defaultValue: 86_400n,
        })
        .addOption({
          name: "claimIn",
          type: ArgumentType.BIGINT,
          description: "Claim window after it, seconds (default 86400)",
          defaultValue: 86_400n,
        })
        .addOption({
          name: "token",
          description: "ERC20 token (default: the deployment's; 0x0…0 for the native coin)",
          defaultValue: "",
        })
        .addOption({ name: "signer", description: "Receipt signer (default: you)", defaultValue: "" }),
    ),
  )
    .setAction(lazy("planCreate"))
    .build(),
  baseUnits(common(amountArg(planArg(task(["plan", "fund"], "Top up a plan's budget")))))
    .setAction(lazy("planFund"))
    .build(),
  common(planArg(task(["plan", "status"], "A plan's terms, totals and deadlines")))
    .setAction(lazy("planStatus"))
    .build(),
  common(
    task(
      ["plan", "submit"],
      "Submit share receipts from a JSON file (a provider's best submissions)",
    ).addPositionalArgument({ name: "file", type: ArgumentType.FILE, description: "JSON file of submissions" }),
  )
    .setAction(lazy("planSubmit"))
    .build(),
  common(
    planArg(task(["plan", "claim"], "Claim a provider's payout")).addOption({
      name: "provider",
      description: "Provider (default: you)",
      defaultValue: "",
    }),
  )
    .setAction(lazy("planClaim"))
    .build(),
  yes(common(planArg(task(["plan", "sweep"], "Return what is not owed to the funder (after the claim deadline)"))))
    .setAction(lazy("planSweep"))
    .build(),
];
