// npm run bench:plans — share-token throughput off chain and ServicePlans gas on chain, into BENCHMARKS.md.
import { network } from "hardhat";
import { Wallet, type Signer } from "ethers";
import { TestToken__factory } from "../typechain-types/index.js";
import { ServicePlansClient } from "../src/chain/plans.js";
import { ShareIssuer, type IssuedToken } from "../src/plans/issuer.js";
import { ShareCollector, type Submission } from "../src/plans/collector.js";
import type { Hex } from "../src/crypto/index.js";
import { signShareReceipt } from "../src/plans/receipt.js";
import { fmt, machine, table, writeSection } from "./report.js";

const rows: string[][] = [];

// 1. tokens accepted per second by one collector (tokens pre-issued, so only acceptance is timed)
{
  const customer = Wallet.createRandom();
  const provider = Wallet.createRandom().address;
  const domain = { chainId: 31337n, verifyingContract: Wallet.createRandom().address };
  const issuer = new ShareIssuer({ planId: 1n, domain, signer: customer.privateKey as Hex, chainLength: 50_000 });
  const collector = new ShareCollector({
    planId: 1n,
    provider,
    domain,
    planSigner: customer.address,
    refreshAfter: 50_000,
  });
  const N = 200_000;
  const tokens: IssuedToken[] = [];
  for (let i = 0; i < N; i++) tokens.push(await issuer.next(provider));
  const t = performance.now();
  for (const { token, receipt } of tokens) {
    if (receipt) collector.acceptReceipt(receipt);
    collector.accept(token);
  }
  const ms = performance.now() - t;
  if (collector.shares !== BigInt(N)) throw new Error("lost tokens");
  rows.push([
    "share tokens accepted by one collector (one keccak each; a receipt every 50,000)",
    `${fmt(Math.round((N / ms) * 1000))} /s`,
    "≥ 80,000 /s",
  ]);
}

// 2. gas on the in-process chain
const { ethers } = await network.create();
const [funder, submitter] = (await ethers.getSigners()) as Signer[];
const token = await new TestToken__factory(funder).deploy();
await token.mint(await funder.getAddress(), 10n ** 30n);
const plans = await ServicePlansClient.deploy(funder);
const domain = await plans.domain();
const customer = Wallet.createRandom();
const now = () => ethers.provider.getBlock("latest").then((b) => BigInt(b!.timestamp));

async function newPlan() {
  const t = await now();
  return (
    await plans.createPlan({
      token: await token.getAddress(),
      signer: customer.address,
      budget: 10n ** 21n,
      bond: 10n ** 21n,
      shareCap: 10n ** 9n,
      submitDeadline: t + 3_600n,
      claimDeadline: t + 90_000n,
    })
  ).planId;
}
/** A collector holding `depth` tokens of one chain (plus `base` shares from earlier receipts). */
async function collected(planId: bigint, provider: string, depth: number, length = Math.max(depth, 1)) {
  const issuer = new ShareIssuer({ planId, domain, signer: customer.privateKey as Hex, chainLength: length });
  const c = new ShareCollector({
    planId,
    provider,
    domain,
    planSigner: customer.address,
    maxGap: 1_000_000,
    refreshAfter: 1e9,
  });
  if (depth === 0) {
    // depth 0: a plain signed cumulative receipt (length 0) for 1,000 shares, no chain at all
    const receipt = { planId, provider, baseShares: 1_000n, anchor: ("0x" + "00".repeat(32)) as Hex, length: 0n };
    const signature = await signShareReceipt(receipt, domain, customer.privateKey as Hex);
    c.acceptReceipt({ ...receipt, signature });
    return { c, issuer, sub: c.bestSubmission()! };
  }
  const first = await issuer.next(provider);
  c.acceptReceipt(first.receipt!);
  let last = first;
  for (let i = 1; i < depth; i++) last = await issuer.next(provider);
  c.accept(last.token);
  return { c, issuer, sub: c.bestSubmission()! };
}

