/**
 * The README's operator commands, each run as a subprocess (`hardhat <task> --network …`) against
 * one `hardhat node` started by this file on a free loopback port, on the `localhost` network (the
 * node's own key) and on the `custom` network (SWAP_RPC_URL / SWAP_DEPLOYER_KEY as configuration
 * variables from the environment) — with balances checked on chain after every step.
 */
import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider, Wallet, id, parseUnits, type Signer } from "ethers";
import { TestToken__factory, Chequebook__factory } from "../../typechain-types/index.js";
import { ChequebookFactoryClient } from "../../src/chain/chequebook.js";
import { ServicePlansClient } from "../../src/chain/plans.js";
import { signCheque } from "../../src/cheque/index.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { ShareIssuer } from "../../src/plans/issuer.js";
import { ShareCollector } from "../../src/plans/collector.js";
import type { Hex } from "../../src/crypto/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HARDHAT = fileURLToPath(new URL("../../node_modules/hardhat/dist/src/cli.js", import.meta.url));
const TST = (v: string) => parseUnits(v, 18);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function startNode(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (/Started HTTP and WebSocket JSON-RPC server/.test(out)) resolve(child);
    });
    child.stderr!.on("data", (d) => (out += d));
    child.on("exit", (code) => reject(new Error(`hardhat node exited with ${code}:\n${out}`)));
  });
}

