/**
 * Durable transactions: simulate → sign → record → broadcast → reconcile → replace, in one place.
 *
 * The caller's `record` callback is invoked with the signed bytes and their hash *before* the
 * transaction can exist on chain (so a crash between the two leaves a record, never an orphan
 * transaction). After a restart `reconcile` looks every hash of the record up: mined → receipt;
 * unknown with its nonce still free → the very same bytes again (same hash, so it can be mined at
 * most once), or, after `replaceAfterMs`, a replacement at the same nonce with bumped fees (every
 * hash is kept); nonce taken by something else → "superseded" (the chain decides what is owed).
 *
 * This needs a signer that signs raw transactions (an ethers `Wallet`, a KMS/HSM signer, …): a
 * JSON-RPC account (`eth_sendTransaction`) cannot give us the hash before the node has it.
 * `src/hardhat/operator-key.ts` turns the configured key of a Hardhat network into such a Wallet.
 */
import {
  Transaction,
  isError,
  type Provider,
  type Signer,
  type TransactionReceipt,
  type TransactionRequest,
} from "ethers";
import { SettlementError } from "../errors.js";
import type { Hex } from "../crypto/index.js";
import { toAddress } from "../values.js";
import { ProviderError, toSettlementError } from "./errors.js";
import { withRetry, type RetryOptions } from "../settlement/retry.js";

/** A contract call to send. `gasLimit` is fixed when given (Bee's limits); estimated otherwise. */
export interface TxRequest {
  to: Hex;
  data: Hex;
  gasLimit?: bigint;
}

/** A transaction on record: what `record` receives and `reconcile` takes back. */
export interface TrackedTx {
  hash: Hex;
  rawTx: Hex;
  nonce: number;
  from: Hex;
  /** Earlier hashes of the same nonce (replaced under a gas spike): any of them may be mined. */
  replaced: Hex[];
  /** When the current bytes were signed (ms, the injected clock). */
  signedAt: number;
}

export type TxOutcome =
  | { kind: "mined"; tx: TrackedTx; receipt: TransactionReceipt }
  | { kind: "reverted"; tx: TrackedTx; receipt: TransactionReceipt }
  /** Not mined within `waitMs`: still on record, `reconcile` later. */
  | { kind: "pending"; tx: TrackedTx }
  /** Its nonce was used by a different transaction: none of our hashes will ever be mined. */
  | { kind: "superseded"; tx: TrackedTx };

/** What a failed broadcast means for us. The one place that reads provider broadcast errors. */
export type BroadcastFailure =
  /** The node has these bytes already (pool or chain): nothing to do, reconcile decides. */
  | "already-known"
  /** The nonce is taken (by these bytes, mined, or by another transaction): reconcile decides. */
  | "nonce-used"
  /** A replacement must pay more. */
  | "underpriced"
  | "insufficient-funds"
  /** Network / node trouble: retry with back-off. */
  | "retryable"
  | "fatal";

/** The signer cannot sign raw transactions (a JSON-RPC account such as HardhatEthersSigner). */
export class SignerCannotSignError extends SettlementError {
  override readonly name = "SignerCannotSignError" as const;
  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(`the signer ${address} cannot sign raw transactions`, {
      cause,
      details:
        "use a key (an ethers Wallet): on a Hardhat network configure `accounts` with the key (SWAP_DEPLOYER_KEY on `custom`)",
    });
  }
}

/** The simulation needs more gas than the fixed limit the call must be sent with (Bee's limits). */
export class GasLimitTooLowError extends SettlementError {
  override readonly name = "GasLimitTooLowError" as const;
  constructor(
    readonly estimate: bigint,
    readonly gasLimit: bigint,
  ) {
    super(`the call needs ${estimate} gas, more than its fixed limit ${gasLimit}: it would run out of gas`);
  }
}

/**
 * Classify a broadcast error. ethers' codes first (NONCE_EXPIRED, REPLACEMENT_UNDERPRICED,
 * INSUFFICIENT_FUNDS); JSON-RPC nodes answer "already known" / "known transaction" and Hardhat's
 * own provider "nonce too low" with the generic code -32000 and no ethers code, so for those (and
 * only those) the message is the only signal there is.
 */
