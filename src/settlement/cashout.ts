/**
 * The cash-out service: decides when and how to cash received cheques (fee-aware, batched) and
 * keeps every attempt on record with its transaction — pending, mined, bounced, reverted, failed.
 *
 * Public API (what a scheduler calls):
 * - `run({ chequebooks?, onProgress? })`: resume pending transactions, then cash every due cheque
 *   the policy allows, in ⌈N / batchSize⌉ transactions; returns what was resumed, sent, and what
 *   waits (with the reason: below the minimum, fee above the cap, gas price above the cap, …).
 *   Nothing owed is ever dropped: a waiting cheque stays on record and is looked at next run.
 * - `plan()`: the same decision without sending (the dry-run table).
 * - `resume()`: only settle pending transactions (after a restart).
 * - `cashOut(chequebook)` / `cashOutAll()`: one chequebook / every chequebook (thin wrappers of `run`).
 * - `history(chequebook?)`: the records.
 *
 * Transactions go through `TransactionSender` (src/chain/transactions.ts): simulated first (a call
 * that would revert is never sent), signed, stored *before* broadcast, reconciled after a crash,
 * replaced under a gas spike. Batching goes through the `BatchCasher` port (./casher.ts).
 */
import type { Signer } from "ethers";
import { BEE_GAS_LIMITS, ChequebookClient } from "../chain/chequebook.js";
import {
  TransactionSender,
  type TrackedTx,
  type TransactionSenderOptions,
  type TxOutcome,
  type TxRequest,
} from "../chain/transactions.js";
import { signCashout } from "../cheque/index.js";
import { toAddress } from "../values.js";
import { SettlementError } from "../errors.js";
import type { Hex } from "../crypto/index.js";
import type { SignerLike } from "../crypto/signer.js";
import type { CashoutRecord, ReceivedCheque, Store } from "../store/types.js";
import { NoChequeError } from "./errors.js";
import { SingleChequeCasher, type BatchCasher, type CashItem, type CasherContext } from "./casher.js";
import {
  decideCashouts,
  feeInToken,
  nativeAtParOracle,
  simulationFailure,
  DEFAULT_MAX_FEE_PERCENT,
  type DueItem,
  type FeePolicy,
  type GasPriceOracle,
} from "./fees.js";

export interface CashoutPolicy extends FeePolicy {
  /** Price of gas in token units (×1e9 per gas). Default: 1 wei = 1 token base unit. */
  gasPrice?: GasPriceOracle;
}

export interface CashoutCandidate {
  chequebook: Hex;
  peer: string;
  cumulativePayout: bigint;
  /** Owed: cumulative − paidOut. */
  requestPayout: bigint;
  /** What cashing now pays. */
  totalPayout: bigint;
  bounces: boolean;
  /** Will be cashed now (in batch `batch`). */
  profitable: boolean;
  /** 1-based transaction number of this run; undefined when it waits. */
  batch?: number;
  /** How it is cashed: in the casher's batch, or alone through the beneficiary's own
   * `cashChequeBeneficiary` (a bouncing cheque, when the casher cannot cash bounces). */
  route?: "batch" | "direct";
  /** Gas the whole batch transaction will use (simulated: `BatchCasher.gasUsed`), its fee in token
   * base units, and the fee as a percentage of what the batch cashes. */
  gas?: bigint;
  gasCostInToken?: bigint;
  feePercent?: number;
  /** Why it waits. */
  reason?: string;
}

export interface CashoutPlan {
  gasPriceWei: bigint;
  /** Token base units per gas ×1e9 used for the fee. */
  nanoTokenPerGas: bigint;
  maxFeePercent: number;
  batchSize: number;
  candidates: CashoutCandidate[];
}

export interface CashoutProgress {
  /** 1-based index of the cheque and how many are being cashed. */
  index: number;
  total: number;
  peer: string;
  /** The record after the transaction (mined, bounced, pending, …), or the error that stopped its batch. */
  record?: CashoutRecord;
  error?: SettlementError;
}

export interface CashoutRun {
  resumed: CashoutRecord[];
  sent: CashoutRecord[];
  /** Batches that could not be sent (typed error), per cheque; they are looked at again next run. */
  failed: { chequebook: Hex; peer: string; error: SettlementError }[];
  /** Due but not cashed now (reported, never dropped), with the reason. */
  waiting: CashoutCandidate[];
  plan: CashoutPlan;
}

