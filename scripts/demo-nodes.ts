/**
 * npm run demo:nodes — three swap-node daemons as separate processes over libp2p on loopback,
 * against a `hardhat node`: deploy, fund three chequebooks, drive metered traffic until cheques
 * flow, let one peer stop paying until it is refused and embargoed, resume, let auto cash-out run,
 * then read every daemon's API and /metrics, print a report and `SUMMARY: OK …` (exit 1 on any
 * failed check). Every process started here is stopped by its pid.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Wallet } from "ethers";
import { startLocalChain, type LocalChain } from "../src/daemon/local-chain.js";
import { freePort, spawnDaemon, stopDaemon, writeConfig, type DaemonProcess } from "../src/daemon/launcher.js";

const UNIT = 10n ** 15n; // price of one store request
const checks: { name: string; ok: boolean; detail?: string }[] = [];
const check = (name: string, ok: boolean, detail?: string) => {
  checks.push({ name, ok, detail });
  console.log(`  ${ok ? "✔" : "✘"} ${name}${detail ? ` — ${detail}` : ""}`);
};
const log = (s: string) => console.log(s);

async function until<T>(what: string, cond: () => Promise<T>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function api(base: string, path: string, init: { method?: string; json?: unknown } = {}): Promise<any> {
  const res = await fetch(base + path, {
    method: init.method ?? "GET",
    headers: init.json !== undefined ? { "content-type": "application/json" } : {},
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "swap-demo-nodes-"));
  let chain: LocalChain | undefined;
  const daemons: DaemonProcess[] = [];
  try {
    // ------------------------------------------------------------------ 1. chain, contracts, chequebooks
    log("starting hardhat node and deploying token, chequebook factory and ServicePlans …");
    const deploymentsDir = join(dir, "deployments");
    chain = await startLocalChain(deploymentsDir);
    const rpcUrl = chain.rpcUrl;
    log(`  chain ${rpcUrl}`);

    // ------------------------------------------------------------------ 2. three daemons
    const names = ["alice", "bob", "carol"] as const;
    const ports = { alice: await freePort(), bob: await freePort(), carol: await freePort() };
    const keys = {} as Record<(typeof names)[number], Wallet>;
    const books: Record<string, string> = {};
    for (const n of names) {
      const op = await chain.operator(1_000n * UNIT, n);
      keys[n] = op.wallet;
      books[n] = op.chequebook;
      log(`  ${n}: chequebook ${op.chequebook}, funded 1000 × ${UNIT}`);
    }
    const configFor = (n: (typeof names)[number], bootstrap: string[]) => {
      const ddir = join(dir, n);
      mkdirSync(ddir, { recursive: true });
      return writeConfig(
        {
          dataDir: ddir,
          mode: "hard",
          chain: { rpcUrl, deploymentsDir },
          chequebook: books[n],
          thresholds: {
            payment: (20n * UNIT).toString(),
            minChequeValue: UNIT.toString(),
            embargoMsPerUnit: 100 / Number(UNIT),
            maxEmbargoMs: 3_000,
          },
          prices: { store: UNIT.toString() },
          p2p: { listen: [`/ip4/127.0.0.1/tcp/${ports[n]}`], bootstrap, redialMs: 500 },
          api: { port: 0, debug: true },
          cashout: { intervalMs: 3_000, minAmount: "0", maxFeePercent: 100 },
          log: { level: "info" },
        },
        ddir,
      );
    };
    log("starting alice, bob and carol (separate processes) …");
    const alice = spawnDaemon(configFor("alice", []), { SWAP_NODE_PRIVATE_KEY: keys.alice.privateKey });
    daemons.push(alice);
    const a = await alice.started;
    const bob = spawnDaemon(configFor("bob", [a.addresses[0]!]), { SWAP_NODE_PRIVATE_KEY: keys.bob.privateKey });
    daemons.push(bob);
    const b = await bob.started;
    const carol = spawnDaemon(configFor("carol", [a.addresses[0]!, b.addresses[0]!]), {
      SWAP_NODE_PRIVATE_KEY: keys.carol.privateKey,
    });
    daemons.push(carol);
    const c = await carol.started;
    const nodes = { alice: a, bob: b, carol: c };
    for (const n of names)
      log(`  ${n}: pid ${daemons[names.indexOf(n)]!.child.pid}, peer ${nodes[n].peerId}, API ${nodes[n].api}`);
    const connected = async (x: (typeof names)[number], y: (typeof names)[number]) =>
      (await api(nodes[x].api, "/peers")).peers.some(
        (p: { peer: string; connected: boolean }) => p.peer === nodes[y].peerId && p.connected,
      );
    await until(
      "all three connected",
      async () =>
        (await connected("alice", "bob")) &&
        (await connected("alice", "carol")) &&
        (await connected("bob", "carol")) &&
        (await connected("carol", "bob")),
    );
    check("three daemons found each other through bootstrap multiaddrs over libp2p", true);

    // ------------------------------------------------------------------ 3. metered traffic
    const drive = (from: (typeof names)[number], to: (typeof names)[number], count: number) =>
      api(nodes[from].api, `/debug/requests/${nodes[to].peerId}`, {
        method: "POST",
        json: { protocol: "store", count, concurrency: 2 },
      });
    log("metered traffic: bob → alice 60, carol → alice 50, alice → bob 10, carol → bob 25 …");
    const results = await Promise.all([
      drive("bob", "alice", 60),
      drive("carol", "alice", 50),
      drive("alice", "bob", 10),
      drive("carol", "bob", 25),
    ]);
    check(
      "every request paid",
      results.every((r) => r.refused === 0 && r.failed === 0 && r.paid > 0),
      JSON.stringify(results.map((r) => r.paid)),
    );
    await until(
      "cheques credited",
      async () => BigInt((await api(a.api, "/settlements")).totalReceived) >= 60n * UNIT,
      20_000,
    ).catch(async (e) => {
      log(
        JSON.stringify([
          await api(a.api, "/settlements"),
          await api(b.api, "/settlements"),
          await api(a.api, "/peers"),
        ]),
      );
      throw e;
    });
    const aliceSettlements = await api(a.api, "/settlements");
    check(
      "alice received cheques from bob and carol",
      aliceSettlements.settlements.length === 2,
      `total received ${aliceSettlements.totalReceived}`,
    );

    // ------------------------------------------------------------------ 4. refused, then resumes
    log("carol stops paying bob …");
    await api(c.api, "/debug/payments", { method: "POST", json: { enabled: false } });
    const unpaid = await drive("carol", "bob", 60);
    check(
      "bob refuses carol past the disconnect threshold",
      unpaid.refused >= 1 && unpaid.refused <= 2,
      JSON.stringify(unpaid),
    ); // 2 in flight at most
    await until("bob disconnected carol", async () => !(await connected("bob", "carol")));
    const bobPeers = (await api(b.api, "/peers")).peers as {
      peer: string;
      embargoUntil: number;
      serviceClass: string;
    }[];
    const carolAtBob = bobPeers.find((p) => p.peer === c.peerId);
    check(
      "bob embargoes carol",
      !!carolAtBob && carolAtBob.embargoUntil > 0 && carolAtBob.serviceClass === "refused",
      carolAtBob?.serviceClass,
    );
    log("carol pays again; waiting for the embargo to end and the peers to reconnect …");
    await api(c.api, "/debug/payments", { method: "POST", json: { enabled: true } });
    await until(
      "carol reconnected to bob",
      async () => (await connected("carol", "bob")) && (await connected("bob", "carol")),
    );
    const resumed = await drive("carol", "bob", 10);
    check("carol is served again after paying", resumed.paid === 10 && resumed.refused === 0, JSON.stringify(resumed));

    // ------------------------------------------------------------------ 5. auto cash-out
    log("waiting for auto cash-out …");
    const cashouts = await until("alice cashed out", async () => {
      const list = (await api(a.api, "/cashouts")).cashouts as { status: string; totalPayout: string; peer: string }[];
      return list.filter((r) => r.status === "mined").length >= 2 ? list : undefined;
    });
    check(
      "alice's auto cash-out mined a cheque of bob and of carol",
      true,
      cashouts!.map((r) => `${r.status} ${r.totalPayout}`).join(", "),
    );
    const bobCash = await until("bob cashed out", async () =>
      ((await api(b.api, "/cashouts")).cashouts as { status: string }[]).some((r) => r.status === "mined"),
    );
    check("bob's auto cash-out mined", bobCash);

    // ------------------------------------------------------------------ 6. report
    log("\nreport");
    for (const n of names) {
      const base = nodes[n].api;
      const [balance, settlements, peers, metrics, cash] = await Promise.all([
        api(base, "/chequebook/balance"),
        api(base, "/settlements"),
        api(base, "/peers"),
        api(base, "/metrics"),
        api(base, "/cashouts"),
      ]);
      log(
        `  ${n}  chequebook total ${balance.totalBalance} available ${balance.availableBalance} uncommitted ${balance.uncommittedBalance}`,
      );
      log(
        `        settlements sent ${settlements.totalSent} received ${settlements.totalReceived}; cash-outs ${cash.cashouts.map((r: { status: string }) => r.status).join(",") || "none"}`,
      );
      for (const p of peers.peers)
        log(`        peer ${p.peer.slice(0, 16)}… ${p.serviceClass.padEnd(7)} balance ${p.balance}`);
      const metric = (name: string) =>
        Number(((metrics as string).match(new RegExp(`^${name} (\\S+)$`, "m")) ?? [])[1] ?? NaN);
      log(
        `        metrics: cheques sent ${metric("swap_cheques_sent_total")}, received ${metric("swap_cheques_received_total")}`,
      );
      const payers = settlements.settlements.filter((x: { received: string }) => x.received !== "0").length;
      const payees = settlements.settlements.filter((x: { sent: string }) => x.sent !== "0").length;
      check(
        `${n}: /metrics counts at least one cheque per peer the API shows settled`,
        metric("swap_cheques_received_total") >= payers && metric("swap_cheques_sent_total") >= payees,
        `${payers} payers, ${payees} payees`,
      );
    }
    // the books balance: what each daemon says it sent equals what its peers say they received
    const sentBy = async (x: (typeof names)[number], y: (typeof names)[number]) =>
      (await api(nodes[x].api, `/settlements/${nodes[y].peerId}`)).sent ?? "0";
    const receivedBy = async (x: (typeof names)[number], y: (typeof names)[number]) =>
      (await api(nodes[x].api, `/settlements/${nodes[y].peerId}`)).received ?? "0";
    for (const [x, y] of [
      ["bob", "alice"],
      ["carol", "alice"],
      ["carol", "bob"],
    ] as const) {
      const s = await sentBy(x, y);
      await until(`${y} has ${x}'s last cheque`, async () => (await receivedBy(y, x)) === s, 15_000).catch(
        () => undefined,
      );
      const r = await receivedBy(y, x);
      check(`${x} → ${y}: cheques sent = received`, s === r && s !== "0", `${s} / ${r}`);
    }
    // balances: each side's view is the exact negation of the other's
    for (const [x, y] of [
      ["alice", "bob"],
      ["alice", "carol"],
      ["bob", "carol"],
    ] as const) {
      const bx = (await api(nodes[x].api, `/balances/${nodes[y].peerId}`)).balance;
      const by = (await api(nodes[y].api, `/balances/${nodes[x].peerId}`)).balance;
      check(`${x} ↔ ${y}: balances are exact negations`, BigInt(bx) === -BigInt(by), `${bx} / ${by}`);
    }
    return checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    if (!checks.every((c) => c.ok) || process.env.DEMO_VERBOSE) {
      for (const d of daemons)
        for (const l of d.logs.filter((l) => Number(l.level) >= 40).slice(-10))
          log(`  [pid ${d.child.pid}] ${JSON.stringify(l)}`);
    }
    log("\nstopping every process by pid …");
    for (const d of daemons.reverse()) {
      const e = await stopDaemon(d, "SIGTERM");
      check(`daemon pid ${d.child.pid} stopped cleanly`, e.code === 0, `exit ${e.code ?? e.signal}`);
    }
    await chain?.stop();
  }
}

main()
  .catch((e: Error) => {
    check("demo ran to the end", false, e.message.split("\n")[0]);
    return 1;
  })
  .then((code) => {
    const failed = checks.filter((c) => !c.ok);
    console.log(
      failed.length === 0 && code === 0
        ? `SUMMARY: OK ${checks.length} checks passed`
        : `SUMMARY: FAILED ${failed.length} of ${checks.length} checks: ${failed.map((c) => c.name).join("; ")}`,
    );
    process.exit(failed.length === 0 && code === 0 ? 0 : 1);
  })
  .catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
