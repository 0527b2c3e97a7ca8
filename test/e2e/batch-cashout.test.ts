import { expect } from "chai";
import { Wallet, type Signer } from "ethers";
import { BatchCashoutExecutor__factory, CashoutRouter__factory, type TestToken } from "../../typechain-types/index.js";
import { ChequebookClient } from "../../src/chain/chequebook.js";
import { BatchCashoutExecutorClient, CashoutRouterClient } from "../../src/chain/batch-cashout.js";
import { call, GasPerEntryTooLowError, OnlySelfError } from "../../src/chain/errors.js";
import { signCashout, signCheque, type SignedCheque } from "../../src/cheque/index.js";
import { expectError } from "../../test-support/helpers.js";
import { chainSetup, type ChainSetup, type Ethers } from "../../test-support/chain-setup.js";
import { expectEveryAbiErrorTyped } from "./chequebook-findings.test.js";

describe("e2e: batch cash-out (router and EIP-7702 executor)", () => {
  let ethers: Ethers;
  let deployer: Signer;
  let chainId: bigint;
  let token: TestToken;
  let chequebookOf: ChainSetup["chequebook"];
  const issuerKey = Wallet.createRandom();

  async function funded(): Promise<ChequebookClient> {
    return new ChequebookClient(await chequebookOf(issuerKey.address, 10n ** 18n, 3600), deployer);
  }
  async function cheque(book: string, beneficiary: string, amount: bigint): Promise<SignedCheque> {
    const c = { chequebook: book, beneficiary, cumulativePayout: amount };
    return { ...c, signature: await signCheque(c, chainId, issuerKey.privateKey as `0x${string}`) };
  }

  before(async () => {
    ({ ethers, deployer, chainId, token, chequebook: chequebookOf } = await chainSetup());
  });

  it("every custom error of the router and the executor has a typed class", () => {
    expectEveryAbiErrorTyped(CashoutRouter__factory.createInterface());
    expectEveryAbiErrorTyped(BatchCashoutExecutor__factory.createInterface());
  });

  it("the router cashes three chequebooks in one transaction and reports the stale one it skipped", async () => {
    const router = await CashoutRouterClient.deploy(deployer);
    const beneficiary = Wallet.createRandom();
    const recipient = Wallet.createRandom().address;
    const books = [await funded(), await funded(), await funded()];
    const entries = await Promise.all(
      books.map(async (b, i) => {
        const c = await cheque(b.address, beneficiary.address, 100n * BigInt(i + 1));
        const sig = await signCashout(
          {
            chequebook: b.address,
            sender: router.address,
            requestPayout: c.cumulativePayout,
            recipient,
            callerPayout: 0n,
          },
          chainId,
          beneficiary.privateKey as `0x${string}`,
        );
        return { cheque: c, recipient, callerPayout: 0n, beneficiarySignature: sig };
      }),
    );
    const first = await router.cashMany(entries);
    expect(first.cashed).to.equal(3);
    expect(first.skipped).to.deep.equal([]);
    expect(await token.balanceOf(recipient)).to.equal(600n);
    const again = await router.cashMany(entries.slice(0, 1));
    expect(again.cashed).to.equal(0);
    expect(again.skipped).to.deep.equal([
      {
        index: 0,
        chequebook: books[0]!.address,
        beneficiary: beneficiary.address,
        reason: "NotIncreasing",
        errorSelector: "0x00000000",
      },
    ]);
    const low = await expectError(router.cashMany(entries, { gasPerEntry: 1000n }), GasPerEntryTooLowError);
    expect(low.args).to.deep.include({ gasPerEntry: 1000n, min: 50_000n });
  });

  it("a real type-4 transaction: the beneficiary's EOA delegates to the executor and cashes its cheques", async () => {
    const executor = await BatchCashoutExecutorClient.deploy(deployer);
    const account = Wallet.createRandom().connect(ethers.provider);
    await (await deployer.sendTransaction({ to: account.address, value: 10n ** 18n })).wait();
    const books = [await funded(), await funded()];
    const cheques = await Promise.all(books.map((b) => cheque(b.address, account.address, 250n)));
    const client = new BatchCashoutExecutorClient(account);
    const res = await client.cashMany(
      cheques.map((c) => ({ cheque: c })),
      { delegateTo: executor },
    );
    expect(res.receipt.type).to.equal(4);
    expect(res.cashed).to.equal(2);
    expect(await ethers.provider.getCode(account.address)).to.equal(`0xef0100${executor.slice(2).toLowerCase()}`);
    expect(await token.balanceOf(account.address)).to.equal(500n);
    expect(await books[0]!.paidOut(account.address)).to.equal(250n);
    // the delegation stays: a plain transaction to itself cashes the next cheques
    const next = await client.cashMany([{ cheque: await cheque(books[1]!.address, account.address, 400n) }]);
    expect(next.cashed).to.equal(1);
    expect(await token.balanceOf(account.address)).to.equal(650n);
    // nobody else can drive the account
    const asOther = BatchCashoutExecutor__factory.connect(account.address, deployer);
    const e = await expectError(
      call(() => asOther.cashMany.staticCall([], 100_000n, false)),
      OnlySelfError,
    );
    expect(e.args).to.deep.include({ caller: await deployer.getAddress() });
  });
});
