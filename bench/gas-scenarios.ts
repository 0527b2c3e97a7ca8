/**
 * The named chequebook gas scenarios, measured with real transactions on a fresh in-process Hardhat
 * network (EDR). Shared by `npm run bench:gas` (the BENCHMARKS.md table) and the gas-snapshot check
 * in `npm test` (test/gas/chequebook.test.ts against gas-snapshots/chequebook.json). Keys are fixed,
 * so every run sends the same bytes and measures the same gas.
 */
import { Wallet, id } from "ethers";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { TestToken__factory } from "../typechain-types/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../src/chain/chequebook.js";
import { BatchCashoutExecutorClient, CashoutRouterClient, type RouterEntry } from "../src/chain/batch-cashout.js";
import { signCashout, signCheque, type SignedCheque } from "../src/cheque/index.js";
import type { Hex } from "../src/crypto/index.js";

export interface GasFigure {
  /** Stable name: the key in gas-snapshots/chequebook.json. */
  name: string;
  /** What the scenario is, for the table. */
  scenario: string;
  /** Gas of the transaction (per cheque for batch rows). */
  gas: bigint;
  /** Cheques in the transaction (batch rows). */
  batch?: number;
  /** Transaction hash (single-transaction rows), for calldata accounting. */
  hash?: string;
}

/** A deterministic key per role, so that calldata (and so gas) is the same on every run. */
const key = (role: string) => new Wallet(id(`swap-settlement gas scenario: ${role}`));

