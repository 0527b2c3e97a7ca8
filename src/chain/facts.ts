/**
 * What the SWAP receiver and issuer need to know from the chain, behind a port so `mock` mode and
 * tests run without one. `EthersChainFacts` reads a real chain and caches what cannot change
 * (a chequebook's factory and issuer, whether an address has code) and, for `liquidityTtlMs`,
 * what can (liquidity, paid out, the hard deposit guaranteed to a beneficiary).
 */
import { Contract, type Provider } from "ethers";
import { ChequebookFactory__factory, Chequebook__factory } from "../../typechain-types/index.js";
import { toAddress } from "../values.js";
import type { Hex } from "../crypto/index.js";
import { call, ProviderError, TransactionRevertedError } from "./errors.js";

export interface Liquidity {
  /** `liquidBalanceFor(beneficiary)`: what a cheque to it can draw now. */
  liquidBalanceFor: bigint;
  /** `paidOut(beneficiary)`. */
  paidOut: bigint;
}

/**
 * What a chequebook guarantees to one beneficiary (`hardDeposits(beneficiary)`): funds the issuer
 * cannot withdraw, nor take back without announcing a decrease and waiting its timeout.
 */
export interface Guarantee {
  /** The hard deposit minus any decrease already prepared (treated as applied at once), capped at
   * `liquidBalanceFor(beneficiary)` (a token balance can shrink below the hard deposits). */
  guaranteed: bigint;
  /** `paidOut(beneficiary)`: cheques up to it are cashed, the rest of the last cheque is uncashed. */
  paidOut: bigint;
}

export interface ChainFacts {
  readonly chainId: bigint;
  /** Deployed by one of the factories we trust. */
  isKnownChequebook(chequebook: string): Promise<boolean>;
  issuerOf(chequebook: string): Promise<Hex>;
  hasCode(address: string): Promise<boolean>;
  /** ERC-1271 `isValidSignature(digest, signature)` of a contract signer. */
  isValidContractSignature(signer: string, digest: string, signature: string): Promise<boolean>;
  liquidity(chequebook: string, beneficiary: string): Promise<Liquidity>;
  /** The hard deposit guaranteed to `beneficiary` (undefined: the chequebook has no hard deposits).
   * Optional so that ports written before it keep compiling; without it no guarantee is known. */
  guarantee?(chequebook: string, beneficiary: string): Promise<Guarantee | undefined>;
  /** Our own chequebook: balance and total paid out, for the uncommitted balance. */
  funds(chequebook: string): Promise<{ balance: bigint; totalPaidOut: bigint }>;
}

const ERC1271_ABI = ["function isValidSignature(bytes32, bytes) view returns (bytes4)"];
const ERC1271_MAGIC = "0x1626ba7e";

export class EthersChainFacts implements ChainFacts {
  readonly #known = new Map<string, boolean>();
  readonly #issuers = new Map<string, Hex>();
  readonly #code = new Map<string, boolean>();
  readonly #liquidity = new Map<string, { at: number; value: Liquidity }>();
  readonly #guarantees = new Map<string, { at: number; value: Guarantee }>();
  /** Chequebooks whose `hardDeposits` view reverted (not our contract): asked once. */
  readonly #noHardDeposits = new Set<string>();
  /** Chain calls made (for tests and metrics). */
  calls = 0;

  constructor(
    readonly provider: Provider,
    readonly chainId: bigint,
    readonly factories: string[],
    readonly opts: { liquidityTtlMs?: number; now?: () => number } = {},
  ) {}

  static async connect(
    provider: Provider,
    factories: string[],
    opts: { liquidityTtlMs?: number } = {},
  ): Promise<EthersChainFacts> {
    const { chainId } = await call(() => provider.getNetwork());
    return new EthersChainFacts(
      provider,
      chainId,
      factories.map((f) => toAddress(f, "factory")),
      opts,
    );
  }

  async isKnownChequebook(chequebook: string): Promise<boolean> {
    const cb = toAddress(chequebook, "chequebook");
    const hit = this.#known.get(cb);
    if (hit !== undefined) return hit;
    let known = false;
    for (const f of this.factories) {
      this.calls++;
      if (await call(() => ChequebookFactory__factory.connect(f, this.provider).deployedContracts(cb))) {
        known = true;
        break;
      }
    }
    if (known) this.#known.set(cb, true); // a negative answer may change (deployment pending): not cached
    return known;
  }