export function classifyBroadcastError(e: unknown): BroadcastFailure {
  if (isError(e, "NONCE_EXPIRED")) return "nonce-used";
  if (isError(e, "REPLACEMENT_UNDERPRICED")) return "underpriced";
  if (isError(e, "INSUFFICIENT_FUNDS")) return "insufficient-funds";
  const text = messagesOf(e);
  if (/already known|known transaction|already imported|transaction already exists/i.test(text)) return "already-known";
  if (/nonce too low|nonce has already been used/i.test(text)) return "nonce-used";
  if (/underpriced/i.test(text)) return "underpriced";
  if (/insufficient funds/i.test(text)) return "insufficient-funds";
  const err = toSettlementError(e);
  return err instanceof ProviderError && err.retryable ? "retryable" : "fatal";
}

export interface TransactionSenderOptions {
  /** Signs raw transactions and is connected to the provider (an ethers `Wallet`). */
  signer: Signer;
  retry?: RetryOptions;
  confirmations?: number;
  /** How long to wait for a receipt before leaving the transaction pending (ms). Default 120,000. */
  waitMs?: number;
  /** A pending transaction older than this (ms) is replaced with higher fees. Default 300,000. */
  replaceAfterMs?: number;
  /** Fee increase of a replacement, percent (nodes require ≥ 10). Default 25. */
  feeBumpPercent?: bigint;
  now?: () => number;
}

export interface SendHooks {
  /** Called with the signed transaction before it is broadcast; must persist it durably. */
  record(tx: TrackedTx): void;
  /** Test hook, called right after the broadcast. */
  broadcast?(tx: TrackedTx): void;
}

/** Sends contract calls with their signed bytes on record first; the only provider user of the cash-out path. */
export class TransactionSender {
  readonly #o: TransactionSenderOptions;
  readonly provider: Provider;

