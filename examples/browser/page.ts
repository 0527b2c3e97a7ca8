/// <reference lib="dom" />
// What runs in the page: sign a cheque with @swap-settlement/core/browser (bundled by run.ts).
import { signCheque, secp256k1Backend, type Hex } from "@swap-settlement/core/browser";

const key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as Hex;
const cheque = {
  chequebook: "0x1111111111111111111111111111111111111111",
  beneficiary: "0x2222222222222222222222222222222222222222",
  cumulativePayout: 12345n,
};
const signature = await signCheque(cheque, 100n, key);
document.body.dataset.result = JSON.stringify({ signature, backend: secp256k1Backend() });
