import { expect } from "chai";
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import { createWalletClient, custom } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { signCheque, verifyCheque, signShareReceipt } from "../../src/browser.js";
import {
  bytesToHex,
  hexToBytes,
  privateKeyToAddress,
  recoverSigner,
  secp256k1Backend,
  signDigest,
  tryRecoverDigest,
  useSecp256k1Backend,
  type Hex,
} from "../../src/crypto/index.js";
import { loadNativeBackend, nobleBackend } from "../../src/crypto/secp256k1.js";
import { InvalidSignerError } from "../../src/crypto/errors.js";
import { LocalSigner, signerAddress, type SignerLike } from "../../src/crypto/signer.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { expectError } from "../../test-support/helpers.js";

const V = JSON.parse(readFileSync(new URL("../vectors/eip712.json", import.meta.url), "utf8"));
const chainId = BigInt(V.chainId);
const key = V.privateKey as Hex;
const cheque = {
  chequebook: V.cheque.chequebook,
  beneficiary: V.cheque.beneficiary,
  cumulativePayout: BigInt(V.cheque.cumulativePayout),
};

/** A viem transport that must never be used: a local account signs without any RPC. */
const noRpc = custom({
  request: async ({ method }: { method: string }) => {
    throw new Error(`unexpected RPC call ${method}`);
  },
});

function allSigners(): [string, SignerLike][] {
  const account = privateKeyToAccount(key);
  return [
    ["raw private key", key],
    ["LocalSigner", new LocalSigner(key)],
    ["ethers Wallet", new Wallet(key)],
    ["viem LocalAccount", account],
    ["viem WalletClient", createWalletClient({ account, transport: noRpc })],
  ];
}

describe("crypto: signers (ethers, viem, raw key) give one signature", () => {
  for (const [label, signer] of allSigners()) {
    it(`${label}: the golden cheque signature and address`, async () => {
      expect(await signCheque(cheque, chainId, signer)).to.equal(V.cheque.signature);
      expect(await signerAddress(signer)).to.equal(V.signer);
    });
  }

  it("a viem LocalAccount signs a share receipt as the raw key does", async () => {
    const receipt = {
      planId: 7n,
      provider: V.cheque.beneficiary,
      baseShares: 100n,
      anchor: ("0x" + "11".repeat(32)) as Hex,
      length: 1000n,
    };
    const domain = { chainId, verifyingContract: V.cheque.chequebook };
    const fromKey = await signShareReceipt(receipt, domain, key);
    expect(await signShareReceipt(receipt, domain, privateKeyToAccount(key))).to.equal(fromKey);
  });

  it("a WalletClient without an account is refused with InvalidSignerError", async () => {
    const client = createWalletClient({ transport: noRpc });
    await expectError(() => signCheque(cheque, chainId, client), InvalidSignerError);
  });

  it("a signer returning garbage is refused with InvalidSignerError", async () => {
    const liar = { type: "local" as const, address: V.signer, signTypedData: async () => "0x1234" };
    await expectError(() => signCheque(cheque, chainId, liar), InvalidSignerError);
  });

  it("anything else is refused with InvalidSignerError", async () => {
    await expectError(() => signCheque(cheque, chainId, 42 as unknown as SignerLike), InvalidSignerError);
    await expectError(() => signerAddress({} as unknown as SignerLike), InvalidSignerError);
  });
});

describe("crypto: secp256k1 backends", () => {
  const native = loadNativeBackend();
  const initial = secp256k1Backend();
  after(() => {
    useSecp256k1Backend(initial);
  });

  it("the native binding is picked up when installed (it is, in this repository)", () => {
    expect(native?.name).to.equal("native");
    expect(initial).to.equal("native");
  });

  it("noble and native agree on keys, signatures (RFC 6979) and recovery", () => {
    for (let i = 1; i <= 20; i++) {
      const priv = new Uint8Array(32).fill(i);
      const digest = new Uint8Array(32).fill(255 - i);
      const a = nobleBackend.sign(digest, priv);
      const b = native!.sign(digest, priv);
      expect(bytesToHex(a.signature)).to.equal(bytesToHex(b.signature));
      expect(a.recid).to.equal(b.recid);
      expect(bytesToHex(nobleBackend.recover(a.signature, a.recid, digest))).to.equal(
        bytesToHex(native!.publicKey(priv)),
      );
      expect(bytesToHex(native!.recover(a.signature, a.recid, digest))).to.equal(
        bytesToHex(nobleBackend.publicKey(priv)),
      );
    }
  });

  for (const name of ["noble", "native"] as const) {
    it(`${name}: golden vector, and garbage gives undefined, never a throw`, async () => {
      expect(useSecp256k1Backend(name)).to.equal(name);
      expect(secp256k1Backend()).to.equal(name);
      expect(await signCheque(cheque, chainId, new LocalSigner(key))).to.equal(V.cheque.signature);
      expect(verifyCheque(cheque, chainId, V.cheque.signature, V.signer)).to.equal(true);
      expect(privateKeyToAddress(hexToBytes(key))).to.equal(V.signer);
      const digest = new Uint8Array(32).fill(3);
      const sig = signDigest(digest, hexToBytes(key));
      expect(tryRecoverDigest(digest, sig)).to.equal(V.signer);
      // r = 0, r ≥ p (not on the curve), s = 0, v = 29, 64 bytes: all undefined
      const bad = [new Uint8Array(65).fill(0), new Uint8Array(65).fill(0xff), sig.slice(0, 64)];
      const zeroS = sig.slice();
      zeroS.fill(0, 32, 64);
      const badV = sig.slice();
      badV[64] = 29;
      for (const b of [...bad, zeroS, badV]) expect(tryRecoverDigest(digest, b)).to.equal(undefined);
      expect(() => recoverSigner(digest, bytesToHex(badV))).to.throw();
    });
  }

  it("an unknown backend name is an InvalidArgumentError", async () => {
    await expectError(() => useSecp256k1Backend("wasm" as "noble"), InvalidArgumentError);
  });
});

describe("crypto: hex", () => {
  it("round-trips every byte value, upper and lower case", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const hex = bytesToHex(all);
    expect(hexToBytes(hex)).to.deep.equal(all);
    expect(hexToBytes(hex.toUpperCase().replace("0X", "0x"))).to.deep.equal(all);
    expect(bytesToHex(new Uint8Array(0))).to.equal("0x");
  });
  it("refuses odd length, missing prefix and non-hex digits", async () => {
    for (const bad of ["0x1", "12", "0xzz", "0x 1"]) await expectError(() => hexToBytes(bad), InvalidArgumentError);
  });
});