describe("integration: every operator command against `hardhat node` (localhost and custom)", function () {
  this.timeout(600_000);
  let node: ChildProcess | undefined;
  let port = 0;
  let provider: JsonRpcProvider;
  let funder: Signer;
  const dirs: string[] = [];

  before(async () => {
    port = await freePort();
    node = await startNode(port);
    provider = new JsonRpcProvider(`http://127.0.0.1:${port}`, undefined, { staticNetwork: true, cacheTimeout: -1 });
    funder = await provider.getSigner(1); // the node's second account (the first is the localhost operator)
  });
  after(() => {
    provider?.destroy();
    if (node?.pid) process.kill(node.pid, "SIGTERM"); // stopped by its process id
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function cli(env: NodeJS.ProcessEnv, network: string | undefined, args: string[]) {
    const net = network ? ["--network", network] : [];
    return spawnSync(process.execPath, [HARDHAT, ...args, ...net], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
  }
  const ok = (r: ReturnType<typeof cli>) => {
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    return JSON.parse(r.stdout.slice(r.stdout.search(/[[{]/)));
  };
  const fails = (r: ReturnType<typeof cli>) => {
    expect(r.status, r.stdout + r.stderr).to.equal(1);
    return JSON.parse(r.stdout.slice(r.stdout.search(/[[{]/))).error as { name: string; message: string; fix: string };
  };

  /** A peer: its own chequebook (funded), a cheque to `beneficiary` stored in the operator's database as received. */
  async function receiveCheque(
    factory: string,
    token: string,
    db: string,
    beneficiary: string,
    peer: string,
    cumulative: bigint,
    book?: string,
  ) {
    const issuer = new Wallet(id(`issuer-${peer}`));
    let chequebook = book;
    if (!chequebook) {
      const f = new ChequebookFactoryClient(factory, funder);
      chequebook = (
        await f.deployChequebook({ issuer: issuer.address, defaultHardDepositTimeout: 3600, salt: id(`${peer}-${db}`) })
      ).address;
      await (await TestToken__factory.connect(token, funder).mint(chequebook, TST("1000"))).wait();
    }
    const { chainId } = await provider.getNetwork();
    const cheque = { chequebook, beneficiary, cumulativePayout: cumulative };
    const store = new SqliteStore(db);
    store.putReceived({
      ...cheque,
      signature: await signCheque(cheque, chainId, issuer.privateKey as Hex),
      peer,
      chainId,
      receivedAt: Date.now(),
    });
    store.close();
    return chequebook as Hex;
  }

  async function journey(network: "localhost" | "custom", env: NodeJS.ProcessEnv, operator: string) {
    const run = (...args: string[]) => cli(env, network, args);
    const db = join(env.SWAP_DATA_DIR!, `${network}.db`);

    // a state-keeping command on the in-process network is refused with a clear message
    const ephemeral = fails(cli(env, undefined, ["chequebook", "status", "--json"]));
    expect(ephemeral.name).to.equal("EphemeralNetworkError");

    const d = ok(run("swap", "deploy", "--json"));
    expect(d.file).to.equal(join(env.SWAP_DATA_DIR!, "deployments", `${network}.json`));
    expect(await provider.getCode(d.factory)).to.not.equal("0x");
    const token = TestToken__factory.connect(d.token, provider);

    // faucet: mints to the operator
    const f = ok(run("swap", "faucet", "1000", "--json"));
    expect(f.minted).to.equal(TST("1000").toString());
    expect(await token.balanceOf(operator)).to.equal(TST("1000"));

    const cb = ok(run("chequebook", "deploy", "--json"));
    expect(await Chequebook__factory.connect(cb.chequebook, provider).issuer()).to.equal(operator);

    // a deposit beyond the balance: typed ERC-6093 error, and no approval mined
    const nonce0 = await provider.getTransactionCount(operator);
    const poor = fails(run("chequebook", "deposit", "5000", "--json"));
    expect(poor).to.deep.include({ name: "ERC20InsufficientBalanceError" });
    expect(poor.fix).to.contain("swap faucet");
    expect(await provider.getTransactionCount(operator)).to.equal(nonce0);
    expect(await token.allowance(operator, cb.chequebook)).to.equal(0n);

    ok(run("chequebook", "deposit", "100", "--json"));
    expect(await token.balanceOf(cb.chequebook)).to.equal(TST("100"));
    ok(run("chequebook", "withdraw", "20.5", "--json"));
    expect(await token.balanceOf(cb.chequebook)).to.equal(TST("79.5"));
    ok(run("chequebook", "withdraw", "500wei", "--json"));
    expect(await token.balanceOf(cb.chequebook)).to.equal(TST("79.5") - 500n);

    // an overdraw is simulated, shown typed, never mined
    const nonce1 = await provider.getTransactionCount(operator);
    expect(fails(run("chequebook", "withdraw", "1000", "--json")).name).to.equal("InsufficientLiquidBalanceError");
    expect(await provider.getTransactionCount(operator)).to.equal(nonce1);
    expect(ok(run("chequebook", "status", "--json"))).to.deep.include({
      chequebook: cb.chequebook,
      balance: (TST("79.5") - 500n).toString(),
    });

    // three peers paid us with real cheques from their own chequebooks
    const books = [];
    for (const [i, amount] of [
      ["1", "3"],
      ["2", "5"],
      ["3", "7"],
    ])
      books.push(await receiveCheque(d.factory, d.token, db, operator, `peer-${i}`, TST(amount)));
    expect(ok(run("cheques", "--json"))).to.have.length(3);
    expect(fails(run("cashout", "--peer", "nobody", "--json")).name).to.equal("UnknownPeerError");
    const dry = run("cashout", "--dry-run", "--json");
    const plan = ok(dry);
    expect(plan.map((c: { decision: string }) => c.decision)).to.deep.equal(["cash", "cash", "cash"]);
    expect(plan.every((c: { gas: string; fee: string }) => BigInt(c.gas) > 50_000n && BigInt(c.fee) > 0n)).to.equal(
      true,
    ); // the predicted gas use, priced
    expect(dry.stderr).to.match(
      /assumption: gas price [\d.]+ gwei \(node\), priced at 1 wei = 1 base unit of TST .*fee cap 5% of the value cashed; batch size 50/,
    ); // through the deployment's router
    expect(dry.stderr).to.contain(`database ${db}`);

    // one peer, then all (the first is already cashed: two more transactions)
    const before = await token.balanceOf(operator);
    const one = ok(run("cashout", "--peer", "peer-1", "--json"));
    expect(one).to.have.length(1);
    expect(one[0]).to.deep.include({ status: "mined", paid: TST("3").toString() });
    expect(await Chequebook__factory.connect(books[0], provider).paidOut(operator)).to.equal(TST("3"));
    const nonceAll = await provider.getTransactionCount(operator);
    const all = cli(env, network, ["cashout", "--all", "--json"]);
    expect(await provider.getTransactionCount(operator)).to.equal(nonceAll + 1); // ⌈2 / 50⌉ transactions
    const rows = ok(all);
    expect(rows.map((r: { status: string }) => r.status)).to.deep.equal(["mined", "mined"]);
    // both in one router transaction; progress per cheque, in either order
    expect(all.stderr, all.stderr).to.match(/\[[12]\/2\] peer-3 … mined 7\.0 TST/);
    expect(all.stderr, all.stderr).to.match(/\[[12]\/2\] peer-2 … mined 5\.0 TST/);
    expect(await token.balanceOf(operator)).to.equal(before + TST("15"));

    // a larger cheque arrives; the cron script cashes it once, and a second run sends nothing
    await receiveCheque(d.factory, d.token, db, operator, "peer-2", TST("6"), books[1]);
    const script = (extra: NodeJS.ProcessEnv = {}) =>
      cli({ ...env, ...extra, SWAP_JSON: "1" }, network, ["run", "scripts/cashout.ts"]);
    const first = ok(script());
    expect(first.map((r: { status: string; totalPayout: string }) => [r.status, r.totalPayout])).to.deep.equal([
      ["mined", TST("1").toString()],
    ]);
    const nonce2 = await provider.getTransactionCount(operator);
    expect(ok(script())).to.deep.equal([]);
    expect(await provider.getTransactionCount(operator)).to.equal(nonce2);
    expect(await token.balanceOf(operator)).to.equal(before + TST("16"));

    // plans: create, fund, status, submit, claim, sweep
    const customer = new Wallet(id(`customer-${network}`));
    const p = ok(
      run(
        "plan",
        "create",
        "10",
        "--bond",
        "10",
        "--cap",
        "100",
        "--submit-in",
        "3600",
        "--claim-in",
        "86400",
        "--signer",
        customer.address,
        "--json",
      ),
    );
    ok(run("plan", "fund", p.planId, "1", "--json"));
    const status = ok(run("plan", "status", p.planId, "--json"));
    expect(status).to.deep.include({
      budget: TST("11").toString(),
      bond: TST("10").toString(),
      shareCap: "100",
      totalShares: "0",
    });
    const plans = new ServicePlansClient(d.servicePlans, provider);
    const domain = await plans.domain();
    const issuer = new ShareIssuer({
      planId: BigInt(p.planId),
      domain,
      signer: customer.privateKey as Hex,
      chainLength: 64,
    });
    const collector = new ShareCollector({
      planId: BigInt(p.planId),
      provider: operator,
      domain,
      planSigner: customer.address,
    });
    for (let i = 0; i < 20; i++) {
      const { token: t, receipt } = await issuer.next(operator);
      if (receipt) collector.acceptReceipt(receipt);
      collector.accept(t);
    }
    const file = join(env.SWAP_DATA_DIR!, "subs.json");
    writeFileSync(
      file,
      JSON.stringify(collector.bestSubmission(), (_, v) => (typeof v === "bigint" ? v.toString() : v)),
    );
    ok(run("plan", "submit", file, "--json"));
    expect((await plans.getPlan(p.planId)).totalShares).to.equal(20n);
    expect(fails(run("plan", "sweep", p.planId, "--json")).name).to.equal("SweepNotOpenError");
    await provider.send("evm_increaseTime", [3_601]);
    await provider.send("evm_mine", []);
    const beforeClaim = await token.balanceOf(operator);
    const claim = ok(run("plan", "claim", p.planId, "--json"));
    expect(BigInt(claim.paid)).to.equal((TST("11") * 20n) / 100n); // 20 of 100 capped shares
    expect(await token.balanceOf(operator)).to.equal(beforeClaim + BigInt(claim.paid));
    await provider.send("evm_increaseTime", [86_401]); // the contract's minimum claim window is one day
    await provider.send("evm_mine", []);
    const sweep = ok(run("plan", "sweep", p.planId, "--json"));
    expect(BigInt(sweep.returned)).to.equal(TST("11") - BigInt(claim.paid) + TST("10"));
    expect(await token.balanceOf(d.servicePlans)).to.equal(0n);
  }

  it("localhost: the node's own key signs; deploy, faucet, deposit, withdraw, status, cash-outs, cron twice, plans", async () => {
    const data = mkdtempSync(join(tmpdir(), "swap-op-local-"));
    dirs.push(data);
    const [operator] = (await provider.send("eth_accounts", [])) as string[];
    await journey(
      "localhost",
      { SWAP_LOCALHOST_PORT: String(port), SWAP_DATA_DIR: data, SWAP_DB: "", SWAP_DEPLOYMENTS_DIR: "" },
      (await provider.getSigner(operator)).address,
    );
  });

  it("custom: a key from configuration variables (environment); the same journey", async () => {
    const data = mkdtempSync(join(tmpdir(), "swap-op-custom-"));
    dirs.push(data);
    const key = Wallet.createRandom();
    await (await funder.sendTransaction({ to: key.address, value: parseUnits("10", 18) })).wait();
    await journey(
      "custom",
      {
        SWAP_RPC_URL: `http://127.0.0.1:${port}`,
        SWAP_DEPLOYER_KEY: key.privateKey,
        SWAP_DATA_DIR: data,
        SWAP_DB: "",
        SWAP_DEPLOYMENTS_DIR: "",
      },
      key.address,
    );
  });
});