  async issuerOf(chequebook: string): Promise<Hex> {
    const cb = toAddress(chequebook, "chequebook");
    let issuer = this.#issuers.get(cb);
    if (!issuer) {
      this.calls++;
      issuer = toAddress(await call(() => Chequebook__factory.connect(cb, this.provider).issuer()));
      this.#issuers.set(cb, issuer);
    }
    return issuer;
  }

  async hasCode(address: string): Promise<boolean> {
    const a = toAddress(address);
    let has = this.#code.get(a);
    if (has === undefined) {
      this.calls++;
      has = (await call(() => this.provider.getCode(a))) !== "0x";
      this.#code.set(a, has);
    }
    return has;
  }

  async isValidContractSignature(signer: string, digest: string, signature: string): Promise<boolean> {
    this.calls++;
    try {
      const c = new Contract(toAddress(signer), ERC1271_ABI, this.provider);
      return (await c.isValidSignature(digest, signature)) === ERC1271_MAGIC;
    } catch {
      return false;
    }
  }

  async liquidity(chequebook: string, beneficiary: string): Promise<Liquidity> {
    const cb = toAddress(chequebook, "chequebook");
    const b = toAddress(beneficiary, "beneficiary");
    const key = `${cb}:${b}`;
    const now = (this.opts.now ?? Date.now)();
    const hit = this.#liquidity.get(key);
    if (hit && now - hit.at < (this.opts.liquidityTtlMs ?? 0)) return hit.value;
    this.calls += 2;
    const c = Chequebook__factory.connect(cb, this.provider);
    const [liquidBalanceFor, paidOut] = await call(() => Promise.all([c.liquidBalanceFor(b), c.paidOut(b)]));
    const value = { liquidBalanceFor, paidOut };
    this.#liquidity.set(key, { at: now, value });
    return value;
  }

  /**
   * The hard deposit guaranteed to `beneficiary`, cached like liquidity (`liquidityTtlMs`): three
   * views read together (`hardDeposits`, `liquidBalanceFor`, `paidOut`). A chequebook whose
   * `hardDeposits` reverts or answers garbage has none (undefined, remembered); a provider failure
   * is thrown (typed), never taken for "no guarantee".
   */
  async guarantee(chequebook: string, beneficiary: string): Promise<Guarantee | undefined> {
    const cb = toAddress(chequebook, "chequebook");
    const b = toAddress(beneficiary, "beneficiary");
    if (this.#noHardDeposits.has(cb)) return undefined;
    const key = `${cb}:${b}`;
    const now = (this.opts.now ?? Date.now)();
    const hit = this.#guarantees.get(key);
    if (hit && now - hit.at < (this.opts.liquidityTtlMs ?? 0)) return hit.value;
    const c = Chequebook__factory.connect(cb, this.provider);
    this.calls += 3;
    let hd: Awaited<ReturnType<typeof c.hardDeposits>>;
    let liquidBalanceFor: bigint;
    let paidOut: bigint;
    try {
      [hd, liquidBalanceFor, paidOut] = await call(() =>
        Promise.all([c.hardDeposits(b), c.liquidBalanceFor(b), c.paidOut(b)]),
      );
    } catch (e) {
      // no such view: a revert without data, or an answer that does not decode
      if (e instanceof TransactionRevertedError || (e instanceof ProviderError && e.code === "BAD_DATA")) {
        this.#noHardDeposits.add(cb);
        return undefined;
      }
      throw e;
    }
    const held = hd.amount > hd.decreaseAmount ? hd.amount - hd.decreaseAmount : 0n;
    const value = { guaranteed: held < liquidBalanceFor ? held : liquidBalanceFor, paidOut };
    this.#guarantees.set(key, { at: now, value });
    this.#liquidity.set(key, { at: now, value: { liquidBalanceFor, paidOut } });
    return value;
  }

  /** Forget cached liquidity and guarantees (after a cash-out or a deposit we know of). */
  invalidateLiquidity(chequebook?: string): void {
    for (const m of [this.#liquidity, this.#guarantees]) {
      if (!chequebook) m.clear();
      else {
        const prefix = `${toAddress(chequebook, "chequebook")}:`;
        for (const k of m.keys()) if (k.startsWith(prefix)) m.delete(k);
      }
    }
  }

  async funds(chequebook: string): Promise<{ balance: bigint; totalPaidOut: bigint }> {
    this.calls += 2;
    const c = Chequebook__factory.connect(toAddress(chequebook, "chequebook"), this.provider);
    const [balance, totalPaidOut] = await call(() => Promise.all([c.balance(), c.totalPaidOut()]));
    return { balance, totalPaidOut };
  }
}
