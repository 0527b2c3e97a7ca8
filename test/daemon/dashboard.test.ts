import { expect } from "chai";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchChromium } from "../../test-support/chromium.js";
import { call, startMock, until } from "./helpers.js";
import type { Daemon } from "../../src/daemon/daemon.js";

const OUT = join(process.cwd(), "test-output");

describe("daemon: dashboard in headless Chromium", function () {
  this.timeout(90_000);
  let a: Daemon;
  let b: Daemon;
  let browser: Browser;

  before(async () => {
    a = await startMock({
      thresholds: { payment: "100" },
      api: { port: 0, debug: true, token: "dashboard-token-0123" },
    });
    b = await startMock({ p2p: { bootstrap: [a.host.addresses()[0]], redialMs: 200 } });
    await until(
      "session",
      () => b.node.sessions.get(a.host.peerId)?.remote && a.node.sessions.get(b.host.peerId)?.remote,
    );
    expect(
      (await call(b, `/debug/requests/${a.host.peerId}`, { method: "POST", json: { protocol: "store", count: 13 } }))
        .body.paid,
    ).to.equal(13);
    await until("cheque", () => a.node.store.listReceived().length);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await b?.stop();
    await a?.stop();
  });

  it("shows the API's numbers, refreshes itself and plots the balances", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${a.apiUrl}/dashboard#token=dashboard-token-0123`);
    await page.waitForFunction("Number(document.body.dataset.refreshed ?? 0) >= 1");
    const auth = { headers: { authorization: "Bearer dashboard-token-0123" } };
    const peers = (await call(a, "/peers", auth)).body.peers;
    const settlements = (await call(a, "/settlements", auth)).body;
    const cheques = (await call(a, "/chequebook/cheque", auth)).body.lastcheques;
    const row = page.locator(`tr[data-peer="${b.host.peerId}"]`);
    expect(await row.locator('[data-k="balance"]').textContent()).to.equal(peers[0].balance);
    expect(peers[0].balance).to.equal("30");
    expect(await row.locator('[data-k="class"]').textContent()).to.equal(peers[0].serviceClass);
    expect(await row.locator('[data-k="received"]').textContent()).to.equal(cheques[0].lastreceived.payout);
    expect(await page.locator('[data-k="total-received"]').textContent()).to.equal(settlements.totalReceived);
    expect(await page.locator('[data-k="total-sent"]').textContent()).to.equal("0");
    expect(await page.locator('[data-k="chequebook-address"]').textContent()).to.equal("none"); // mock mode: no chain
    expect(await page.locator("#peer-id").textContent()).to.equal(a.host.peerId);

    // more traffic: the page follows without a reload, and the chart has a line for the peer
    expect(
      (await call(b, `/debug/requests/${a.host.peerId}`, { method: "POST", json: { protocol: "store", count: 2 } }))
        .body.paid,
    ).to.equal(2);
    await page.waitForFunction(
      `document.querySelector('tr[data-peer="${b.host.peerId}"] [data-k="balance"]')?.textContent === "50"`,
      undefined,
      { timeout: 10_000 },
    );
    await page.waitForFunction(
      `(document.querySelector("#chart polyline")?.getAttribute("points") ?? "").split(" ").length >= 2`,
      undefined,
      { timeout: 10_000 },
    );
    expect(await page.locator(`#chart polyline[data-peer="${b.host.peerId}"]`).count()).to.equal(1);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, "dashboard.png"), fullPage: true });
    expect(errors).to.deep.equal([]);
  });

  it("says so when the token is missing instead of showing stale numbers", async () => {
    const page = await browser.newPage();
    await page.goto(`${a.apiUrl}/dashboard`);
    await page.waitForFunction(`document.getElementById("status")?.classList.contains("err")`);
    expect(await page.locator("#status").textContent()).to.equal("API unreachable: Unauthorized");
  });
});
