/**
 * Typed clients for the two batch cash-out paths (issue 11): the `CashoutRouter` (relayed
 * `cashCheque` of many chequebooks, Bee's included) and the EIP-7702 `BatchCashoutExecutor` (a
 * beneficiary's EOA cashing many cheques itself). Both report skipped entries with their reason.
 */
import { Signature, type ContractRunner, type Signer, type TransactionReceipt } from "ethers";
import { BatchCashoutExecutor__factory, CashoutRouter__factory } from "../../typechain-types/index.js";
import type { CashoutRouter, BatchCashoutExecutor } from "../../typechain-types/index.js";
import { toAddress, toUint256, type AmountLike } from "../values.js";
import type { Hex } from "../crypto/index.js";
import type { SignedCheque } from "../cheque/index.js";
import { call, TransactionRevertedError } from "./errors.js";
import { InvalidArgumentError } from "../errors.js";
import { send, type TxResult } from "./tx.js";

/** `IBatchCashout.SkipReason`, by name. */
export const SKIP_REASONS = ["NotIncreasing", "WouldBounce", "CheckFailed", "Reverted"] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface SkippedEntry {
  index: number;
  chequebook: Hex;
  beneficiary: Hex;
  reason: SkipReason;
  /** First 4 bytes of the revert data for `Reverted`, else 0x00000000. */
  errorSelector: string;
}

export interface BatchResult extends TxResult {
  cashed: number;
  skipped: SkippedEntry[];
}

export interface BatchOptions {
  /** Gas each chequebook call may use (default 150,000; at least 50,000). */
  gasPerEntry?: AmountLike;
  /** Check `paidOut`/`liquidBalanceFor` first (needed for Bee's chequebooks, which bounce). Default true. */
  checkFirst?: boolean;
  /** Transaction gas limit (default: estimated by the provider). */
  gasLimit?: AmountLike;
}

/** A cheque to cash through the router, with the beneficiary's `Cashout` signature for the router. */
export interface RouterEntry {
  cheque: SignedCheque;
  recipient: string;
  callerPayout: AmountLike;
  /** `Cashout(chequebook, router, cumulativePayout, recipient, callerPayout)` signed by the beneficiary. */
  beneficiarySignature: string;
}

function skippedFrom(
  receipt: TransactionReceipt,
  emitter: string,
  iface: CashoutRouter["interface"] | BatchCashoutExecutor["interface"],
): SkippedEntry[] {
  const out: SkippedEntry[] = [];
  for (const l of receipt.logs) {
    if (l.address.toLowerCase() !== emitter.toLowerCase()) continue;
    const p = iface.parseLog(l);
    if (p?.name !== "CashoutSkipped") continue;
    out.push({
      index: Number(p.args.index),
      chequebook: toAddress(p.args.chequebook),
      beneficiary: toAddress(p.args.beneficiary),
      reason: SKIP_REASONS[Number(p.args.reason)] ?? "Reverted",
      errorSelector: p.args.errorSelector,
    });
  }
  return out;
}

export class CashoutRouterClient {
  readonly address: Hex;
  readonly contract: CashoutRouter;

  constructor(address: string, runner: ContractRunner) {
    this.address = toAddress(address, "router");
    this.contract = CashoutRouter__factory.connect(this.address, runner);
  }

  static async deploy(signer: Signer): Promise<CashoutRouterClient> {
    const c = await call(async () => {
      const r = await new CashoutRouter__factory(signer).deploy();
      await r.waitForDeployment();
      return r;
    });
    return new CashoutRouterClient(await c.getAddress(), signer);
  }

  /** Cash `entries` in one transaction; entries that cannot be cashed are reported in `skipped`. */
  async cashMany(entries: RouterEntry[], opts: BatchOptions = {}): Promise<BatchResult> {
    const list = entries.map((e) => ({
      chequebook: toAddress(e.cheque.chequebook, "chequebook"),
      beneficiary: toAddress(e.cheque.beneficiary, "beneficiary"),
      recipient: toAddress(e.recipient, "recipient"),
      cumulativePayout: toUint256(e.cheque.cumulativePayout, "cumulativePayout"),
      callerPayout: toUint256(e.callerPayout, "callerPayout"),
      beneficiarySig: e.beneficiarySignature,
      issuerSig: e.cheque.signature,
    }));
    const gasPerEntry = toUint256(opts.gasPerEntry ?? 150_000n, "gasPerEntry");
    const overrides = opts.gasLimit === undefined ? {} : { gasLimit: toUint256(opts.gasLimit, "gasLimit") };
    const res = await send(() => this.contract.cashMany(list, gasPerEntry, opts.checkFirst ?? true, overrides));
    const skipped = skippedFrom(res.receipt, this.address, this.contract.interface);
    return { ...res, skipped, cashed: entries.length - skipped.length };
  }

