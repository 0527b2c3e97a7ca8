/**
 * Customer side: one session per (plan, provider); a share token for every unit of traffic; a
 * fresh receipt signed before a chain runs out. Only the receipts are ECDSA; tokens cost nothing.
 */
import type { Hex } from "../crypto/index.js";
import type { SignerLike } from "../crypto/signer.js";
import { toAddress } from "../values.js";
import { HashChain } from "./hashchain.js";
import { signShareReceipt, type PlansDomain, type SignedShareReceipt } from "./receipt.js";

/** What a packet carries: word `index` of the chain whose anchor is `anchor`. */
export interface ShareToken {
  planId: bigint;
  anchor: Hex;
  index: number;
  word: Uint8Array;
}

export interface IssuedToken {
  token: ShareToken;
  /** Present on the first token of each chain: the provider needs it before the token. */
  receipt?: SignedShareReceipt;
}

export interface ShareIssuerOptions {
  planId: bigint;
  domain: PlansDomain;
  /** The plan's `signer` key (the customer client's hot key). */
  signer: SignerLike;
  /** Words per chain (default 10,000: 320 KB per session held in memory). */
  chainLength?: number;
}

interface Session {
  chain: HashChain;
  receipt: SignedShareReceipt;
  index: number;
  announced: boolean;
  next?: Promise<{ chain: HashChain; receipt: SignedShareReceipt }>;
}

export class ShareIssuer {
  readonly planId: bigint;
  readonly #domain: PlansDomain;
  readonly #signer: SignerLike;
  readonly #length: number;
  readonly #sessions = new Map<string, Session>();

  constructor(opts: ShareIssuerOptions) {
    this.planId = opts.planId;
    this.#domain = opts.domain;
    this.#signer = opts.signer;
    this.#length = opts.chainLength ?? 10_000;
  }

  /** Shares issued so far to `provider` (what its best word proves). */
  sharesIssued(provider: string): bigint {
    const s = this.#sessions.get(toAddress(provider, "provider"));
    return s ? s.receipt.baseShares + BigInt(s.index) : 0n;
  }

  /** The token for the next unit of traffic to `provider`. */
  async next(provider: string): Promise<IssuedToken> {
    const p = toAddress(provider, "provider");
    let s = this.#sessions.get(p);
    if (!s) {
      const { chain, receipt } = await this.#newChain(p, 0n);
      s = { chain, receipt, index: 0, announced: false };
      this.#sessions.set(p, s);
    } else if (s.index === this.#length) {
      const { chain, receipt } = await (s.next ?? this.#newChain(p, this.sharesIssued(p)));
      s.chain = chain;
      s.receipt = receipt;
      s.index = 0;
      s.announced = false;
      s.next = undefined;
    }
    s.index += 1;
    // sign the next receipt ahead of time, so no packet ever waits for a signature
    if (!s.next && s.index > this.#length - Math.min(64, this.#length >> 1)) {
      s.next = this.#newChain(p, s.receipt.baseShares + BigInt(this.#length));
    }
    const out: IssuedToken = {
      token: { planId: this.planId, anchor: s.receipt.anchor, index: s.index, word: s.chain.word(s.index) },
    };
    if (!s.announced) {
      out.receipt = s.receipt;
      s.announced = true;
    }
    return out;
  }

  /** Start a fresh chain for `provider` now (a collector asked for one to keep submission cheap). */
  async refresh(provider: string): Promise<SignedShareReceipt> {
    const p = toAddress(provider, "provider");
    const { chain, receipt } = await this.#newChain(p, this.sharesIssued(p));
    this.#sessions.set(p, { chain, receipt, index: 0, announced: true });
    return receipt;
  }

  async #newChain(provider: Hex, baseShares: bigint): Promise<{ chain: HashChain; receipt: SignedShareReceipt }> {
    const chain = HashChain.fromSeed(this.#length);
    const receipt = { planId: this.planId, provider, baseShares, anchor: chain.anchor, length: BigInt(this.#length) };
    return { chain, receipt: { ...receipt, signature: await signShareReceipt(receipt, this.#domain, this.#signer) } };
  }
}
