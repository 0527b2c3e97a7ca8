/**
 * Typed clients for the chequebook and its factory, over the typechain bindings. Amounts are
 * bigint, addresses checked, reverts typed (see ./errors.ts).
 */
import type { ContractRunner, Signer } from "ethers";
import { Chequebook__factory, ChequebookFactory__factory } from "../../typechain-types/index.js";
import type { Chequebook, ChequebookFactory } from "../../typechain-types/index.js";
import { toAddress, toBytes32, toUint256, type AmountLike } from "../values.js";
import type { Hex } from "../crypto/index.js";
import type { SignedCheque } from "../cheque/index.js";
import { call } from "./errors.js";
import { send, type TxResult } from "./tx.js";
import { TokenClient } from "./token.js";
import { InvalidArgumentError } from "../errors.js";

/**
 * The `decreaseTimeout` value a beneficiary signs for a custom hard-deposit timeout: its epoch on the
 * chequebook (`timeoutEpoch`, 0 until it bumps it) in the high 128 bits, the timeout in seconds in the
 * low 128 bits. Bee's type string has no nonce, so the epoch rides in the value; epoch 0 is Bee's plain value.
 */
export function customTimeoutValue(epoch: AmountLike, timeoutSeconds: AmountLike): bigint {
  const e = toUint256(epoch, "epoch");
  const t = toUint256(timeoutSeconds, "timeout");
  if (e >= 2n ** 128n) throw new InvalidArgumentError("epoch", e, "below 2^128");
  if (t >= 2n ** 128n) throw new InvalidArgumentError("timeout", t, "below 2^128 seconds");
  return (e << 128n) | t;
}

/** Bee's fixed gas limits (PROTOCOL.md §1): every such call must fit. */
export const BEE_GAS_LIMITS = { deploy: 175_000n, cashout: 300_000n, withdraw: 95_000n } as const;

export interface HardDeposit {
  amount: bigint;
  decreaseAmount: bigint;
  /** Custom timeout in seconds, 0 = the chequebook default. */
  timeout: bigint;
  /** Unix time from which the prepared decrease can be applied, 0 = none prepared. */
  canBeDecreasedAt: bigint;
}

export interface CashoutPreview {
  /** What is owed: cumulativePayout − paidOut (0 if nothing). */
  requestPayout: bigint;
  /** What cashing now would pay. */
  totalPayout: bigint;
  /** Cashing now would bounce (pay less than owed). */
  bounces: boolean;
}

export interface CashResult extends TxResult {
  totalPayout: bigint;
  callerPayout: bigint;
  bounced: boolean;
}

export class ChequebookFactoryClient {
  readonly address: Hex;
  readonly contract: ChequebookFactory;

  constructor(address: string, runner: ContractRunner) {
    this.address = toAddress(address, "factory");
    this.contract = ChequebookFactory__factory.connect(this.address, runner);
  }

  /** Deploy a new factory (and its implementation) for `token`. */
  static async deploy(signer: Signer, token: string): Promise<ChequebookFactoryClient> {
    const c = await call(async () => {
      const f = await new ChequebookFactory__factory(signer).deploy(toAddress(token, "token"));
      await f.waitForDeployment();
      return f;
    });
    return new ChequebookFactoryClient(await c.getAddress(), signer);
  }

  token(): Promise<Hex> {
    return call(async () => toAddress(await this.contract.ERC20Address()));
  }

  isDeployed(chequebook: string): Promise<boolean> {
    return call(() => this.contract.deployedContracts(toAddress(chequebook, "chequebook")));
  }

  /** The address `deployChequebook` will deploy to when sent by `deployer`. */
  predictAddress(opts: {
    deployer: string;
    issuer: string;
    defaultHardDepositTimeout: AmountLike;
    salt: string;
  }): Promise<Hex> {
    return call(async () =>
      toAddress(
        await this.contract.predictAddress(
          toAddress(opts.deployer, "deployer"),
          toAddress(opts.issuer, "issuer"),
          toUint256(opts.defaultHardDepositTimeout, "defaultHardDepositTimeout"),
          toBytes32(opts.salt, "salt"),
        ),
      ),
    );
  }