  /**
   * The cheaper form for one EOA beneficiary paying one recipient: every entry's cheque must be to
   * `beneficiary` and its `Cashout` signed for `recipient`; 65-byte signatures are sent in EIP-2098
   * compact form (≈ 1,700 gas of call data less per cheque).
   */
  async cashManyCompact(
    beneficiary: string,
    recipient: string,
    entries: Omit<RouterEntry, "recipient">[],
    opts: BatchOptions = {},
  ): Promise<BatchResult> {
    const b = toAddress(beneficiary, "beneficiary");
    const list = entries.map((e, i) => {
      if (toAddress(e.cheque.beneficiary, "beneficiary") !== b) {
        throw new InvalidArgumentError(
          `entries[${i}].cheque.beneficiary`,
          e.cheque.beneficiary,
          `the batch's beneficiary ${b}`,
        );
      }
      const bs = compactSignature(e.beneficiarySignature, `entries[${i}].beneficiarySignature`);
      const is = compactSignature(e.cheque.signature, `entries[${i}].cheque.signature`);
      return {
        chequebook: toAddress(e.cheque.chequebook, "chequebook"),
        cumulativePayout: toUint256(e.cheque.cumulativePayout, "cumulativePayout"),
        callerPayout: toUint256(e.callerPayout, "callerPayout"),
        beneficiaryR: bs.r,
        beneficiaryVS: bs.yParityAndS,
        issuerR: is.r,
        issuerVS: is.yParityAndS,
      };
    });
    const gasPerEntry = toUint256(opts.gasPerEntry ?? 150_000n, "gasPerEntry");
    const overrides = opts.gasLimit === undefined ? {} : { gasLimit: toUint256(opts.gasLimit, "gasLimit") };
    const res = await send(() =>
      this.contract.cashManyCompact(
        b,
        toAddress(recipient, "recipient"),
        list,
        gasPerEntry,
        opts.checkFirst ?? true,
        overrides,
      ),
    );
    const skipped = skippedFrom(res.receipt, this.address, this.contract.interface);
    return { ...res, skipped, cashed: entries.length - skipped.length };
  }
}

/** A 65-byte (r ‖ s ‖ v) signature in EIP-2098 form; anything else is refused before sending. */
function compactSignature(sig: string, argument: string): { r: string; yParityAndS: string } {
  if (!/^0x[0-9a-fA-F]{130}$/.test(sig))
    throw new InvalidArgumentError(argument, sig, "a 65-byte 0x-prefixed signature (EOA)");
  try {
    const s = Signature.from(sig);
    return { r: s.r, yParityAndS: s.yParityAndS };
  } catch (e) {
    throw new InvalidArgumentError(argument, sig, `a valid secp256k1 signature (${(e as Error).message})`);
  }
}

/** A cheque for the 7702 path: the account cashes it as its beneficiary. */
export interface ExecutorCheque {
  cheque: SignedCheque;
  recipient?: string;
}

/**
 * The EIP-7702 path. `account` must be an EOA that delegates to a `BatchCashoutExecutor` (see
 * `delegate`); the transaction is sent by the account to itself.
 */
export class BatchCashoutExecutorClient {
  readonly account: Signer;

  constructor(account: Signer) {
    this.account = account;
  }

  static async deploy(signer: Signer): Promise<Hex> {
    const c = await call(async () => {
      const r = await new BatchCashoutExecutor__factory(signer).deploy();
      await r.waitForDeployment();
      return r;
    });
    return toAddress(await c.getAddress());
  }

  /** Cash `cheques` as the account; with `delegateTo`, the same type-4 transaction also sets the delegation. */
  async cashMany(cheques: ExecutorCheque[], opts: BatchOptions & { delegateTo?: string } = {}): Promise<BatchResult> {
    const me = toAddress(await this.account.getAddress());
    const contract = BatchCashoutExecutor__factory.connect(me, this.account);
    const list = cheques.map((c) => {
      if (toAddress(c.cheque.beneficiary, "beneficiary") !== me) {
        throw new InvalidArgumentError("cheque.beneficiary", c.cheque.beneficiary, `the account itself (${me})`);
      }
      return {
        chequebook: toAddress(c.cheque.chequebook, "chequebook"),
        recipient: toAddress(c.recipient ?? me, "recipient"),
        cumulativePayout: toUint256(c.cheque.cumulativePayout, "cumulativePayout"),
        issuerSig: c.cheque.signature,
      };
    });
    const gasPerEntry = toUint256(opts.gasPerEntry ?? 150_000n, "gasPerEntry");
    const data = contract.interface.encodeFunctionData("cashMany", [list, gasPerEntry, opts.checkFirst ?? false]);
    const res = await call(async (): Promise<TxResult> => {
      const nonce = await this.account.getNonce("pending");
      const authorizationList = opts.delegateTo
        ? [await this.account.authorize({ address: toAddress(opts.delegateTo, "executor"), nonce: nonce + 1 })]
        : undefined;
      const tx = await this.account.sendTransaction({
        to: me,
        data,
        nonce,
        ...(authorizationList ? { type: 4, authorizationList } : {}),
        ...(opts.gasLimit === undefined ? {} : { gasLimit: toUint256(opts.gasLimit, "gasLimit") }),
      });
      const receipt = await tx.wait();
      if (!receipt || receipt.status !== 1) throw new TransactionRevertedError(tx.hash);
      return { hash: tx.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, receipt };
    });
    const skipped = skippedFrom(res.receipt, me, contract.interface);
    return { ...res, skipped, cashed: cheques.length - skipped.length };
  }
}
