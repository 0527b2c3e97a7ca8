/**
 * Paying: issues cumulative cheques from our chequebook. Never beyond the uncommitted balance
 * (balance + paid out − issued − signed but not yet committed). The new cumulative amount and its
 * signature are stored durably, with the ledger's payment, before the cheque is handed out for
 * sending; after a restart the last cheque is re-sent, never re-signed lower.
 *
 * Off the hot path: a signed cheque joins the ledger's next group commit (`Ledger.persistSoon`), so
 * cheques to many peers issued in one event-loop turn share one fsync, and `issue()` resolves only
 * once that commit is durable. Cheques to one beneficiary are issued one at a time (each waits for
 * the previous one's commit, so a cumulative is always read from the durable record); cheques to
 * different beneficiaries overlap, and the funds they hold while in flight are counted against the
 * uncommitted balance until their commit lands in the store's total issued.
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
  /** Per beneficiary: the tail of its issue/adopt chain (removed once idle). */
  readonly #chains = new Map<string, Promise<unknown>>();
  /** How much the total issued will grow by once the cheques signed but not yet committed land. */
  #inflight = 0n;

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    readonly config: IssuerConfig,
  ) {}

  /** Run `fn` after every earlier issue/adopt for `beneficiary` finished (committed or failed). */
  #serial<T>(beneficiary: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.#chains.get(beneficiary) ?? Promise.resolve()).then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#chains.set(beneficiary, tail);
    void tail.then(() => {
      if (this.#chains.get(beneficiary) === tail) this.#chains.delete(beneficiary);
    });
    return run;
  }

  /** Cheques signed and queued for their commit, not yet durable (their total increase). */
  get inflight(): bigint {
    return this.#inflight;
  }

  /** balance + totalPaidOut − totalIssued − in flight. */
  async uncommitted(): Promise<bigint> {
    return this.#available(await this.config.funds());
  }

  #available(f: Funds): bigint {
    return f.balance + f.totalPaidOut - this.store.totalIssued(this.config.chequebook) - this.#inflight;
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
    let chequebook: Hex, beneficiary: Hex;
    try {
      chequebook = toAddress(c.chequebook, "chequebook");
      beneficiary = toAddress(c.beneficiary, "beneficiary");
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return this.#serial(beneficiary, async () => {
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
  }

  #address?: Hex;
  readonly #floorChecked = new Set<string>();
  async #signerAddress(): Promise<Hex> {
    this.#address ??= toAddress(await signerAddress(this.config.signer));
    return this.#address;
  }

  /**
   * Sign a cheque raising `beneficiary`'s cumulative payout by `amount` (a function is read once the
   * previous payments to that beneficiary are durable: nothing is paid twice), and commit it
   * together with the ledger's record of paying `peer`, in the next group commit. Resolves once
   * that commit is durable (only then may the cheque be sent) with the cheque, or undefined when
   * the amount is not positive. The cumulative amount never starts below max(our record, on-chain
   * paidOut).
   */
  issue(peer: string, beneficiary: string, amount: bigint | (() => bigint)): Promise<SignedCheque | undefined> {
    let to: Hex;
    try {
      to = toAddress(beneficiary, "beneficiary");
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return this.#serial(to, () => this.#issue(peer, to, typeof amount === "function" ? amount() : amount));
  }

  async #issue(peer: string, beneficiary: Hex, amount: bigint): Promise<SignedCheque | undefined> {
    if (amount <= 0n) return undefined;
    const { chequebook, chainId } = this.config;
    // paidOut only moves past our record if our record was lost or rolled back: asked once per
    // beneficiary per process (later cheques start above it anyway)
    let paidOut = 0n;
    if (this.config.paidOut && !this.#floorChecked.has(beneficiary)) {
      paidOut = await this.config.paidOut(beneficiary);
      this.#floorChecked.add(beneficiary);
    }
    const funds = await this.config.funds();
    // Synchronous from here to the reservation: no other issue can take the same funds.
    const available = this.#available(funds);
    if (amount > available) throw new InsufficientChequebookFundsError(amount, available);
    // durable: an earlier cheque to this beneficiary has committed (or failed) before this runs
    const recorded = this.store.lastIssued(chequebook, beneficiary)?.cumulativePayout ?? 0n;
    const prev = paidOut > recorded ? paidOut : recorded;
    const cheque = { chequebook, beneficiary, cumulativePayout: prev + amount };
    const increase = cheque.cumulativePayout - recorded;
    this.#inflight += increase;
    let held = true;
    const release = () => {
      if (held) this.#inflight -= increase;
      held = false;
    };
    try {
      const signature = await signCheque(cheque, chainId, this.config.signer);
      this.config.crashPoint?.("issue:signed");
      const issued: IssuedCheque = { ...cheque, signature, peer, issuedAt: (this.config.now ?? Date.now)() };
      // the ledger record is built inside the commit (after every earlier change to the peer); the
      // funds held are released the moment the total issued holds them
      await this.ledger.persistSoon(() => ({
        record: this.ledger.afterPaymentSent(peer, amount),
        write: () => this.store.putIssued(issued),
        committed: release,
      }));
      this.config.crashPoint?.("issue:stored");
      return { ...cheque, signature };
    } finally {
      release();
    }
  }
}
