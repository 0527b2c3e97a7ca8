/**
 * Being paid: a received cheque passes every check, cheapest first, each failure its own typed
 * error that leaves no trace (nothing stored, balance unchanged). Then it is stored durably and
 * only then credited. Re-delivery of the last cheque is recognised and credits nothing.
 */
import { hashCheque } from "../cheque/index.js";
import { hexToBytes, tryRecoverSigner, type Hex } from "../crypto/index.js";
import type { ChainFacts } from "../chain/facts.js";
import type { Ledger } from "../accounting/ledger.js";
import type { Mode, ResolvedPolicy } from "../accounting/policy.js";
import { contractIssuerCredit, type ContractIssuerCredit } from "../accounting/credit.js";
import type { Store } from "../store/types.js";
import { toAddress } from "../values.js";
import {
  BadChequeSignatureError,
  ChequeBelowMinimumError,
  ChequebookChangedError,
  ContractIssuerLimitError,
  InsufficientLiquidityError,
  NonIncreasingChequeError,
  UnknownChequebookError,
  WrongBeneficiaryError,
  WrongChainError,
} from "./errors.js";
import { ChainVerifier, mockVerifier, type ChequeVerifier } from "./verifier.js";

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
  /** Picks the default verifier when `verifier` is not given. */
  mode: Mode;
  minChequeValue: bigint;
  /** hard mode: factory, issuer, ERC-1271 and liquidity from the chain. */
  facts?: ChainFacts;
  /** How cheques are checked; default: `ChainVerifier(facts)` in hard mode, `mockVerifier` otherwise. */
  verifier?: ChequeVerifier;
  /** Contract-wallet (ERC-1271) issuers: most left uncashed (cumulative − paidOut) we credit.
   * Default: unlimited up to the liquidity check; 0 refuses such issuers. */
  contractIssuerMaxUncashed?: bigint;
  /** Contract-wallet issuers: the bound on what stays uncashed, read from the chain (the hard
   * deposit guaranteed to us, accounting/credit.ts); undefined: `contractIssuerMaxUncashed`. */
  contractIssuerLimit?: (peer: string, chequebook: Hex) => Promise<bigint> | undefined;
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
  readonly verifier: ChequeVerifier;

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly config: ReceiverConfig,
  ) {
    this.verifier =
      config.verifier ??
      (config.mode === "hard" && config.facts ? new ChainVerifier(config.facts, { now: config.now }) : mockVerifier);
  }

  /**
   * Validate, store, credit. `expected` is what the peer announced (its chequebook and issuer);
   * a chequebook already on record for the peer wins over it. The store write is a group commit
   * (one transaction for every cheque of the same event-loop turn); the credit follows the commit.
   */
  async receive(
    peer: string,
    cheque: IncomingCheque,
    expected: { chequebook?: string; issuer?: string } = {},
  ): Promise<ReceiveResult> {
    const c = this.config;
    const v = this.verifier;
    // 1. ours? 2. this chain? (no I/O, no crypto)
    const beneficiary = toAddress(cheque.beneficiary, "beneficiary");
    if (beneficiary !== c.beneficiary) throw new WrongBeneficiaryError(c.beneficiary, beneficiary);
    if (cheque.chainId !== c.chainId) throw new WrongChainError(c.chainId, cheque.chainId);
    // 3. the chequebook this peer pays from
    const chequebook = toAddress(cheque.chequebook, "chequebook");
    const known =
      this.ledger.get(peer).chequebook ?? (expected.chequebook ? toAddress(expected.chequebook) : undefined);
    if (known && known !== chequebook) throw new ChequebookChangedError(known, chequebook);
    // 4. strictly increasing (a re-delivery of the last cheque is a no-op) 5. minimum value
    const last = this.store.lastReceived(chequebook);
    const lastCumulative = last?.cumulativePayout ?? 0n;
    if (
      last &&
      cheque.cumulativePayout === lastCumulative &&
      cheque.signature.toLowerCase() === last.signature.toLowerCase()
    ) {
      return { credited: 0n, duplicate: true, cumulativePayout: lastCumulative };
    }
    if (cheque.cumulativePayout <= lastCumulative)
      throw new NonIncreasingChequeError(cheque.cumulativePayout, lastCumulative);
    const amount = cheque.cumulativePayout - lastCumulative;
    if (amount < c.minChequeValue) throw new ChequeBelowMinimumError(amount, c.minChequeValue);
    // 6. on first sight, deployed by a known factory (chain; negative answers cached)
    if (!last && !(await v.isKnownChequebook(chequebook))) throw new UnknownChequebookError(chequebook);
    // 7. signed by the issuer (native ecrecover; ERC-1271 for contract-wallet issuers)
    const issuer = await v.issuerOf(chequebook, expected.issuer);
    const digest = hashCheque({ chequebook, beneficiary, cumulativePayout: cheque.cumulativePayout }, c.chainId);
    const recovered = tryRecoverSigner(hexToBytes(digest), cheque.signature);
    let contractIssuer = false;
    if (!issuer || recovered !== issuer) {
      contractIssuer = !!issuer && (await v.contractSignatureValid(issuer, digest, cheque.signature));
      if (!contractIssuer) throw new BadChequeSignatureError(issuer ?? "unknown", recovered);
    }
    // 8. the chequebook can pay it: cumulative − paidOut ≤ liquidBalanceFor(us)
    const liq = await v.liquidity(chequebook, beneficiary);
    if (liq) {
      const required = cheque.cumulativePayout - liq.paidOut;
      if (required > liq.liquidBalanceFor) throw new InsufficientLiquidityError(required, liq.liquidBalanceFor);
    }
    // 9. a contract wallet can stop honouring its signature at any time: what it leaves uncashed
    // stays within what the chain guarantees us (or our own cap without a guarantee)
    const limit = contractIssuer
      ? ((await c.contractIssuerLimit?.(peer, chequebook)) ?? c.contractIssuerMaxUncashed)
      : undefined;
    if (limit !== undefined) {
      const uncashed = cheque.cumulativePayout - (liq?.paidOut ?? 0n);
      if (uncashed > limit) throw new ContractIssuerLimitError(uncashed, limit);
    }
    c.crashPoint?.("receive:validated");

    // Durable first, credit second: the record is built inside the (group) commit, so nothing can
    // interleave between reading the last cheque and writing the new one.
    const { credited } = await this.ledger.persistSoon(() => {
      const nowLast = this.store.lastReceived(chequebook)?.cumulativePayout ?? 0n;
      if (cheque.cumulativePayout <= nowLast) throw new NonIncreasingChequeError(cheque.cumulativePayout, nowLast);
      const credited = cheque.cumulativePayout - nowLast;
      const record = { ...this.ledger.afterPaymentReceived(peer, credited), chequebook };
      const write = () =>
        this.store.putReceived({
          chequebook,
          beneficiary,
          cumulativePayout: cheque.cumulativePayout,
          signature: cheque.signature,
          peer,
          chainId: cheque.chainId,
          receivedAt: (c.now ?? Date.now)(),
        });
      return { record, write, credited };
    });
    c.crashPoint?.("receive:stored");
    return { credited, duplicate: false, cumulativePayout: cheque.cumulativePayout };
  }

  /** The last cheque received from `chequebook` (returned to its issuer on connect, for resync). */
  last(chequebook: string) {
    return this.store.lastReceived(toAddress(chequebook, "chequebook"));
  }

  /** Whether `chequebook` can no longer pay what it already owes us (drained): its issuer defaults. */
  async drained(chequebook: string): Promise<boolean> {
    const cb = toAddress(chequebook, "chequebook");
    const last = this.store.lastReceived(cb);
    if (!last) return false;
    const liq = await this.verifier.liquidity(cb, this.config.beneficiary);
    return !!liq && last.cumulativePayout - liq.paidOut > liq.liquidBalanceFor;
  }
}

