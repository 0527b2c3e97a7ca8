/**
 * `@swap-settlement/core/browser` — the pure parts, safe in browsers, wallets and workers: no Node
 * built-ins, no native modules, no ethers (dependencies: @noble/curves and @noble/hashes).
 *
 *   cheques        hash, sign, recover, verify Cheque, Cashout, CustomDecreaseTimeout (Bee-compatible)
 *   share receipts hash, sign, recover, verify; hash chains; ShareIssuer / ShareCollector
 *   payout model   computePayouts: ServicePlans' pro-rata rule to the wei
 *   EIP-712        domains, type strings and `types` objects for ethers and viem
 *   ABIs           the production contracts' ABIs `as const`
 *
 * Signers: a raw private key, a LocalSigner, an ethers Signer, a viem LocalAccount or WalletClient.
 */
export { SettlementError, InvalidArgumentError } from "./errors.js";
export { toAddress, toUint256, toBytes32, MAX_UINT256, type AmountLike } from "./values.js";
export { keccak256, bytesToHex, hexToBytes, toChecksumAddress, type Hex } from "./crypto/index.js";
export {
  secp256k1Backend,
  useSecp256k1Backend,
  describeSecp256k1Backend,
  type Secp256k1BackendName,
} from "./crypto/secp256k1.js";
export {
  LocalSigner,
  signerAddress,
  type SignerLike,
  type TypedDataSigner,
  type ViemAccountLike,
  type ViemWalletClientLike,
  type ViemTypedDataRequest,
} from "./crypto/signer.js";

export * from "./cheque/index.js";

export * from "./plans/receipt.js";
export * from "./plans/errors.js";
export { HashChain, walkChain, stepsToWord } from "./plans/hashchain.js";
export { ShareIssuer, type ShareToken, type IssuedToken, type ShareIssuerOptions } from "./plans/issuer.js";
export {
  ShareCollector,
  checkPlan,
  checkPlanSigner,
  DEFAULT_MAX_RECEIPT_LENGTH,
  MAX_SUBMITTABLE_RECEIPT_LENGTH,
  type CodeReader,
  type Submission,
  type PlanPolicy,
  type PlanTerms,
  type ShareCollectorOptions,
} from "./plans/collector.js";
export { computePayouts, type PayoutInput, type PayoutResult } from "./plans/payout.js";

export { chequebookAbi, chequebookFactoryAbi, servicePlansAbi } from "./abi/index.js";
