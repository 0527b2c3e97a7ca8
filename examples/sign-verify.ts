/**
 * Sign a cheque and verify it, in Node: the same signature from a raw key, an ethers Wallet and a
 * viem account. `npm run examples` (or `npx tsx examples/sign-verify.ts`).
 */
import { Wallet } from "ethers";
import { privateKeyToAccount } from "viem/accounts";
import {
  describeSecp256k1Backend,
  hashCheque,
  recoverChequeSigner,
  signCheque,
  verifyCheque,
  type Hex,
} from "@swap-settlement/core";

const key = Wallet.createRandom().privateKey as Hex;
const chainId = 100n; // Gnosis Chain
const cheque = {
  chequebook: "0x1111111111111111111111111111111111111111",
  beneficiary: "0x2222222222222222222222222222222222222222",
  cumulativePayout: 10n ** 18n,
};

console.log(describeSecp256k1Backend());
const fromKey = await signCheque(cheque, chainId, key);
const fromEthers = await signCheque(cheque, chainId, new Wallet(key));
const fromViem = await signCheque(cheque, chainId, privateKeyToAccount(key));
console.log("digest   ", hashCheque(cheque, chainId));
console.log("signature", fromKey);
console.log("same from ethers and viem:", fromEthers === fromKey && fromViem === fromKey);
const issuer = recoverChequeSigner(cheque, chainId, fromKey);
console.log("issuer   ", issuer, "verified:", verifyCheque(cheque, chainId, fromKey, issuer));
console.log(
  "tampered verified:",
  verifyCheque({ ...cheque, cumulativePayout: 2n * 10n ** 18n }, chainId, fromKey, issuer),
);
if (fromEthers !== fromKey || fromViem !== fromKey || !verifyCheque(cheque, chainId, fromKey, issuer)) process.exit(1);