const gasRows: string[][] = [];
const createGas = await (async () => {
  const t = await now();
  const r = await plans.createPlan({
    token: await token.getAddress(),
    signer: customer.address,
    budget: 10n ** 21n,
    bond: 10n ** 21n,
    shareCap: 10n ** 9n,
    submitDeadline: t + 3_600n,
    claimDeadline: t + 90_000n,
  });
  return r.gasUsed;
})();
for (const depth of [0, 100, 1_000]) {
  const planId = await newPlan();
  // a warm total: another provider submitted first (as in any plan with traffic)
  await plans.connect(submitter).submit((await collected(planId, Wallet.createRandom().address, 1)).sub);
  const provider = Wallet.createRandom().address;
  const { issuer, c, sub } = await collected(planId, provider, depth, depth + 20);
  const first = await plans.connect(submitter).submit(sub);
  // superseding: the same chain 10 words deeper (depth 0: a plain receipt for 10 more shares)
  let next: Submission;
  if (depth === 0) {
    const receipt = { planId, provider, baseShares: 1_010n, anchor: sub.anchor, length: 0n };
    next = {
      ...sub,
      baseShares: 1_010n,
      signature: await signShareReceipt(receipt, domain, customer.privateKey as Hex),
    };
  } else {
    let last;
    for (let i = 0; i < 10; i++) last = await issuer.next(provider);
    c.accept(last!.token);
    next = c.bestSubmission()!;
  }
  const superseding = await plans.connect(submitter).submit(next);
  // batch of 20 receipts, each a new provider at this depth
  const batch: Submission[] = [];
  for (let i = 0; i < 20; i++)
    batch.push((await collected(planId, Wallet.createRandom().address, depth, depth + 1)).sub);
  const [batched] = await plans.connect(submitter).submitBatch(batch, 20);
  await ethers.provider.send("evm_increaseTime", [3_601]);
  const claim = await plans.connect(submitter).claim(planId, provider);
  gasRows.push([
    String(depth),
    fmt(first.gasUsed),
    fmt(superseding.gasUsed),
    fmt(batched.gasUsed / 20n),
    fmt(claim.gasUsed),
  ]);
}

// 3. a provider that carried one million packets: receipts rotate every 1,000 tokens, and only the
// best (last) receipt is submitted, so the chain cost is bounded by the rotation, not the traffic
const million = await (async () => {
  const planId = await newPlan();
  const provider = Wallet.createRandom().address;
  const issuer = new ShareIssuer({ planId, domain, signer: customer.privateKey as Hex, chainLength: 1_000 });
  const c = new ShareCollector({ planId, provider, domain, planSigner: customer.address });
  const t = performance.now();
  for (let i = 0; i < 1_000_000; i++) {
    const { token, receipt } = await issuer.next(provider);
    if (receipt) c.acceptReceipt(receipt);
    c.accept(token);
  }
  const ms = performance.now() - t;
  const submit = await plans.connect(submitter).submit(c.bestSubmission()!);
  await ethers.provider.send("evm_increaseTime", [3_601]);
  const claim = await plans.connect(submitter).claim(planId, provider);
  return { shares: c.shares, gas: submit.gasUsed + claim.gasUsed, ms };
})();

// 4. claimMany: one provider paid by N plans in one token, each plan also paid another provider
// already (a plan with traffic); the provider holds no tokens before (one transfer to a fresh holder)
async function claimScenario(n: number, batched: boolean) {
  const provider = Wallet.createRandom().address;
  const ids: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const planId = await newPlan();
    const other = Wallet.createRandom().address;
    await plans
      .connect(submitter)
      .submitBatch([(await collected(planId, other, 0)).sub, (await collected(planId, provider, 0)).sub]);
    ids.push(planId);
  }
  await ethers.provider.send("evm_increaseTime", [3_601]);
  await ethers.provider.send("evm_mine", []);
  if (batched) return (await plans.connect(submitter).claimMany(ids, provider)).gasUsed;
  let gas = 0n;
  for (const id of ids) gas += (await plans.connect(submitter).claim(id, provider)).gasUsed;
  return gas;
}
const claimRows: string[][] = [];
for (const n of [1, 10]) {
  const many = await claimScenario(n, true);
  const single = await claimScenario(n, false);
  claimRows.push([String(n), fmt(single / BigInt(n)), fmt(many / BigInt(n)), n === 10 ? "≤ 35,000" : "–"]);
}

const out =
  table(["operation", "measured", "target"], rows) +
  "\n\nGas per ServicePlans call by chain depth (in-process Hardhat network; the plan already has shares from another provider):\n\n" +
  table(["depth", "first submit", "superseding (+10 shares)", "batch of 20, per receipt", "claim"], gasRows) +
  `\n\ncreatePlan (ERC20, bond > 0, approval already given): ${fmt(createGas)} gas.` +
  "\n\nClaims per plan: one provider paid by N plans in one token, each plan also holds another provider's shares; the provider holds no tokens yet:\n\n" +
  table(["plans N", "N single claims, per plan", "claimMany, per plan", "target"], claimRows) +
  `\n\nOne provider carrying ${fmt(Number(million.shares))} packets (issue + accept off chain took ${fmt(Math.round(million.ms))} ms; receipts every 1,000 packets): submit + claim = ${fmt(million.gas)} gas, **${(Number(million.gas) / Number(million.shares)).toFixed(3)} gas per share**.`;
console.log(out);
writeSection("plans", `## Share-token plans\n\nCommand: \`npm run bench:plans\`. Machine: ${machine()}.\n\n${out}`);
