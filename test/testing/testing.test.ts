/**
 * The example of docs/testing.md (a user's integration test, with imports from the repository
 * instead of "@swap-settlement/core/testing"), plus the helpers' failure cases.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { signCheque } from "../../src/cheque/index.js";
import { InvalidArgumentError } from "../../src/errors.js";
import {
  assertCheque,
  assertPlanPayouts,
  connectedNodePair,
  createSwapFixture,
  deploySwapFixture,
  SwapAssertionError,
} from "../../src/testing/index.js";
import { expectError } from "../../test-support/helpers.js";

// --- docs/testing.md example: begin
const swapFixture = createSwapFixture({ accounts: 3, deposit: 10n ** 18n });

describe("my service pays with cheques", () => {
  it("a cheque from account 1's chequebook is cashed by account 2", async () => {
    const connection = await network.create();
    const { chainId, chequebooks } = await connection.networkHelpers.loadFixture(swapFixture);
    const [alice, bob] = chequebooks;
    const cheque = { chequebook: alice.address, beneficiary: bob.ownerAddress, cumulativePayout: 500n };
    const signed = { ...cheque, signature: await signCheque(cheque, chainId, alice.owner) };
    assertCheque(signed, { chainId, issuer: alice.ownerAddress, cumulativePayout: 500n });

    await alice.client.connect(bob.owner).cashChequeBeneficiary(signed);
    expect(await alice.client.paidOut(bob.ownerAddress)).to.equal(500n);
  });

  it("two in-memory nodes: the client pays the server with a cheque at the threshold", async () => {
    const pair = await connectedNodePair({ policy: { paymentThreshold: 10n, prices: { echo: 4n } } });
    try {
      const received = new Promise((resolve) => pair.server.node.once("cheque-received", resolve));
      for (let i = 0; i < 3; i++) await pair.toServer.request("echo", new Uint8Array([i]));
      expect(await received).to.include({ peer: "client", duplicate: false });
    } finally {
      await pair.close();
    }
  });
});
// --- docs/testing.md example: end

describe("testing: fixtures and assertion helpers", () => {
  it("loadFixture restores the snapshot: the second load sees the fixture state, not the first test's", async () => {
    const connection = await network.create();
    const first = await connection.networkHelpers.loadFixture(swapFixture);
    const book = first.chequebooks[0];
    await book.client.withdraw(10n);
    expect(await book.client.balance()).to.equal(10n ** 18n - 10n);
    const second = await connection.networkHelpers.loadFixture(swapFixture);
    expect(second.chequebooks[0].address).to.equal(book.address);
    expect(await second.chequebooks[0].client.balance()).to.equal(10n ** 18n);
    expect(second.chequebooks).to.have.length(3);
    expect(await first.token.balanceOf(second.chequebooks[2].ownerAddress)).to.equal(10n ** 18n);
    expect(await second.factory.isDeployed(second.chequebooks[2].address)).to.equal(true);
  });

  it("refuses more accounts than the network has signers, and zero", async () => {
    const connection = await network.create();
    const signers = await connection.ethers.getSigners();
    await expectError(deploySwapFixture(connection, { accounts: signers.length }), InvalidArgumentError);
    await expectError(deploySwapFixture(connection, { accounts: 0 }), InvalidArgumentError);
  });

  it("assertCheque names the field that differs", async () => {
    const key = ("0x" + "11".repeat(32)) as `0x${string}`;
    const other = ("0x" + "22".repeat(32)) as `0x${string}`;
    const cheque = { chequebook: "0x" + "ab".repeat(20), beneficiary: "0x" + "cd".repeat(20), cumulativePayout: 7n };
    const signed = { ...cheque, signature: await signCheque(cheque, 1n, key) };
    const issuer = "0xd9A284367b6D3e25A91c47b8F4c5Ad6A3dA2e6D5"; // not the key's address
    const e = await expectError(() => assertCheque(signed, { chainId: 1n, issuer }), SwapAssertionError);
    expect(e.what).to.equal("cheque signer");
    const { LocalSigner } = await import("../../src/crypto/signer.js");
    const me = new LocalSigner(key).address;
    assertCheque(signed, {
      chainId: 1n,
      issuer: me,
      chequebook: cheque.chequebook,
      beneficiary: cheque.beneficiary,
      cumulativePayout: 7n,
    });
    expect(
      (
        await expectError(
          () => assertCheque(signed, { chainId: 1n, issuer: me, cumulativePayout: 8n }),
          SwapAssertionError,
        )
      ).what,
    ).to.equal("cheque cumulativePayout");
    expect(
      (await expectError(() => assertCheque(signed, { chainId: 2n, issuer: me }), SwapAssertionError)).what,
    ).to.equal("cheque signer");
    expect(
      (
        await expectError(
          () => assertCheque({ ...signed, signature: "0x00" }, { chainId: 1n, issuer: me }),
          SwapAssertionError,
        )
      ).actual,
    ).to.match(/no signer/);
    const otherSigned = { ...cheque, signature: await signCheque(cheque, 1n, other) };
    await expectError(() => assertCheque(otherSigned, { chainId: 1n, issuer: me }), SwapAssertionError);
  });

  it("assertPlanPayouts accepts the model's payouts and refuses one wei off", async () => {
    const a = "0x" + "01".repeat(20),
      b = "0x" + "02".repeat(20);
    const plan = {
      budget: 1000n,
      bond: 1000n,
      shareCap: 100n,
      shares: new Map([
        [a, 30n],
        [b, 20n],
      ]),
    };
    const model = assertPlanPayouts(
      plan,
      new Map([
        [a, 300n],
        [b, 200n],
      ]),
    );
    expect(model.sweep).to.equal(1500n);
    const e = await expectError(
      () =>
        assertPlanPayouts(
          plan,
          new Map([
            [a, 300n],
            [b, 201n],
          ]),
        ),
      SwapAssertionError,
    );
    expect(e.expected).to.equal(200n);
    expect(e.actual).to.equal(201n);
  });
});
