/**
 * `RouterBatchCasher`: the `BatchCasher` that cashes up to `maxBatch` cheques in ONE transaction
 * through the `CashoutRouter` (contracts/swap/batch), Bee's chequebooks included.
 *
 * - `encode` of one cheque is the beneficiary's own `cashChequeBeneficiary` (cheaper than the router
 *   for one). For more, it signs, for every cheque, the beneficiary's `Cashout(chequebook, sender = router,
 *   requestPayout = cumulativePayout, recipient, callerPayout = 0)` with `ctx.signCashout` and builds
 *   `cashManyCompact` (one beneficiary, one recipient, 65-byte ECDSA signatures: ≈ 1,700 gas of call
 *   data less per cheque) or else `cashMany`.
 * - `gasUsed` is what the fee decision prices: the batch's use, simulated with a trailing no-op entry
 *   (its own `eth_estimateGas` is the limit it is sent with, ≈ 130,000 gas above its use).
 * - `probe` is the call the router makes for one cheque, as the router: the service simulates it
 *   before batching, because a router batch never fails as a whole (it skips a failing entry), so a
 *   cheque that would be skipped (forged, already cashed, would bounce) must be found one by one.
 * - `cashesBounces = false`: this project's chequebooks refuse a relayed cash-out that would bounce
 *   (`RelayedChequeWouldBounce`), so the service cashes a bouncing cheque alone, through the
 *   beneficiary's own `cashChequeBeneficiary` (which pays what is there and flags the issuer).
 * - `decode` returns one result per item, in order: "paid" / "bounced" from the chequebook's own
 *   `ChequeCashed` / `ChequeBounced` (matched on emitter, beneficiary and cumulative payout), or
 *   "skipped" with the router's `CashoutSkipped` reason (matched on emitter = router and chequebook).
 *   A skipped cheque is recorded failed by the service and is due again next run.
 */
import { Signature, ZeroAddress, ZeroHash } from "ethers";
import { CashoutRouter__factory, Chequebook__factory } from "../../typechain-types/index.js";
import type { ICashoutRouter } from "../../typechain-types/index.js";
import { InvalidArgumentError } from "../errors.js";
import { SKIP_REASONS } from "../chain/batch-cashout.js";
import type { TxRequest } from "../chain/transactions.js";
import type { Hex } from "../crypto/index.js";
import { toAddress } from "../values.js";
import {
  SingleChequeCasher,
  type BatchCasher,
  type CashItem,
  type CashItemResult,
  type CasherContext,
  type CashProbe,
  type GasEstimator,
  type ReceiptLogs,
} from "./casher.js";

const routerInterface = CashoutRouter__factory.createInterface();
const chequebookInterface = Chequebook__factory.createInterface();

/** EIP-7825 (Osaka): no transaction may ask for more than 2^24 gas. */
export const TX_GAS_CAP = 16_777_216n;
/** What the router keeps back per entry besides its allowance (`BatchCalls.RESERVE`), and the 1/64 rule. */
const ROUTER_RESERVE = 15_000n;
/** Call data and loop overhead of one entry, generously (a `cashMany` entry with 65-byte signatures). */
const ENTRY_OVERHEAD = 12_000n;
/** Transaction base cost and router set-up, generously. */
const TX_OVERHEAD = 100_000n;
/** What every transaction pays before its call data and execution. */
const TX_BASE_GAS = 21_000n;
export const DEFAULT_GAS_PER_ENTRY = 150_000n;
/** The router's own floor (`BatchCalls.MIN_GAS_PER_ENTRY`). */
export const MIN_GAS_PER_ENTRY = 50_000n;
export const DEFAULT_ROUTER_BATCH = 50;

/**
 * The gas the router requires to be left before it starts an entry (`BatchCalls.requireGas`): the
 * allowance, what EIP-150 keeps back of it (1/64), and the router's own reserve.
 */
export function routerEntryReserve(gasPerEntry: bigint): bigint {
  return gasPerEntry + gasPerEntry / 63n + ROUTER_RESERVE;
}