/**
 * The service's own options, plus `TransactionSender`'s (retry, confirmations, `waitMs`,
 * `replaceAfterMs`, `feeBumpPercent`, `now`), which it passes on to every sender it makes.
 */
export interface CashoutServiceOptions extends TransactionSenderOptions {
  store: Store;
  /** The beneficiary's key: signs raw cash-out transactions (an ethers `Wallet` connected to a provider). */
  signer: Signer;
  policy: CashoutPolicy;
  /** How cheques become transactions. Default: one `cashChequeBeneficiary` per transaction. */
  casher?: BatchCasher;
  /** A cash-out bounced (the issuer is defaulting), or paid in full again. */
  onBounce?: (peer: string, chequebook: Hex) => void;
  onPaid?: (peer: string, chequebook: Hex) => void;
  /** Test hook: "cashout:recorded" (stored, not broadcast), "cashout:broadcast". */
  crashPoint?: (point: string) => void;
}

export class CashoutService {
  readonly #o: CashoutServiceOptions;
  readonly #tx: TransactionSender;
  readonly #casher: BatchCasher;
  /** For what the casher cannot do: a bouncing cheque, a direct transaction to decode. */
  readonly #direct = new SingleChequeCasher();

  constructor(opts: CashoutServiceOptions) {
    this.#o = opts;
    this.#casher = opts.casher ?? this.#direct;
    this.#tx = this.#sender(opts.signer);
  }

