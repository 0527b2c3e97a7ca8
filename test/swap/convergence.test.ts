// Convergence: after any sequence of requests, crashes of either side, connection drops and resets,
// the next settlement brings both views within one request's price, and the pair is never stuck
// refusing. In-process crashes rebuild a node from what its store holds (unflushed metering lost);
// a sample of runs SIGKILLs a real child process with SQLite on both sides.
// CONVERGE_RUNS / SIGKILL_RUNS raise the counts (`npm run bench:converge`: 1,000 and 20).
import { expect } from "chai";
import fc from "fast-check";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { mockNode, party, settle, type MockParty } from "../../test-support/swap-fixtures.js";
import { pairNode, link as linkPair } from "../../test-support/converge-child.js";
import { MemoryStore } from "../../src/store/memory.js";
import { memoryPair } from "../../src/swap/transport.js";
import type { SwapNode } from "../../src/swap/node.js";
import type { PeerSession } from "../../src/swap/session.js";
import { ServiceRefusedError, BalanceMismatchError } from "../../src/swap/errors.js";

const RUNS = Number(process.env.CONVERGE_RUNS ?? 60);
const KILLS = Number(process.env.SIGKILL_RUNS ?? 3);
const CHILD = fileURLToPath(new URL("../../test-support/converge-child.ts", import.meta.url));

type Op =
  | { kind: "req"; n: number; concurrent: boolean }
  | { kind: "crash"; who: "payer" | "server" }
  | { kind: "drop" }
  | { kind: "reset"; n: number }
  | { kind: "flush"; who: "payer" | "server" };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("req" as const),
      n: fc.integer({ min: 1, max: 40 }),
      concurrent: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("crash" as const),
      who: fc.constantFrom("payer" as const, "server" as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("reset" as const), n: fc.integer({ min: 1, max: 10 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("flush" as const),
      who: fc.constantFrom("payer" as const, "server" as const),
    }),
  },
);

/** Resolves once the server holds the payer's last cheque (waits on the server's events). */
async function delivered(payer: SwapNode, server: SwapNode): Promise<void> {
  const book = payer.chequebook!;
  const issued = () => payer.store.lastIssued(book, server.beneficiary)?.cumulativePayout ?? 0n;
  const held = () => server.store.lastReceived(book)?.cumulativePayout ?? 0n;
  if (held() >= issued()) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`cheque ${issued()} not delivered (server holds ${held()})`)),
      10_000,
    );
    const check = () => {
      if (held() < issued()) return;
      clearTimeout(timer);
      server.off("cheque-received", check);
      resolve();
    };
    server.on("cheque-received", check);
  });
}

/** Requests until the payer has paid at least once more, then a final settlement; returns the
 * two views (what the payer owes, as each side sees it) and whether anything was refused. */
async function settleAndCompare(payer: SwapNode, server: SwapNode, session: PeerSession, threshold: number) {
  let refused = 0;
  const errors: string[] = [];
  for (let i = 0; i < 2 * threshold; i++) {
    try {
      await session.request("store");
    } catch (e) {
      refused++;
      if (errors.length < 3) errors.push(`${(e as Error).name}: ${(e as Error).message}`);
      if (!(e instanceof ServiceRefusedError || e instanceof BalanceMismatchError) && session.closed) break;
    }
  }
  await payer.accounting.settle("server");
  await delivered(payer, server);
  return { payerView: -payer.ledger.net("server"), serverView: server.ledger.net("payer"), refused, errors };
}

describe("swap: convergence after crashes, drops and resets (fast-check)", function () {
  this.timeout(600_000);

  it(`${RUNS} random sequences: views agree within one request's price after the next settlement, never stuck`, async () => {
    let ops = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 20, max: 120 }),
        async (seq, threshold) => {
          let now = 1_000_000;
          const clock = () => now;
          const parties: Record<"payer" | "server", MockParty> = {
            payer: party(10n ** 12n),
            server: party(10n ** 12n),
          };
          const stores = { payer: new MemoryStore(), server: new MemoryStore() };
          const make = (who: "payer" | "server") =>
            mockNode(
              parties[who],
              { paymentThreshold: BigInt(threshold), maxEmbargoMs: 1_000 },
              { store: stores[who], now: clock },
            );
          const nodes = { payer: make("payer"), server: make("server") };
          let session!: PeerSession;
          const relink = async () => {
            now += 2_000; // past any embargo
            const [a, b] = memoryPair();
            [session] = await Promise.all([nodes.payer.connect(a, "server"), nodes.server.connect(b, "payer")]);
          };
          await relink();
          for (const o of seq) {
            ops++;
            if (o.kind === "req") {
              const run = () => session.request("store").catch((e) => e);
              if (o.concurrent) await Promise.all(Array.from({ length: o.n }, run));
              else for (let i = 0; i < o.n; i++) await run();
            } else if (o.kind === "flush") nodes[o.who].flush();
            else if (o.kind === "crash") {
              // the process dies: its connections drop, its memory is gone, its store remains
              for (const s of nodes[o.who].sessions.values()) s.duplex.close("crash");
              await settle();
              nodes[o.who] = make(o.who);
              await relink();
            } else if (o.kind === "drop") {
              session.close("drop");
              await settle();
              await relink();
            } else {
              const inFlight = Array.from({ length: o.n }, () => session.request("store").catch((e) => e));
              session.duplex.close("reset");
              await Promise.all(inFlight);
              await relink();
            }
            if (session.closed) await relink(); // refused and disconnected: come back after the embargo
          }
          await relink();
          const r = await settleAndCompare(nodes.payer, nodes.server, session, threshold);
          nodes.payer.close();
          nodes.server.close();
          const diff = r.payerView - r.serverView;
          const ok = r.refused === 0 && diff >= -1n && diff <= 1n;
          if (!ok && process.env.CONVERGE_DEBUG)
            console.log(
              JSON.stringify({ seq, threshold, ...r, payerView: `${r.payerView}`, serverView: `${r.serverView}` }),
            );
          return ok;
        },
      ),
      { numRuns: RUNS },
    );
    console.log(`      ${RUNS} sequences, ${ops} operations`);
  });

  it(`${KILLS} runs with a real SIGKILL of a child process (SQLite on both sides)`, async () => {
    for (let run = 0; run < KILLS; run++) {
      const dir = mkdtempSync(join(tmpdir(), "swap-converge-"));
      try {
        const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir, String(run + 1)], {
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
        await new Promise<void>((resolve) =>
          child.stdout.on("data", (b: Buffer) => b.toString().includes("ready") && resolve()),
        );
        // let it run a while, then kill it wherever it is
        await new Promise((r) => setTimeout(r, 300 + ((run * 397) % 900)));
        const exited = once(child, "exit");
        child.kill("SIGKILL");
        const [, signal] = await exited;
        expect(signal, stderr).to.equal("SIGKILL");
        const payer = pairNode(dir, "payer");
        const server = pairNode(dir, "server");
        const session = await linkPair(payer, server);
        const r = await settleAndCompare(payer, server, session, 50);
        payer.close();
        server.close();
        payer.store.close();
        server.store.close();
        expect(r.refused, "stuck refusing").to.equal(0);
        expect(Number(r.payerView - r.serverView)).to.be.within(-1, 1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
