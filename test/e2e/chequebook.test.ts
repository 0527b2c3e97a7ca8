import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, id, type Signer } from "ethers";
import { ERC1271Wallet__factory, TestToken__factory, type TestToken } from "../../typechain-types/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../../src/chain/chequebook.js";
import {
  ChequeNotIncreasingError,
  ContractRevertError,
  InsufficientLiquidBalanceError,
  InvalidIssuerSignatureError,
  NotIssuerError,
  RelayedChequeWouldBounceError,
  TimeoutSignatureUsedError,
} from "../../src/chain/errors.js";
import { signCashout, signCheque, signCustomDecreaseTimeout, type SignedCheque } from "../../src/cheque/index.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { expectError } from "../../test-support/helpers.js";

describe("e2e: chequebook contracts driven by the library", () => {
  let ethers: Awaited<ReturnType<typeof network.create>>["ethers"];
  let deployer: Signer, issuer: Signer, beneficiary: Signer, relayer: Signer;
  let chainId: bigint;
  let token: TestToken;
  let factory: ChequebookFactoryClient;
  let book: ChequebookClient;
  let salt = 0;

  async function freshBook(issuerAddr?: string): Promise<ChequebookClient> {
    const d = await factory.deployChequebook({
      issuer: issuerAddr ?? (await issuer.getAddress()),
      defaultHardDepositTimeout: 3600,
      salt: id(`s${salt++}`),
    });
    await token.mint(d.address, 1000n);
    return new ChequebookClient(d.address, deployer);
  }
  async function cheque(
    to: string,
    amount: bigint,
    signer: Signer | `0x${string}` = issuer as never,
    cb = book,
  ): Promise<SignedCheque> {
    const c = { chequebook: cb.address, beneficiary: to, cumulativePayout: amount };
    return { ...c, signature: await signCheque(c, chainId, signer as never) };
  }

  before(async () => {
    ({ ethers } = await network.create());
    [deployer, issuer, beneficiary, relayer] = await ethers.getSigners();
    chainId = (await ethers.provider.getNetwork()).chainId;
    token = await new TestToken__factory(deployer).deploy();
    factory = await ChequebookFactoryClient.deploy(deployer, await token.getAddress());
  });
  beforeEach(async () => {
    book = await freshBook();
  });

  it("deploys at the predicted address, registered, configured", async () => {
    const predicted = await factory.predictAddress({
      deployer: await deployer.getAddress(),
      issuer: await issuer.getAddress(),
      defaultHardDepositTimeout: 60,
      salt: id("p"),
    });
    const d = await factory.deployChequebook({
      issuer: await issuer.getAddress(),
      defaultHardDepositTimeout: 60,
      salt: id("p"),
    });
    expect(d.address).to.equal(predicted);
    expect(await factory.isDeployed(d.address)).to.equal(true);
    const cb = new ChequebookClient(d.address, deployer);
    expect(await cb.issuer()).to.equal(await issuer.getAddress());
    expect(await cb.defaultHardDepositTimeout()).to.equal(60n);
    expect(d.gasUsed < 175_000n).to.equal(true);
  });

  it("cashes a library-signed cheque (ethers Signer) and reports the payout", async () => {
    const b = await beneficiary.getAddress();
    const res = await book.connect(beneficiary).cashChequeBeneficiary(await cheque(b, 300n));
    expect(res.totalPayout).to.equal(300n);
    expect(res.bounced).to.equal(false);
    expect(await token.balanceOf(b)).to.equal(300n);
    expect(await book.paidOut(b)).to.equal(300n);
    expect(await book.balance()).to.equal(700n);
  });

  it("the contract rejects every tampered field with InvalidIssuerSignatureError", async () => {
    const b = await beneficiary.getAddress();
    const good = await cheque(b, 100n);
    const other = await freshBook();
    const cases: [string, SignedCheque, ChequebookClient][] = [
      ["amount", { ...good, cumulativePayout: 101n }, book],
      ["chequebook", good, other],
      ["signer", await cheque(b, 100n, Wallet.createRandom().privateKey as `0x${string}`), book],
      ["chain", { ...good, signature: await signCheque(good, chainId + 1n, issuer as never) }, book],
      [
        "signature byte",
        {
          ...good,
          signature: (good.signature.slice(0, 10) +
            (good.signature[10] === "0" ? "1" : "0") +
            good.signature.slice(11)) as `0x${string}`,
        },
        book,
      ],
    ];
    for (const [what, c, cb] of cases) {
      const err = await expectError(cb.connect(beneficiary).cashChequeBeneficiary(c), InvalidIssuerSignatureError);
      expect(err.args.issuer, what).to.equal(await issuer.getAddress());
      expect(err.args.beneficiary, what).to.equal(b);
    }
    // a cheque for someone else cannot be cashed by the beneficiary
    const err = await expectError(book.connect(relayer).cashChequeBeneficiary(good), InvalidIssuerSignatureError);
    expect(err.args.beneficiary).to.equal(await relayer.getAddress());
    expect(await book.paidOut(b)).to.equal(0n);
  });

  it("typed revert for a stale cheque carries both numbers", async () => {
    const b = await beneficiary.getAddress();
    await book.connect(beneficiary).cashChequeBeneficiary(await cheque(b, 300n));
    const err = await expectError(
      book.connect(beneficiary).cashChequeBeneficiary(await cheque(b, 200n)),
      ChequeNotIncreasingError,
    );
    expect(err).to.be.instanceOf(ContractRevertError);
    expect(err.name).to.equal("ChequeNotIncreasingError");
    expect(err.errorName).to.equal("ChequeNotIncreasing");
    expect(err.args.cumulativePayout).to.equal(200n);
    expect(err.args.alreadyPaidOut).to.equal(300n);
  });

  it("preview, bounce, and the rest cashed later", async () => {
    const b = await beneficiary.getAddress();
    const c = await cheque(b, 1500n);
    expect(await book.previewCashout(b, 1500n)).to.deep.equal({
      requestPayout: 1500n,
      totalPayout: 1000n,
      bounces: true,
    });
    const first = await book.connect(beneficiary).cashChequeBeneficiary(c);
    expect(first.bounced).to.equal(true);
    expect(first.totalPayout).to.equal(1000n);
    expect(await book.bounced()).to.equal(true);
    await token.mint(book.address, 500n);
    const second = await book.connect(beneficiary).cashChequeBeneficiary(c);
    expect(second.totalPayout).to.equal(500n);
    expect(await book.previewCashout(b, 1500n)).to.deep.equal({ requestPayout: 0n, totalPayout: 0n, bounces: false });
  });

  it("third-party cash-out with a library-signed Cashout; all-or-nothing", async () => {
    const b = await beneficiary.getAddress();
    const r = await relayer.getAddress();
    const c = await cheque(b, 1200n);
    const auth = { chequebook: book.address, sender: r, requestPayout: 1200n, recipient: b, callerPayout: 15n };
    const bsig = await signCashout(auth, chainId, beneficiary as never);
    const err = await expectError(
      book.connect(relayer).cashCheque({ cheque: c, recipient: b, callerPayout: 15n, beneficiarySignature: bsig }),
      RelayedChequeWouldBounceError,
    );
    expect(err.args).to.deep.include({ requestPayout: 1200n, available: 1000n });
    await token.mint(book.address, 200n);
    const res = await book
      .connect(relayer)
      .cashCheque({ cheque: c, recipient: b, callerPayout: 15n, beneficiarySignature: bsig });
    expect(res.callerPayout).to.equal(15n);
    expect(await token.balanceOf(r)).to.equal(15n);
  });

  it("issuer operations: withdraw, hard deposits, custom timeout (single use)", async () => {
    const b = await beneficiary.getAddress();
    await expectError(book.connect(beneficiary).withdraw(1n), NotIssuerError);
    await book.connect(issuer).increaseHardDeposit(b, 400n);
    const e = await expectError(book.connect(issuer).withdraw(601n), InsufficientLiquidBalanceError);
    expect(e.args).to.deep.include({ amount: 601n, liquidBalance: 600n });
    await book.connect(issuer).withdraw(600n);
    expect(await book.liquidBalanceFor(b)).to.equal(400n);

    const msg = { chequebook: book.address, beneficiary: b, decreaseTimeout: 7200n };
    const sig = await signCustomDecreaseTimeout(msg, chainId, beneficiary as never);
    await book.connect(issuer).setCustomHardDepositTimeout(b, 7200n, sig);
    expect((await book.hardDeposit(b)).timeout).to.equal(7200n);
    await expectError(book.connect(issuer).setCustomHardDepositTimeout(b, 7200n, sig), TimeoutSignatureUsedError);
    await book.connect(issuer).prepareDecreaseHardDeposit(b, 100n);
    await ethers.provider.send("evm_increaseTime", [7200]);
    await book.decreaseHardDeposit(b);
    expect((await book.hardDeposit(b)).amount).to.equal(300n);
  });

  it("an ERC-1271 contract wallet issues cheques the chequebook accepts", async () => {
    const owner = Wallet.createRandom();
    const wallet = await new ERC1271Wallet__factory(deployer).deploy(owner.address);
    const cb = await freshBook(await wallet.getAddress());
    const b = await beneficiary.getAddress();
    const res = await cb
      .connect(beneficiary)
      .cashChequeBeneficiary(await cheque(b, 250n, owner.privateKey as `0x${string}`, cb));
    expect(res.totalPayout).to.equal(250n);
  });

  it("deposit pulls with allowance; bad input is refused before any transaction", async () => {
    await token.mint(await deployer.getAddress(), 500n);
    await book.deposit(500n);
    expect(await book.balance()).to.equal(1500n);
    await expectError(book.withdraw(-1n), InvalidArgumentError);
    await expectError(book.paidOut("0x1234"), InvalidArgumentError);
  });
});
