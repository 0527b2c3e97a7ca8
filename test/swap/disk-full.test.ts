// A full disk, for real: the server's SQLite file lives on a tiny tmpfs that a filler file fills up.
// Where mounting is impossible (not root, no CAP_SYS_ADMIN) the same scenario runs against the
// store fault injector, and the test says which one ran.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { link, mockNode, party, settle } from "../../test-support/swap-fixtures.js";
import { faultyStore, type FaultyStore } from "../../test-support/faulty-store.js";
import { expectError } from "../../test-support/helpers.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { MemoryStore } from "../../src/store/memory.js";
import { ServiceRefusedError } from "../../src/swap/errors.js";
import type { Store } from "../../src/store/types.js";

function tryMount(dir: string): string | undefined {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", dir], { stdio: "pipe" });
    return undefined;
  } catch (e) {
    return ((e as { stderr?: Buffer }).stderr?.toString() || (e as Error).message).trim();
  }
}

/** Fill the filesystem holding `dir`; returns a function that frees the space again. */
function fill(dir: string): () => void {
  const file = join(dir, "filler");
  const fd = openSync(file, "w");
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
  } finally {
    closeSync(fd);
  }
  return () => unlinkSync(file);
}

describe("swap: a full disk (real tmpfs where the test may mount one)", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "swap-full-"));
  const mountError = tryMount(dir);
  after(() => {
    if (!mountError) execFileSync("umount", [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`refuses paid work and cheques while full, keeps running, recovers and loses nothing (${mountError ? "fault injector: mount impossible" : "tmpfs 512 KiB"})`, async () => {
    if (mountError) console.log(`      mount impossible (${mountError}): running against the store fault injector`);
    else console.log("      running on a real 512 KiB tmpfs");
    let store: Store;
    let full: () => void;
    let free: () => void;
    if (mountError) {
      const f: FaultyStore = faultyStore(new MemoryStore());
      store = f;
      full = () => (f.failing = "SQLITE_FULL");
      free = () => (f.failing = undefined);
    } else {
      store = new SqliteStore(join(dir, "server.db"));
      let release: (() => void) | undefined;
      full = () => (release = fill(dir));
      free = () => release?.();
    }
    const alice = party();
    const client = mockNode(alice);
    const server = mockNode(party(), {}, { store, flushIntervalMs: 0 });
    const codes: string[] = [];
    server.on("store-unavailable", (e) => codes.push(e.error.code));
    let recovered = 0;
    server.on("store-recovered", () => recovered++);
    const { toServer } = await link(client, server);
    for (let i = 0; i < 100; i++) await toServer.request("store", new Uint8Array(200));
    full();
    // the 101st request pays first; the cheque cannot be stored: rejected, paid work refused
    const err = await expectError(toServer.request("store"), ServiceRefusedError);
    expect(err.code).to.equal("StoreUnavailable");
    expect(codes[0]).to.match(/^SQLITE_FULL/);
    expect(server.storeAvailable).to.equal(false);
    free();
    server.flush(); // the retry the flush timer makes in production
    expect(recovered).to.equal(1);
    for (let i = 0; i < 100; i++) await toServer.request("store");
    await settle();
    const issued = client.store.lastIssued(alice.chequebook, server.beneficiary)!.cumulativePayout;
    expect(server.store.lastReceived(alice.chequebook)?.cumulativePayout).to.equal(issued);
    expect(client.ledger.net("server")).to.equal(-server.ledger.net("client"));
    client.close();
    server.close();
    store.close();
  });
});
