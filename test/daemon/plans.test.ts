import { expect } from "chai";
import { NonceManager, Wallet, type JsonRpcProvider } from "ethers";
import { ServicePlansClient } from "../../src/chain/plans.js";
import { freePort, spawnDaemon, stopDaemon, writeConfig, type DaemonProcess } from "../../src/daemon/launcher.js";
import { startLocalChain, type LocalChain } from "../../src/daemon/local-chain.js";
import type { Hex } from "../../src/crypto/index.js";
import { ShareCollector, type Submission } from "../../src/plans/collector.js";
import { ShareIssuer } from "../../src/plans/issuer.js";
import { call, tempDir } from "./helpers.js";
import { OpenApiChecker } from "./openapi.js";

const UNIT = 10n ** 15n;
const BUDGET = 1_000n * UNIT;
const BOND = 100n * UNIT;
const SHARE_CAP = 100n;

/**
 * Service plans through the daemon API, as a provider's operator uses them: two swap-node
 * processes against `hardhat node`, a customer's funded plan, share tokens collected for each
 * provider, the best receipt submitted through the API, then the claim once the submission window
 * has closed (time travel on the chain). Asserted on chain (shares, events, token balances) and
 * against the daemon's own OpenAPI document.
 */
describe("daemon: service plans, submit and claim through the API (separate processes)", function () {
  this.timeout(240_000);
  let chain: LocalChain;
  let provider: JsonRpcProvider;
  let plans: ServicePlansClient;
  let oa: OpenApiChecker;
  const procs: DaemonProcess[] = [];
  const nodes: { api: string; beneficiary: Hex; key: string; collector?: ShareCollector }[] = [];
  let planId: bigint;
  let submitDeadline: bigint;
  let issuer: ShareIssuer;

  const api = async (base: string, method: string, path: string, json?: unknown) => {
    const r = await call(base, path, { method, ...(json === undefined ? {} : { json }) });
    oa.check(method, path, r.status, r.body);
    return r;
  };
  const wire = (s: Submission) => ({
    baseShares: s.baseShares.toString(),
    anchor: s.anchor,
    length: s.length.toString(),
    depth: s.depth.toString(),
    word: s.word,
    signature: s.signature,
  });
  /** `n` more units of traffic paid with share tokens to node `i`; returns its best submission. */
  const serve = async (i: number, n: number): Promise<Submission> => {
    const node = nodes[i]!;
    for (let k = 0; k < n; k++) {
      const { token, receipt } = await issuer.next(node.beneficiary);
      if (receipt) node.collector!.acceptReceipt(receipt);
      node.collector!.accept(token);
    }
    return node.collector!.bestSubmission()!;
  };
  const timeTravelTo = async (t: bigint) => {
    await provider.send("evm_setNextBlockTimestamp", [Number(t)]);
    await provider.send("evm_mine", []);
  };
  const events = async (txHash: string, name: string) => {
    const receipt = (await provider.getTransactionReceipt(txHash))!;
    return receipt.logs
      .filter((l) => l.address.toLowerCase() === plans.address.toLowerCase())
      .map((l) => plans.contract.interface.parseLog(l))
      .filter((l) => l?.name === name)
      .map((l) => l!.args.toObject());
  };

  before(async () => {
    chain = await startLocalChain(tempDir());
    provider = chain.provider;
    for (const label of ["p1", "p2"]) {
      const op = await chain.operator(0n, label);
      const dir = tempDir();
      const file = writeConfig(
        {
          dataDir: dir,
          mode: "hard",
          chain: { rpcUrl: chain.rpcUrl, deploymentsDir: chain.deploymentsDir },
          chequebook: op.chequebook,
          p2p: { listen: [`/ip4/127.0.0.1/tcp/${await freePort()}`] },
          api: { port: 0 },
          cashout: { enabled: false },
          log: { level: "info" },
        },
        dir,
      );
      const p = spawnDaemon(file, { SWAP_NODE_PRIVATE_KEY: op.wallet.privateKey });
      procs.push(p);
      const started = await p.started;
      nodes.push({ api: started.api, beneficiary: op.wallet.address as Hex, key: op.wallet.privateKey });
    }
    oa = new OpenApiChecker((await call(nodes[0]!.api, "/openapi.json")).body);

    // the customer funds a plan in the test token; its hot key signs the receipts
    const customer = new Wallet(Wallet.createRandom().privateKey, provider);
    const hot = Wallet.createRandom();
    await (await chain.funder.sendTransaction({ to: customer.address, value: 10n ** 18n })).wait();
    await (await chain.token.mint(customer.address, BUDGET + BOND)).wait();
    plans = new ServicePlansClient(chain.deployment.servicePlans, new NonceManager(customer));
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    submitDeadline = now + 3_600n;
    const created = await plans.createPlan({
      token: await chain.token.getAddress(),
      signer: hot.address,
      budget: BUDGET,
      bond: BOND,
      shareCap: SHARE_CAP,
      submitDeadline,
      claimDeadline: submitDeadline + 86_400n,
    });
    planId = created.planId;
    const domain = await plans.domain();
    issuer = new ShareIssuer({ planId, domain, signer: hot.privateKey as Hex, chainLength: 16 });
    for (const n of nodes)
      n.collector = new ShareCollector({ planId, provider: n.beneficiary, domain, planSigner: hot.address });
  });
  after(async () => {
    for (const p of procs.splice(0)) await stopDaemon(p);
    await chain?.stop();
  });

  it("GET /plans/{id} shows the funded plan and no shares of ours yet", async () => {
    const r = await api(nodes[0]!.api, "GET", `/plans/${planId}`);
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({
      planId: planId.toString(),
      signer: (await plans.getPlan(planId)).signer,
      funder: (await plans.getPlan(planId)).funder,
      token: await chain.token.getAddress(),
      budget: BUDGET.toString(),
      bond: BOND.toString(),
      shareCap: SHARE_CAP.toString(),
      totalShares: "0",
      paidOut: "0",
      submitDeadline: submitDeadline.toString(),
      claimDeadline: (submitDeadline + 86_400n).toString(),
      swept: false,
      ourShares: "0",
      claimed: false,
      claimable: "0",
    });
  });

  it("a claim inside the submission window is refused (409 ClaimNotOpenError) and changes nothing", async () => {
    const r = await api(nodes[0]!.api, "POST", `/plans/${planId}/claim`);
    expect([r.status, r.body.code]).to.deep.equal([409, "ClaimNotOpenError"]);
    expect(await plans.sharesOf(planId, nodes[0]!.beneficiary)).to.deep.equal({ shares: 0n, claimed: false });
  });

  it("submits each provider's best receipt (across chain refreshes); the chain records the shares", async () => {
    // 20 shares span two hash chains of 16 words: the best submission is on the second receipt
    const s1 = await serve(0, 20);
    expect([s1.baseShares, s1.depth]).to.deep.equal([16n, 4n]);
    const r1 = await api(nodes[0]!.api, "POST", `/plans/${planId}/receipts`, wire(s1));
    expect(r1.status, JSON.stringify(r1.body)).to.equal(201);
    expect(await events(r1.body.transactionHash, "SharesSubmitted")).to.deep.equal([
      { planId, provider: nodes[0]!.beneficiary, shares: 20n, increase: 20n, totalShares: 20n },
    ]);
    const r2 = await api(nodes[1]!.api, "POST", `/plans/${planId}/receipts`, wire(await serve(1, 30)));
    expect(r2.status, JSON.stringify(r2.body)).to.equal(201);
    expect(await events(r2.body.transactionHash, "SharesSubmitted")).to.deep.equal([
      { planId, provider: nodes[1]!.beneficiary, shares: 30n, increase: 30n, totalShares: 50n },
    ]);
    // more traffic later: the newer submission raises node 0's shares by the difference only
    const r3 = await api(nodes[0]!.api, "POST", `/plans/${planId}/receipts`, wire(await serve(0, 5)));
    expect(r3.status, JSON.stringify(r3.body)).to.equal(201);
    expect(await events(r3.body.transactionHash, "SharesSubmitted")).to.deep.equal([
      { planId, provider: nodes[0]!.beneficiary, shares: 25n, increase: 5n, totalShares: 55n },
    ]);
    const view = (await api(nodes[0]!.api, "GET", `/plans/${planId}`)).body;
    expect([view.totalShares, view.ourShares, view.claimed]).to.deep.equal(["55", "25", false]);
    expect((await plans.getPlan(planId)).totalShares).to.equal(55n);
  });

  it("a receipt for another provider is refused on chain (409 InvalidReceiptSignatureError), nothing changes", async () => {
    // node 1 submits node 0's receipt (35 shares, more than node 1's 30) as its own: the signature names node 0
    const stolen = await serve(0, 10);
    expect(stolen.baseShares + stolen.depth).to.equal(35n);
    const r = await api(nodes[1]!.api, "POST", `/plans/${planId}/receipts`, wire(stolen));
    expect([r.status, r.body.code]).to.deep.equal([409, "InvalidReceiptSignatureError"]);
    expect((await plans.sharesOf(planId, nodes[1]!.beneficiary)).shares).to.equal(30n);
    expect((await plans.getPlan(planId)).totalShares).to.equal(55n);
  });

  it("at the submission deadline a claim is still refused and a receipt still counts", async () => {
    await provider.send("evm_setNextBlockTimestamp", [Number(submitDeadline)]);
    const c = await api(nodes[1]!.api, "POST", `/plans/${planId}/claim`);
    expect([c.status, c.body.code]).to.deep.equal([409, "ClaimNotOpenError"]);
    const r = await api(nodes[1]!.api, "POST", `/plans/${planId}/receipts`, wire(await serve(1, 2)));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect((await provider.getBlock(r.body.blockNumber))!.timestamp).to.equal(Number(submitDeadline));
    expect((await plans.sharesOf(planId, nodes[1]!.beneficiary)).shares).to.equal(32n);
  });

  it("after the deadline: submitting is refused (SubmissionClosedError), claims pay budget × shares / cap", async () => {
    await timeTravelTo(submitDeadline + 1n);
    const late = await api(nodes[0]!.api, "POST", `/plans/${planId}/receipts`, wire(await serve(0, 3)));
    expect([late.status, late.body.code]).to.deep.equal([409, "SubmissionClosedError"]);
    expect((await plans.sharesOf(planId, nodes[0]!.beneficiary)).shares).to.equal(25n);

    // 57 shares of a cap of 100: each provider gets budget × its shares / 100
    const expected = [(BUDGET * 25n) / SHARE_CAP, (BUDGET * 32n) / SHARE_CAP];
    for (const [i, n] of nodes.entries()) {
      const view = (await api(n.api, "GET", `/plans/${planId}`)).body;
      expect(view.claimable).to.equal(expected[i]!.toString());
      const before = await chain.token.balanceOf(n.beneficiary);
      const r = await api(n.api, "POST", `/plans/${planId}/claim`);
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      expect(r.body.amount).to.equal(expected[i]!.toString());
      expect(await events(r.body.transactionHash, "Claimed")).to.deep.equal([
        { planId, provider: n.beneficiary, amount: expected[i]! },
      ]);
      expect(await chain.token.balanceOf(n.beneficiary)).to.equal(before + expected[i]!);
      const after = (await api(n.api, "GET", `/plans/${planId}`)).body;
      expect([after.claimed, after.claimable]).to.deep.equal([true, "0"]);
    }
    expect((await plans.getPlan(planId)).paidOut).to.equal(expected[0]! + expected[1]!);
  });

  it("a second claim is refused (409 AlreadyClaimedError) and pays nothing", async () => {
    const n = nodes[0]!;
    const before = await chain.token.balanceOf(n.beneficiary);
    const r = await api(n.api, "POST", `/plans/${planId}/claim`);
    expect([r.status, r.body.code]).to.deep.equal([409, "AlreadyClaimedError"]);
    expect(await chain.token.balanceOf(n.beneficiary)).to.equal(before);
  });

  it("both daemons ran throughout and logged no secret", () => {
    for (const [i, p] of procs.entries()) {
      expect(p.child.exitCode).to.equal(null);
      expect(p.logs.some((l) => l.msg === "swap-node started")).to.equal(true);
      expect(JSON.stringify(p.logs) + p.stderr.join("")).to.not.include(nodes[i]!.key.slice(2));
    }
  });
});