  /** Deploy a chequebook clone for `issuer`; returns its address (checked against the event). */
  async deployChequebook(opts: {
    issuer: string;
    defaultHardDepositTimeout: AmountLike;
    salt: string;
  }): Promise<TxResult & { address: Hex }> {
    const issuer = toAddress(opts.issuer, "issuer");
    const timeout = toUint256(opts.defaultHardDepositTimeout, "defaultHardDepositTimeout");
    const salt = toBytes32(opts.salt, "salt");
    const res = await send(() =>
      this.contract.deploySimpleSwap(issuer, timeout, salt, { gasLimit: BEE_GAS_LIMITS.deploy }),
    );
    const log = res.receipt.logs
      .map((l) => this.contract.interface.parseLog(l))
      .find((l) => l?.name === "SimpleSwapDeployed");
    return { ...res, address: toAddress(log!.args.contractAddress) };
  }
}

export class ChequebookClient {
  readonly address: Hex;
  readonly contract: Chequebook;
  readonly #runner: ContractRunner;

  constructor(address: string, runner: ContractRunner) {
    this.address = toAddress(address, "chequebook");
    this.#runner = runner;
    this.contract = Chequebook__factory.connect(this.address, runner);
  }

  connect(runner: ContractRunner): ChequebookClient {
    return new ChequebookClient(this.address, runner);
  }

