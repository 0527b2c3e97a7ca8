/**
 * @swap-settlement/core — the one public entry point.
 *
 *   cheque/      hash, sign, recover, verify cheques, Cashout and CustomDecreaseTimeout (Swarm-compatible)
 *   plans/       share receipts, hash chains, ShareIssuer / ShareCollector, payout model
 *   accounting/  ledger with reservations, thresholds and tit-for-tat policy
 *   swap/        SWAP protocol node: handshake, cheque issuer and receiver, wire codec, transports
 *   settlement/  cash-out service
 *   chain/       typed clients for the contracts, chain facts, typed revert errors
 *   store/       durable SQLite store and an in-memory one
 */
export { SettlementError, InvalidArgumentError } from "./errors.js";
export { toAddress, toUint256, toBytes32, MAX_UINT256, type AmountLike } from "./values.js";
export { LocalSigner, type SignerLike, type TypedDataSigner } from "./crypto/signer.js";
export { keccak256, bytesToHex, hexToBytes, type Hex } from "./crypto/index.js";

export * from "./cheque/index.js";

export * from "./plans/receipt.js";
export * from "./plans/errors.js";
export { HashChain, walkChain, stepsToWord } from "./plans/hashchain.js";
export { ShareIssuer, type ShareToken, type IssuedToken, type ShareIssuerOptions } from "./plans/issuer.js";
export { ShareCollector, checkPlan, type Submission, type PlanPolicy, type PlanTerms, type ShareCollectorOptions } from "./plans/collector.js";
export { computePayouts, type PayoutInput, type PayoutResult } from "./plans/payout.js";

export { Ledger, Reservation } from "./accounting/ledger.js";
export { Accounting, type SettlementPort, type PeerTerms } from "./accounting/accounting.js";
export { resolvePolicy, type PolicyConfig, type Mode, type ServiceClass } from "./accounting/policy.js";
export * from "./accounting/errors.js";

export { SwapNode, type SwapNodeConfig, type ServiceHandler } from "./swap/node.js";
export { PeerSession, type RemoteTerms } from "./swap/session.js";
export { ChequeIssuer, type Funds } from "./swap/issuer.js";
export { ChequeReceiver, type IncomingCheque } from "./swap/receiver.js";
export { memoryPair, socketDuplex, SWAP_PROTOCOL_ID, type Duplex } from "./swap/transport.js";
export { encodeMessage, FrameDecoder, MAX_FRAME_BYTES } from "./swap/codec.js";
export * from "./swap/errors.js";

export { CashoutService, type CashoutPolicy, type CashoutCandidate } from "./settlement/cashout.js";
export { withRetry, type RetryOptions } from "./settlement/retry.js";
export * from "./settlement/errors.js";

export { ChequebookClient, ChequebookFactoryClient, BEE_GAS_LIMITS, type CashoutPreview, type CashResult, type HardDeposit } from "./chain/chequebook.js";
export { ServicePlansClient, NATIVE_TOKEN, type PlanInfo, type CreatePlanArgs } from "./chain/plans.js";
export { TokenClient } from "./chain/token.js";
export { EthersChainFacts, type ChainFacts, type Liquidity } from "./chain/facts.js";
export * from "./chain/errors.js";
export {
  SubmissionClosedError, InvalidShareTokenError, InvalidReceiptSignatureError, ClaimNotOpenError, ClaimClosedError,
  AlreadyClaimedError, NothingToClaimError, SweepNotOpenError, AlreadySweptError, UnknownPlanError, InvalidDeadlinesError, NotFunderError,
} from "./chain/plans.js";
// plans: review fixes (issue 9) and claimMany (issue 11)
export {
  PlanExistsError, AmountsTooLargeError, ShareCapTooLargeError, ClaimWindowTooShortError, InvalidMinClaimWindowError, BudgetTooLargeError,
  TotalSharesOverflowError, DEFAULT_MIN_CLAIM_WINDOW, planIdOf, type SkippedSubmission,
} from "./chain/plans.js";
export { checkPlanSigner, DEFAULT_MAX_RECEIPT_LENGTH, MAX_SUBMITTABLE_RECEIPT_LENGTH, type CodeReader } from "./plans/collector.js";
export type { TxResult } from "./chain/tx.js";

export { MemoryStore, SqliteStore, type Store, type PeerRecord, type IssuedCheque, type ReceivedCheque, type CashoutRecord, type CashoutStatus } from "./store/index.js";
export { loadDeployment, saveDeployment, deployAll, defaultDeploymentsDir, DeploymentNotFoundError, type Deployment } from "./deployments.js";
export { CustomerClient, ProviderClient } from "./facade.js";
