/**
 * The cash-out service: cashes the latest received cheque of each chequebook when the uncashed
 * amount is worth the gas (from a preview: it never sends a no-op), and records every attempt
 * durably with its transaction — pending, mined, bounced, reverted, failed — keeping the history.
 *
 * Crash safety: the signed transaction and its hash are stored before it is broadcast. After a
 * restart, `resume()` looks every pending transaction up: mined → recorded; still unknown and its
 * nonce unused → the very same bytes are broadcast again (same hash, cannot pay twice); nonce used
 * by something else → recorded as failed, and the chain's `paidOut` decides what is still owed.
 */
import { Transaction, type Provider, type Signer, type TransactionReceipt } from "ethers";
import { Chequebook__factory } from "../../typechain-types/index.js";
import { ChequebookClient, BEE_GAS_LIMITS } from "../chain/chequebook.js";
import { signCashout } from "../cheque/index.js";
import { toAddress } from "../values.js";
import type { Hex } from "../crypto/index.js";
import type { SignerLike } from "../crypto/signer.js";
import type { CashoutRecord, Store } from "../store/types.js";
import { NoChequeError } from "./errors.js";
import { withRetry, type RetryOptions } from "./retry.js";
import { InvalidArgumentError } from "../errors.js";

export interface CashoutPolicy {
  /** Never cash out less than this (token base units). */
  minAmount: bigint;
  /** Cash out only when the payout is worth at least `gasMultiplier` × the gas cost. Default 2. */
  gasMultiplier?: number;
  /** The gas cost (wei) in token base units; default 1:1. Plug a price oracle in here. */
  gasCostInToken?: (wei: bigint) => bigint | Promise<bigint>;
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
  gasLimit: bigint;
  gasCostInToken: bigint;
  profitable: boolean;
  /** Why it would not be sent. */
  reason?: string;
}

export interface CashoutServiceOptions {
  store: Store;
  /** The beneficiary's wallet: signs cash-out transactions (and `Cashout` authorisations). */
  signer: Signer;
  policy: CashoutPolicy;
  /** A cash-out bounced (the issuer is defaulting), or paid in full again. */
  onBounce?: (peer: string, chequebook: Hex) => void;
  onPaid?: (peer: string, chequebook: Hex) => void;
  retry?: RetryOptions;
  confirmations?: number;
  /** How long to wait for a receipt before leaving the record pending (ms). Default 120,000. */
  waitMs?: number;
  /** A pending transaction older than this (ms) is replaced with higher fees when resumed (gas
   * spike). Default 300,000. */
  replaceAfterMs?: number;
  /** Fee increase of a replacement, percent (nodes require ≥ 10). Default 25. */
  feeBumpPercent?: bigint;
  now?: () => number;
  /** Test hook: "cashout:recorded" (stored, not broadcast), "cashout:broadcast". */
  crashPoint?: (point: string) => void;
}

export class CashoutService {
  readonly #o: CashoutServiceOptions;
  readonly #provider: Provider;

  constructor(opts: CashoutServiceOptions) {
    this.#o = opts;
    if (!opts.signer.provider) throw new InvalidArgumentError("signer", "a signer without provider", "a signer connected to a provider");
    this.#provider = opts.signer.provider;
  }

  async #beneficiary(): Promise<Hex> {
    return toAddress(await this.#o.signer.getAddress(), "beneficiary");
  }

