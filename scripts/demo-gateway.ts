/**
 * npm run demo:gateway — the paid HTTP gateway for real, every part its own process:
 * a `hardhat node` (chain and JSON-RPC upstream), the gateway (`src/gateway/cli.ts`, hard mode:
 * cheques checked on chain), one paying client (buys priority capacity, then pays by cheque at the
 * threshold through `paidFetch`) and four free clients hammering it from different loopback
 * addresses. Prints paid vs free latency and served share, the cheques received and a real
 * cash-out; the last line is `SUMMARY: OK …` or `SUMMARY: FAIL …`. Stops every process it
 * started, by pid.
 *
 * The same file is the client: `demo-gateway.ts paid|free <json options>` (used by the demo).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { JsonRpcProvider, Wallet, formatUnits, id } from "ethers";
import { TestToken__factory } from "../typechain-types/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../src/chain/chequebook.js";
import { deployAll } from "../src/deployments.js";
import { SqliteStore } from "../src/store/sqlite.js";
import { MemoryStore } from "../src/store/memory.js";
import { CashoutService } from "../src/settlement/cashout.js";
import { quantile } from "../src/capacity/simulation.js";
import { createPaidFetch, LesClient, SwapPayer } from "../src/gateway/index.js";
import type { Hex } from "../src/crypto/index.js";

const TST = 10n ** 18n;
const PRICE = 10n ** 15n; // 0.001 TST per cost unit
const DURATION_MS = 8000;

interface ClientResult {
  role: "paid" | "free";
  name: string;
  offered: number;
  served: number;
  stopped: number;
  refused: number;
  latencies: number[];
  cheques?: number;
  paid?: string;
  classes?: Record<string, number>;
}

const role = process.argv[2];
if (role === "paid") await paidClient(JSON.parse(process.argv[3]!) as PaidOpts);
else if (role === "free") await freeClient(JSON.parse(process.argv[3]!) as FreeOpts);
else await orchestrate();

// ------------------------------------------------------------------ the paying client

interface PaidOpts {
  gateway: string;
  rpc: string;
  chequebook: Hex;
  chainId: string;
  ratePerSec: number;
  durationMs: number;
}

async function paidClient(o: PaidOpts): Promise<void> {
  const key = process.env.SWAP_DEMO_CLIENT_KEY as Hex;
  const wallet = new Wallet(key);
  const provider = new JsonRpcProvider(o.rpc, undefined, { staticNetwork: true });
  const book = new ChequebookClient(o.chequebook, provider);
  const payer = new SwapPayer(new MemoryStore(), {
    chequebook: o.chequebook,
    chainId: BigInt(o.chainId),
    signer: key,
    funds: async () => ({ balance: await book.balance(), totalPaidOut: await book.totalPaidOut() }),
  });
  const pf = createPaidFetch({
    gateway: o.gateway,
    chequebook: o.chequebook,
    issuer: wallet.address,
    signer: key,
    chainId: BigInt(o.chainId),
    payer,
  });
  const les = new LesClient(o.gateway, pf);
  const contract = await les.establishContract(100, 60); // 100 cu/s for a minute, prepaid
  const r: ClientResult = {
    role: "paid",
    name: "paid",
    offered: 0,
    served: 0,
    stopped: 0,
    refused: 0,
    latencies: [],
    classes: {},
  };
  const end = Date.now() + o.durationMs;
  const gap = 1000 / o.ratePerSec;
  let next = Date.now();
  while (Date.now() < end) {
    next += gap;
    r.offered++;
    const t0 = performance.now();
    const res = await pf(o.gateway, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: r.offered, method: "eth_blockNumber", params: [] }),
    });
    const ms = performance.now() - t0;
    await res.arrayBuffer();
    if (res.ok) {
      r.served++;
      r.latencies.push(ms);
      const cls = res.headers.get("swap-class") ?? "?";
      r.classes![cls] = (r.classes![cls] ?? 0) + 1;
    } else if (res.status === 429) r.stopped++;
    else r.refused++;
    const wait = next - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  r.cheques = pf.state.cheques;
  r.paid = pf.state.paid.toString();
  provider.destroy();
  console.log(`RESULT ${JSON.stringify({ ...r, contract: { class: contract.class, capacity: contract.capacity } })}`);
}

// ------------------------------------------------------------------ a free client

interface FreeOpts {
  gateway: string;
  localAddress: string;
  concurrency: number;
  durationMs: number;
  name: string;
}

function post(url: URL, localAddress: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: "/",
        method: "POST",
        localAddress,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let data = "";
        res.on("data", (c) => (data += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function freeClient(o: FreeOpts): Promise<void> {
  const url = new URL(o.gateway);
  const r: ClientResult = { role: "free", name: o.name, offered: 0, served: 0, stopped: 0, refused: 0, latencies: [] };
  const end = Date.now() + o.durationMs;
  const loop = async () => {
    while (Date.now() < end) {
      r.offered++;
      const t0 = performance.now();
      const res = await post(
        url,
        o.localAddress,
        JSON.stringify({ jsonrpc: "2.0", id: r.offered, method: "eth_blockNumber", params: [] }),
      );
      if (res.status === 200) {
        r.served++;
        r.latencies.push(performance.now() - t0);
      } else if (res.status === 429) {
        r.stopped++;
        const resumeAfterMs = Number((JSON.parse(res.body) as { resumeAfterMs?: number }).resumeAfterMs ?? 50);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(1, resumeAfterMs))));
      } else {
        r.refused++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, loop));
  console.log(`RESULT ${JSON.stringify(r)}`);
}

// ------------------------------------------------------------------ the orchestrator

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function start(
  name: string,
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; line: (re: RegExp) => Promise<string>; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  const onLine = (l: string) => {
    lines.push(l);
    for (const w of [...waiters])
      if (w.re.test(l)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
  };
  createInterface({ input: child.stdout! }).on("line", onLine);
  createInterface({ input: child.stderr! }).on("line", (l) => lines.push(`[stderr] ${l}`));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const line = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const hit = lines.find((l) => re.test(l));
      if (hit) return resolve(hit);
      waiters.push({ re, resolve });
      void exited.then((code) =>
        reject(new Error(`${name} exited (${code}) before printing ${re}:\n${lines.slice(-20).join("\n")}`)),
      );
    });
  return { child, line, lines, exited };
}

async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    process.kill(child.pid, "SIGTERM");
    await exited;
  }
}

async function orchestrate(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "demo-gateway-"));
  const procs: Array<{ child: ChildProcess; exited: Promise<unknown> }> = [];
  let ok = false;
  let summary = "";
  try {
    // 1. the chain (also the upstream)
    const chainPort = await freePort();
    const hardhatCli = join(process.cwd(), "node_modules/hardhat/dist/src/cli.js");
    const node = start("hardhat node", [hardhatCli, "node", "--hostname", "127.0.0.1", "--port", String(chainPort)]);
    procs.push(node);
    await node.line(/Started HTTP and WebSocket JSON-RPC server/);
    const rpc = `http://127.0.0.1:${chainPort}/`;
    console.log(`hardhat node (pid ${node.child.pid}) on ${rpc}`);

    // 2. contracts, a funded chequebook for the paying client, the operator's wallet
    const provider = new JsonRpcProvider(rpc, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const funder = await provider.getSigner(0);
    const { chainId } = await provider.getNetwork();
    const token = await new TestToken__factory(funder).deploy();
    await token.waitForDeployment();
    const deployment = await deployAll(funder, "localhost", await token.getAddress());
    const operator = Wallet.createRandom().connect(provider);
    const clientKey = Wallet.createRandom();
    await (await funder.sendTransaction({ to: operator.address, value: 10n ** 18n })).wait();
    const factory = new ChequebookFactoryClient(deployment.factory, funder);
    const cb = await factory.deployChequebook({
      issuer: clientKey.address,
      defaultHardDepositTimeout: 86_400,
      salt: id(`demo-gateway-${Date.now()}`),
    });
    await (await token.mint(cb.address, 100n * TST)).wait();
    console.log(
      `token ${deployment.token}, factory ${deployment.factory}, client chequebook ${cb.address} (100 TST), operator ${operator.address}`,
    );

    // 3. the gateway
    const gwPort = await freePort();
    const gw = start("gateway", [
      "--import",
      "tsx",
      "src/gateway/cli.ts",
      "--upstream",
      rpc,
      "--rpc",
      rpc,
      "--port",
      String(gwPort),
      "--db",
      join(dir, "gateway.db"),
      "--mode",
      "hard",
      "--factory",
      deployment.factory,
      "--token",
      deployment.token,
      "--beneficiary",
      operator.address,
      "--price",
      PRICE.toString(),
      "--threshold",
      (100n * PRICE).toString(),
      "--total-capacity",
      "400",
      "--min-capacity",
      "10",
      "--free-allowance",
      "100000000",
      "--max-in-flight",
      "2",
    ]);
    procs.push(gw);
    await gw.line(/gateway listening on/);
    const gateway = `http://127.0.0.1:${gwPort}/`;
    console.log(
      `gateway (pid ${gw.child.pid}) on ${gateway}: 400 cost units/s, 2 upstream slots, 0.001 TST per cost unit, cheques every 0.1 TST`,
    );

    // 4. four free clients, then the paying one
    const free = [0, 1, 2, 3].map((i) =>
      start(`free ${i}`, [
        "--import",
        "tsx",
        "scripts/demo-gateway.ts",
        "free",
        JSON.stringify({
          gateway,
          localAddress: `127.0.0.${11 + i}`,
          concurrency: 24,
          durationMs: DURATION_MS + 1000,
          name: `free-${i}`,
        } satisfies FreeOpts),
      ]),
    );
    procs.push(...free);
    const paid = start(
      "paid",
      [
        "--import",
        "tsx",
        "scripts/demo-gateway.ts",
        "paid",
        JSON.stringify({
          gateway,
          rpc,
          chequebook: cb.address,
          chainId: chainId.toString(),
          ratePerSec: 40,
          durationMs: DURATION_MS,
        } satisfies PaidOpts),
      ],
      { SWAP_DEMO_CLIENT_KEY: clientKey.privateKey },
    );
    procs.push(paid);
    console.log(
      `overload: 4 free clients × 24 concurrent loops, 1 paying client at 40 req/s, for ${DURATION_MS / 1000} s …`,
    );
    const results: ClientResult[] = [];
    for (const c of [paid, ...free]) results.push(JSON.parse((await c.line(/^RESULT /)).slice(7)) as ClientResult);
    await Promise.all([paid, ...free].map((c) => c.exited));

    // 5. stop the gateway, cash out what it received
    await stop(gw.child, gw.exited);
    const store = new SqliteStore(join(dir, "gateway.db"));
    const received = store.listReceived();
    const cashout = new CashoutService({ store, signer: operator, policy: { minAmount: 1n } });
    const before = await token.balanceOf(operator.address);
    const records = await cashout.cashOutAll();
    const after = await token.balanceOf(operator.address);
    store.close();
    provider.destroy();

    // 6. report
    const p = results.find((r) => r.role === "paid")!;
    const fr = results.filter((r) => r.role === "free");
    const allFree = fr.flatMap((r) => r.latencies);
    const servedTotal = results.reduce((a, r) => a + r.served, 0);
    const row = (r: ClientResult) => ({
      client: r.name,
      offered: r.offered,
      served: r.served,
      "stopped (429)": r.stopped,
      refused: r.refused,
      "p50 ms": quantile(r.latencies, 0.5).toFixed(1),
      "p99 ms": quantile(r.latencies, 0.99).toFixed(1),
      "served share": `${((100 * r.served) / servedTotal).toFixed(1)} %`,
    });
    console.log("\n== Served (every request costs 1 cost unit)");
    console.table(results.map(row));
    console.log(
      `paying client: contract ${JSON.stringify((p as unknown as { contract: unknown }).contract)}, classes served ${JSON.stringify(p.classes)}, ${p.cheques} cheques, ${formatUnits(BigInt(p.paid!), 18)} TST paid`,
    );
    console.log("== Cheques received by the gateway");
    console.table(
      received.map((c) => ({ chequebook: c.chequebook, cumulative: `${formatUnits(c.cumulativePayout, 18)} TST` })),
    );
    console.log("== Cash-out");
    console.table(
      records.map((r) => ({
        chequebook: r.chequebook,
        status: r.status,
        paid: `${formatUnits(r.totalPayout, 18)} TST`,
        tx: r.txHash,
      })),
    );
    const paidP99 = quantile(p.latencies, 0.99);
    const freeP99 = quantile(allFree, 0.99);
    const checks = {
      "paid p99 below free p99": paidP99 < freeP99,
      "paid served/offered >= 0.99": p.served / p.offered >= 0.99,
      "every free client served": fr.every((r) => r.served > 0),
      // overloaded: free clients were told to stop, or queued far behind the paying one
      "gateway overloaded (free stopped, or free p50 >= 5x paid p50)":
        fr.some((r) => r.stopped > 0) || quantile(allFree, 0.5) >= 5 * quantile(p.latencies, 0.5),
      "cheques received": received.length > 0 && (p.cheques ?? 0) > 0,
      "cash-out mined and paid":
        records.length > 0 &&
        records.every((r) => r.status === "mined") &&
        after - before === received.reduce((a, c) => a + c.cumulativePayout, 0n),
    };
    for (const [name, pass] of Object.entries(checks)) console.log(`  ${pass ? "✔" : "✘"} ${name}`);
    ok = Object.values(checks).every(Boolean);
    summary = `paid p99 ${paidP99.toFixed(1)} ms vs free p99 ${freeP99.toFixed(1)} ms; paid served ${p.served}/${p.offered}, share ${((100 * p.served) / servedTotal).toFixed(1)} %; ${received.length} chequebook(s), ${p.cheques} cheques, cashed out ${formatUnits(after - before, 18)} TST`;
  } catch (e) {
    summary = (e as Error).message.split("\n")[0]!;
    console.error(e);
  } finally {
    for (const p of procs.reverse()) await stop(p.child, p.exited);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`SUMMARY: ${ok ? "OK" : "FAIL"} ${summary}`);
  process.exitCode = ok ? 0 : 1;
}
