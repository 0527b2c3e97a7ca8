import { expect } from "chai";
import { call, startMock, until, mockConfig, quietLog } from "./helpers.js";
import { OpenApiChecker } from "./openapi.js";
import { routeList } from "../../src/daemon/api.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { ConfigError } from "../../src/daemon/errors.js";
import { expectError } from "../../test-support/helpers.js";

describe("daemon: HTTP API", function () {
  this.timeout(60_000);
  let a: Daemon;
  let b: Daemon;
  let oa: OpenApiChecker;
  /** Call the API and validate the response against the OpenAPI document. */
  const api = async (d: Daemon, path: string, init: Parameters<typeof call>[2] = {}) => {
    const r = await call(d, path, init);
    const ct = r.headers.get("content-type") ?? "";
    oa.check(init.method ?? "GET", path, r.status, ct.includes("json") ? r.body : String(r.body));
    return r;
  };

  before(async () => {
    a = await startMock({ thresholds: { payment: "100" } });
    b = await startMock({ p2p: { bootstrap: [a.host.addresses()[0]], redialMs: 200 } });
    await until(
      "session",
      () => b.node.sessions.get(a.host.peerId)?.remote && a.node.sessions.get(b.host.peerId)?.remote,
    );
    const r = await call(b, `/debug/requests/${a.host.peerId}`, {
      method: "POST",
      json: { protocol: "store", count: 12 },
    });
    expect(r.body.paid).to.equal(12);
    await until("cheque received", () => a.node.store.listReceived().length);
    oa = new OpenApiChecker((await call(a, "/openapi.json")).body);
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  it("documents every route it serves in /openapi.json", () => {
    const routes = routeList(a.api).map((r) => `${r.method} ${r.url.replace(/:([a-zA-Z]+)/g, "{$1}")}`);
    const documented = Object.entries(oa.doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(routes.length).to.be.greaterThan(25);
    expect(routes.filter((r) => !documented.includes(r))).to.deep.equal([]);
  });

  it("answers the Bee-shaped settlement routes with amounts as decimal strings", async () => {
    const peer = b.host.peerId;
    expect((await api(a, "/health")).body).to.deep.equal({ status: "ok", version: "0.1.0" });
    expect((await api(a, "/readiness")).body).to.deep.equal({ status: "ready" });
    expect((await api(a, "/node")).body).to.include({
      peerId: a.host.peerId,
      mode: "mock",
      chainId: "31337",
      paymentThreshold: "100",
      disconnectThreshold: "150",
    });
    // b consumed 12 × 10 = 120 and paid 100 at a's threshold
    expect((await api(a, "/balances")).body).to.deep.equal({ balances: [{ peer, balance: "20" }] });
    expect((await api(a, `/balances/${peer}`)).body).to.deep.equal({ peer, balance: "20" });
    expect((await api(b, `/balances/${a.host.peerId}`)).body).to.deep.equal({ peer: a.host.peerId, balance: "-20" });
    expect((await api(a, "/consumed")).body.balances[0]).to.deep.include({ peer, balance: "20" });
    expect((await api(a, `/consumed/${peer}`)).body.protocols).to.deep.equal({ store: "120" });
    expect((await api(a, "/settlements")).body).to.deep.equal({
      totalSent: "0",
      totalReceived: "100",
      settlements: [{ peer, sent: "0", received: "100" }],
    });
    expect((await api(b, `/settlements/${a.host.peerId}`)).body).to.deep.equal({
      peer: a.host.peerId,
      sent: "100",
      received: "0",
    });
    const cheques = (await api(a, "/chequebook/cheque")).body.lastcheques;
    expect(cheques).to.deep.equal([
      {
        peer,
        lastsent: null,
        lastreceived: { beneficiary: a.node.beneficiary, chequebook: b.node.chequebook, payout: "100" },
      },
    ]);
    expect((await api(a, `/chequebook/cheque/${peer}`)).body).to.deep.equal(cheques[0]);
    expect((await api(a, `/chequebook/cashout/${peer}`)).body).to.deep.equal({
      peer,
      lastCashedCheque: null,
      uncashedAmount: "100",
      last: null,
    });
    expect((await api(a, "/cashouts")).body).to.deep.equal({ cashouts: [], lastRun: null });
    const peers = (await api(a, "/peers")).body.peers;
    expect(peers).to.deep.equal([
      {
        peer,
        connected: true,
        serviceClass: "paid",
        balance: "20",
        surplus: "0",
        chequebook: b.node.chequebook,
        defaulting: false,
        embargoUntil: 0,
      },
    ]);
    const metrics = await api(a, "/metrics");
    expect(metrics.body).to.match(/swap_cheques_received_total 1/);
    expect((await api(a, "/dashboard")).body).to.match(/<title>swap-node<\/title>/);
    expect((await api(a, "/dashboard/app.js")).body).to.match(/REFRESH_MS/);
  });

  it("answers bad input with a typed 4xx { code, message } and changes nothing", async () => {
    const before = (await call(a, "/balances")).body;
    const cases: [string, string, number, string][] = [
      ["GET", "/balances/not-a-peer", 400, "InvalidPeer"],
      ["GET", `/balances/${a.host.peerId}`, 404, "UnknownPeer"], // ourselves: no accounting
      ["GET", "/settlements/12D3KooWD2tiK7UZQwZLKAVHM7rneP1dM2udR6m2oc9t7ZNf6uoE", 404, "UnknownPeer"],
      ["GET", "/chequebook/cheque/%20", 400, "InvalidPeer"],
      ["POST", "/chequebook/deposit?amount=-5", 400, "InvalidAmount"],
      ["POST", "/chequebook/deposit?amount=abc", 400, "InvalidAmount"],
      ["POST", "/chequebook/withdraw?amount=0", 400, "InvalidAmount"],
      ["POST", `/chequebook/withdraw?amount=${1n << 256n}`, 400, "InvalidAmount"],
      ["POST", "/chequebook/deposit", 400, "BadRequest"],
      ["POST", "/chequebook/deposit?amount=5", 404, "NoChequebook"], // mock mode: no chain
      ["GET", "/chequebook/balance", 404, "NoChequebook"],
      ["GET", "/plans/x1", 400, "InvalidPlanId"],
      ["GET", "/plans/1", 404, "NoPlans"],
      ["POST", `/chequebook/cashout/${b.host.peerId}`, 409, "NoChain"],
      ["GET", `/chequebook/cashout/${a.host.peerId}`, 404, "UnknownPeer"],
    ];
    for (const [method, path, status, code] of cases) {
      const r = await api(a, path, { method });
      expect([path, r.status, r.body.code]).to.deep.equal([path, status, code]);
      expect(r.body.message).to.be.a("string").and.not.equal("");
    }
    const bad = await api(b, `/debug/requests/${a.host.peerId}`, {
      method: "POST",
      json: { protocol: "store", count: 0 },
    });
    expect([bad.status, bad.body.code]).to.deep.equal([400, "BadRequest"]);
    const extra = await api(b, `/debug/requests/${a.host.peerId}`, {
      method: "POST",
      json: { protocol: "store", evil: 1 },
    });
    expect([extra.status, extra.body.code]).to.deep.equal([400, "BadRequest"]);
    const missing = await call(a, "/nope");
    expect([missing.status, missing.body.code]).to.deep.equal([404, "NotFound"]);
    expect((await call(a, "/balances")).body).to.deep.equal(before);
  });

  it("requires the bearer token when one is set, except for probes", async () => {
    const d = await Daemon.start(mockConfig({ api: { port: 0, token: "s3cret-token-of-16+" } }), {
      log: quietLog,
      env: {},
    });
    try {
      expect((await call(d, "/balances")).status).to.equal(401);
      expect(
        (await call(d, "/balances", { headers: { authorization: "Bearer wrong-token-of-16+!" } })).body.code,
      ).to.equal("Unauthorized");
      expect(
        (await call(d, "/balances", { headers: { authorization: "Bearer s3cret-token-of-16+" } })).status,
      ).to.equal(200);
      expect((await call(d, "/health")).status).to.equal(200);
    } finally {
      await d.stop();
    }
  });

  it("fails to start on a taken API port and releases what it opened (store, libp2p)", async () => {
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    const cfg = mockConfig({ api: { port } });
    try {
      const e = await expectError(Daemon.start(cfg, { log: quietLog, env: {} }), Error);
      expect((e as NodeJS.ErrnoException).code).to.equal("EADDRINUSE");
      // the database was closed: the same data dir starts cleanly on a free port
      const d = await Daemon.start({ ...cfg, api: { ...cfg.api, port: 0 } }, { log: quietLog, env: {} });
      await d.stop();
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it("refuses to bind off loopback without a token", async () => {
    const e = await expectError(
      Daemon.start(mockConfig({ api: { host: "0.0.0.0", port: 0 } }), { log: quietLog, env: {} }),
      ConfigError,
    );
    expect(e.key).to.equal("api.token");
  });
});
