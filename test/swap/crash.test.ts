import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../../src/store/sqlite.js";

const CHILD = fileURLToPath(new URL("../../test-support/crash-child.ts", import.meta.url));

function child(args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", CHILD, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, signal: r.signal, lines: r.stdout.split("\n").filter(Boolean), stderr: r.stderr };
}

/** The durable state both databases hold right now. */
function stateOf(dir: string) {
  const c = new SqliteStore(join(dir, "client.db"));
  const s = new SqliteStore(join(dir, "server.db"));
  try {
    const issued = c.listIssued()[0]?.cumulativePayout ?? 0n;
    const received = s.listReceived()[0]?.cumulativePayout ?? 0n;
    const peer = s.getPeer("client");
    return { issued, received, balance: peer?.balance ?? 0n, surplus: peer?.surplus ?? 0n };
  } finally {
    c.close();
    s.close();
  }
}

describe("swap: crash safety (SIGKILL mid-way, restart from the database)", function () {
  this.timeout(180_000);
  const points: [string, number][] = [
    ["issue:signed", 1],
    ["issue:stored", 1],
    ["issue:sent", 2],
    ["receive:validated", 1],
    ["receive:stored", 2],
    ["receive:acked", 3],
  ];
  for (const [point, occurrence] of points) {
    it(`no cheque lost, none re-signed lower, none credited twice: killed at ${point} #${occurrence}`, () => {
      const dir = mkdtempSync(join(tmpdir(), "swap-crash-"));
      try {
        const run = child([dir, "run", point, String(occurrence), "400"]);
        expect(run.signal, run.stderr).to.equal("SIGKILL");
        expect(run.lines).to.not.include("done");
        const printedIssued = run.lines.filter((l) => l.startsWith("issued ")).map((l) => BigInt(l.split(" ")[1]));
        const printedReceived = run.lines.filter((l) => l.startsWith("received ")).map((l) => BigInt(l.split(" ")[1]));

        const before = stateOf(dir);
        // what was announced as issued/received had been stored first
        for (const v of printedIssued) expect(before.issued >= v, `issued ${v} lost`).to.equal(true);
        for (const v of printedReceived) expect(before.received >= v, `received ${v} lost`).to.equal(true);
        expect(before.received <= before.issued).to.equal(true);

        const resume = child([dir, "resume"]);
        expect(resume.status, resume.stderr).to.equal(0);
        const after = JSON.parse(resume.lines[resume.lines.length - 1]);
        // nothing lost: the last issued cheque was re-sent and is now held by the server
        expect(BigInt(after.issued)).to.equal(before.issued); // never re-signed (lower or otherwise)
        expect(BigInt(after.received)).to.equal(before.issued);
        // credited exactly once: the balance moved by the part the server did not have yet
        const missing = before.issued - before.received;
        const debtBefore = before.balance - before.surplus;
        expect(BigInt(after.serverBalance) - BigInt(after.serverSurplus)).to.equal(debtBefore - missing);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