  issuer(): Promise<Hex> {
    return call(async () => toAddress(await this.contract.issuer()));
  }
  token(): Promise<Hex> {
    return call(async () => toAddress(await this.contract.token()));
  }
  async tokenClient(): Promise<TokenClient> {
    return new TokenClient(await this.token(), this.#runner);
  }
  defaultHardDepositTimeout(): Promise<bigint> {
    return call(() => this.contract.defaultHardDepositTimeout());
  }
  balance(): Promise<bigint> {
    return call(() => this.contract.balance());
  }
  liquidBalance(): Promise<bigint> {
    return call(() => this.contract.liquidBalance());
  }
  liquidBalanceFor(beneficiary: string): Promise<bigint> {
    return call(() => this.contract.liquidBalanceFor(toAddress(beneficiary, "beneficiary")));
  }
  paidOut(beneficiary: string): Promise<bigint> {
    return call(() => this.contract.paidOut(toAddress(beneficiary, "beneficiary")));
  }
  totalPaidOut(): Promise<bigint> {
    return call(() => this.contract.totalPaidOut());
  }
  totalHardDeposit(): Promise<bigint> {
    return call(() => this.contract.totalHardDeposit());
  }
  bounced(): Promise<boolean> {
    return call(() => this.contract.bounced());
  }
  hardDeposit(beneficiary: string): Promise<HardDeposit> {
    return call(async () => {
      const [amount, decreaseAmount, timeout, canBeDecreasedAt] = await this.contract.hardDeposits(
        toAddress(beneficiary, "beneficiary"),
      );
      return { amount, decreaseAmount, timeout, canBeDecreasedAt };
    });
  }

  /** What cashing `cumulativePayout` for `beneficiary` would pay now (no gas spent). */
  previewCashout(beneficiary: string, cumulativePayout: AmountLike): Promise<CashoutPreview> {
    return call(async () => {
      const [requestPayout, totalPayout] = await this.contract.previewCashout(
        toAddress(beneficiary, "beneficiary"),
        toUint256(cumulativePayout, "cumulativePayout"),
      );
      return { requestPayout, totalPayout, bounces: totalPayout < requestPayout };
    });
  }

  /** Approve (if needed) and pull `amount` from the signer; returns what arrived. */
  async deposit(amount: AmountLike): Promise<TxResult> {
    const value = toUint256(amount);
    const token = await this.tokenClient();
    const owner = await (this.#runner as Signer).getAddress();
    if ((await token.allowance(owner, this.address)) < value) await token.approve(this.address, value);
    return send(() => this.contract.deposit(value));
  }

  withdraw(amount: AmountLike): Promise<TxResult> {
    return send(() => this.contract.withdraw(toUint256(amount), { gasLimit: BEE_GAS_LIMITS.withdraw }));
  }

  /** Cash `cheque` as its beneficiary (the runner must be the beneficiary), paying `recipient`. */
  async cashChequeBeneficiary(cheque: SignedCheque, recipient: string = cheque.beneficiary): Promise<CashResult> {
    const res = await send(() =>
      this.contract.cashChequeBeneficiary(
        toAddress(recipient, "recipient"),
        toUint256(cheque.cumulativePayout),
        cheque.signature,
        {
          gasLimit: BEE_GAS_LIMITS.cashout,
        },
      ),
    );
    return this.#cashResult(res);
  }

  /** Cash `cheque` for its beneficiary as a third party, with the beneficiary's `Cashout` signature. */
  async cashCheque(opts: {
    cheque: SignedCheque;
    recipient: string;
    callerPayout: AmountLike;
    beneficiarySignature: string;
  }): Promise<CashResult> {
    const res = await send(() =>
      this.contract.cashCheque(
        toAddress(opts.cheque.beneficiary, "beneficiary"),
        toAddress(opts.recipient, "recipient"),
        toUint256(opts.cheque.cumulativePayout),
        opts.beneficiarySignature,
        toUint256(opts.callerPayout, "callerPayout"),
        opts.cheque.signature,
        { gasLimit: BEE_GAS_LIMITS.cashout },
      ),
    );
    return this.#cashResult(res);
  }

  increaseHardDeposit(beneficiary: string, amount: AmountLike): Promise<TxResult> {
    return send(() => this.contract.increaseHardDeposit(toAddress(beneficiary, "beneficiary"), toUint256(amount)));
  }
  prepareDecreaseHardDeposit(beneficiary: string, amount: AmountLike): Promise<TxResult> {
    return send(() =>
      this.contract.prepareDecreaseHardDeposit(toAddress(beneficiary, "beneficiary"), toUint256(amount)),
    );
  }
  decreaseHardDeposit(beneficiary: string): Promise<TxResult> {
    return send(() => this.contract.decreaseHardDeposit(toAddress(beneficiary, "beneficiary")));
  }
  /** The epoch a `CustomDecreaseTimeout` signature for `beneficiary` must carry (see `customTimeoutValue`). */
  timeoutEpoch(beneficiary: string): Promise<bigint> {
    return call(() => this.contract.timeoutEpoch(toAddress(beneficiary, "beneficiary")));
  }
  /** As beneficiary (the runner): invalidate every unused `CustomDecreaseTimeout` signature of ours. */
  bumpTimeoutEpoch(): Promise<TxResult> {
    return send(() => this.contract.bumpTimeoutEpoch());
  }
  /** Whether a `Cashout` digest was consumed by a contract-wallet beneficiary's relayed cash-out. */
  cashoutSignatureUsed(digest: string): Promise<boolean> {
    return call(() => this.contract.cashoutSignatureUsed(toBytes32(digest, "digest")));
  }
  /** `timeout` is the signed value: `customTimeoutValue(epoch, seconds)` (a plain number is epoch 0). */
  setCustomHardDepositTimeout(
    beneficiary: string,
    timeout: AmountLike,
    beneficiarySignature: string,
  ): Promise<TxResult> {
    return send(() =>
      this.contract.setCustomHardDepositTimeout(
        toAddress(beneficiary, "beneficiary"),
        toUint256(timeout, "timeout"),
        beneficiarySignature,
      ),
    );
  }

  #cashResult(res: TxResult): CashResult {
    let totalPayout = 0n;
    let callerPayout = 0n;
    let bounced = false;
    for (const l of res.receipt.logs) {
      if (l.address.toLowerCase() !== this.address.toLowerCase()) continue;
      const parsed = this.contract.interface.parseLog(l);
      if (parsed?.name === "ChequeCashed") {
        totalPayout = parsed.args.totalPayout;
        callerPayout = parsed.args.callerPayout;
      } else if (parsed?.name === "ChequeBounced") bounced = true;
    }
    return { ...res, totalPayout, callerPayout, bounced };
  }
}
