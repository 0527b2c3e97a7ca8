/**
 * Gas of the cash-out transactions the node sends, measured on the in-process Hardhat network with
 * real contracts (TestToken, the factory's chequebooks, the CashoutRouter), the calls built by the
 * node's own casher encoders (`SingleChequeCasher`, `RouterBatchCasher`: `cashManyCompact`, no
 * pre-check, 150,000 gas per entry) and every receipt decoded by the same casher (all paid, or the
 * bench stops). Used by the 30-day replay (bench/cashout.ts).
 *
 * Scenario, as in the replay: one beneficiary (already holding tokens) cashes cheques of its peers'
 * chequebooks; every chequebook has paid someone before (totals non-zero). "first" = the first
 * cash-out of that chequebook for this beneficiary (its paid-out slot goes 0 → non-zero), "later"
 * = a later one.
 */
import { Wallet, id } from "ethers";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { TestToken__factory } from "../typechain-types/index.js";
import { ChequebookFactoryClient, ChequebookClient } from "../src/chain/chequebook.js";
import { CashoutRouterClient } from "../src/chain/batch-cashout.js";
import { signCashout, signCheque } from "../src/cheque/index.js";
import { SingleChequeCasher, type BatchCasher, type CashItem, type CasherContext } from "../src/settlement/casher.js";
import { RouterBatchCasher } from "../src/settlement/router-casher.js";
import type { Hex } from "../src/crypto/index.js";
import type { ReceivedCheque } from "../src/store/types.js";

/** Gas a transaction used; what `eth_estimateGas` said before it was sent (the gas limit it needs); and
 * what the casher predicted it would use (`BatchCasher.gasUsed`: what the service decides with). */
export interface Gas {
  used: bigint;
  estimate: bigint;
  predicted: bigint;
}

export interface MeasuredGas {
  /** One `cashChequeBeneficiary` per transaction. */
  single: { first: Gas; later: Gas };
  /** `RouterBatchCasher` transaction gas (whole transaction) for `n` cheques, all first or all later
   * (for n = 1 the casher sends the direct call). */
  router: { n: number; first: Gas; later: Gas }[];
}

const key = (role: string) => new Wallet(id(`swap-settlement cash-out bench: ${role}`));

export async function measureCashoutGas(ethers: HardhatEthers, sizes: number[]): Promise<MeasuredGas> {
  const [deployer] = await ethers.getSigners();
  const { chainId } = await ethers.provider.getNetwork();
  const token = await new TestToken__factory(deployer).deploy();
  const factory = await ChequebookFactoryClient.deploy(deployer!, await token.getAddress());
  const router = await CashoutRouterClient.deploy(deployer!);
  const issuer = key("issuer");
  const me = key("beneficiary").connect(ethers.provider);
  const other = key("someone else").connect(ethers.provider);
  for (const w of [me, other]) await (await deployer!.sendTransaction({ to: w.address, value: 10n ** 20n })).wait();
  await (await token.mint(me.address, 1n)).wait(); // the beneficiary already holds tokens
  const ctx: CasherContext = {
    chainId,
    beneficiary: me.address as Hex,
    signCashout: (auth) => signCashout(auth, chainId, me.privateKey as Hex),
  };

  let salt = 0;
  /** A chequebook that has already paid someone else once. */
  async function book(): Promise<Hex> {
    const d = await factory.deployChequebook({
      issuer: issuer.address,
      defaultHardDepositTimeout: 86400,
      salt: id(`cash-out bench ${salt++}`),
    });
    await (await token.mint(d.address, 10n ** 24n)).wait();
    const c = { chequebook: d.address, beneficiary: other.address, cumulativePayout: 10n ** 15n };
    await new ChequebookClient(d.address, other).cashChequeBeneficiary({
      ...c,
      signature: await signCheque(c, chainId, issuer.privateKey as Hex),
    });
    return d.address as Hex;
  }
  async function item(chequebook: Hex, amount: bigint): Promise<CashItem> {
    const c = { chequebook, beneficiary: me.address, cumulativePayout: amount };
    const signature = await signCheque(c, chainId, issuer.privateKey as Hex);
    return {
      cheque: { ...c, signature, peer: chequebook, chainId, receivedAt: 0 } as ReceivedCheque,
      recipient: me.address as Hex,
    };
  }
  async function cash(casher: BatchCasher, items: CashItem[]): Promise<Gas> {
    const req = await casher.encode(items, ctx);
    const estimateOf = (r: { to: string; data: string }) =>
      ethers.provider.estimateGas({ from: me.address, to: r.to, data: r.data });
    const estimate = await estimateOf(req);
    const predicted = casher.gasUsed ? await casher.gasUsed(items, ctx, estimateOf) : estimate;
    const receipt = (await (await me.sendTransaction({ to: req.to, data: req.data, gasLimit: req.gasLimit })).wait())!;
    const results = casher.decode(receipt, items);
    const unpaid = results.filter((r) => r.status !== "paid");
    if (unpaid.length)
      throw new Error(`bench: ${unpaid.length} of ${items.length} cheques not paid (${unpaid[0]!.reason})`);
    return { used: receipt.gasUsed, estimate, predicted };
  }

  const single = new SingleChequeCasher();
  const one = await book();
  const first = await cash(single, [await item(one, 10n ** 18n)]);
  const later = await cash(single, [await item(one, 2n * 10n ** 18n)]);

  const batch = new RouterBatchCasher({ router: router.address, maxBatch: Math.max(...sizes) });
  const out: MeasuredGas["router"] = [];
  for (const n of sizes) {
    const books: Hex[] = [];
    for (let i = 0; i < n; i++) books.push(await book());
    const f = await cash(batch, await Promise.all(books.map((b) => item(b, 10n ** 18n))));
    const l = await cash(batch, await Promise.all(books.map((b) => item(b, 2n * 10n ** 18n))));
    out.push({ n, first: f, later: l });
  }
  return { single: { first, later }, router: out };
}

/**
 * Gas of one router transaction cashing `first` first and `later` later cheques: measured at the
 * sizes measured, linear between neighbouring measured sizes otherwise, each cheque weighted by
 * its kind.
 */
export function routerGas(m: MeasuredGas, first: number, later: number, what: keyof Gas): bigint {
  const n = first + later;
  const pts = m.router;
  const at = (kind: "first" | "later"): number => {
    const hit = pts.find((p) => p.n === n);
    if (hit) return Number(hit[kind][what]);
    const hi = pts.findIndex((p) => p.n > n);
    if (hi <= 0) throw new Error(`bench: batch size ${n} outside the measured sizes ${pts.map((p) => p.n).join(", ")}`);
    const a = pts[hi - 1]!;
    const b = pts[hi]!;
    return Number(a[kind][what]) + ((Number(b[kind][what]) - Number(a[kind][what])) * (n - a.n)) / (b.n - a.n);
  };
  return BigInt(Math.ceil((at("first") * first + at("later") * later) / n));
}