  /** What cashing the latest cheque of `chequebook` would pay, cost and whether it is worth it. */
  async preview(chequebook: string): Promise<CashoutCandidate> {
    const cb = toAddress(chequebook, "chequebook");
    const cheque = this.#o.store.lastReceived(cb);
    if (!cheque) throw new NoChequeError(cb);
    const client = new ChequebookClient(cb, this.#provider);
    const p = await withRetry("previewCashout", () => client.previewCashout(cheque.beneficiary, cheque.cumulativePayout), this.#o.retry);
    const fee = await withRetry("getFeeData", () => this.#provider.getFeeData(), this.#o.retry);
    const gasLimit = 100_000n; // a later cash-out measures ~63k, a first ~97k (BENCHMARKS.md)
    const wei = gasLimit * (fee.maxFeePerGas ?? fee.gasPrice ?? 0n);
    const gasCostInToken = await (this.#o.policy.gasCostInToken ?? ((w: bigint) => w))(wei);
    const multiplier = this.#o.policy.gasMultiplier ?? 2;
    let reason: string | undefined;
    if (p.requestPayout === 0n) reason = "already cashed";
    else if (p.totalPayout === 0n) reason = "chequebook has nothing for us";
    else if (p.totalPayout < this.#o.policy.minAmount) reason = `below the minimum ${this.#o.policy.minAmount}`;
    else if (p.totalPayout * 100n < gasCostInToken * BigInt(Math.round(multiplier * 100))) reason = `not worth ${multiplier}× the gas`;
    return {
      chequebook: cb, peer: cheque.peer, cumulativePayout: cheque.cumulativePayout, requestPayout: p.requestPayout,
      totalPayout: p.totalPayout, bounces: p.bounces, gasLimit, gasCostInToken, profitable: !reason, reason,
    };
  }

  /** Every chequebook we hold a cheque from, with its preview (the dry-run table). */
  async candidates(): Promise<CashoutCandidate[]> {
    const out: CashoutCandidate[] = [];
    for (const c of this.#o.store.listReceived()) out.push(await this.preview(c.chequebook));
    return out;
  }

  /** Cash the latest cheque of `chequebook` if worth it; `undefined` when skipped (see `preview`). */
  async cashOut(chequebook: string): Promise<CashoutRecord | undefined> {
    const cb = toAddress(chequebook, "chequebook");
    const pending = this.#o.store.listCashouts({ chequebook: cb, status: "pending" });
    if (pending.length) return (await this.#reconcile(pending[pending.length - 1]));
    const candidate = await this.preview(cb);
    if (!candidate.profitable) return undefined;
    const cheque = this.#o.store.lastReceived(cb)!;
    const book = Chequebook__factory.connect(cb, this.#o.signer);
    const data = book.interface.encodeFunctionData("cashChequeBeneficiary", [cheque.beneficiary, cheque.cumulativePayout, cheque.signature]);
    return this.#sendRecorded(cb, candidate, { to: cb, data, gasLimit: BEE_GAS_LIMITS.cashout });
  }

  /** `cashOut` every chequebook we hold a cheque from (resuming pending ones first). */
  async cashOutAll(): Promise<CashoutRecord[]> {
    const out: CashoutRecord[] = [];
    for (const c of this.#o.store.listReceived()) {
      const r = await this.cashOut(c.chequebook);
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * Third-party cash-out for a beneficiary without gas: the beneficiary (this service's signer)
   * signs a `Cashout` authorisation; `relayer` sends it and earns `callerPayout`.
   */
  async cashOutRelayed(chequebook: string, relayer: Signer, callerPayout: bigint, beneficiaryKey: SignerLike): Promise<CashoutRecord | undefined> {
    const cb = toAddress(chequebook, "chequebook");
    const candidate = await this.preview(cb);
    if (candidate.requestPayout === 0n || candidate.bounces || candidate.totalPayout < callerPayout) return undefined; // relayed cash-outs are all-or-nothing
    const cheque = this.#o.store.lastReceived(cb)!;
    const { chainId } = await this.#provider.getNetwork();
    const sender = toAddress(await relayer.getAddress());
    const auth = { chequebook: cb, sender, requestPayout: cheque.cumulativePayout, recipient: cheque.beneficiary, callerPayout };
    const bsig = await signCashout(auth, chainId, beneficiaryKey);
    const book = Chequebook__factory.connect(cb, relayer);
    const data = book.interface.encodeFunctionData("cashCheque", [cheque.beneficiary, cheque.beneficiary, cheque.cumulativePayout, bsig, callerPayout, cheque.signature]);
    return this.#sendRecorded(cb, candidate, { to: cb, data, gasLimit: BEE_GAS_LIMITS.cashout }, relayer);
  }

  /** After a restart: look up every pending cash-out and settle its record. */
  async resume(): Promise<CashoutRecord[]> {
    const out: CashoutRecord[] = [];
    for (const r of this.#o.store.listCashouts({ status: "pending" })) out.push(await this.#reconcile(r));
    return out;
  }

  history(chequebook?: string): CashoutRecord[] {
    return this.#o.store.listCashouts(chequebook ? { chequebook: toAddress(chequebook) } : {});
  }

  async #sendRecorded(cb: Hex, c: CashoutCandidate, tx: { to: string; data: string; gasLimit: bigint }, sender: Signer = this.#o.signer): Promise<CashoutRecord> {
    const populated = await withRetry("populateTransaction", () => sender.populateTransaction(tx), this.#o.retry);
    const rawTx = await sender.signTransaction(populated);
    const signed = Transaction.from(rawTx);
    const now = (this.#o.now ?? Date.now)();
    const attempt = this.#o.store.listCashouts({ chequebook: cb }).length + 1;
    const record: CashoutRecord = {
      id: `${cb}:${c.cumulativePayout}:${attempt}`, chequebook: cb, beneficiary: await this.#beneficiary(),
      cumulativePayout: c.cumulativePayout, requestPayout: c.requestPayout, totalPayout: 0n, status: "pending",
      txHash: signed.hash!, rawTx, nonce: signed.nonce, caller: toAddress(await sender.getAddress()), createdAt: now, updatedAt: now,
    };
    this.#o.store.putCashout(record); // durable before it can exist on chain
    this.#o.crashPoint?.("cashout:recorded");
    await this.#broadcast(rawTx);
    this.#o.crashPoint?.("cashout:broadcast");
    return this.#reconcileFresh(record);
  }

  /** Right after broadcasting: wait for the receipt (no replacement, the transaction is new). */
  async #reconcileFresh(r: CashoutRecord): Promise<CashoutRecord> {
    const receipt = await this.#waitFor(r.txHash!);
    return receipt ? this.#fromReceipt(r, receipt) : r;
  }

  /** The receipt of `hash` within `waitMs`, or null when it is still pending (it stays on record). */
  #waitFor(hash: string): Promise<TransactionReceipt | null> {
    return withRetry(
      "waitForTransaction",
      () => this.#provider.waitForTransaction(hash, this.#o.confirmations ?? 1, this.#o.waitMs ?? 120_000).catch((e) => {
        if ((e as { code?: string }).code === "TIMEOUT") return null;
        throw e;
      }),
      this.#o.retry,
    );
  }

  async #broadcast(rawTx: string): Promise<void> {
    await withRetry("broadcastTransaction", async () => {
      try {
        await this.#provider.broadcastTransaction(rawTx);
      } catch (e) {
        // the same bytes are already in the pool or mined, or the nonce is taken: reconcile decides
        if (!/already known|known transaction|nonce too low|already imported|nonce has already been used/i.test(messagesOf(e))) throw e;
      }
    }, this.#o.retry);
  }

  async #reconcile(r: CashoutRecord): Promise<CashoutRecord> {
    const hashes = [r.txHash!, ...(r.replacedTxHashes ?? [])];
    for (const h of hashes) {
      const receipt = await withRetry("getTransactionReceipt", () => this.#provider.getTransactionReceipt(h), this.#o.retry);
      if (receipt) return this.#fromReceipt({ ...r, txHash: h }, receipt);
    }
    const from = r.caller ?? (await this.#beneficiary());
    const used = await withRetry("getTransactionCount", () => this.#provider.getTransactionCount(from, "latest"), this.#o.retry);
    if (r.nonce !== undefined && used > r.nonce) {
      return this.#finish(r, { status: "failed", error: "nonce used by another transaction (replaced or dropped)" });
    }
    const now = (this.#o.now ?? Date.now)();
    let current = r;
    if (now - r.updatedAt >= (this.#o.replaceAfterMs ?? 300_000)) current = await this.#replace(r);
    else await this.#broadcast(r.rawTx!); // the very same signed bytes: at most one can be mined
    const receipt = await this.#waitFor(current.txHash!);
    return receipt ? this.#fromReceipt(current, receipt) : current;
  }

  /** Gas spike: the same transaction at the same nonce with fees raised by `feeBumpPercent` (and to
   * at least the current market), recorded before broadcast with the old hash kept. */
  async #replace(r: CashoutRecord): Promise<CashoutRecord> {
    if (r.caller && r.caller !== (await this.#beneficiary())) {
      await this.#broadcast(r.rawTx!); // a relayer's transaction: only the relayer can replace it
      return r;
    }
    const old = Transaction.from(r.rawTx!);
    const fee = await withRetry("getFeeData", () => this.#provider.getFeeData(), this.#o.retry);
    const bump = (v: bigint | null | undefined) => ((v ?? 0n) * (100n + (this.#o.feeBumpPercent ?? 25n))) / 100n;
    const max = (a: bigint, b: bigint | null | undefined) => (b && b > a ? b : a);
    const replacement = await this.#o.signer.signTransaction({
      to: old.to, data: old.data, nonce: old.nonce, gasLimit: old.gasLimit, chainId: old.chainId, type: 2,
      maxPriorityFeePerGas: max(bump(old.maxPriorityFeePerGas), fee.maxPriorityFeePerGas),
      maxFeePerGas: max(bump(old.maxFeePerGas), fee.maxFeePerGas),
    });
    const next = this.#finish(r, {
      txHash: Transaction.from(replacement).hash!, rawTx: replacement, replacedTxHashes: [r.txHash!, ...(r.replacedTxHashes ?? [])],
    });
    await this.#broadcast(replacement);
    return next;
  }

  #fromReceipt(r: CashoutRecord, receipt: TransactionReceipt): CashoutRecord {
    if (receipt.status !== 1) return this.#finish(r, { status: "reverted", gasUsed: receipt.gasUsed, error: "transaction reverted" });
    const iface = Chequebook__factory.createInterface();
    let totalPayout = 0n;
    let bounced = false;
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== r.chequebook.toLowerCase()) continue;
      const parsed = iface.parseLog(log);
      if (parsed?.name === "ChequeCashed") totalPayout = parsed.args.totalPayout;
      if (parsed?.name === "ChequeBounced") bounced = true;
    }
    const done = this.#finish(r, { status: bounced ? "bounced" : "mined", totalPayout, gasUsed: receipt.gasUsed });
    const peer = this.#o.store.lastReceived(r.chequebook)?.peer ?? r.chequebook;
    if (bounced) this.#o.onBounce?.(peer, r.chequebook as Hex);
    else this.#o.onPaid?.(peer, r.chequebook as Hex);
    return done;
  }

  #finish(r: CashoutRecord, patch: Partial<CashoutRecord>): CashoutRecord {
    const next = { ...r, ...patch, updatedAt: (this.#o.now ?? Date.now)() };
    this.#o.store.putCashout(next);
    return next;
  }
}

/** Every message along an error's `cause` / `error` chain (providers nest them differently). */
function messagesOf(e: unknown): string {
  const out: string[] = [];
  const seen = new Set<unknown>();
  let cur: unknown = e;
  while (cur && typeof cur === "object" && !seen.has(cur)) {
    seen.add(cur);
    const o = cur as { message?: unknown; error?: unknown; cause?: unknown; info?: { error?: unknown } };
    if (typeof o.message === "string") out.push(o.message);
    cur = o.error ?? o.info?.error ?? o.cause;
  }
  return out.join(" | ");
}