export async function measureChequebookGas(
  ethers: HardhatEthers,
  opts: { batchSizes?: number[] } = {},
): Promise<GasFigure[]> {
  const batchSizes = opts.batchSizes ?? [1, 10, 50];
  const [deployer] = await ethers.getSigners();
  const { chainId } = await ethers.provider.getNetwork();
  const issuerKey = key("issuer");
  const token = await new TestToken__factory(deployer).deploy();
  const factory = await ChequebookFactoryClient.deploy(deployer!, await token.getAddress());
  const out: GasFigure[] = [];
  const record = (name: string, scenario: string, res: { gasUsed: bigint; hash: string }) =>
    out.push({ name, scenario, gas: res.gasUsed, hash: res.hash });

  let salt = 0;
  async function newBook(fund = 10n ** 24n): Promise<ChequebookClient> {
    const d = await factory.deployChequebook({
      issuer: issuerKey.address,
      defaultHardDepositTimeout: 86400,
      salt: id(`bench ${salt++}`),
    });
    if (fund) await (await token.mint(d.address, fund)).wait();
    return new ChequebookClient(d.address, deployer!);
  }
  async function cheque(book: string, beneficiary: string, amount: bigint): Promise<SignedCheque> {
    const c = { chequebook: book, beneficiary, cumulativePayout: amount };
    return { ...c, signature: await signCheque(c, chainId, issuerKey.privateKey as Hex) };
  }
  async function funded(role: string): Promise<Wallet> {
    const w = key(role).connect(ethers.provider);
    await (await deployer!.sendTransaction({ to: w.address, value: 10n ** 20n })).wait();
    return w;
  }

  // ---------------------------------------------------------------- single transactions
  const d = await factory.deployChequebook({
    issuer: issuerKey.address,
    defaultHardDepositTimeout: 86400,
    salt: id("bench"),
  });
  record("deploy", "deploy a chequebook through the factory", d);
  const book = new ChequebookClient(d.address, deployer!);
  await (await token.mint(book.address, 10n ** 24n)).wait();

  const b0 = await funded("b0");
  record(
    "cashFirstFresh",
    "first cash-out of a fresh chequebook (totals 0 → non-zero; beneficiary holds no tokens)",
    await book.connect(b0).cashChequeBeneficiary(await cheque(book.address, b0.address, 10n ** 18n)),
  );
  const b1 = await funded("b1");
  record(
    "cashFirstBeneficiary",
    "first cash-out to a new beneficiary (totals already non-zero; beneficiary holds no tokens)",
    await book.connect(b1).cashChequeBeneficiary(await cheque(book.address, b1.address, 10n ** 18n)),
  );
  record(
    "cashLater",
    "later cash-out by the same beneficiary",
    await book.connect(b1).cashChequeBeneficiary(await cheque(book.address, b1.address, 2n * 10n ** 18n)),
  );

  const relayer = await funded("relayer");
  const b2 = key("b2");
  const recipient2 = key("recipient2").address;
  const c2 = await cheque(book.address, b2.address, 10n ** 18n);
  const cashoutSig = await signCashout(
    {
      chequebook: book.address,
      sender: relayer.address,
      requestPayout: c2.cumulativePayout,
      recipient: recipient2,
      callerPayout: 10n ** 16n,
    },
    chainId,
    b2.privateKey as Hex,
  );
  record(
    "cashThirdParty",
    "third-party cash-out (first for the beneficiary; recipient and caller hold no tokens)",
    await book
      .connect(relayer)
      .cashCheque({ cheque: c2, recipient: recipient2, callerPayout: 10n ** 16n, beneficiarySignature: cashoutSig }),
  );

  const issuer = key("issuer").connect(ethers.provider);
  await (await deployer!.sendTransaction({ to: issuer.address, value: 10n ** 20n })).wait();
  const asIssuer = book.connect(issuer);
  record("withdrawFirst", "withdraw (issuer holds no tokens yet)", await asIssuer.withdraw(10n ** 18n));
  record("withdraw", "withdraw (issuer already holds tokens)", await asIssuer.withdraw(10n ** 18n));
  const hb = key("hard deposit beneficiary").address;
  record(
    "hardDepositIncrease",
    "hard deposit: increase (new beneficiary)",
    await asIssuer.increaseHardDeposit(hb, 10n ** 18n),
  );
  record(
    "hardDepositPrepare",
    "hard deposit: prepare decrease",
    await asIssuer.prepareDecreaseHardDeposit(hb, 10n ** 17n),
  );
  await ethers.provider.send("evm_increaseTime", [86400]);
  record("hardDepositDecrease", "hard deposit: decrease", await asIssuer.decreaseHardDeposit(hb));

  const small = await newBook(10n ** 17n);
  const b3 = await funded("b3");
  const bounced = await small.connect(b3).cashChequeBeneficiary(await cheque(small.address, b3.address, 10n ** 18n));
  if (!bounced.bounced) throw new Error("expected a bounce");
  record("cashBounced", "bounced cash-out (first for the beneficiary, pays what is there)", bounced);

  // ---------------------------------------------------------------- batches of later cash-outs
  // One beneficiary paid by N peers (N chequebooks of one token), each already cashed once, so every
  // cash-out in the batch is a "later" one and the recipient already holds tokens: the batch
  // counterpart of `cashLater`. Gas per cheque = transaction gas / N.
  const router = await CashoutRouterClient.deploy(deployer!);
  const executor = await BatchCashoutExecutorClient.deploy(deployer!);
  const maxN = Math.max(...batchSizes);
  const routed = await funded("router beneficiary");
  const account = await funded("7702 account");
  const books: ChequebookClient[] = [];
  for (let i = 0; i < maxN; i++) {
    const b = await newBook();
    await b.connect(routed).cashChequeBeneficiary(await cheque(b.address, routed.address, 10n ** 15n));
    await b.connect(account).cashChequeBeneficiary(await cheque(b.address, account.address, 10n ** 15n));
    books.push(b);
  }
  // the 7702 account delegates once (its own type-4 transaction), then cashes with plain ones
  const accountClient = new BatchCashoutExecutorClient(account);
  await accountClient.cashMany([], { delegateTo: executor });
  if ((await ethers.provider.getCode(account.address)).length !== 2 + 46) throw new Error("delegation not set");

  let round = 2n;
  for (const n of batchSizes) {
    const amount = round++ * 10n ** 15n;
    const entries: RouterEntry[] = [];
    for (const b of books.slice(0, n)) {
      const c = await cheque(b.address, routed.address, amount);
      const sig = await signCashout(
        {
          chequebook: b.address,
          sender: router.address,
          requestPayout: amount,
          recipient: routed.address,
          callerPayout: 0n,
        },
        chainId,
        routed.privateKey as Hex,
      );
      entries.push({ cheque: c, recipient: routed.address, callerPayout: 0n, beneficiarySignature: sig });
    }
    const r = await router.cashMany(entries, { checkFirst: false });
    if (r.cashed !== n) throw new Error(`router cashed ${r.cashed} of ${n}`);
    out.push({
      name: `router${n}`,
      scenario: `router \`cashMany\`: ${n} later cash-out${n > 1 ? "s" : ""} in one transaction, per cheque`,
      gas: r.gasUsed / BigInt(n),
      batch: n,
    });

    const amount2 = round++ * 10n ** 15n;
    const compact: Omit<RouterEntry, "recipient">[] = [];
    for (const b of books.slice(0, n)) {
      const sig = await signCashout(
        {
          chequebook: b.address,
          sender: router.address,
          requestPayout: amount2,
          recipient: routed.address,
          callerPayout: 0n,
        },
        chainId,
        routed.privateKey as Hex,
      );
      compact.push({
        cheque: await cheque(b.address, routed.address, amount2),
        callerPayout: 0n,
        beneficiarySignature: sig,
      });
    }
    const rc = await router.cashManyCompact(routed.address, routed.address, compact, { checkFirst: false });
    if (rc.cashed !== n) throw new Error(`router (compact) cashed ${rc.cashed} of ${n}`);
    out.push({
      name: `routerCompact${n}`,
      scenario: `router \`cashManyCompact\`: ${n} later cash-out${n > 1 ? "s" : ""} in one transaction, per cheque`,
      gas: rc.gasUsed / BigInt(n),
      batch: n,
    });

    const cheques = await Promise.all(
      books.slice(0, n).map(async (b) => ({ cheque: await cheque(b.address, account.address, amount) })),
    );
    const x = await accountClient.cashMany(cheques, { checkFirst: false });
    if (x.cashed !== n) throw new Error(`7702 executor cashed ${x.cashed} of ${n}`);
    out.push({
      name: `eip7702_${n}`,
      scenario: `EIP-7702 executor: ${n} later cash-out${n > 1 ? "s" : ""} in one transaction, per cheque`,
      gas: x.gasUsed / BigInt(n),
      batch: n,
    });
  }
  // Bee-compatible mode: the router asks paidOut/liquidBalanceFor first (Bee's chequebooks bounce)
  {
    const n = batchSizes.includes(10) ? 10 : batchSizes[0]!;
    const amount = round++ * 10n ** 15n;
    const entries: RouterEntry[] = [];
    for (const b of books.slice(0, n)) {
      const sig = await signCashout(
        {
          chequebook: b.address,
          sender: router.address,
          requestPayout: amount,
          recipient: routed.address,
          callerPayout: 0n,
        },
        chainId,
        routed.privateKey as Hex,
      );
      entries.push({
        cheque: await cheque(b.address, routed.address, amount),
        recipient: routed.address,
        callerPayout: 0n,
        beneficiarySignature: sig,
      });
    }
    const r = await router.cashMany(entries, { checkFirst: true });
    if (r.cashed !== n) throw new Error(`router cashed ${r.cashed} of ${n}`);
    out.push({
      name: `router${n}_checked`,
      scenario: `router \`cashMany\` with the Swarm-ABI check (for Bee's chequebooks): ${n} later cash-outs, per cheque`,
      gas: r.gasUsed / BigInt(n),
      batch: n,
    });
  }
  return out;
}

/** Calldata gas of a transaction (4 per zero byte, 16 per other byte). */
export async function calldataGas(ethers: HardhatEthers, hash: string): Promise<number> {
  const tx = await ethers.provider.getTransaction(hash);
  return Buffer.from(tx!.data.slice(2), "hex").reduce((g, x) => g + (x === 0 ? 4 : 16), 0);
}