/**
 * The router's batch limit for an allowance of `gasPerEntry`: the most entries whose worst case
 * (every entry burning its whole allowance, e.g. a hostile chequebook) still fits one transaction
 * under the EIP-7825 cap (92 at the default 150,000).
 */
export function routerBatchLimit(gasPerEntry: bigint = DEFAULT_GAS_PER_ENTRY): number {
  const perEntry = routerEntryReserve(gasPerEntry) + ENTRY_OVERHEAD;
  return Number((TX_GAS_CAP - TX_OVERHEAD) / perEntry);
}

export interface RouterBatchCasherOptions {
  /** The deployed `CashoutRouter`. */
  router: string;
  /** Cheques per transaction, ≤ `routerBatchLimit(gasPerEntry)`. Default 50 (or the limit if lower). */
  maxBatch?: number;
  /** Gas each chequebook call may use (≥ 50,000). Default 150,000 (a Bee cash-out fits 300,000). */
  gasPerEntry?: bigint;
  /**
   * Ask `paidOut` / `liquidBalanceFor` before each call (≈ +3,800 gas per cheque). Default false:
   * the service simulates every cheque first and cashes bouncing ones alone, and should a Bee
   * chequebook lose funds between the plan and the block, its partial payment is reported "bounced"
   * (what a direct cash-out would have done) — nothing is lost either way.
   */
  checkFirst?: boolean;
}

type CompactEntry = ICashoutRouter.CompactEntryStruct;
type FullEntry = ICashoutRouter.EntryStruct;
/** The entries of one router call: `cashManyCompact` (one recipient, 65-byte signatures) or `cashMany`. */
type RouterEntries = { compact: true; recipient: Hex; list: CompactEntry[] } | { compact: false; list: FullEntry[] };

/** An entry the router skips before calling anything (no code at address 0): see `gasUsed`. */
const NOOP_COMPACT_ENTRY: CompactEntry = {
  chequebook: ZeroAddress,
  cumulativePayout: 0n,
  callerPayout: 0n,
  beneficiaryR: ZeroHash,
  beneficiaryVS: ZeroHash,
  issuerR: ZeroHash,
  issuerVS: ZeroHash,
};
const NOOP_ENTRY: FullEntry = {
  chequebook: ZeroAddress,
  beneficiary: ZeroAddress,
  recipient: ZeroAddress,
  cumulativePayout: 0n,
  callerPayout: 0n,
  beneficiarySig: "0x",
  issuerSig: "0x",
};

/** EIP-2028 call-data gas: 4 per zero byte, 16 per other byte. */
function calldataGas(data: string): bigint {
  let gas = 0n;
  for (let i = 2; i < data.length; i += 2) gas += data[i] === "0" && data[i + 1] === "0" ? 4n : 16n;
  return gas;
}

export class RouterBatchCasher implements BatchCasher {
  readonly router: Hex;
  readonly maxBatch: number;
  readonly gasPerEntry: bigint;
  readonly checkFirst: boolean;
  readonly cashesBounces = false;
  readonly #single = new SingleChequeCasher();

