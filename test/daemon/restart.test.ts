import { expect } from "chai";
import { Wallet } from "ethers";
import { call, tempDir, until } from "./helpers.js";
import { freePort, spawnDaemon, stopDaemon, writeConfig, type DaemonProcess } from "../../src/daemon/launcher.js";

/** Two daemons as separate processes; the server is restarted while the client drives traffic. */
describe("daemon: restart mid-traffic (separate processes)", function () {
  this.timeout(180_000);
  const procs: DaemonProcess[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) await stopDaemon(p, "SIGKILL");
  });

  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    it(`the client reconnects after a ${signal} of the server, and both sides agree on the cheques and balances`, async () => {
      const port = await freePort();
      const base = {
        mode: "mock",
        chain: { chainId: 31337 },
        thresholds: { payment: "100" },
        prices: { store: "10" },
        api: { port: 0, debug: true },
        log: { level: "info" },
      };
      const serverDir = tempDir();
      const serverCfg = writeConfig(
        {
          ...base,
          dataDir: serverDir,
          chequebook: Wallet.createRandom().address,
          p2p: { listen: [`/ip4/127.0.0.1/tcp/${port}`] },
        },
        serverDir,
      );
      const serverEnv = { SWAP_NODE_PRIVATE_KEY: Wallet.createRandom().privateKey };
      let server = spawnDaemon(serverCfg, serverEnv);
      procs.push(server);
      const s1 = await server.started;
      const clientDir = tempDir();
      const clientCfg = writeConfig(
        {
          ...base,
          dataDir: clientDir,
          chequebook: Wallet.createRandom().address,
          p2p: { bootstrap: [s1.addresses[0]], redialMs: 200 },
        },
        clientDir,
      );
      const client = spawnDaemon(clientCfg, { SWAP_NODE_PRIVATE_KEY: Wallet.createRandom().privateKey });
      procs.push(client);
      const c = await client.started;
      const drive = (count: number) =>
        call(c.api, `/debug/requests/${s1.peerId}`, {
          method: "POST",
          json: { protocol: "store", count, concurrency: 4 },
        });
      await until("session", async () => (await drive(1)).body.paid === 1);

      // traffic in flight while the server goes down
      const during = drive(400);
      await until(
        "traffic flowing",
        async () => BigInt((await call(c.api, `/settlements/${s1.peerId}`)).body.sent ?? 0) >= 200n,
      );
      const exit = await stopDaemon(server, signal);
      expect(signal === "SIGTERM" ? exit.code : exit.signal).to.equal(signal === "SIGTERM" ? 0 : "SIGKILL");
      const interrupted = (await during).body;
      expect(interrupted.paid).to.be.within(20, 399); // cut short by the restart

      server = spawnDaemon(serverCfg, serverEnv);
      procs.push(server);
      const s2 = await server.started;
      expect(s2.peerId).to.equal(s1.peerId); // the identity key persisted in the data dir
      await until("reconnected", async () => (await drive(1)).body.paid === 1, 30_000);
      const after = (await drive(50)).body;
      expect(after).to.include({ paid: 50, refused: 0, failed: 0 });

      // cheques converge: the client re-sends its last cheque on reconnect
      const client2server = async () => (await call(c.api, `/settlements/${s1.peerId}`)).body.sent as string;
      await until(
        "cheques agree",
        async () => (await call(s2.api, `/settlements/${c.peerId}`)).body.received === (await client2server()),
      );
      const cb = BigInt((await call(c.api, `/balances/${s1.peerId}`)).body.balance);
      const sb = BigInt((await call(s2.api, `/balances/${c.peerId}`)).body.balance);
      if (signal === "SIGTERM")
        expect(sb).to.equal(-cb); // graceful: the ledger was flushed
      else {
        // SIGKILL: service balances are written behind (≤ 1 s); the server may have lost some of
        // what it served, never credited more than the client counts, and no cheque was lost
        expect(sb <= -cb).to.equal(true);
        expect(-cb - sb <= 400n * 10n).to.equal(true);
      }
      // no secret in the logs
      for (const p of [server, client])
        expect(JSON.stringify(p.logs) + p.stderr.join("")).to.not.include(serverEnv.SWAP_NODE_PRIVATE_KEY.slice(2));
      expect(server.logs.some((l) => l.msg === "SWAP session started")).to.equal(true);
    });
  }
});
