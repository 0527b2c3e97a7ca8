import { expect } from "chai";
import { Wallet } from "ethers";
import { ConfigError } from "../../src/daemon/errors.js";
import { freePort, spawnDaemon, stopDaemon, writeConfig, type DaemonProcess } from "../../src/daemon/launcher.js";
import { checkListenAddress } from "../../src/daemon/p2p.js";
import { expectError } from "../../test-support/helpers.js";
import { call, startMock, tempDir, until } from "./helpers.js";

/** Two swap-node processes that can only reach each other over WebSockets (`/ws` listen addresses). */
describe("daemon: libp2p over WebSockets (separate processes)", function () {
  this.timeout(120_000);
  const procs: DaemonProcess[] = [];
  after(async () => {
    for (const p of procs.splice(0)) await stopDaemon(p);
  });

  const start = async (listen: string[], bootstrap: string[] = []) => {
    const dir = tempDir();
    const file = writeConfig(
      {
        dataDir: dir,
        mode: "mock",
        chain: { chainId: 31337 },
        chequebook: Wallet.createRandom().address,
        thresholds: { payment: "100" },
        prices: { store: "10" },
        p2p: { listen, bootstrap, redialMs: 200 },
        api: { port: 0, debug: true },
      },
      dir,
    );
    const p = spawnDaemon(file, { SWAP_NODE_PRIVATE_KEY: Wallet.createRandom().privateKey });
    procs.push(p);
    return p.started;
  };

  it("a client dials a /ws-only server, meters requests and pays with cheques; both sides agree", async () => {
    const server = await start([`/ip4/127.0.0.1/tcp/${await freePort()}/ws`]);
    // the server's only address is a WebSocket one: any connection to it is a WebSocket connection
    expect(server.addresses).to.have.length(1);
    expect(server.addresses[0]).to.match(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\/12D3Koo/);
    const client = await start([`/ip4/127.0.0.1/tcp/${await freePort()}/ws`], [server.addresses[0]!]);

    const drive = (count: number) =>
      call(client.api, `/debug/requests/${server.peerId}`, { method: "POST", json: { protocol: "store", count } });
    await until("session over WebSockets", async () => (await drive(1)).body.paid === 1);
    const r = await drive(49);
    expect(r.body).to.deep.include({ paid: 49, refused: 0, failed: 0 });
    // 50 × 10 consumed; the client pays with cheques as its debt crosses the server's threshold of 100
    await until(
      "cheques agree",
      async () =>
        (await call(server.api, `/settlements/${client.peerId}`)).body.received ===
        (await call(client.api, `/settlements/${server.peerId}`)).body.sent,
    );
    const received = BigInt((await call(server.api, `/settlements/${client.peerId}`)).body.received);
    expect(received >= 400n && received <= 500n, String(received)).to.equal(true);
    const sb = BigInt((await call(server.api, `/balances/${client.peerId}`)).body.balance);
    const cb = BigInt((await call(client.api, `/balances/${server.peerId}`)).body.balance);
    expect(sb).to.equal(-cb);
    expect(received + sb).to.equal(500n); // paid + still owed = everything served
    const peers = (await call(server.api, "/peers")).body.peers as { peer: string; connected: boolean }[];
    expect(peers.find((p) => p.peer === client.peerId)?.connected).to.equal(true);
  });

  it("listen addresses: TCP and TCP+WebSockets pass; anything else is a ConfigError naming the entry", async () => {
    for (const ok of ["/ip4/127.0.0.1/tcp/0", "/ip4/0.0.0.0/tcp/4001/ws", "/ip6/::1/tcp/0/ws"])
      checkListenAddress(ok, "p2p.listen[0]");
    for (const bad of ["/ip4/127.0.0.1/udp/0/quic-v1", "/ip4/127.0.0.1/tcp/0/wss", "/dns4/example.com/tcp/1", "nope"])
      expect(() => checkListenAddress(bad, "p2p.listen[1]"))
        .to.throw(ConfigError)
        .with.property("key", "p2p.listen[1]");
    const e = await expectError(
      startMock({ p2p: { listen: ["/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/tcp/0/tls/ws"] } }),
      ConfigError,
    );
    expect(e.key).to.equal("p2p.listen[1]");
  });
});