  constructor(opts: TransactionSenderOptions) {
    if (!opts.signer.provider) throw new ProviderError("UNCONFIGURED_NAME", "the signer has no provider", null);
    this.#o = opts;
    this.provider = opts.signer.provider;
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }
  #retry<T>(op: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(op, fn, this.#o.retry);
  }

  async address(): Promise<Hex> {
    return toAddress(await this.#o.signer.getAddress());
  }

  async chainId(): Promise<bigint> {
    return (await this.#retry("getNetwork", () => this.provider.getNetwork())).chainId;
  }

  /** Current price of gas (wei): the EIP-1559 max fee when the chain has one, else the legacy price. */
  async gasPrice(): Promise<bigint> {
    const fee = await this.#retry("getFeeData", () => this.provider.getFeeData());
    return fee.maxFeePerGas ?? fee.gasPrice ?? 0n;
  }

  /**
   * Simulate `req` from our address (eth_estimateGas with the same arguments) and return its gas.
   * A call that would revert throws the decoded typed error: nothing is sent.
   */
  async simulate(req: TxRequest, from?: string): Promise<bigint> {
    const sender = from ?? (await this.address());
    return this.#retry("estimateGas", () => this.provider.estimateGas({ from: sender, to: req.to, data: req.data }));
  }

  /** Read-only call (eth_call) with decoded reverts. */
  async call(req: TxRequest, from?: string): Promise<string> {
    const sender = from ?? (await this.address());
    return this.#retry("call", () => this.provider.call({ from: sender, to: req.to, data: req.data }));
  }

  /** Simulate, sign, `record`, broadcast, wait up to `waitMs`. */
  async send(req: TxRequest, hooks: SendHooks): Promise<TxOutcome> {
    const estimate = await this.simulate(req);
    if (req.gasLimit !== undefined && estimate > req.gasLimit) throw new GasLimitTooLowError(estimate, req.gasLimit);
    const gasLimit = req.gasLimit ?? (estimate * 12n) / 10n; // a fixed limit (Bee's) wins; else the estimate + 20%
    const populated = await this.#retry("populateTransaction", () =>
      this.#o.signer.populateTransaction({ to: req.to, data: req.data, gasLimit }),
    );
    const tx = await this.#sign(populated, []);
    hooks.record(tx); // durable before it can exist on chain
    await this.#broadcast(tx.rawTx);
    hooks.broadcast?.(tx);
    return this.#await(tx);
  }

  /** After a restart or a timeout: settle a transaction on record (see the module comment). */
  async reconcile(tx: TrackedTx, hooks: { record(tx: TrackedTx): void; canReplace?: boolean }): Promise<TxOutcome> {
    for (const h of [tx.hash, ...tx.replaced]) {
      const receipt = await this.#retry("getTransactionReceipt", () => this.provider.getTransactionReceipt(h));
      if (receipt) return this.#outcome({ ...tx, hash: h }, receipt);
    }
    const used = await this.#retry("getTransactionCount", () => this.provider.getTransactionCount(tx.from, "latest"));
    if (used > tx.nonce) {
      // mined between the lookups above and the count? look once more before calling it superseded
      for (const h of [tx.hash, ...tx.replaced]) {
        const receipt = await this.#retry("getTransactionReceipt", () => this.provider.getTransactionReceipt(h));
        if (receipt) return this.#outcome({ ...tx, hash: h }, receipt);
      }
      return { kind: "superseded", tx };
    }
    let current = tx;
    if (hooks.canReplace !== false && this.#now() - tx.signedAt >= (this.#o.replaceAfterMs ?? 300_000)) {
      current = await this.#replacement(tx);
      hooks.record(current);
    }
    await this.#broadcast(current.rawTx); // the same signed bytes again, or the replacement
    return this.#await(current);
  }

  async #sign(populated: TransactionRequest, replaced: Hex[]): Promise<TrackedTx> {
    let rawTx: string;
    try {
      rawTx = await this.#o.signer.signTransaction(populated);
    } catch (e) {
      throw new SignerCannotSignError(await this.#o.signer.getAddress(), e);
    }
    const signed = Transaction.from(rawTx);
    return {
      hash: signed.hash as Hex,
      rawTx: rawTx as Hex,
      nonce: signed.nonce,
      from: toAddress(signed.from!),
      replaced,
      signedAt: this.#now(),
    };
  }

  /** The same call at the same nonce, fees raised by `feeBumpPercent` and to at least the market. */
  async #replacement(tx: TrackedTx): Promise<TrackedTx> {
    const old = Transaction.from(tx.rawTx);
    const fee = await this.#retry("getFeeData", () => this.provider.getFeeData());
    const bump = (v: bigint | null | undefined) => ((v ?? 0n) * (100n + (this.#o.feeBumpPercent ?? 25n))) / 100n;
    const max = (a: bigint, b: bigint | null | undefined) => (b && b > a ? b : a);
    return this.#sign(
      {
        to: old.to,
        data: old.data,
        nonce: old.nonce,
        gasLimit: old.gasLimit,
        chainId: old.chainId,
        type: 2,
        maxPriorityFeePerGas: max(bump(old.maxPriorityFeePerGas), fee.maxPriorityFeePerGas),
        maxFeePerGas: max(bump(old.maxFeePerGas), fee.maxFeePerGas),
      },
      [tx.hash, ...tx.replaced],
    );
  }

  async #broadcast(rawTx: string): Promise<void> {
    await this.#retry("broadcastTransaction", async () => {
      try {
        await this.provider.broadcastTransaction(rawTx);
      } catch (e) {
        const kind = classifyBroadcastError(e);
        if (kind === "already-known" || kind === "nonce-used") return; // reconcile decides
        throw e;
      }
    });
  }

  async #await(tx: TrackedTx): Promise<TxOutcome> {
    const receipt = await this.#retry("waitForTransaction", () =>
      this.provider
        .waitForTransaction(tx.hash, this.#o.confirmations ?? 1, this.#o.waitMs ?? 120_000)
        .catch((e: unknown) => {
          if (isError(e, "TIMEOUT")) return null;
          throw e;
        }),
    );
    return receipt ? this.#outcome(tx, receipt) : { kind: "pending", tx };
  }

  #outcome(tx: TrackedTx, receipt: TransactionReceipt): TxOutcome {
    return receipt.status === 1 ? { kind: "mined", tx, receipt } : { kind: "reverted", tx, receipt };
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
