/**
 * THE one place where the gateway (and the capacity layer behind it) touches the SWAP modules:
 * Ledger, Accounting, ChequeReceiver, ChequeIssuer and the Store. The gateway is the same
 * accounting, cheque receiver and store as the p2p node — no second implementation. If those
 * modules change shape, only this file follows.
 */
import { Accounting, type SettlementPort } from "../accounting/accounting.js";
import type { ContractIssuerCredit } from "../accounting/credit.js";
import { InvalidArgumentError } from "../errors.js";
import { Ledger, type Reservation } from "../accounting/ledger.js";
import {
  resolvePolicy,
  type Mode,
  type PolicyConfig,
  type ResolvedPolicy,
  type ServiceClass,
} from "../accounting/policy.js";
import type { SqliteHandle } from "../capacity/sqlite.js";
import type { ChainFacts } from "../chain/facts.js";
import type { SignedCheque } from "../cheque/index.js";
import type { Hex } from "../crypto/index.js";
import type { SignerLike } from "../crypto/signer.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/types.js";
import { ChequeIssuer, type Funds } from "../swap/issuer.js";
import { receiverWithCredit, type ChequeReceiver, type IncomingCheque, type ReceiveResult } from "../swap/receiver.js";
import { ChequeRejectedError } from "../swap/errors.js";
import { OverdraftError } from "../accounting/errors.js";
import { toAddress } from "../values.js";
import { VolatileStoreError } from "./errors.js";

/** The protocol name the gateway accounts HTTP service under (a price per cost unit). */
export const HTTP_PROTOCOL = "http";

export {
  ChequeRejectedError,
  OverdraftError,
  SqliteStore,
  type Store,
  type IncomingCheque,
  type ReceiveResult,
  type Mode,
  type ServiceClass,
  type SignedCheque,
  type Funds,
};

export interface SwapSettlementConfig {
  store: Store;
  /** Payment threshold, tolerance, free tier, mode; `pricePerCostUnit` becomes the `http` price. */
  policy: Omit<PolicyConfig, "prices">;
  pricePerCostUnit: bigint;
  chainId: bigint;
  beneficiary: string;
  facts?: ChainFacts;
  now?: () => number;
  /** Tests only: accept a MemoryStore. */
  allowVolatileStore?: boolean;
}

/** The server side of SWAP, as the gateway uses it. */
export class SwapSettlement {
  readonly policy: ResolvedPolicy;
  readonly ledger: Ledger;
  readonly accounting: Accounting;
  readonly receiver: ChequeReceiver;
  /** Credit to contract-wallet (ERC-1271) payers, bounded by their hard deposit (hard mode only). */
  readonly credit?: ContractIssuerCredit;
  readonly beneficiary: Hex;
  readonly #store: Store;
  readonly #issuers = new Map<string, string>();

  constructor(readonly config: SwapSettlementConfig) {
    if (!(config.store instanceof SqliteStore) && !config.allowVolatileStore) throw new VolatileStoreError();
    this.policy = resolvePolicy({ ...config.policy, prices: { [HTTP_PROTOCOL]: config.pricePerCostUnit } });
    this.#store = config.store;
    this.beneficiary = toAddress(config.beneficiary, "beneficiary");
    this.ledger = new Ledger(config.store);
    const now = config.now ?? Date.now;
    // the same receiver and credit rule as the p2p node's: uncashed + exposure ≤ what the chain guarantees us
    const received = receiverWithCredit(
      config.store,
      this.ledger,
      {
        beneficiary: this.beneficiary,
        chainId: config.chainId,
        mode: this.policy.mode,
        minChequeValue: this.policy.minChequeValue,
        facts: config.facts,
        now,
      },
      this.policy,
    );
    this.receiver = received.receiver;
    this.credit = received.credit;
    const neverPays: SettlementPort = { pay: async () => undefined }; // a gateway only serves
    this.accounting = new Accounting(this.ledger, this.policy, neverPays, now, undefined, this.credit);
  }

  /**
   * A paying client's session was verified: find out whether its issuer is a contract wallet and,
   * if so, read what its chequebook guarantees us (before it is served on credit). Never throws:
   * an unreadable guarantee leaves it without paid credit until a later read succeeds.
   */
  async admit(peer: string, chequebook: string, issuer: string): Promise<void> {
    await this.credit?.admit(peer, chequebook, issuer);
  }

