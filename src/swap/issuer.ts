/**
 * Paying: issues cumulative cheques from our chequebook. Never beyond the uncommitted balance
 * (balance + paid out − issued; issuing is serialised, so nothing else is in flight). The new
 * cumulative amount and its signature are stored durably, with the ledger's payment, before the
 * cheque is handed out for sending; after a restart the last cheque is re-sent, never re-signed lower.
 */
import { signCheque, type SignedCheque } from "../cheque/index.js";
import type { Hex } from "../crypto/index.js";
import type { SignerLike } from "../crypto/signer.js";
import type { Ledger } from "../accounting/ledger.js";
import type { Store, IssuedCheque } from "../store/types.js";
import { toAddress } from "../values.js";
import { InsufficientChequebookFundsError } from "./errors.js";

export interface Funds {
  balance: bigint;
  totalPaidOut: bigint;
}

export interface IssuerConfig {
  chequebook: Hex;
  chainId: bigint;
  signer: SignerLike;
  /** The chequebook's balance and total paid out (chain in hard mode, a figure in mock mode). */
  funds: () => Promise<Funds>;
  now?: () => number;
  crashPoint?: (point: string) => void;
}

export class ChequeIssuer {
  #lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    readonly config: IssuerConfig,
  ) {}

  /** balance + totalPaidOut − totalIssued. */
  async uncommitted(): Promise<bigint> {
    const f = await this.config.funds();
    return f.balance + f.totalPaidOut - this.store.totalIssued(this.config.chequebook);
  }

  /** The last cheque issued to `beneficiary` (to re-send after a reconnect or restart). */
  last(beneficiary: string): SignedCheque | undefined {
    const c = this.store.lastIssued(this.config.chequebook, toAddress(beneficiary, "beneficiary"));
    return c && { chequebook: c.chequebook, beneficiary: c.beneficiary, cumulativePayout: c.cumulativePayout, signature: c.signature as Hex };
  }

  /**
   * Sign a cheque raising `beneficiary`'s cumulative payout by `amount`, and commit it together with
   * the ledger's record of paying `peer`. Returns the cheque to send.
   */
  issue(peer: string, beneficiary: string, amount: bigint): Promise<SignedCheque> {
    const run = this.#lock.then(() => this.#issue(peer, toAddress(beneficiary, "beneficiary"), amount));
    this.#lock = run.catch(() => undefined);
    return run;
  }

  async #issue(peer: string, beneficiary: Hex, amount: bigint): Promise<SignedCheque> {
    const available = await this.uncommitted();
    if (amount > available) throw new InsufficientChequebookFundsError(amount, available);
    const { chequebook, chainId } = this.config;
    const prev = this.store.lastIssued(chequebook, beneficiary)?.cumulativePayout ?? 0n;
    const cheque = { chequebook, beneficiary, cumulativePayout: prev + amount };
    const signature = await signCheque(cheque, chainId, this.config.signer);
    this.config.crashPoint?.("issue:signed");
    // Synchronous from here: the ledger cannot change between reading and committing.
    const record = this.ledger.afterPaymentSent(peer, amount);
    const issued: IssuedCheque = { ...cheque, signature, peer, issuedAt: (this.config.now ?? Date.now)() };
    this.store.transaction(() => {
      this.store.putIssued(issued);
      this.store.putPeer(record);
    });
    this.config.crashPoint?.("issue:stored");
    this.ledger.commit(record, true);
    return { ...cheque, signature };
  }
}