/**
 * A receiver whose contract-wallet (ERC-1271) issuers are bounded by the credit rule
 * (accounting/credit.ts), and the tracker `Accounting` consults before serving them (undefined
 * outside hard mode). The node and the gateway both build their receiver this way.
 */
export function receiverWithCredit(
  store: Store,
  ledger: Ledger,
  config: Omit<ReceiverConfig, "contractIssuerMaxUncashed" | "contractIssuerLimit">,
  policy: Pick<ResolvedPolicy, "contractIssuerMaxUncashed" | "contractIssuerMaxCredit">,
  onCreditError?: (peer: string, error: unknown) => void,
): { receiver: ChequeReceiver; credit?: ContractIssuerCredit } {
  const receiver = new ChequeReceiver(store, ledger, {
    ...config,
    contractIssuerMaxUncashed: policy.contractIssuerMaxUncashed,
    // called only when a cheque arrives, after `credit` below exists
    contractIssuerLimit: (peer, chequebook) => credit?.limitFor(peer, chequebook),
  });
  const credit = contractIssuerCredit(receiver.verifier, {
    beneficiary: config.beneficiary,
    received: (chequebook) => receiver.last(chequebook)?.cumulativePayout ?? 0n,
    fallbackLimit: policy.contractIssuerMaxUncashed,
    maxCredit: policy.contractIssuerMaxCredit,
    now: config.now,
    onError: onCreditError,
  });
  return { receiver, credit };
}