  /** A sender with our transaction options, signing with `signer` (ours, or a relayer's). */
  #sender(signer: Signer): TransactionSender {
    return new TransactionSender({ ...this.#o, signer });
  }
  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  async #context(): Promise<CasherContext> {
    const chainId = await this.#tx.chainId();
    return {
      chainId,
      beneficiary: await this.#tx.address(),
      signCashout: (auth) => signCashout(auth, chainId, this.#o.signer as unknown as SignerLike),
    };
  }

  /** What cashing the latest cheque of `chequebook` would pay (no gas spent, no decision). */
  async #preview(cheque: ReceivedCheque) {
    const client = new ChequebookClient(cheque.chequebook, this.#tx.provider);
    return client.previewCashout(cheque.beneficiary, cheque.cumulativePayout);
  }

  /** The decision for `chequebooks` (default: every chequebook we hold a cheque from). */
  async plan(chequebooks?: string[]): Promise<CashoutPlan> {
    const wanted = chequebooks?.map((c) => toAddress(c, "chequebook"));
    const cheques = this.#o.store.listReceived().filter((c) => !wanted || wanted.includes(toAddress(c.chequebook)));
    if (wanted)
      for (const w of wanted) if (!cheques.some((c) => toAddress(c.chequebook) === w)) throw new NoChequeError(w);
    const gasPriceWei = await this.#tx.gasPrice();
    const nanoTokenPerGas = await (this.#o.policy.gasPrice ?? nativeAtParOracle)(gasPriceWei);
    const ctx = await this.#context();
    const rows = new Map<string, CashoutCandidate>();
    const items = new Map<string, CashItem>();
    const due: DueItem<string>[] = [];
    const dueDirect: DueItem<string>[] = [];
    for (const cheque of cheques) {
      const p = await this.#preview(cheque);
      const cb = toAddress(cheque.chequebook);
      const row: CashoutCandidate = {
        chequebook: cb,
        peer: cheque.peer,
        cumulativePayout: cheque.cumulativePayout,
        requestPayout: p.requestPayout,
        totalPayout: p.totalPayout,
        bounces: p.bounces,
        profitable: false,
      };
      rows.set(cb, row);
      const pending = this.#o.store.listCashouts({ chequebook: cb, status: "pending" })[0];
      if (pending) row.reason = `transaction ${pending.txHash} pending (resumed each run)`;
      else if (p.requestPayout === 0n) row.reason = "already cashed";
      else if (p.totalPayout === 0n) row.reason = "chequebook has nothing for us";
      else {
        const item: CashItem = { cheque, recipient: ctx.beneficiary };
        items.set(cb, item);
        if (p.bounces && this.#casher.cashesBounces === false) dueDirect.push({ key: cb, payout: p.totalPayout });
        else if (this.#casher.probe && p.totalPayout >= this.#o.policy.minAmount) {
          // a batch that skips failing entries simulates fine whatever one entry does: try each alone
          // (what is below the minimum waits anyway and is not looked at)
          try {
            const probe = await this.#casher.probe(item, ctx);
            await this.#tx.simulate(probe.req, probe.from);
            due.push({ key: cb, payout: p.totalPayout });
          } catch (e) {
            if (!(e instanceof SettlementError)) throw e;
            row.reason = simulationFailure(e);
          }
        } else due.push({ key: cb, payout: p.totalPayout });
      }
    }
    const decide = (list: DueItem<string>[], casher: BatchCasher) =>
      decideCashouts(list, this.#o.policy, {
        gasPriceWei,
        nanoPerGas: nanoTokenPerGas,
        maxBatch: casher.maxBatch,
        // what the transaction will use (its fee), not the limit it is sent with
        estimate: async (batch) => {
          const list = batch.map((d) => items.get(d.key)!);
          const estimate = (req: TxRequest) => this.#tx.simulate(req);
          return casher.gasUsed ? casher.gasUsed(list, ctx, estimate) : estimate(await casher.encode(list, ctx));
        },
      });
    const batched = await decide(due, this.#casher);
    const alone = dueDirect.length ? await decide(dueDirect, this.#direct) : { batches: [], waiting: [] };
    const planned = [
      ...batched.batches.map((b) => ({ b, route: "batch" as const })),
      ...alone.batches.map((b) => ({ b, route: "direct" as const })),
    ];
    planned.forEach(({ b, route }, i) => {
      for (const d of b.items)
        Object.assign(rows.get(d.key)!, {
          profitable: true,
          batch: i + 1,
          route,
          gas: b.gas,
          gasCostInToken: b.fee,
          feePercent: b.feePercent,
        });
    });
    for (const w of [...batched.waiting, ...alone.waiting]) rows.get(w.item.key)!.reason = w.reason;
    return {
      gasPriceWei,
      nanoTokenPerGas,
      maxFeePercent: this.#o.policy.maxFeePercent ?? DEFAULT_MAX_FEE_PERCENT,
      batchSize: Math.min(this.#o.policy.batchSize ?? this.#casher.maxBatch, this.#casher.maxBatch),
      candidates: [...rows.values()],
    };
  }

  /** Every chequebook we hold a cheque from, with the decision (the dry-run table). */
  async candidates(): Promise<CashoutCandidate[]> {
    return (await this.plan()).candidates;
  }

  /** The decision for one chequebook. */
  async preview(chequebook: string): Promise<CashoutCandidate> {
    return (await this.plan([chequebook])).candidates[0];
  }

  /** Resume pending transactions, then cash what the policy allows, batch by batch. */
  async run(opts: { chequebooks?: string[]; onProgress?: (p: CashoutProgress) => void } = {}): Promise<CashoutRun> {
    const wanted = opts.chequebooks?.map((c) => toAddress(c, "chequebook"));
    const resumed = await this.resume(wanted);
    const plan = await this.plan(wanted);
    const ctx = await this.#context();
    const batches = new Map<number, { items: CashItem[]; casher: BatchCasher }>();
    for (const c of plan.candidates) {
      if (c.batch === undefined) continue;
      const batch = batches.get(c.batch) ?? {
        items: [] as CashItem[],
        casher: c.route === "direct" ? this.#direct : this.#casher,
      };
      batch.items.push({ cheque: this.#o.store.lastReceived(c.chequebook)!, recipient: ctx.beneficiary });
      batches.set(c.batch, batch);
    }
    const total = [...batches.values()].reduce((s, b) => s + b.items.length, 0);
    const sent: CashoutRecord[] = [];
    const failed: CashoutRun["failed"] = [];
    let index = 0;
    for (const [, { items, casher }] of [...batches.entries()].sort((a, b) => a[0] - b[0])) {
      const rows = items.map((i) => plan.candidates.find((c) => c.chequebook === toAddress(i.cheque.chequebook))!);
      let records: CashoutRecord[];
      try {
        records = await this.#sendWith(this.#tx, await casher.encode(items, ctx), items, rows);
      } catch (e) {
        // one batch failing (state changed since the plan, node trouble) must not stop the others;
        // anything already recorded stays pending and is resumed next run
        if (!(e instanceof SettlementError)) throw e;
        for (const i of items) {
          failed.push({ chequebook: toAddress(i.cheque.chequebook), peer: i.cheque.peer, error: e });
          opts.onProgress?.({ index: ++index, total, peer: i.cheque.peer, error: e });
        }
        continue;
      }
      records.forEach((record, i) => {
        sent.push(record);
        opts.onProgress?.({ index: ++index, total, record, peer: items[i].cheque.peer });
      });
    }
    return {
      resumed,
      sent,
      failed,
      waiting: plan.candidates.filter((c) => c.batch === undefined && c.requestPayout > 0n),
      plan,
    };
  }

  /** Cash the latest cheque of `chequebook` if the policy allows; `undefined` when it waits. A
   * pending transaction of that chequebook is settled instead (its record is returned). A typed
   * error that stopped the transaction is thrown. */
  async cashOut(chequebook: string): Promise<CashoutRecord | undefined> {
    const r = await this.run({ chequebooks: [chequebook] });
    if (r.failed.length) throw r.failed[0].error;
    return r.sent[0] ?? r.resumed[r.resumed.length - 1];
  }

  /** `run` over every chequebook: the records resumed and sent. */
  async cashOutAll(): Promise<CashoutRecord[]> {
    const r = await this.run();
    return [...r.resumed, ...r.sent];
  }

  /**
   * Third-party cash-out for a beneficiary without gas: the beneficiary signs a `Cashout`
   * authorisation; `relayer` (a raw-signing wallet) sends it and earns `callerPayout`.
   */
  async cashOutRelayed(
    chequebook: string,
    relayer: Signer,
    callerPayout: bigint,
    beneficiaryKey: SignerLike,
  ): Promise<CashoutRecord | undefined> {
    const cb = toAddress(chequebook, "chequebook");
    const cheque = this.#o.store.lastReceived(cb);
    if (!cheque) throw new NoChequeError(cb);
    const p = await this.#preview(cheque);
    if (p.requestPayout === 0n || p.bounces || p.totalPayout < callerPayout) return undefined; // relayed cash-outs are all-or-nothing
    const chainId = await this.#tx.chainId();
    const relay = this.#sender(relayer);
    const sender = await relay.address();
    const bsig = await signCashout(
      {
        chequebook: cb,
        sender,
        requestPayout: cheque.cumulativePayout,
        recipient: toAddress(cheque.beneficiary),
        callerPayout,
      },
      chainId,
      beneficiaryKey,
    );
    const data = new ChequebookClient(cb, this.#tx.provider).contract.interface.encodeFunctionData("cashCheque", [
      cheque.beneficiary,
      cheque.beneficiary,
      cheque.cumulativePayout,
      bsig,
      callerPayout,
      cheque.signature,
    ]);
    const item: CashItem = { cheque, recipient: toAddress(cheque.beneficiary) };
    const row = {
      chequebook: cb,
      cumulativePayout: cheque.cumulativePayout,
      requestPayout: p.requestPayout,
    } as CashoutCandidate;
    const records = await this.#sendWith(
      relay,
      { to: cb, data: data as Hex, gasLimit: BEE_GAS_LIMITS.cashout },
      [item],
      [row],
    );
    return records[0];
  }

  /** Settle every pending cash-out (optionally only of `chequebooks`); one lookup per transaction. */
  async resume(chequebooks?: string[]): Promise<CashoutRecord[]> {
    const pending = this.#o.store
      .listCashouts({ status: "pending" })
      .filter((r) => !chequebooks || chequebooks.includes(toAddress(r.chequebook)));
    const groups = new Map<string, CashoutRecord[]>();
    for (const r of pending) groups.set(r.txHash!, [...(groups.get(r.txHash!) ?? []), r]);
    const me = await this.#tx.address();
    const out: CashoutRecord[] = [];
    for (const records of groups.values()) {
      const first = records[0];
      const tx: TrackedTx = {
        hash: first.txHash as Hex,
        rawTx: first.rawTx as Hex,
        nonce: first.nonce!,
        from: toAddress(first.caller ?? me),
        replaced: (first.replacedTxHashes ?? []) as Hex[],
        signedAt: first.updatedAt,
      };
      const outcome = await this.#tx.reconcile(tx, {
        record: (t) => this.#recordTx(records, t),
        canReplace: tx.from === me,
      });
      out.push(
        ...this.#settle(
          this.#o.store.listCashouts({ status: "pending" }).filter((r) => records.some((x) => x.id === r.id)),
          outcome,
        ),
      );
    }
    return out;
  }

  history(chequebook?: string): CashoutRecord[] {
    return this.#o.store.listCashouts(chequebook ? { chequebook: toAddress(chequebook) } : {});
  }

  async #sendWith(
    sender: TransactionSender,
    req: Parameters<TransactionSender["send"]>[0],
    items: CashItem[],
    rows: CashoutCandidate[],
  ): Promise<CashoutRecord[]> {
    const now = this.#now();
    const beneficiary = await this.#tx.address();
    const caller = await sender.address();
    const records: CashoutRecord[] = items.map((item, i) => {
      const cb = toAddress(item.cheque.chequebook);
      const attempt = this.#o.store.listCashouts({ chequebook: cb }).length + 1;
      return {
        id: `${cb}:${item.cheque.cumulativePayout}:${attempt}`,
        chequebook: cb,
        beneficiary,
        cumulativePayout: item.cheque.cumulativePayout,
        requestPayout: rows[i].requestPayout,
        totalPayout: 0n,
        status: "pending",
        caller,
        createdAt: now,
        updatedAt: now,
      };
    });
    const outcome = await sender.send(req, {
      record: (t) => {
        this.#recordTx(records, t);
        this.#o.crashPoint?.("cashout:recorded");
      },
      broadcast: () => this.#o.crashPoint?.("cashout:broadcast"),
    });
    return this.#settle(
      records.map((r) => this.#o.store.getCashout(r.id)!),
      outcome,
    );
  }

  /** Store the (new or replacement) transaction on every record of its batch, atomically. */
  #recordTx(records: CashoutRecord[], t: TrackedTx): void {
    const now = this.#now();
    this.#o.store.transaction(() => {
      for (const r of records) {
        const cur = this.#o.store.getCashout(r.id) ?? r;
        this.#o.store.putCashout({
          ...cur,
          txHash: t.hash,
          rawTx: t.rawTx,
          nonce: t.nonce,
          replacedTxHashes: t.replaced.length ? t.replaced : undefined,
          updatedAt: now,
        });
      }
    });
  }

  #settle(records: CashoutRecord[], outcome: TxOutcome): CashoutRecord[] {
    if (outcome.kind === "pending") return records.map((r) => this.#o.store.getCashout(r.id) ?? r);
    if (outcome.kind === "superseded")
      return records.map((r) =>
        this.#finish(r, { status: "failed", error: "nonce used by another transaction (replaced or dropped)" }),
      );
    const { receipt, tx } = outcome;
    if (outcome.kind === "reverted")
      return records.map((r) =>
        this.#finish(r, {
          status: "reverted",
          txHash: tx.hash,
          gasUsed: receipt.gasUsed,
          error: "transaction reverted",
        }),
      );
    // what was sent is on the record (a newer cheque may have arrived since)
    const items: CashItem[] = records.map((r) => ({
      cheque: {
        chequebook: r.chequebook,
        beneficiary: r.beneficiary,
        cumulativePayout: r.cumulativePayout,
      } as ReceivedCheque,
      recipient: toAddress(r.beneficiary),
    }));
    // a transaction to the chequebook itself is a direct cash-out, whatever the casher batches with
    const direct =
      records.length === 1 && receipt.to !== null && toAddress(receipt.to) === toAddress(records[0].chequebook);
    const results = (direct ? this.#direct : this.#casher).decode(receipt, items);
    return records.map((r, i) => {
      const res = results[i];
      const done = this.#finish(r, {
        status: res.status === "skipped" ? "failed" : res.status === "bounced" ? "bounced" : "mined",
        totalPayout: res.totalPayout,
        gasUsed: receipt.gasUsed,
        txHash: tx.hash,
        error: res.status === "skipped" ? `skipped: ${res.reason ?? "by the batch"}` : undefined,
      });
      const peer = this.#o.store.lastReceived(r.chequebook)?.peer ?? r.chequebook;
      if (res.status === "bounced") this.#o.onBounce?.(peer, r.chequebook as Hex);
      else if (res.status === "paid") this.#o.onPaid?.(peer, r.chequebook as Hex);
      return done;
    });
  }

  #finish(r: CashoutRecord, patch: Partial<CashoutRecord>): CashoutRecord {
    const next = { ...r, ...patch, updatedAt: this.#now() };
    this.#o.store.putCashout(next);
    return next;
  }
}

export { feeInToken };
