/**
 * The batching port of the cash-out service. A `BatchCasher` turns up to `maxBatch` received
 * cheques into ONE transaction and reads back, from its receipt, what each cheque paid.
 *
 * `SingleChequeCasher` (today): `maxBatch = 1`, the chequebook's own `cashChequeBeneficiary`
 * (Bee's chequebooks included). A router that cashes many cheques in one transaction plugs in by
 * implementing the same interface (`maxBatch > 1`, `encode` building the router call — signing the
 * beneficiary's `Cashout` authorisations with `ctx.signCashout` if it needs them — and `decode`
 * reading its per-entry events) and being passed as `casher` to `CashoutService`:
 * `RouterBatchCasher` (./router-casher.ts) does, through the `CashoutRouter`.
 */
import { Chequebook__factory } from "../../typechain-types/index.js";
import { InvalidArgumentError } from "../errors.js";
import { BEE_GAS_LIMITS } from "../chain/chequebook.js";
import type { TxRequest } from "../chain/transactions.js";
import type { Hex } from "../crypto/index.js";
import type { ReceivedCheque } from "../store/types.js";

/** One cheque to cash, and who gets the money. */
export interface CashItem {
  cheque: ReceivedCheque;
  /** Where the payout goes (default: the beneficiary). */
  recipient: Hex;
}

/** What one cheque of a mined batch did. */
export interface CashItemResult {
  chequebook: Hex;
  /** "paid": in full; "bounced": partly (issuer defaulting); "skipped": the batch left it out. */
  status: "paid" | "bounced" | "skipped";
  totalPayout: bigint;
  /** Why it was skipped (from the router's event). */
  reason?: string;
}

export interface CasherContext {
  chainId: bigint;
  /** Our (the beneficiary's) address: the sender of the transaction. */
  beneficiary: Hex;
  /** Sign a `Cashout` authorisation for `sender` (a router cashing as third party). */
  signCashout(auth: {
    chequebook: Hex;
    sender: Hex;
    requestPayout: bigint;
    recipient: Hex;
    callerPayout: bigint;
  }): Promise<Hex>;
}

/** The logs of a mined transaction (an ethers receipt fits). */
export type ReceiptLogs = { logs: readonly { address: string; topics: readonly string[]; data: string }[] };

/** `eth_estimateGas` of a call from the beneficiary (a call that would revert throws its typed error). */
export type GasEstimator = (req: TxRequest) => Promise<bigint>;

/** The call a batch makes for one cheque, and from which address (the batch contract's). */
export interface CashProbe {
  req: TxRequest;
  from: Hex;
}

export interface BatchCasher {
  /** How many cheques fit in one transaction (≥ 1). */
  readonly maxBatch: number;
  /**
   * False when this casher cannot cash a cheque that would bounce (pay part): the service then
   * cashes such a cheque alone through the beneficiary's own `cashChequeBeneficiary`, which pays
   * what is there and flags the issuer. Default true.
   */
  readonly cashesBounces?: boolean;
  /** The one transaction that cashes `items` (1 ≤ items.length ≤ maxBatch). */
  encode(items: CashItem[], ctx: CasherContext): Promise<TxRequest>;
  /**
   * For a casher whose batch skips failing entries instead of failing (so simulating the batch
   * says nothing about one entry): the call it makes for `item`. The service simulates it before
   * batching; a cheque whose call would revert waits, with the typed error as its reason.
   */
  probe?(item: CashItem, ctx: CasherContext): Promise<CashProbe>;
  /**
   * The gas the transaction `encode(items)` will use (what its fee is computed on), for a casher
   * whose `eth_estimateGas` — the gas LIMIT the transaction needs — is well above its use (the
   * router keeps a whole entry's allowance back for its last entry). Default: the estimate of
   * `encode(items)`. The limit the transaction is sent with is always its own estimate.
   */
  gasUsed?(items: CashItem[], ctx: CasherContext, estimate: GasEstimator): Promise<bigint>;
  /** Per item (same order), what the mined transaction did. */
  decode(receipt: ReceiptLogs, items: CashItem[]): CashItemResult[];
}

const chequebookInterface = Chequebook__factory.createInterface();

/** One `cashChequeBeneficiary` per transaction, with Bee's fixed gas limit. */
export class SingleChequeCasher implements BatchCasher {
  readonly maxBatch = 1;

  async encode(items: CashItem[]): Promise<TxRequest> {
    if (items.length !== 1) throw new InvalidArgumentError("items", items.length, "exactly one cheque per transaction");
    const { cheque, recipient } = items[0];
    const data = chequebookInterface.encodeFunctionData("cashChequeBeneficiary", [
      recipient,
      cheque.cumulativePayout,
      cheque.signature,
    ]);
    return { to: cheque.chequebook as Hex, data: data as Hex, gasLimit: BEE_GAS_LIMITS.cashout };
  }

  decode(receipt: ReceiptLogs, items: CashItem[]): CashItemResult[] {
    return items.map(({ cheque }) => {
      let totalPayout: bigint | undefined;
      let bounced = false;
      for (const log of receipt.logs) {
        if (log.address.toLowerCase() !== cheque.chequebook.toLowerCase()) continue;
        const parsed = chequebookInterface.parseLog(log);
        if (parsed?.name === "ChequeCashed") totalPayout = parsed.args.totalPayout;
        if (parsed?.name === "ChequeBounced") bounced = true;
      }
      if (totalPayout === undefined)
        return {
          chequebook: cheque.chequebook as Hex,
          status: "skipped",
          totalPayout: 0n,
          reason: "no ChequeCashed event from the chequebook",
        };
      return { chequebook: cheque.chequebook as Hex, status: bounced ? "bounced" : "paid", totalPayout };
    });
  }
}
