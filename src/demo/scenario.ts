/**
 * The end-to-end demo (npm run demo): deploy everything, run a small network of SWAP nodes with
 * store-style traffic until cheques flow and a peer is disconnected and reconnected, cash out,
 * run a share-token service plan across relays, claim and sweep — and report what happened.
 * Works on the in-process chain and on any JSON-RPC node (`--network localhost`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet, formatUnits, id, type HDNodeWallet, type JsonRpcProvider, type Provider, type Signer } from "ethers";
import { TestToken__factory } from "../../typechain-types/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../chain/chequebook.js";
import { EthersChainFacts } from "../chain/facts.js";
import { ServicePlansClient } from "../chain/plans.js";
import { deployAll, type Deployment } from "../deployments.js";
import { SqliteStore } from "../store/sqlite.js";
import { SwapNode } from "../swap/node.js";
import { memoryPair } from "../swap/transport.js";
import type { PeerSession } from "../swap/session.js";
import { CashoutService } from "../settlement/cashout.js";
import { ShareIssuer } from "../plans/issuer.js";
import { checkPlan, ShareCollector, type Submission } from "../plans/collector.js";
import { computePayouts } from "../plans/payout.js";
import type { Hex } from "../crypto/index.js";

export interface DemoReport {
  deployment: Deployment;
  peers: { node: string; peer: string; balance: bigint; surplus: bigint }[];
  cheques: { from: string; to: string; cumulativePayout: bigint }[];
  /** One entry per disconnect (the node that disconnected and its peer), counted once. */
  disconnects: { node: string; peer: string; embargoMs: number }[];
  /** Tokens minted into each node's chequebook. */
  funded: { node: string; chequebook: string; amount: bigint }[];
  cashouts: {
    node: string;
    chequebook: string;
    beneficiary: string;
    status: string;
    totalPayout: bigint;
    gasUsed: bigint;
  }[];
  plan: {
    planId: bigint;
    budget: bigint;
    bond: bigint;
    shareCap: bigint;
    totalShares: bigint;
    payouts: { provider: string; shares: bigint; amount: bigint }[];
    forgedRejected: number;
    /** What the sweep returned to the funder: the budget not paid out plus the bond (not over-issued). */
    swept: bigint;
    unspentBudget: bigint;
    bondReturned: bigint;
    forfeited: bigint;
    matchesModel: boolean;
  };
  checks: { name: string; ok: boolean }[];
}

const UNIT = 10n ** 15n; // price per store message: 0.001 token

