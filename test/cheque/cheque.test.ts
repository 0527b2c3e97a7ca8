import { expect } from "chai";
import { readFileSync } from "node:fs";
import { Wallet, TypedDataEncoder } from "ethers";
import {
  CHEQUE_TYPES,
  chequebookDomain,
  chequebookDomainSeparator,
  hashCashout,
  hashCheque,
  hashCustomDecreaseTimeout,
  InvalidSignatureError,
  recoverCashoutSigner,
  recoverChequeSigner,
  recoverCustomDecreaseTimeoutSigner,
  signCashout,
  signCheque,
  signCustomDecreaseTimeout,
  verifyCashout,
  verifyCheque,
  verifyCustomDecreaseTimeout,
} from "../../src/cheque/index.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { LocalSigner } from "../../src/crypto/signer.js";
import { InvalidSignerError } from "../../src/cheque/errors.js";
import { SECP256K1_N } from "../../src/crypto/index.js";
import { expectError } from "../../test-support/helpers.js";

const V = JSON.parse(readFileSync(new URL("../vectors/eip712.json", import.meta.url), "utf8"));
const chainId = BigInt(V.chainId);
const key = V.privateKey as `0x${string}`;
const cheque = {
  chequebook: V.cheque.chequebook,
  beneficiary: V.cheque.beneficiary,
  cumulativePayout: BigInt(V.cheque.cumulativePayout),
};
const cashout = {
  chequebook: V.cashout.chequebook,
  sender: V.cashout.sender,
  requestPayout: BigInt(V.cashout.requestPayout),
  recipient: V.cashout.recipient,
  callerPayout: BigInt(V.cashout.callerPayout),
};
const timeout = {
  chequebook: V.customDecreaseTimeout.chequebook,
  beneficiary: V.customDecreaseTimeout.beneficiary,
  decreaseTimeout: BigInt(V.customDecreaseTimeout.decreaseTimeout),
};

describe("cheque: golden vectors (shared with contracts/test/swap/Chequebook.t.sol)", () => {
  it("domain separator matches", () => {
    expect(chequebookDomainSeparator(chainId)).to.equal(V.chequeDomainSeparator);
  });
  it("hashCheque / signCheque / recoverChequeSigner match the vector", async () => {
    expect(hashCheque(cheque, chainId)).to.equal(V.cheque.digest);
    expect(await signCheque(cheque, chainId, key)).to.equal(V.cheque.signature);
    expect(await signCheque(cheque, chainId, new Wallet(key))).to.equal(V.cheque.signature);
    expect(await signCheque(cheque, chainId, new LocalSigner(key))).to.equal(V.cheque.signature);
    expect(recoverChequeSigner(cheque, chainId, V.cheque.signature)).to.equal(V.signer);
    expect(verifyCheque(cheque, chainId, V.cheque.signature, V.signer)).to.equal(true);
  });
  it("Cashout matches the vector", async () => {
    expect(hashCashout(cashout, chainId)).to.equal(V.cashout.digest);
    expect(await signCashout(cashout, chainId, key)).to.equal(V.cashout.signature);
    expect(recoverCashoutSigner(cashout, chainId, V.cashout.signature)).to.equal(V.signer);
    expect(verifyCashout(cashout, chainId, V.cashout.signature, V.signer)).to.equal(true);
  });
  it("CustomDecreaseTimeout matches the vector", async () => {
    expect(hashCustomDecreaseTimeout(timeout, chainId)).to.equal(V.customDecreaseTimeout.digest);
    expect(await signCustomDecreaseTimeout(timeout, chainId, key)).to.equal(V.customDecreaseTimeout.signature);
    expect(recoverCustomDecreaseTimeoutSigner(timeout, chainId, V.customDecreaseTimeout.signature)).to.equal(V.signer);
    expect(verifyCustomDecreaseTimeout(timeout, chainId, V.customDecreaseTimeout.signature, V.signer)).to.equal(true);
  });
  it("agrees with ethers' generic encoder on random cheques", () => {
    for (let i = 0; i < 50; i++) {
      const c = {
        chequebook: Wallet.createRandom().address,
        beneficiary: Wallet.createRandom().address,
        cumulativePayout: BigInt(Math.floor(Math.random() * 2 ** 52)) << BigInt(i * 4),
      };
      expect(hashCheque(c, 31337n)).to.equal(TypedDataEncoder.hash(chequebookDomain(31337n), CHEQUE_TYPES, c));
    }
  });
});

