import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAmount, formatAmount, formatTime, relative } from "../../src/ops/units.js";
import { resolvePaths } from "../../src/ops/operator.js";
import { cashoutPolicy } from "../../src/ops/policy.js";
import {
  findDeployment,
  DeploymentChainMismatchError,
  DeploymentCodeMissingError,
  DeploymentNotFoundError,
} from "../../src/deployments.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { feeInToken } from "../../src/settlement/fees.js";
import { expectError } from "../../test-support/helpers.js";

const TST = { decimals: 18, symbol: "TST" };
const USDC = { decimals: 6, symbol: "USDC" };

describe("ops: amounts, times, paths, deployments, policy", () => {
  it("parses token units, wei-suffixed and --base-units amounts; refuses garbage with a typed error", async () => {
    expect(parseAmount("1.5", TST)).to.equal(1_500_000_000_000_000_000n);
    expect(parseAmount("1500000000000000000wei", TST)).to.equal(1_500_000_000_000_000_000n);
    expect(parseAmount("1500", TST, { baseUnits: true })).to.equal(1500n);
    expect(parseAmount("0.000001", USDC)).to.equal(1n);
    await expectError(() => parseAmount("0.0000001", USDC), InvalidArgumentError); // 7 decimals on a 6-decimal token
    await expectError(() => parseAmount("1.5", TST, { baseUnits: true }), InvalidArgumentError);
    await expectError(() => parseAmount("-1", TST), InvalidArgumentError);
    await expectError(() => parseAmount("1e18", TST), InvalidArgumentError);
    await expectError(() => parseAmount("", TST), InvalidArgumentError);
    await expectError(() => parseAmount(`${2n ** 256n}wei`, TST), InvalidArgumentError);
    expect(parseAmount(`${2n ** 256n - 1n}wei`, TST)).to.equal(2n ** 256n - 1n);
    expect(formatAmount(1_500_000_000_000_000_000n, TST)).to.equal("1.5 TST (1500000000000000000 base units)");
  });

  it("prints dates with relative times next to the raw number", () => {
    expect(formatTime(1_800_000_000n + 82_800n, 1_800_000_000n)).to.equal(
      "2027-01-16 07:00:00 UTC (1800082800, in 23 h)",
    );
    expect(relative(-300n)).to.equal("5 min ago");
    expect(relative(0n)).to.equal("now");
    expect(relative(119n)).to.equal("in 119 s");
    expect(relative(3n * 86_400n)).to.equal("in 3 d");
  });

  it("resolves the database and deployment folders from the project root, not the working directory", () => {
    const p = resolvePaths({ root: "/proj", network: "localhost", chainId: 31337n, env: {} });
    expect(p).to.deep.include({
      dataDir: "/proj/.swap",
      db: "/proj/.swap/localhost.db",
      deploymentOut: "/proj/.swap/deployments",
    });
    const live = resolvePaths({ root: "/proj", network: "gnosis", chainId: 100n, env: { SWAP_DB: "data/node.db" } });
    expect(live).to.deep.include({ db: "/proj/data/node.db", deploymentOut: "/proj/deployments" });
    expect(
      resolvePaths({ root: "/proj", network: "x", chainId: 1n, db: "/abs.db", env: { SWAP_DB: "other.db" } }).db,
    ).to.equal("/abs.db");
  });

  it("finds a deployment by network name, checked against the chain id and the code at its addresses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swap-dep-"));
    try {
      const d = (network: string, chainId: string, factory: string) => ({
        network,
        chainId,
        token: "0x" + "11".repeat(20),
        factory,
        servicePlans: "0x" + "33".repeat(20),
        chequebookImplementation: "0x" + "44".repeat(20),
        blocks: { factory: 1, servicePlans: 2 },
        chequebooks: {},
        deployedAt: "",
      });
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "default.json"), JSON.stringify(d("default", "31337", "0x" + "aa".repeat(20))));
      writeFileSync(join(dir, "localhost.json"), JSON.stringify(d("localhost", "31337", "0x" + "bb".repeat(20))));
      const code = async () => "0x6001";
      // no silent shadowing: localhost.json wins for --network localhost although default.json sorts first
      expect(
        (await findDeployment({ network: "localhost", dirs: [dir], chainId: 31337n, getCode: code })).deployment
          .factory,
      ).to.equal("0x" + "bb".repeat(20));
      await expectError(
        findDeployment({ network: "localhost", dirs: [dir], chainId: 100n, getCode: code }),
        DeploymentChainMismatchError,
      );
      const missing = await expectError(
        findDeployment({
          network: "localhost",
          dirs: [dir],
          chainId: 31337n,
          getCode: async (a) => (a === "0x" + "bb".repeat(20) ? "0x" : "0x6001"),
        }),
        DeploymentCodeMissingError,
      );
      expect(missing.contract).to.equal("factory");
      await expectError(
        findDeployment({ network: "gnosis", dirs: [dir], chainId: 100n, getCode: code }),
        DeploymentNotFoundError,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("builds the cash-out policy from flags, then the environment; --gas-price in token units per gas", async () => {
    const p = cashoutPolicy({ minAmount: "2", gasPrice: "0.000000002" }, TST, {
      SWAP_MAX_FEE_PERCENT: "3",
      SWAP_ALWAYS_CASH: "100",
      SWAP_MAX_GAS_PRICE_GWEI: "1.5",
    });
    expect(p).to.deep.include({
      minAmount: 2n * 10n ** 18n,
      maxFeePercent: 3,
      alwaysCashAmount: 100n * 10n ** 18n,
      maxGasPriceWei: 1_500_000_000n,
    });
    // 0.000000002 TST per gas = 2e9 base units per gas: 60,000 gas cost 1.2e14 base units
    expect(feeInToken(60_000n, await p.gasPrice!(0n))).to.equal(120_000_000_000_000n);
    expect(cashoutPolicy({ maxFeePercent: 7 }, TST, { SWAP_MAX_FEE_PERCENT: "3" }).maxFeePercent).to.equal(7);
    expect(cashoutPolicy({}, TST, {})).to.deep.include({
      minAmount: 1n,
      maxFeePercent: undefined,
      gasPrice: undefined,
    });
    await expectError(() => cashoutPolicy({ minAmount: "lots" }, TST, {}), InvalidArgumentError);
  });
});

