import { expect } from "chai";
import { Wallet } from "ethers";
import { ChequebookClient } from "../../src/chain/chequebook.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { parseConfig } from "../../src/daemon/config.js";
import { startLocalChain, type LocalChain } from "../../src/daemon/local-chain.js";
import { call, quietLog, tempDir, until } from "./helpers.js";
import { OpenApiChecker } from "./openapi.js";
import { launchChromium } from "../../test-support/chromium.js";

const UNIT = 10n ** 15n;

/** Two hard-mode daemons against `hardhat node`: chequebook routes, cash-out by hand and on schedule. */
describe("daemon: hard mode against hardhat node", function () {
  this.timeout(180_000);
  let chain: LocalChain;
  let a: Daemon;
  let b: Daemon;
  let oa: OpenApiChecker;
  const api = async (d: Daemon, path: string, init: Parameters<typeof call>[2] = {}) => {
    const r = await call(d, path, init);
    oa.check(init.method ?? "GET", path, r.status, r.body);
    return r;
  };
  const start = async (op: { wallet: Wallet; chequebook: string }, bootstrap: string[] = []) =>
    Daemon.start(
      parseConfig({
        dataDir: tempDir(),
        mode: "hard",
        chain: { rpcUrl: chain.rpcUrl, deploymentsDir: chain.deploymentsDir },
        chequebook: op.chequebook,
        thresholds: { payment: (10n * UNIT).toString(), minChequeValue: UNIT.toString() },
        prices: { store: UNIT.toString() },
        p2p: { bootstrap, redialMs: 200 },
        api: { port: 0, debug: true },
        cashout: { intervalMs: 3_600_000, maxFeePercent: 100 },
      }),
      { log: quietLog, env: { SWAP_NODE_PRIVATE_KEY: op.wallet.privateKey } },
    );

  before(async () => {
    chain = await startLocalChain(tempDir());
    const opA = await chain.operator(1_000n * UNIT, "a");
    const opB = await chain.operator(1_000n * UNIT, "b");
    await (await chain.token.mint(opA.wallet.address, 50n * UNIT)).wait(); // for the deposit
    a = await start(opA);
    b = await start(opB, [a.host.addresses()[0]!]);
    oa = new OpenApiChecker((await call(a, "/openapi.json")).body);
    await until(
      "session",
      () => b.node.sessions.get(a.host.peerId)?.remote && a.node.sessions.get(b.host.peerId)?.remote,
    );
    const r = await call(b, `/debug/requests/${a.host.peerId}`, {
      method: "POST",
      json: { protocol: "store", count: 25 },
    });
    expect(r.body.paid).to.equal(25);
    await until(
      "cheques received",
      () => a.node.store.lastReceived(b.node.chequebook!)?.cumulativePayout === 20n * UNIT,
    );
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    await chain?.stop();
  });

  it("reports the chequebook: address, total / available / uncommitted balance", async () => {
    expect((await api(b, "/chequebook/address")).body).to.deep.equal({ chequebookAddress: b.node.chequebook });
    const bal = (await api(b, "/chequebook/balance")).body;
    expect(bal).to.deep.equal({
      totalBalance: (1_000n * UNIT).toString(),
      availableBalance: (1_000n * UNIT).toString(),
      uncommittedBalance: (980n * UNIT).toString(),
    });
  });

  it("cashes a peer's cheque on request, then shows it cashed", async () => {
    const peer = b.host.peerId;
    expect((await api(a, `/chequebook/cashout/${peer}`)).body).to.deep.include({
      uncashedAmount: (20n * UNIT).toString(),
      last: null,
    });
    const r = await api(a, `/chequebook/cashout/${peer}`, { method: "POST" });
    expect(r.status).to.equal(201);
    expect(r.body.record).to.deep.include({
      status: "mined",
      totalPayout: (20n * UNIT).toString(),
      peer,
      chequebook: b.node.chequebook,
    });
    const status = (await api(a, `/chequebook/cashout/${peer}`)).body;
    expect(status.uncashedAmount).to.equal("0");
    expect(status.lastCashedCheque).to.deep.equal({
      beneficiary: a.node.beneficiary,
      chequebook: b.node.chequebook,
      payout: (20n * UNIT).toString(),
    });
    expect(await new ChequebookClient(b.node.chequebook!, chain.provider).paidOut(a.node.beneficiary)).to.equal(
      20n * UNIT,
    );
    // nothing left to cash: no transaction, a reason
    const again = await api(a, `/chequebook/cashout/${peer}`, { method: "POST" });
    expect(again.body).to.deep.equal({ record: null, reason: "already cashed" });
  });

  it("auto cash-out: a scheduled run cashes the new cheque; history and metrics show it", async () => {
    expect(
      (await call(b, `/debug/requests/${a.host.peerId}`, { method: "POST", json: { protocol: "store", count: 10 } }))
        .body.paid,
    ).to.equal(10);
    await until("cheque 30", () => a.node.store.lastReceived(b.node.chequebook!)?.cumulativePayout === 30n * UNIT);
    const run = await a.scheduler!.runOnce();
    expect(run.records.map((r) => r.status)).to.deep.equal(["mined"]);
    const history = (await api(a, "/cashouts")).body;
    expect(
      history.cashouts.map((r: { status: string; totalPayout: string }) => [r.status, r.totalPayout]),
    ).to.deep.equal([
      ["mined", (20n * UNIT).toString()],
      ["mined", (10n * UNIT).toString()],
    ]);
    expect(history.lastRun.error).to.equal(null);
    expect((await call(a, "/metrics")).body).to.match(/swap_cashouts_total\{outcome="mined"\} 2/);
  });

  it("deposits and withdraws; an over-withdrawal is a typed error and changes nothing", async () => {
    const before = BigInt((await api(a, "/chequebook/balance")).body.totalBalance);
    const dep = await api(a, `/chequebook/deposit?amount=${5n * UNIT}`, { method: "POST" });
    expect(dep.status, JSON.stringify(dep.body)).to.equal(201);
    expect(BigInt((await api(a, "/chequebook/balance")).body.totalBalance)).to.equal(before + 5n * UNIT);
    const over = await api(a, `/chequebook/withdraw?amount=${10_000n * UNIT}`, { method: "POST" });
    expect(over.status).to.equal(409);
    expect(over.body.code).to.match(/Error$/);
    expect(BigInt((await api(a, "/chequebook/balance")).body.totalBalance)).to.equal(before + 5n * UNIT);
    const w = await api(a, `/chequebook/withdraw?amount=${2n * UNIT}`, { method: "POST" });
    expect(w.status, JSON.stringify(w.body)).to.equal(201);
    expect(BigInt((await api(a, "/chequebook/balance")).body.totalBalance)).to.equal(before + 3n * UNIT);
  });

  it("the dashboard shows the chequebook and the cash-outs as the API reports them (Chromium)", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${a.apiUrl}/dashboard`);
      await page.waitForFunction("Number(document.body.dataset.refreshed ?? 0) >= 1");
      const bal = (await call(a, "/chequebook/balance")).body;
      expect(await page.locator('[data-k="chequebook-address"]').textContent()).to.equal(a.node.chequebook);
      expect(await page.locator('[data-k="total-balance"]').textContent()).to.equal(bal.totalBalance);
      expect(await page.locator('[data-k="available-balance"]').textContent()).to.equal(bal.availableBalance);
      expect(await page.locator('[data-k="uncommitted-balance"]').textContent()).to.equal(bal.uncommittedBalance);
      const cashouts = (await call(a, "/cashouts")).body.cashouts as {
        id: string;
        status: string;
        totalPayout: string;
      }[];
      expect(cashouts.length).to.be.greaterThan(0);
      for (const c of cashouts) {
        const row = page.locator(`#cashouts tr[data-id="${c.id}"]`);
        expect(await row.locator('[data-k="status"]').textContent()).to.equal(c.status);
        expect(await row.locator('[data-k="payout"]').textContent()).to.equal(c.totalPayout);
      }
      const { mkdirSync } = await import("node:fs");
      mkdirSync("test-output", { recursive: true });
      await page.screenshot({ path: "test-output/dashboard-hard.png", fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it("answers an unknown plan with 404 UnknownPlan on every plan route, bad receipts with 400", async () => {
    const r = await api(a, "/plans/424242");
    expect([r.status, r.body.code]).to.deep.equal([404, "UnknownPlan"]);
    const claim = await api(a, "/plans/424242/claim", { method: "POST" });
    expect([claim.status, claim.body.code]).to.deep.equal([404, "UnknownPlan"]);
    const receipt = {
      baseShares: "1",
      anchor: `0x${"11".repeat(32)}`,
      length: "1",
      depth: "1",
      word: `0x${"22".repeat(32)}`,
      signature: `0x${"33".repeat(65)}`,
    };
    const submit = await api(a, "/plans/424242/receipts", { method: "POST", json: receipt });
    expect([submit.status, submit.body.code]).to.deep.equal([404, "UnknownPlan"]);
    const bad = await api(a, "/plans/1/receipts", { method: "POST", json: { ...receipt, signature: "0x12" } });
    expect([bad.status, bad.body.code]).to.deep.equal([400, "BadRequest"]);
  });
});