  constructor(opts: RouterBatchCasherOptions) {
    this.router = toAddress(opts.router, "router");
    this.gasPerEntry = opts.gasPerEntry ?? DEFAULT_GAS_PER_ENTRY;
    if (this.gasPerEntry < MIN_GAS_PER_ENTRY || this.gasPerEntry > TX_GAS_CAP / 4n) {
      throw new InvalidArgumentError(
        "gasPerEntry",
        this.gasPerEntry,
        `gas in [${MIN_GAS_PER_ENTRY}, ${TX_GAS_CAP / 4n}]`,
      );
    }
    const limit = routerBatchLimit(this.gasPerEntry);
    this.maxBatch = opts.maxBatch ?? Math.min(DEFAULT_ROUTER_BATCH, limit);
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1 || this.maxBatch > limit) {
      throw new InvalidArgumentError(
        "maxBatch",
        opts.maxBatch,
        `an integer in [1, ${limit}] (the router's limit at ${this.gasPerEntry} gas per entry)`,
      );
    }
    this.checkFirst = opts.checkFirst ?? false;
  }

  async #authorise(item: CashItem, ctx: CasherContext): Promise<Hex> {
    return ctx.signCashout({
      chequebook: toAddress(item.cheque.chequebook),
      sender: this.router,
      requestPayout: item.cheque.cumulativePayout,
      recipient: toAddress(item.recipient, "recipient"),
      callerPayout: 0n,
    });
  }

  #check(items: CashItem[], ctx: CasherContext): void {
    if (items.length < 1 || items.length > this.maxBatch) {
      throw new InvalidArgumentError("items", items.length, `1 to ${this.maxBatch} cheques per transaction`);
    }
    const seen = new Set<string>();
    items.forEach(({ cheque }, i) => {
      const cb = toAddress(cheque.chequebook, `items[${i}].cheque.chequebook`);
      if (seen.has(cb))
        throw new InvalidArgumentError(`items[${i}].cheque.chequebook`, cb, "one cheque per chequebook in a batch");
      seen.add(cb);
      // we can only authorise cash-outs of our own cheques
      if (toAddress(cheque.beneficiary, `items[${i}].cheque.beneficiary`) !== ctx.beneficiary) {
        throw new InvalidArgumentError(
          `items[${i}].cheque.beneficiary`,
          cheque.beneficiary,
          `the casher's beneficiary ${ctx.beneficiary}`,
        );
      }
    });
  }

  async encode(items: CashItem[], ctx: CasherContext): Promise<TxRequest> {
    this.#check(items, ctx);
    // one cheque: the beneficiary's own call is cheaper than the router's (no Cashout signature,
    // no second contract), and `decode` reads its ChequeCashed the same way
    if (items.length === 1) return this.#single.encode(items);
    return this.#routerCall(await this.#entries(items, ctx), ctx);
  }

  /**
   * The gas `encode(items)` will use. Its own `eth_estimateGas` is the gas LIMIT it needs, which is
   * higher: the router starts an entry only while `gasPerEntry` + 1/64 + 15,000 is left
   * (`routerEntryReserve`), so the estimate must leave that much at the LAST entry however little
   * the entry then uses (≈ 130,000 gas over the use at the default allowance: +31% at 10 cheques).
   * So this simulates the same batch with one more entry, a no-op (no chequebook at address 0,
   * skipped by the router before any call): the estimate then binds at that entry's check, after
   * every real entry has run, and minus the reserve and the extra entry's call data it is the gas
   * the batch uses (within a few hundred gas on the in-process chain, the end of the loop; geth
   * stops its estimate search 1.5% above the least, which this inherits).
   */
  async gasUsed(items: CashItem[], ctx: CasherContext, estimate: GasEstimator): Promise<bigint> {
    this.#check(items, ctx);
    if (items.length === 1) return estimate(await this.#single.encode(items));
    const entries = await this.#entries(items, ctx);
    const real = this.#routerCall(entries, ctx);
    const metered = this.#routerCall(
      entries.compact
        ? { ...entries, list: [...entries.list, NOOP_COMPACT_ENTRY] }
        : { compact: false, list: [...entries.list, NOOP_ENTRY] },
      ctx,
    );
    const used =
      (await estimate(metered)) -
      routerEntryReserve(this.gasPerEntry) -
      (calldataGas(metered.data) - calldataGas(real.data));
    // cannot happen with this project's router; should it ever, the estimate is the safe figure
    return used >= TX_BASE_GAS ? used : estimate(real);
  }

  /** Every item's router entry, with the beneficiary's `Cashout` signature for the router. */
  async #entries(items: CashItem[], ctx: CasherContext): Promise<RouterEntries> {
    const signed = await Promise.all(items.map(async (item) => ({ item, bsig: await this.#authorise(item, ctx) })));
    const recipient = toAddress(items[0].recipient, "recipient");
    if (items.every((i) => toAddress(i.recipient) === recipient)) {
      const compact = signed.map(({ item, bsig }) => {
        const b = compactSignature(bsig);
        const s = compactSignature(item.cheque.signature);
        return b && s
          ? {
              chequebook: toAddress(item.cheque.chequebook),
              cumulativePayout: item.cheque.cumulativePayout,
              callerPayout: 0n,
              beneficiaryR: b.r,
              beneficiaryVS: b.vs,
              issuerR: s.r,
              issuerVS: s.vs,
            }
          : undefined;
      });
      if (compact.every((e) => e !== undefined)) return { compact: true, recipient, list: compact };
    }
    return {
      compact: false,
      list: signed.map(({ item, bsig }) => ({
        chequebook: toAddress(item.cheque.chequebook),
        beneficiary: ctx.beneficiary,
        recipient: toAddress(item.recipient),
        cumulativePayout: item.cheque.cumulativePayout,
        callerPayout: 0n,
        beneficiarySig: bsig,
        issuerSig: item.cheque.signature,
      })),
    };
  }

  #routerCall(entries: RouterEntries, ctx: CasherContext): TxRequest {
    const data = entries.compact
      ? routerInterface.encodeFunctionData("cashManyCompact", [
          ctx.beneficiary,
          entries.recipient,
          entries.list,
          this.gasPerEntry,
          this.checkFirst,
        ])
      : routerInterface.encodeFunctionData("cashMany", [entries.list, this.gasPerEntry, this.checkFirst]);
    return { to: this.router, data: data as Hex };
  }

  async probe(item: CashItem, ctx: CasherContext): Promise<CashProbe> {
    this.#check([item], ctx);
    const bsig = await this.#authorise(item, ctx);
    const data = chequebookInterface.encodeFunctionData("cashCheque", [
      ctx.beneficiary,
      toAddress(item.recipient),
      item.cheque.cumulativePayout,
      bsig,
      0n,
      item.cheque.signature,
    ]);
    return { req: { to: toAddress(item.cheque.chequebook), data: data as Hex }, from: this.router };
  }

  decode(receipt: ReceiptLogs, items: CashItem[]): CashItemResult[] {
    const skipped = new Map<string, string>();
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.router.toLowerCase()) continue;
      const p = routerInterface.parseLog(log);
      if (p?.name !== "CashoutSkipped") continue;
      const reason = SKIP_REASONS[Number(p.args.reason)] ?? "Reverted";
      const selector = p.args.errorSelector as string;
      const error =
        selector === "0x00000000"
          ? ""
          : `: ${chequebookInterface.getError(selector)?.name ?? routerInterface.getError(selector)?.name ?? selector}`;
      skipped.set(toAddress(p.args.chequebook), `${reason}${error}`);
    }
    return items.map(({ cheque }) => {
      const chequebook = toAddress(cheque.chequebook);
      const skip = skipped.get(chequebook);
      if (skip !== undefined) return { chequebook, status: "skipped", totalPayout: 0n, reason: skip };
      let totalPayout: bigint | undefined;
      let bounced = false;
      for (const log of receipt.logs) {
        if (log.address.toLowerCase() !== chequebook.toLowerCase()) continue;
        const p = chequebookInterface.parseLog(log);
        if (
          p?.name === "ChequeCashed" &&
          toAddress(p.args.beneficiary) === toAddress(cheque.beneficiary) &&
          p.args.cumulativePayout === cheque.cumulativePayout
        ) {
          totalPayout = p.args.totalPayout as bigint;
        }
        if (p?.name === "ChequeBounced" && totalPayout !== undefined) bounced = true;
      }
      if (totalPayout === undefined)
        return { chequebook, status: "skipped", totalPayout: 0n, reason: "no ChequeCashed event from the chequebook" };
      return { chequebook, status: bounced ? "bounced" : "paid", totalPayout };
    });
  }
}

/** EIP-2098 form of a canonical 65-byte ECDSA signature; undefined for anything else (ERC-1271, high s). */
function compactSignature(sig: string): { r: string; vs: string } | undefined {
  if (!/^0x[0-9a-fA-F]{130}$/.test(sig)) return undefined;
  try {
    const s = Signature.from(sig);
    // Signature.from normalises a high s; the chequebook would refuse the original, so keep it as is
    if (s.serialized.toLowerCase() !== sig.toLowerCase()) return undefined;
    return { r: s.r, vs: s.yParityAndS };
  } catch {
    return undefined;
  }
}
