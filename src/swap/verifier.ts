/**
 * How a mode checks a received cheque and funds our own, as strategy objects: `mock` trusts the
 * issuer the peer announced and has no chain; `hard` asks the chain (factory registry, issuer,
 * ERC-1271, liquidity). The receiver and issuer call these and never look at the mode.
 */
import type { ChainFacts, Liquidity } from "../chain/facts.js";
import type { CreditFacts, CreditGuarantee } from "../accounting/credit.js";
import type { Hex } from "../crypto/index.js";
import { toAddress } from "../values.js";
import type { Funds } from "./issuer.js";

export interface ChequeVerifier {
  /** On first sight of a chequebook: deployed by a factory we trust? */
  isKnownChequebook(chequebook: Hex): Promise<boolean>;
  /** Who must have signed (undefined: unknown, the cheque is refused). */
  issuerOf(chequebook: Hex, announced?: string): Promise<Hex | undefined>;
  /** For a signature that does not recover to the issuer: is the issuer a contract wallet that
   * accepts it (ERC-1271)? */
  contractSignatureValid(issuer: Hex, digest: string, signature: string): Promise<boolean>;
  /** What the chequebook can pay us (undefined: not checked in this mode). */
  liquidity(chequebook: Hex, beneficiary: Hex): Promise<Liquidity | undefined>;
  /** Whether cheques of this chequebook come from a contract wallet (ERC-1271, revocable): its
   * issuer has code. False for a chequebook we would not accept cheques from. A verifier without
   * it (and `guarantee`) extends no guarantee-based credit limit (see accounting/credit.ts). */
  isContractIssuer?(chequebook: Hex, announced?: string): Promise<boolean>;
  /** What the chequebook guarantees `beneficiary` on chain (its hard deposit) and its `paidOut`. */
  guarantee?(chequebook: Hex, beneficiary: Hex): Promise<CreditGuarantee>;
}

/** Mock mode: no chain; the issuer is the one announced in the handshake. */
export const mockVerifier: ChequeVerifier = {
  isKnownChequebook: async () => true,
  issuerOf: async (_cb, announced) => (announced ? toAddress(announced) : undefined),
  contractSignatureValid: async () => false,
  liquidity: async () => undefined,
};

/** Hard mode: everything from the chain, with a bounded cache of negative factory answers (a
 * chequebook not deployed by a known factory is asked about again only after `negativeTtlMs`). */
export class ChainVerifier implements ChequeVerifier, CreditFacts {
  readonly #negative = new Map<string, number>();

  constructor(
    readonly facts: ChainFacts,
    readonly opts: { negativeTtlMs?: number; maxNegative?: number; now?: () => number } = {},
  ) {}

  async isKnownChequebook(chequebook: Hex): Promise<boolean> {
    const now = (this.opts.now ?? Date.now)();
    const until = this.#negative.get(chequebook);
    if (until !== undefined && until > now) return false;
    const known = await this.facts.isKnownChequebook(chequebook);
    if (known) this.#negative.delete(chequebook);
    else {
      this.#negative.delete(chequebook);
      if (this.#negative.size >= (this.opts.maxNegative ?? 10_000))
        this.#negative.delete(this.#negative.keys().next().value!);
      this.#negative.set(chequebook, now + (this.opts.negativeTtlMs ?? 60_000));
    }
    return known;
  }

  /** Negative answers held (for memory bounds). */
  get negativeCached(): number {
    return this.#negative.size;
  }

  issuerOf(chequebook: Hex): Promise<Hex> {
    return this.facts.issuerOf(chequebook);
  }

  async contractSignatureValid(issuer: Hex, digest: string, signature: string): Promise<boolean> {
    return (await this.facts.hasCode(issuer)) && (await this.facts.isValidContractSignature(issuer, digest, signature));
  }

  liquidity(chequebook: Hex, beneficiary: Hex): Promise<Liquidity> {
    return this.facts.liquidity(chequebook, beneficiary);
  }

  async isContractIssuer(chequebook: Hex): Promise<boolean> {
    if (!(await this.isKnownChequebook(chequebook))) return false;
    return this.facts.hasCode(await this.facts.issuerOf(chequebook));
  }

  /** The hard deposit through the facts port (its liquidity cache); a chequebook without hard
   * deposits guarantees nothing (`guaranteed` undefined) and still reports `paidOut`. */
  async guarantee(chequebook: Hex, beneficiary: Hex): Promise<CreditGuarantee> {
    const g = await this.facts.guarantee?.(chequebook, beneficiary);
    return g ?? { paidOut: (await this.facts.liquidity(chequebook, beneficiary)).paidOut };
  }
}

/** Our own chequebook's funds and the on-chain floor under what we sign. */
export interface FundsSource {
  funds(): Promise<Funds>;
  /** `paidOut(beneficiary)` on chain (0 without a chain): never sign below it. */
  paidOut(beneficiary: Hex): Promise<bigint>;
}

export function chainFunds(facts: ChainFacts, chequebook: Hex): FundsSource {
  return {
    funds: () => facts.funds(chequebook),
    paidOut: async (beneficiary) => (await facts.liquidity(chequebook, beneficiary)).paidOut,
  };
}

export function mockFunds(funds: () => Funds): FundsSource {
  return { funds: async () => funds(), paidOut: async () => 0n };
}