describe("ops: live-chain confirmation", () => {
  it("asks nothing on a development chain or with --yes; refuses without a terminal on a live chain", async () => {
    const { confirmLive, ConfirmationRequiredError } = await import("../../src/hardhat/render.js");
    await confirmLive("withdrawing 1 TST", { local: true, yes: false, chainId: 31337n });
    await confirmLive("withdrawing 1 TST", { local: false, yes: true, chainId: 100n });
    const tty = process.stdin.isTTY;
    try {
      (process.stdin as { isTTY?: boolean }).isTTY = false;
      const e = await expectError(
        confirmLive("withdrawing 1 TST", { local: false, yes: false, chainId: 100n }),
        ConfirmationRequiredError,
      );
      expect(e.shortMessage).to.equal("not confirmed: withdrawing 1 TST on chain 100 (no terminal to ask)");
    } finally {
      (process.stdin as { isTTY?: boolean }).isTTY = tty;
    }
  });
});

describe("ops: development-only actions are refused on live chains", () => {
  it("swap deploy refuses the open-mint test token, and the faucet refuses to mint, on chain 100", async () => {
    const { deploySystem, faucet, NotLocalChainError } = await import("../../src/ops/operator.js");
    let sent = 0;
    const provider = { getNetwork: async () => ({ chainId: 100n }), broadcastTransaction: async () => void sent++ };
    const signer = {
      provider,
      getAddress: async () => "0x" + "12".repeat(20),
      sendTransaction: async () => void sent++,
    };
    const e = await expectError(
      deploySystem({ signer: signer as never, network: "gnosis", root: "/nonexistent" }),
      NotLocalChainError,
    );
    expect(e).to.deep.include({ chainId: 100n, action: "deploying the open-mint test token" });
    expect(e.details).to.contain("--token");
    const op = { local: false, chainId: 100n, deployment: { token: "0x" + "11".repeat(20) }, signer } as never;
    await expectError(faucet(op, "0x" + "12".repeat(20), 1n), NotLocalChainError);
    expect(sent).to.equal(0);
  });
});
