/**
 * Paying: issues cumulative cheques from our chequebook. Never beyond the uncommitted balance
 * (balance + paid out − issued; issuing is serialised, so nothing else is in flight). The new
 * cumulative amount and its signature are stored durably, with the ledger's payment, before the
 * cheque is handed out for sending; after a restart the last cheque is re-sent, never re-signed lower.
 */
import { hashCheque, signCheque, type SignedCheque } from "../cheque/index.js";
import { hexToBytes, tryRecoverSigner, type Hex } from "../crypto/index.js";
import { signerAddress, type SignerLike } from "../crypto/signer.js";
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
  /** On-chain `paidOut(beneficiary)`: the floor under any new cheque (absent: 0). */
  paidOut?: (beneficiary: Hex) => Promise<bigint>;
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
    return (
      c && {
        chequebook: c.chequebook,
        beneficiary: c.beneficiary,
        cumulativePayout: c.cumulativePayout,
        signature: c.signature as Hex,
      }
    );
  }

  /**
   * Resync after lost state: the peer returned the last cheque it received from us. If it is ours
   * (our chequebook, signed by our key) and above our own record, it becomes our record (our
   * database was lost or rolled back), so we never sign below what the peer holds (and the total
   * issued counts it). Returns whether it was adopted. A cheque that is not ours is ignored.
   */
  adopt(peer: string, c: SignedCheque): Promise<boolean> {
    const run = this.#lock.then(async () => {
      const chequebook = toAddress(c.chequebook, "chequebook");
      const beneficiary = toAddress(c.beneficiary, "beneficiary");
      if (chequebook !== this.config.chequebook) return false;
      const digest = hashCheque({ chequebook, beneficiary, cumulativePayout: c.cumulativePayout }, this.config.chainId);
      if (tryRecoverSigner(hexToBytes(digest), c.signature) !== (await this.#signerAddress())) return false;
      const prev = this.store.lastIssued(chequebook, beneficiary)?.cumulativePayout ?? 0n;
      if (c.cumulativePayout <= prev) return false;
      // only the cheque record: the balance that payment settled was in the lost state too, and
      // comes back from the peer's balance view
      this.store.transaction(() =>
        this.store.putIssued({
          chequebook,
          beneficiary,
          cumulativePayout: c.cumulativePayout,
          signature: c.signature,
          peer,
          issuedAt: (this.config.now ?? Date.now)(),
        }),
      );
      this.ledger.onPersisted?.(peer);
      return true;
    });
    this.#lock = run.catch(() => undefined);
    return run;
  }

  #address?: Hex;
  readonly #floorChecked = new Set<string>();
  async #signerAddress(): Promise<Hex> {
    this.#address ??= toAddress(await signerAddress(this.config.signer));
    return this.#address;
  }

  /**
   * Sign a cheque raising `beneficiary`'s cumulative payout by `amount` (a function is read once the
   * previous payments are done: nothing is paid twice), and commit it together with the ledger's
   * record of paying `peer`. The cumulative amount never starts below max(our record, on-chain
   * paidOut). Returns the cheque to send, or undefined when the amount is not positive.
   */
  issue(peer: string, beneficiary: string, amount: bigint | (() => bigint)): Promise<SignedCheque | undefined> {
    const run = this.#lock.then(() =>
      this.#issue(peer, toAddress(beneficiary, "beneficiary"), typeof amount === "function" ? amount() : amount),
    );
    this.#lock = run.catch(() => undefined);
    return run as Promise<SignedCheque>;
  }

  async #issue(peer: string, beneficiary: Hex, amount: bigint): Promise<SignedCheque | undefined> {
    if (amount <= 0n) return undefined;
    const available = await this.uncommitted();
    if (amount > available) throw new InsufficientChequebookFundsError(amount, available);
    const { chequebook, chainId } = this.config;
    const recorded = this.store.lastIssued(chequebook, beneficiary)?.cumulativePayout ?? 0n;
    // paidOut only moves past our record if our record was lost or rolled back: asked once per
    // beneficiary per process (later cheques start above it anyway)
    let paidOut = 0n;
    if (this.config.paidOut && !this.#floorChecked.has(beneficiary)) {
      paidOut = await this.config.paidOut(beneficiary);
      this.#floorChecked.add(beneficiary);
    }
    const prev = paidOut > recorded ? paidOut : recorded;
    const cheque = { chequebook, beneficiary, cumulativePayout: prev + amount };
    const signature = await signCheque(cheque, chainId, this.config.signer);
    this.config.crashPoint?.("issue:signed");
    // Synchronous from here: the ledger cannot change between reading and committing.
    const record = this.ledger.afterPaymentSent(peer, amount);
    const issued: IssuedCheque = { ...cheque, signature, peer, issuedAt: (this.config.now ?? Date.now)() };
    this.ledger.persist(record, () => this.store.putIssued(issued));
    this.config.crashPoint?.("issue:stored");
    return { ...cheque, signature };
  }
}
