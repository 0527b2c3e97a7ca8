/**
 * Being paid: a received cheque passes every check, cheapest first, each failure its own typed
 * error that leaves no trace (nothing stored, balance unchanged). Then it is stored durably and
 * only then credited. Re-delivery of the last cheque is recognised and credits nothing.
 */
import { hashCheque } from "../cheque/index.js";
import { hexToBytes, tryRecoverSigner, type Hex } from "../crypto/index.js";
import type { ChainFacts } from "../chain/facts.js";
import type { Ledger } from "../accounting/ledger.js";
import type { Mode } from "../accounting/policy.js";
import type { Store } from "../store/types.js";
import { toAddress } from "../values.js";
import {
  BadChequeSignatureError,
  ChequeBelowMinimumError,
  ChequebookChangedError,
  InsufficientLiquidityError,
  NonIncreasingChequeError,
  UnknownChequebookError,
  WrongBeneficiaryError,
  WrongChainError,
} from "./errors.js";

export interface IncomingCheque {
  chequebook: string;
  beneficiary: string;
  cumulativePayout: bigint;
  signature: string;
  chainId: bigint;
}

export interface ReceiverConfig {
  /** Our address: cheques must name it. */
  beneficiary: Hex;
  chainId: bigint;
  mode: Mode;
  minChequeValue: bigint;
  /** hard mode: factory, issuer, ERC-1271 and liquidity from the chain. */
  facts?: ChainFacts;
  now?: () => number;
  /** Test hook: called at named points, so crash tests can kill the process there. */
  crashPoint?: (point: string) => void;
}

export interface ReceiveResult {
  credited: bigint;
  duplicate: boolean;
  cumulativePayout: bigint;
}

export class ChequeReceiver {
  readonly #knownChequebooks = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly config: ReceiverConfig,
  ) {}

  /**
   * Validate, store, credit. `expected` is what the peer announced (its chequebook and issuer);
   * a chequebook already on record for the peer wins over it.
   */
  async receive(peer: string, cheque: IncomingCheque, expected: { chequebook?: string; issuer?: string } = {}): Promise<ReceiveResult> {
    const c = this.config;
    // 1. ours? 2. this chain? (no I/O, no crypto)
    const beneficiary = toAddress(cheque.beneficiary, "beneficiary");
    if (beneficiary !== c.beneficiary) throw new WrongBeneficiaryError(c.beneficiary, beneficiary);
    if (cheque.chainId !== c.chainId) throw new WrongChainError(c.chainId, cheque.chainId);
    // 3. the chequebook this peer pays from
    const chequebook = toAddress(cheque.chequebook, "chequebook");
    const known = this.ledger.get(peer).chequebook ?? (expected.chequebook ? toAddress(expected.chequebook) : undefined);
    if (known && known !== chequebook) throw new ChequebookChangedError(known, chequebook);
    // 4. strictly increasing (a re-delivery of the last cheque is a no-op) 5. minimum value
    const last = this.store.lastReceived(chequebook);
    const lastCumulative = last?.cumulativePayout ?? 0n;
    if (last && cheque.cumulativePayout === lastCumulative && cheque.signature.toLowerCase() === last.signature.toLowerCase()) {
      return { credited: 0n, duplicate: true, cumulativePayout: lastCumulative };
    }
    if (cheque.cumulativePayout <= lastCumulative) throw new NonIncreasingChequeError(cheque.cumulativePayout, lastCumulative);
    const amount = cheque.cumulativePayout - lastCumulative;
    if (amount < c.minChequeValue) throw new ChequeBelowMinimumError(amount, c.minChequeValue);
    // 6. on first sight, deployed by a known factory (chain)
    if (c.mode === "hard" && !last && !this.#knownChequebooks.has(chequebook)) {
      if (!(await c.facts!.isKnownChequebook(chequebook))) throw new UnknownChequebookError(chequebook);
      this.#knownChequebooks.add(chequebook);
    }
    // 7. signed by the issuer (native ecrecover; ERC-1271 on chain for contract issuers)
    const issuer = c.mode === "hard" ? await c.facts!.issuerOf(chequebook) : expected.issuer ? toAddress(expected.issuer) : undefined;
    const digest = hashCheque({ chequebook, beneficiary, cumulativePayout: cheque.cumulativePayout }, c.chainId);
    const recovered = tryRecoverSigner(hexToBytes(digest), cheque.signature);
    if (!issuer || recovered !== issuer) {
      const contractOk = c.mode === "hard" && issuer && (await c.facts!.hasCode(issuer)) && (await c.facts!.isValidContractSignature(issuer, digest, cheque.signature));
      if (!contractOk) throw new BadChequeSignatureError(issuer ?? "unknown", recovered);
    }
    // 8. the chequebook can pay it: cumulative − paidOut ≤ liquidBalanceFor(us)
    if (c.mode === "hard") {
      const { liquidBalanceFor, paidOut } = await c.facts!.liquidity(chequebook, beneficiary);
      const required = cheque.cumulativePayout - paidOut;
      if (required > liquidBalanceFor) throw new InsufficientLiquidityError(required, liquidBalanceFor);
    }
    c.crashPoint?.("receive:validated");

    // Durable first, credit second, in one synchronous block (no other cheque can interleave).
    const nowLast = this.store.lastReceived(chequebook)?.cumulativePayout ?? 0n;
    if (cheque.cumulativePayout <= nowLast) throw new NonIncreasingChequeError(cheque.cumulativePayout, nowLast);
    const credited = cheque.cumulativePayout - nowLast;
    const record = { ...this.ledger.afterPaymentReceived(peer, credited), chequebook };
    this.store.transaction(() => {
      this.store.putReceived({
        chequebook, beneficiary, cumulativePayout: cheque.cumulativePayout, signature: cheque.signature,
        peer, chainId: cheque.chainId, receivedAt: (c.now ?? Date.now)(),
      });
      this.store.putPeer(record);
    });
    c.crashPoint?.("receive:stored");
    this.ledger.commit(record, true);
    return { credited, duplicate: false, cumulativePayout: cheque.cumulativePayout };
  }
}
