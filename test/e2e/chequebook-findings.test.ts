import { expect } from "chai";
import { network } from "hardhat";
import { Interface, TypedDataEncoder, id, type Signer } from "ethers";
import {
  Chequebook__factory,
  ChequebookFactory__factory,
  TestToken__factory,
  type TestToken,
} from "../../typechain-types/index.js";
import { ChequebookClient, ChequebookFactoryClient, customTimeoutValue } from "../../src/chain/chequebook.js";
import {
  ChequebookAlreadyDeployedError,
  ContractRevertError,
  HardDepositExceedsBalanceError,
  TimeoutEpochMismatchError,
  TimeoutTooLargeError,
  revertClassFor,
} from "../../src/chain/errors.js";
import {
  CASHOUT_TYPES,
  CHEQUE_TYPES,
  CUSTOM_DECREASE_TIMEOUT_TYPES,
  CHEQUEBOOK_DOMAIN_TYPE,
  signCustomDecreaseTimeout,
} from "../../src/cheque/index.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { expectError } from "../../test-support/helpers.js";

/** Every custom error in a contract's ABI must map to its own typed class. */
export function expectEveryAbiErrorTyped(iface: Interface): void {
  const missing: string[] = [];
  iface.forEachError((e) => {
    const Ctor = revertClassFor(e.name);
    if (!Ctor || Ctor === ContractRevertError) missing.push(e.name);
    else expect(new Ctor(e.name, {}).name).to.equal(`${e.name}Error`);
  });
  expect(missing, "ABI errors without a typed class").to.deep.equal([]);
}

describe("e2e: chequebook review findings (issue 9) through the library", () => {
  let ethers: Awaited<ReturnType<typeof network.create>>["ethers"];
  let deployer: Signer, issuer: Signer, beneficiary: Signer;
  let chainId: bigint;
  let token: TestToken;
  let factory: ChequebookFactoryClient;
  let book: ChequebookClient;

  before(async () => {
    ({ ethers } = await network.create());
    [deployer, issuer, beneficiary] = await ethers.getSigners();
    chainId = (await ethers.provider.getNetwork()).chainId;
    token = await new TestToken__factory(deployer).deploy();
    factory = await ChequebookFactoryClient.deploy(deployer, await token.getAddress());
    const d = await factory.deployChequebook({
      issuer: await issuer.getAddress(),
      defaultHardDepositTimeout: 3600,
      salt: id("findings"),
    });
    book = new ChequebookClient(d.address, deployer);
    await token.mint(book.address, 1000n);
  });

  it("every custom error of the chequebook and the factory has a typed class", () => {
    expectEveryAbiErrorTyped(Chequebook__factory.createInterface());
    expectEveryAbiErrorTyped(ChequebookFactory__factory.createInterface());
  });

  it("C-9: the Swarm typehash getters equal ethers' own encoding of the type strings", async () => {
    const c = book.contract;
    expect(await c.EIP712DOMAIN_TYPEHASH()).to.equal(id(CHEQUEBOOK_DOMAIN_TYPE));
    expect(await c.CHEQUE_TYPEHASH()).to.equal(id(TypedDataEncoder.from(CHEQUE_TYPES).encodeType("Cheque")));
    expect(await c.CASHOUT_TYPEHASH()).to.equal(id(TypedDataEncoder.from(CASHOUT_TYPES).encodeType("Cashout")));
    expect(await c.CUSTOMDECREASETIMEOUT_TYPEHASH()).to.equal(
      id(TypedDataEncoder.from(CUSTOM_DECREASE_TIMEOUT_TYPES).encodeType("CustomDecreaseTimeout")),
    );
  });

  it("C-2: a bumped epoch invalidates an unused timeout signature; the new value is signed with the epoch", async () => {
    const b = await beneficiary.getAddress();
    const old = await signCustomDecreaseTimeout(
      { chequebook: book.address, beneficiary: b, decreaseTimeout: 60n },
      chainId,
      beneficiary as never,
    );
    await book.connect(beneficiary).bumpTimeoutEpoch();
    expect(await book.timeoutEpoch(b)).to.equal(1n);
    const value = customTimeoutValue(1n, 7200n);
    const sig = await signCustomDecreaseTimeout(
      { chequebook: book.address, beneficiary: b, decreaseTimeout: value },
      chainId,
      beneficiary as never,
    );
    await book.connect(issuer).setCustomHardDepositTimeout(b, value, sig);
    expect((await book.hardDeposit(b)).timeout).to.equal(7200n);
    const e = await expectError(
      book.connect(issuer).setCustomHardDepositTimeout(b, 60n, old),
      TimeoutEpochMismatchError,
    );
    expect(e.args).to.deep.include({ beneficiary: b, signedEpoch: 0n, currentEpoch: 1n });
    expect(() => customTimeoutValue(2n ** 128n, 1n)).to.throw(InvalidArgumentError);
  });

  it("C-6: typed errors with values instead of panics; a reused salt names the chequebook", async () => {
    const e = await expectError(
      book.connect(issuer).increaseHardDeposit(await beneficiary.getAddress(), 2n ** 256n - 1n),
      HardDepositExceedsBalanceError,
    );
    expect(e.args).to.deep.include({ totalHardDeposit: 2n ** 256n - 1n, balance: 1000n });
    const again = await expectError(
      factory.deployChequebook({
        issuer: await issuer.getAddress(),
        defaultHardDepositTimeout: 3600,
        salt: id("findings"),
      }),
      ChequebookAlreadyDeployedError,
    );
    expect(again.args).to.deep.include({
      chequebook: book.address,
      deployer: await deployer.getAddress(),
      salt: id("findings"),
    });
    const big = await expectError(
      factory.deployChequebook({
        issuer: await issuer.getAddress(),
        defaultHardDepositTimeout: 2n ** 64n,
        salt: id("big"),
      }),
      TimeoutTooLargeError,
    );
    expect(big.args).to.deep.include({ defaultHardDepositTimeout: 2n ** 64n, max: 2n ** 64n - 1n });
  });
});