describe("cheque: verify is false for garbage, never throws", () => {
  const sig = V.cheque.signature as string;
  it("rejects every tampered field", () => {
    expect(
      verifyCheque({ ...cheque, cumulativePayout: cheque.cumulativePayout + 1n }, chainId, sig, V.signer),
    ).to.equal(false);
    expect(verifyCheque({ ...cheque, beneficiary: V.cashout.sender }, chainId, sig, V.signer)).to.equal(false);
    expect(verifyCheque({ ...cheque, chequebook: V.cashout.sender }, chainId, sig, V.signer)).to.equal(false);
    expect(verifyCheque(cheque, chainId + 1n, sig, V.signer)).to.equal(false);
    expect(verifyCheque(cheque, chainId, sig, V.cashout.sender)).to.equal(false);
  });
  it("returns false for malformed signatures and inputs", () => {
    for (const bad of [
      "0x",
      "0x1234",
      sig.slice(0, -2),
      sig + "00",
      "not hex",
      sig.slice(0, -2) + "1d",
      sig.slice(0, -2) + "00",
    ]) {
      expect(verifyCheque(cheque, chainId, bad, V.signer), bad).to.equal(false);
    }
    expect(verifyCheque({ ...cheque, beneficiary: "0x12" }, chainId, sig, V.signer)).to.equal(false);
    expect(verifyCheque(cheque, chainId, sig, "nope")).to.equal(false);
  });
  it("rejects the malleable high-s twin that ecrecover alone would accept", async () => {
    const r = sig.slice(2, 66);
    const s = BigInt("0x" + sig.slice(66, 130));
    const v = parseInt(sig.slice(130), 16);
    const twin = `0x${r}${(SECP256K1_N - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}`;
    expect(verifyCheque(cheque, chainId, twin, V.signer)).to.equal(false);
    const err = await expectError(() => recoverChequeSigner(cheque, chainId, twin), InvalidSignatureError);
    expect(err.name).to.equal("InvalidSignatureError");
  });
});

describe("cheque: runtime validation before signing", () => {
  it("refuses amounts outside uint256", async () => {
    const err = await expectError(
      signCheque({ ...cheque, cumulativePayout: 1n << 256n }, chainId, key),
      InvalidArgumentError,
    );
    expect(err.name).to.equal("InvalidArgumentError");
    expect(err.argument).to.equal("cumulativePayout");
    await expectError(signCheque({ ...cheque, cumulativePayout: -1n }, chainId, key), InvalidArgumentError);
    await expectError(signCheque({ ...cheque, cumulativePayout: 1.5 }, chainId, key), InvalidArgumentError);
  });
  it("refuses non-addresses and a zero chain id", async () => {
    const err = await expectError(signCheque({ ...cheque, beneficiary: "0xabc" }, chainId, key), InvalidArgumentError);
    expect(err.argument).to.equal("beneficiary");
    await expectError(signCheque(cheque, 0n, key), InvalidArgumentError);
  });
  it("accepts loose amounts at the edge (decimal / hex strings, safe integers)", () => {
    expect(hashCheque({ ...cheque, cumulativePayout: V.cheque.cumulativePayout }, chainId)).to.equal(V.cheque.digest);
    expect(hashCheque({ ...cheque, cumulativePayout: "0x" + cheque.cumulativePayout.toString(16) }, chainId)).to.equal(
      V.cheque.digest,
    );
  });
  it("refuses a bad private key with a typed error", async () => {
    await expectError(signCheque(cheque, chainId, "0x00" as `0x${string}`), InvalidSignerError);
    await expectError(() => new LocalSigner(("0x" + "00".repeat(32)) as `0x${string}`), InvalidSignerError);
  });
});
