// Memory bounds under single-peer floods, measured in the node's own process (heap after a forced
// GC), and memory per connected peer. Figures are printed; the bounds are asserted.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeMessage } from "../../src/swap/codec.js";
import { NodeChild, RawPeer } from "../../test-support/raw-peer.js";

const MiB = 1024 * 1024;

describe("hostile: memory stays bounded under a single-peer flood", function () {
  this.timeout(180_000);
  let dir: string;
  let child: NodeChild;
  const raws: RawPeer[] = [];
  const heap = async () => (await child.ask<{ heapUsed: number }>("gc")).heapUsed;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "swap-flood-"));
    child = await NodeChild.start(dir, { idleTimeoutMs: 120_000 }, ["--expose-gc"]);
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await child.stop();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  async function flood(id: string, frame: (i: number) => Uint8Array, count: number, minBacklog = 32) {
    const p = await RawPeer.open(child.port, id);
    raws.push(p);
    p.sock.pause(); // never read a response
    p.handshake();
    const base = await heap();
    let sent = 0;
    for (let i = 1; i <= count; i++) {
      const f = frame(i);
      sent += f.length;
      p.write(f); // queued in our process; the kernel hands it over as fast as the node reads
    }
    // wait until the node has stopped reading (its inbox is full), then sample its memory
    let stats = await child.ask<{ backlog: number }>("stats");
    for (let i = 0; i < 500 && stats.backlog < minBacklog; i++) stats = await child.ask("stats");
    expect(stats.backlog, "the node never stopped reading").to.be.at.least(minBacklog);
    // retained memory: the least of a few samples after full GCs (a sample may catch garbage)
    let peak = Infinity;
    for (let i = 0; i < 3; i++) peak = Math.min(peak, (await heap()) - base);
    const unread = p.sock.writableLength;
    p.destroy();
    return { sent, peak, backlog: stats.backlog, unread };
  }

  it("50 MiB of pipelined 1 KiB requests from a peer that never reads: node memory growth under 8 MiB", async () => {
    const payload = new Uint8Array(1024);
    const r = await flood(
      "flood-small",
      (i) => encodeMessage({ request: { id: BigInt(i), protocol: "ping", units: 1, payload } }),
      50_000,
    );
    console.log(
      `      offered ${(r.sent / MiB).toFixed(0)} MiB, ${(r.unread / MiB).toFixed(0)} MiB never read by the node; node heap+buffers +${(r.peak / MiB).toFixed(2)} MiB, backlog ${r.backlog} frames`,
    );
    expect(r.peak).to.be.lessThan(8 * MiB);
  });

  it("60 KiB frames from a peer that never reads: node memory growth under the stated bound (8 MiB with the default limits)", async () => {
    const payload = new Uint8Array(60 * 1024);
    const r = await flood(
      "flood-big",
      (i) => encodeMessage({ request: { id: BigInt(i), protocol: "ping", units: 1, payload } }),
      800,
      8,
    );
    // per flooding peer: queued frames (maxInboxBytes, ×2 as a frame may pin the read it came in)
    // + undecoded reads (MAX_STASH_BYTES, ×2 likewise) + maxServing responses of ≤ 64 KiB waiting
    // in the transport + 2 MiB for the transport's own read buffers and allocator slack
    const bound = 2 * MiB + 2 * MiB + 32 * 64 * 1024 + 2 * MiB;
    console.log(
      `      offered ${(r.sent / MiB).toFixed(0)} MiB, ${(r.unread / MiB).toFixed(0)} MiB never read by the node; node heap+buffers +${(r.peak / MiB).toFixed(2)} MiB (bound ${(bound / MiB).toFixed(1)} MiB), backlog ${r.backlog} frames`,
    );
    expect(r.peak).to.be.lessThan(bound);
  });

  it("memory per connected (handshaken, idle) peer, and per peer id ever seen", async () => {
    const base = await heap();
    const peers: RawPeer[] = [];
    for (let i = 0; i < 200; i++) {
      const p = await RawPeer.open(child.port, `idle-${i}`);
      p.handshake();
      peers.push(p);
    }
    await Promise.all(peers.map((p) => p.until(() => p.frames.some((f) => f.handshake), 10_000, "handshake")));
    const stats = await child.ask<{ sessions: number }>("stats");
    expect(stats.sessions).to.be.greaterThanOrEqual(200);
    const perPeer = ((await heap()) - base) / 200;
    for (const p of peers) p.destroy();
    await Promise.all(peers.map((p) => p.until(() => p.closed)));
    let s = await child.ask<{ sessions: number; resident: number }>("stats");
    // a peer whose balance was still unflushed when it left is evicted at the next write-behind
    // flush (every second): poll the child's state until then, bounded
    const deadline = Date.now() + 5_000;
    while ((s.sessions > 0 || s.resident > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      s = await child.ask("stats");
    }
    const after = await heap();
    console.log(
      `      ${(perPeer / 1024).toFixed(1)} KiB per connected idle peer (node heap incl. socket and session); after all left: ${s.resident} ledger entries resident, heap ${((after - base) / 1024).toFixed(0)} KiB over baseline`,
    );
    expect(perPeer).to.be.lessThan(64 * 1024);
    expect(s.resident).to.equal(0);
  });
});