  /** The SWAP store's SQLite handle, so the capacity store can share its transactions. */
  get database(): SqliteHandle | undefined {
    return this.#store instanceof SqliteStore ? (this.#store.sharedHandle as SqliteHandle) : undefined;
  }

  /** hard mode: is `issuer` the issuer of a chequebook from a known factory? mock: yes. */
  async checkIssuer(chequebook: string, issuer: string): Promise<boolean> {
    if (this.policy.mode !== "hard") return true;
    const f = this.config.facts!;
    return (await f.isKnownChequebook(chequebook)) && (await f.issuerOf(chequebook)) === toAddress(issuer);
  }

  /** Make a paying client known to the accounting (idempotent). */
  registerPeer(peer: string, issuer: string, now: number): void {
    if (this.#issuers.get(peer) === issuer) return;
    this.#issuers.set(peer, issuer);
    this.accounting.registerPeer(peer, {
      paymentThreshold: this.policy.paymentThreshold,
      canPay: true,
      connectedAt: now,
    });
  }

  receiveCheque(peer: string, cheque: IncomingCheque, chequebook: string): Promise<ReceiveResult> {
    return this.receiver.receive(peer, cheque, { chequebook, issuer: this.#issuers.get(peer) });
  }

  classify(peer: string, costUnits: number): ServiceClass {
    return this.accounting.classify(peer, HTTP_PROTOCOL, costUnits);
  }

  price(costUnits: number): bigint {
    return this.accounting.price(HTTP_PROTOCOL, costUnits);
  }

  /** Reserve the price of serving; `OverdraftError` past the disconnect threshold. */
  reserve(peer: string, costUnits: number): Reservation {
    return this.accounting.prepareServe(peer, HTTP_PROTOCOL, costUnits);
  }

  /** What the client owes (net of surplus, with reservations): the server's view of the balance. */
  exposure(peer: string): bigint {
    return this.ledger.serveExposure(peer);
  }

  surplus(peer: string): bigint {
    return this.ledger.get(peer).surplus;
  }

  defaulting(peer: string): boolean {
    return this.ledger.get(peer).defaulting;
  }

  /**
   * Move up to `amount` of the client's surplus (paid beyond its debt) into capacity credit:
   * `deposit` receives the amount and a function writing the ledger side, to run inside its own
   * transaction (one SQLite transaction when the stores share a database). Returns what moved.
   */
  moveSurplus(peer: string, amount: bigint, deposit: (moved: bigint, writeLedger: () => void) => void): bigint {
    const rec = this.ledger.get(peer);
    const moved = amount < rec.surplus ? amount : rec.surplus;
    if (moved <= 0n) return 0n;
    const after = { ...rec, surplus: rec.surplus - moved };
    deposit(moved, () => this.#store.putPeer(after));
    this.ledger.commit(after, true);
    return moved;
  }

  flush(): void {
    this.ledger.flush();
  }
}

/** The client side: pays a gateway with cumulative cheques from a chequebook, durably recorded
 * (ChequeIssuer: stored before it is sent; never beyond the uncommitted balance). */
export class SwapPayer {
  readonly #issuer: ChequeIssuer;

  constructor(
    store: Store,
    config: {
      chequebook: string;
      chainId: bigint;
      signer: SignerLike;
      funds: () => Promise<Funds>;
      now?: () => number;
    },
  ) {
    this.#issuer = new ChequeIssuer(store, new Ledger(store), {
      ...config,
      chequebook: toAddress(config.chequebook, "chequebook"),
    });
  }

  /** Sign and record a cheque raising what `beneficiary` may cash by `amount`. */
  async pay(beneficiary: string, amount: bigint): Promise<SignedCheque> {
    if (amount <= 0n) throw new InvalidArgumentError("amount", amount, "> 0");
    const cheque = await this.#issuer.issue(`gateway:${toAddress(beneficiary)}`, beneficiary, amount);
    if (!cheque) throw new InvalidArgumentError("amount", amount, "> 0");
    return cheque;
  }

  /** The last cheque to `beneficiary` (re-sent after a restart if the gateway missed it). */
  last(beneficiary: string): SignedCheque | undefined {
    return this.#issuer.last(beneficiary);
  }
}
