// Hostile-peer suite: a SWAP node in its own process on a loopback TCP port, attacked from raw
// sockets while an honest peer (a real SwapNode over TCP) keeps being served. Each case asserts the
// node stays up, serves the honest peer, and (at the end) that its ledger and store agree.
// Run alone with `npm run test:hostile`; part of `npm test`.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { SwapNode } from "../../src/swap/node.js";
import { socketDuplex } from "../../src/swap/transport.js";
import { MemoryStore } from "../../src/store/memory.js";
import { fromBytesBE, fromInt256BE, toBytes32BE } from "../../src/swap/codec.js";
import type { PeerSession } from "../../src/swap/session.js";
import { ConnectionClosedError } from "../../src/swap/errors.js";
import { NodeChild, RawPeer } from "../../test-support/raw-peer.js";

interface Row {
  name: string;
  outcome: string;
  alive: boolean;
  served: boolean;
}

describe("hostile peers against a node in its own process (TCP loopback)", function () {
  this.timeout(180_000);
  let dir: string;
  let child: NodeChild;
  let honest: SwapNode;
  let session: PeerSession | undefined;
  const rows: Row[] = [];
  const raws: RawPeer[] = [];
  const key = Wallet.createRandom();

  const open = async (id: string | undefined) => {
    const p = await RawPeer.open(child.port, id);
    raws.push(p);
    return p;
  };

  /** The honest peer's request is served (reconnecting, as a client does, if the node's idle
   * timeout closed its connection — also when that happens while the request is under way). */
  async function served(retry = true): Promise<boolean> {
    if (!session || session.closed) {
      const sock = connect(child.port, "127.0.0.1");
      await once(sock, "connect");
      sock.write("ID honest\n");
      session = await honest.connect(socketDuplex(sock), "node");
    }
    try {
      const r = await session.request("store", Uint8Array.from([1, 2, 3]));
      return r.serviceClass === "paid" && r.payload.length === 3;
    } catch (e) {
      if (retry && e instanceof ConnectionClosedError) return served(false);
      throw e;
    }
  }

  async function row(name: string, attack: () => Promise<string>): Promise<void> {
    const outcome = await attack();
    const ok = await served();
    rows.push({ name, outcome, alive: child.alive, served: ok });
    expect(child.alive, `${name}: node died\n${child.stderr}`).to.equal(true);
    expect(ok, `${name}: honest peer not served`).to.equal(true);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "swap-hostile-"));
    child = await NodeChild.start(dir);
    honest = new SwapNode({
      store: new MemoryStore(),
      policy: { mode: "mock", paymentThreshold: 100n },
      chainId: 31337n,
      beneficiary: key.address,
      chequebook: Wallet.createRandom().address,
      signer: key.privateKey as `0x${string}`,
      issuer: key.address,
      mockFunds: () => ({ balance: 10n ** 20n, totalPaidOut: 0n }),
      flushIntervalMs: 0,
    });
  });

  after(async () => {
    for (const r of raws) r.destroy();
    honest?.close();
    const check = child?.alive ? await child.ask<{ ok: boolean; problems: string[] }>("check") : undefined;
    await child?.stop();
    child?.kill();
    rmSync(dir, { recursive: true, force: true });
    const w = [34, 58, 10, 19];
    const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i])).join(" | ");
    console.log("\n" + line(["case", "outcome", "node alive", "honest peer served"]));
    console.log(w.map((n) => "-".repeat(n)).join("-|-"));
    for (const r of rows) console.log(line([r.name, r.outcome, r.alive ? "yes" : "NO", r.served ? "yes" : "NO"]));
    console.log(`ledger and store consistent: ${check?.ok ? "yes" : `NO ${JSON.stringify(check)}`}\n`);
    expect(check?.ok, JSON.stringify(check)).to.equal(true);
  });

  it("the honest peer is served before any attack", async () => {
    expect(await served()).to.equal(true);
  });

  it("peer resets the connection with requests in flight", async () => {
    await row("reset with requests in flight", async () => {
      const p = await open("reset");
      p.handshake();
      for (let i = 1; i <= 50; i++) p.request(BigInt(i), "slow");
      await p.until(() => p.frames.some((f) => f.handshake), 5_000, "handshake");
      p.sock.resetAndDestroy();
      await p.until(() => p.closed);
      return "reset; node keeps running";
    });
  });

  it("garbage frames: disconnected and embargoed after the bad-frame limit", async () => {
    await row("10,000 garbage frames", async () => {
      const p = await open("garbage");
      p.handshake();
      const junk = new Uint8Array(4 * 10_000);
      for (let i = 0; i < junk.length; i += 4) junk.set([3, 0xff, 0xff, 0xff], i);
      p.write(junk);
      await p.until(() => p.closed, 5_000, "disconnect");
      const d = p.frames.find((f) => f.disconnect)?.disconnect;
      expect(d?.reason).to.match(/malformed frames/);
      expect(d?.embargoMs).to.equal(60_000n);
      const again = await open("garbage");
      await again.until(() => again.closed, 5_000, "embargoed reconnect closed");
      expect(again.frames.length).to.equal(0);
      return `disconnected, embargo ${d?.embargoMs} ms, reconnect refused`;
    });
  });

  it("an announced 2 GiB frame is skipped without buffering", async () => {
    await row("oversized frame (2^31 bytes)", async () => {
      const p = await open("oversized");
      p.handshake();
      await p.until(() => p.frames.some((f) => f.handshake));
      const before = (await child.ask<{ counters: Record<string, number> }>("stats")).counters["frame-error"] ?? 0;
      p.write(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x08])); // varint 2^31
      p.write(new Uint8Array(256 * 1024)); // part of the "body": discarded as it streams
      let after = before;
      for (let i = 0; i < 50 && after === before; i++)
        after = (await child.ask<{ counters: Record<string, number> }>("stats")).counters["frame-error"] ?? 0;
      expect(after).to.equal(before + 1);
      p.destroy();
      return "FrameTooLargeError, bytes discarded as they stream";
    });
  });

  it("a 60 KB frame in 1-byte pieces decodes once", async () => {
    await row("slowloris 60 KB frame, 1 B pieces", async () => {
      const p = await open("slowloris");
      p.handshake();
      await p.until(() => p.frames.some((f) => f.handshake));
      const { encodeMessage } = await import("../../src/swap/codec.js");
      const frame = encodeMessage({
        request: { id: 1n, protocol: "store", units: 1, payload: new Uint8Array(60_000).fill(7) },
      });
      for (let i = 0; i < frame.length; i += 1) p.write(frame.subarray(i, i + 1));
      await p.until(() => p.responses().length === 1, 30_000, "response");
      expect(p.responses()[0].payload.length).to.equal(60_000);
      p.destroy();
      return "served once complete";
    });
  });

  it("hundreds of connections that never speak: capped, then timed out", async () => {
    await row("300 silent connections", async () => {
      const silent = await Promise.all(Array.from({ length: 300 }, (_, i) => open(`silent-${i}`)));
      // the node holds at most 64 handshakes; the rest are closed at once, all by the handshake timeout
      await Promise.all(silent.map((p) => p.until(() => p.closed, 10_000, "closed")));
      const stats = await child.ask<{ counters: Record<string, number> }>("stats");
      expect(stats.counters["connection-refused"] ?? 0).to.be.greaterThanOrEqual(300 - 64);
      return `${stats.counters["connection-refused"]} refused over the cap, rest timed out`;
    });
  });

  it("a handshaken connection that goes silent is closed by the idle timeout", async () => {
    await row("handshake, then silence", async () => {
      const p = await open("idle");
      p.handshake();
      await p.until(() => p.closed, 10_000, "idle close");
      return "closed after the idle timeout";
    });
  });

  it("absurd handshakes are refused", async () => {
    await row('mode "evil", threshold 2^64-1', async () => {
      const a = await open("evil-mode");
      a.handshake({ mode: "evil" });
      const b = await open("huge-threshold");
      b.handshake({ paymentThreshold: (1n << 64n) - 1n, paymentThresholdBe: toBytes32BE((1n << 64n) - 1n) });
      const c = await open("bad-address");
      c.handshake({ beneficiary: new Uint8Array(33) });
      await Promise.all([a, b, c].map((p) => p.until(() => p.closed, 5_000, "refused")));
      return "all three closed at handshake";
    });
  });

  it("a peer-sent embargo of 2^64-1 ms is clamped", async () => {
    await row("Disconnect embargo 2^64-1 ms", async () => {
      const p = await open("embargo-max");
      p.handshake();
      await p.until(() => p.frames.some((f) => f.handshake));
      p.send({
        disconnect: {
          reason: "bye",
          embargoMs: (1n << 64n) - 1n,
          balance: new Uint8Array(0),
          receivedCumulative: new Uint8Array(0),
          sentCumulative: new Uint8Array(0),
        },
      });
      await p.until(() => p.closed);
      const rec = await child.ask<{ embargoUntil: number; now: number }>("peer embargo-max");
      expect(rec.embargoUntil - rec.now).to.be.within(23 * 3_600_000, 24 * 3_600_000);
      return "recorded as 24 h (the maximum)";
    });
  });

  it("a cheque with a 33-byte amount is rejected", async () => {
    await row("cheque, 33-byte amount", async () => {
      const p = await open("fat-cheque");
      p.handshake();
      await p.until(() => p.frames.some((f) => f.handshake));
      p.send({
        cheque: {
          beneficiary: new Uint8Array(20),
          date: 0,
          amount: 0,
          chequebook: new Uint8Array(20).fill(0xcb),
          cumulativePayout: new Uint8Array(33).fill(1),
          signature: new Uint8Array(65),
          chainId: 31337n,
        },
      });
      await p.until(() => p.frames.some((f) => f.reject), 5_000, "reject");
      const code = p.frames.find((f) => f.reject)!.reject!.code;
      expect(code).to.equal("PeerValueOutOfRangeError");
      p.destroy();
      return `Reject ${code}`;
    });
  });

  it("out-of-order messages: request before handshake, second handshake", async () => {
    await row("out-of-order messages", async () => {
      const p = await open("order");
      p.request(1n);
      p.handshake();
      p.handshake();
      p.request(2n);
      await p.until(() => p.responses().length === 1, 5_000, "response to the in-order request");
      expect(p.responses()[0].id).to.equal(2n);
      p.destroy();
      return "early request dropped, 2nd handshake ignored";
    });
  });

  it("the server prices: units 0 is one unit, a handler reports the units served, unknown protocols refused", async () => {
    await row("units 0 / served units / unknown", async () => {
      const p = await open("pricing");
      p.handshake();
      p.request(1n, "store", 0);
      p.request(2n, "sized", 1, Uint8Array.from([5])); // hint 1 unit, served 5 at price 2
      p.request(3n, "nope");
      await p.until(() => p.responses().length === 3, 5_000, "responses");
      const [r1, r2, r3] = [1n, 2n, 3n].map((id) => p.responses().find((r) => r.id === id)!);
      expect(fromBytesBE(r1.charged)).to.equal(1n);
      expect(fromBytesBE(r2.charged)).to.equal(10n);
      expect(r2.units).to.equal(5);
      expect(fromInt256BE(r2.balance)).to.equal(11n);
      expect([r3.status, r3.code]).to.deep.equal(["refused", "UnknownProtocol"]);
      p.destroy();
      return "charged 1, charged 10 (5 units), refused UnknownProtocol";
    });
  });

  it("a free rider is refused past the disconnect threshold, with the server's balance", async () => {
    await row("free rider (never pays)", async () => {
      const p = await open("rider");
      p.handshake();
      for (let i = 1; i <= 160; i++) p.request(BigInt(i));
      await p.until(() => p.closed, 10_000, "disconnect");
      const refusal = p.responses().find((r) => r.status === "refused")!;
      const d = p.frames.find((f) => f.disconnect)!.disconnect!;
      expect(refusal.code).to.equal("PaymentRequired");
      expect(fromInt256BE(d.balance)).to.equal(150n);
      return `refused at 151, Disconnect says owes ${fromInt256BE(d.balance)}`;
    });
  });

  it("two connections with one peer id: the newer replaces the older", async () => {
    await row("two connections, one peer id", async () => {
      const a = await open("twin");
      a.handshake();
      await a.until(() => a.frames.some((f) => f.handshake));
      const b = await open("twin");
      b.handshake();
      await a.until(() => a.closed, 5_000, "older closed");
      b.request(1n);
      await b.until(() => b.responses().length === 1);
      b.destroy();
      return "older closed, newer served";
    });
  });

  it("a request flood (100,000 pipelined) from a peer that never reads is held by backpressure", async () => {
    await row("100,000 pipelined, never read", async () => {
      // the frames are built before the handshake: on a loaded machine building them can take longer
      // than the node's idle timeout (1.5 s), which would close the connection before the flood
      const { encodeMessage } = await import("../../src/swap/codec.js");
      const frames = [];
      for (let i = 1; i <= 100_000; i++)
        frames.push(
          encodeMessage({ request: { id: BigInt(i), protocol: "ping", units: 1, payload: new Uint8Array(256) } }),
        ); // "ping" costs 0
      const flood = Buffer.concat(frames);
      const p = await open("flood");
      p.sock.pause(); // never read the responses
      p.handshake();
      p.write(flood);
      // the node answers until the responses it cannot hand over fill the socket, then stops
      // reading; its inbox high-water mark shows where (sampled by the node itself)
      let max = (await child.ask<{ peakFrames: number }>("peak flood")).peakFrames;
      const deadline = Date.now() + 30_000;
      while (max < 32 && Date.now() < deadline)
        max = (await child.ask<{ peakFrames: number }>("peak flood")).peakFrames;
      const stats = await child.ask("stats");
      // at most a full inbox plus the frames of one 64 KiB read
      const cap = 64 + Math.ceil(65_536 / frames[0].length);
      expect(max, JSON.stringify(stats)).to.be.within(32, cap);
      p.destroy();
      return `reading paused at a backlog of ${max} frames (cap ${cap})`;
    });
  });
});