export async function runDemo(opts: {
  provider: Provider;
  funder: Signer;
  network: string;
  log?: (line: string) => void;
}): Promise<DemoReport> {
  const log = opts.log ?? (() => {});
  const { provider, funder } = opts;
  const chainId = (await provider.getNetwork()).chainId;
  const dir = mkdtempSync(join(tmpdir(), "swap-demo-"));
  const stores: SqliteStore[] = [];
  const nodes: SwapNode[] = [];
  try {
    // ------------------------------------------------------------------ 1. deploy
    log("deploying token, chequebook factory and ServicePlans …");
    const token = await new TestToken__factory(funder).deploy();
    await token.waitForDeployment();
    const deployment = await deployAll(funder, opts.network, await token.getAddress());
    let nonce = 0;
    const wallet = async (eth = 10n ** 17n): Promise<HDNodeWallet> => {
      const w = Wallet.createRandom().connect(provider);
      await (await funder.sendTransaction({ to: w.address, value: eth })).wait();
      return w;
    };
    const mint = async (to: string, amount: bigint) => (await token.mint(to, amount)).wait();

    // ------------------------------------------------------------------ 2. SWAP nodes
    const factoryClient = new ChequebookFactoryClient(deployment.factory, funder);
    const facts = new EthersChainFacts(provider, chainId, [deployment.factory]);
    const names = ["alice", "bob", "carol", "dave"] as const;
    const keys: Record<string, HDNodeWallet> = {};
    const books: Record<string, Hex> = {};
    const node: Record<string, SwapNode> = {};
    const funded: DemoReport["funded"] = [];
    for (const name of names) {
      keys[name] = await wallet();
      const d = await factoryClient.deployChequebook({
        issuer: keys[name].address,
        defaultHardDepositTimeout: 86_400,
        salt: id(`demo-${name}-${Date.now()}-${nonce++}`),
      });
      books[name] = d.address;
      const funding = 1_000n * UNIT;
      await mint(d.address, funding);
      funded.push({ node: name, chequebook: d.address, amount: funding });
      const store = new SqliteStore(join(dir, `${name}.db`));
      stores.push(store);
      node[name] = new SwapNode({
        store,
        chainId,
        facts,
        beneficiary: keys[name].address,
        chequebook: d.address,
        signer: keys[name].privateKey as Hex,
        policy: {
          mode: "hard",
          paymentThreshold: 100n * UNIT,
          tolerancePercent: 50n,
          embargoMsPerUnit: 1 / Number(UNIT),
          minChequeValue: UNIT,
          prices: { store: UNIT },
        },
        handlers: { store: (p) => Uint8Array.from(p).reverse() },
        flushIntervalMs: 0,
      });
      nodes.push(node[name]);
      log(`  ${name}: chequebook ${d.address} (deploy ${d.gasUsed} gas), funded ${formatUnits(funding, 18)} TST`);
    }
    const cheques: DemoReport["cheques"] = [];
    const disconnects: DemoReport["disconnects"] = [];
    const seenDisconnects = new Set<string>();
    for (const name of names) {
      node[name].on(
        "cheque-received",
        (e) => !e.duplicate && cheques.push({ from: e.peer, to: name, cumulativePayout: e.cumulativePayout }),
      );
      // both ends report a disconnect (the one that disconnects, then the one told): count it once,
      // under the node that disconnected (its event comes first)
      node[name].on("disconnected", (e) => {
        const pair = [name, e.peer].sort().join("|");
        if (!seenDisconnects.has(pair)) {
          seenDisconnects.add(pair);
          disconnects.push({ node: name, peer: e.peer, embargoMs: e.embargoMs });
        }
      });
    }
    const connect = async (a: string, b: string): Promise<PeerSession> => {
      const [x, y] = memoryPair();
      return (await Promise.all([node[a].connect(x, b), node[b].connect(y, a)]))[0];
    };

    log("store traffic: alice ↔ bob, alice ↔ carol (threshold 100 messages) …");
    const aliceBob = await connect("alice", "bob");
    const aliceCarol = await connect("alice", "carol");
    for (let i = 0; i < 260; i++) await (i % 2 ? aliceCarol : aliceBob).request("store", Uint8Array.from([i & 0xff]));
    for (let i = 0; i < 120; i++) await aliceBob.request("store");

    log("dave stops paying bob …");
    let daveBob = await connect("dave", "bob");
    node.dave.paymentsEnabled = false;
    let refused = false;
    for (let i = 0; i < 200 && !refused; i++) await daveBob.request("store").catch(() => (refused = true));
    const embargo = node.bob.ledger.get("dave").embargoUntil - Date.now();
    log(`  bob refused dave and disconnected it, embargo ${Math.max(0, embargo)} ms`);
    // Both sides hold an embargo: bob's on the debtor, and dave's own on bob once it reads bob's
    // disconnect (a moment later on a loaded machine). Wait for the session to end, then out the later one.
    for (let i = 0; i < 500 && !daveBob.closed; i++) await new Promise((r) => setTimeout(r, 10));
    const until = Math.max(node.bob.ledger.get("dave").embargoUntil, node.dave.ledger.get("bob").embargoUntil);
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now()) + 20));
    node.dave.paymentsEnabled = true;
    daveBob = await connect("dave", "bob");
    await node.dave.accounting.settle("bob");
    const resumed = (await daveBob.request("store")).serviceClass === "paid";
    log(`  dave paid and is served again: ${resumed}`);
    await new Promise((r) => setTimeout(r, 50));

    // ------------------------------------------------------------------ 3. cash-out
    log("cash-out of received cheques …");
    const cashouts: DemoReport["cashouts"] = [];
    for (const name of ["bob", "carol"]) {
      const svc = new CashoutService({
        store: node[name].store,
        signer: keys[name],
        policy: { minAmount: UNIT },
        onBounce: (p) => node[name].setDefaulting(p, true),
      });
      for (const r of await svc.cashOutAll())
        cashouts.push({
          node: name,
          chequebook: r.chequebook,
          beneficiary: r.beneficiary,
          status: r.status,
          totalPayout: r.totalPayout,
          gasUsed: r.gasUsed ?? 0n,
        });
    }

    // ------------------------------------------------------------------ 4. a service plan over relays
    log("service plan: alice funds it, 6 relays carry 3-hop traffic with share tokens …");
    const plans = new ServicePlansClient(deployment.servicePlans, funder);
    const customerKey = Wallet.createRandom();
    const budget = 300n * UNIT;
    const shareCap = 1_500n;
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    await mint(await funder.getAddress(), 2n * budget);
    const { planId } = await plans.createPlan({
      token: deployment.token,
      signer: customerKey.address,
      budget,
      bond: budget,
      shareCap,
      submitDeadline: now + 3_600n,
      claimDeadline: now + 90_000n,
    });
    const terms = await plans.getPlan(planId);
    const domain = await plans.domain();
    const relays = await Promise.all(Array.from({ length: 6 }, () => wallet()));
    const issuer = new ShareIssuer({ planId, domain, signer: customerKey.privateKey as Hex, chainLength: 64 });
    const collectors = relays.map((r) => {
      checkPlan(terms, { minFloorPerShare: budget / shareCap }, now); // each relay checks before serving
      return new ShareCollector({ planId, provider: r.address, domain, planSigner: terms.signer, refreshAfter: 64 });
    });
    let forgedRejected = 0;
    for (let p = 0; p < 400; p++) {
      const hops = [p % 6, (p * 7 + 1) % 6, (p * 5 + 3) % 6].filter((v, i, a) => a.indexOf(v) === i);
      for (const h of hops) {
        const { token: t, receipt } = await issuer.next(relays[h].address);
        if (receipt) collectors[h].acceptReceipt(receipt);
        if (p % 97 === 0) {
          try {
            collectors[h].accept({ ...t, word: new Uint8Array(32).fill(7) }); // a relay on the path tampers with it
          } catch {
            forgedRejected++;
          }
        }
        collectors[h].accept(t);
      }
    }
    const subs = collectors.map((c) => c.bestSubmission()).filter((s): s is Submission => !!s);
    await plans.submitBatch(subs, 10);
    await (provider as JsonRpcProvider).send("evm_increaseTime", [3_601]);
    await (provider as JsonRpcProvider).send("evm_mine", []);
    const shares = new Map(collectors.map((c) => [c.provider as string, c.shares]));
    const model = computePayouts({ budget, bond: budget, shareCap, shares });
    const payouts: DemoReport["plan"]["payouts"] = [];
    for (const c of collectors) {
      const { amount } = await plans.claim(planId, c.provider);
      payouts.push({ provider: c.provider, shares: c.shares, amount });
    }
    await (provider as JsonRpcProvider).send("evm_increaseTime", [90_000]);
    await (provider as JsonRpcProvider).send("evm_mine", []);
    const swept = await plans.sweep(planId);
    const final = await plans.getPlan(planId);

    // ------------------------------------------------------------------ report
    const peers: DemoReport["peers"] = [];
    for (const name of names)
      for (const r of node[name].ledger.peers()) {
        const rec = node[name].ledger.get(r);
        peers.push({ node: name, peer: r, balance: rec.balance, surplus: rec.surplus });
      }
    const bobBook = new ChequebookClient(books.alice, provider);
    const checks = [
      { name: "cheques flowed at the payment threshold", ok: cheques.length >= 3 },
      {
        name: "a peer that stopped paying was disconnected with an embargo",
        ok: disconnects.some((d) => d.peer === "dave"),
      },
      { name: "it was served again after paying", ok: resumed },
      {
        name: "cash-outs moved real tokens",
        ok: cashouts.length > 0 && cashouts.every((c) => c.status === "mined") && (await bobBook.totalPaidOut()) > 0n,
      },
      {
        name: "each side's view of the other is the exact negation",
        ok: names.every((a) =>
          names.every(
            (b) =>
              a === b ||
              !node[a].ledger.peers().includes(b) ||
              node[a].ledger.balance(b) - node[a].ledger.get(b).surplus ===
                -(node[b].ledger.balance(a) - node[b].ledger.get(a).surplus),
          ),
        ),
      },
      {
        name: "plan payouts equal the TypeScript model to the wei",
        ok: payouts.every((p) => p.amount === model.payouts.get(p.provider)) && swept.returned === model.sweep,
      },
      {
        name: "every share earned at least the floor price",
        ok: payouts.every((p) => p.amount >= p.shares * model.floorPerShare),
      },
      { name: "forged share tokens were rejected", ok: forgedRejected > 0 },
    ];
    return {
      deployment,
      peers,
      cheques,
      disconnects,
      cashouts,
      plan: {
        planId,
        budget: final.budget,
        bond: final.bond,
        shareCap,
        totalShares: final.totalShares,
        payouts,
        forgedRejected,
        swept: swept.returned,
        unspentBudget: final.budget - final.paidOut,
        bondReturned: swept.forfeited === 0n ? final.bond : 0n,
        forfeited: swept.forfeited,
        matchesModel: checks[5].ok,
      },
      funded,
      checks,
    };
  } finally {
    for (const n of nodes) n.close();
    for (const s of stores) s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
