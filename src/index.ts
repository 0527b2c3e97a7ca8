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
// operator: fee-aware batched cash-out, durable transactions, token errors, deployment checks
export type { CashoutPlan, CashoutRun, CashoutProgress, CashoutServiceOptions } from "./settlement/cashout.js";
export { SingleChequeCasher, type BatchCasher, type CashItem, type CashItemResult, type CasherContext, type CashProbe, type ReceiptLogs } from "./settlement/casher.js";
export { RouterBatchCasher, routerBatchLimit, type RouterBatchCasherOptions } from "./settlement/router-casher.js";
export { decideCashouts, feeInToken, fixedGasPrice, nativeAtParOracle, NANO, DEFAULT_MAX_FEE_PERCENT, type FeePolicy, type GasPriceOracle, type CashoutDecision, type PlannedBatch, type DueItem } from "./settlement/fees.js";
export { TransactionSender, classifyBroadcastError, SignerCannotSignError, GasLimitTooLowError, type TxRequest, type TrackedTx, type TxOutcome, type BroadcastFailure, type TransactionSenderOptions } from "./chain/transactions.js";
export {
  ERC20InsufficientBalanceError, ERC20InsufficientAllowanceError, ERC20InvalidSenderError, ERC20InvalidReceiverError, ERC20InvalidApproverError,
  ERC20InvalidSpenderError, SafeERC20FailedOperationError, SafeERC20FailedDecreaseAllowanceError, type TokenInfo,
} from "./chain/token.js";
export { findDeployment, isLocalChain, DeploymentChainMismatchError, DeploymentCodeMissingError } from "./deployments.js";
export { withRetry, type RetryOptions } from "./settlement/retry.js";
export * from "./settlement/errors.js";

export { ChequebookClient, ChequebookFactoryClient, BEE_GAS_LIMITS, customTimeoutValue, type CashoutPreview, type CashResult, type HardDeposit } from "./chain/chequebook.js";
export { CashoutRouterClient, BatchCashoutExecutorClient, SKIP_REASONS, type SkipReason, type SkippedEntry, type BatchResult, type BatchOptions, type RouterEntry, type ExecutorCheque } from "./chain/batch-cashout.js";
export { ServicePlansClient, NATIVE_TOKEN, type PlanInfo, type CreatePlanArgs } from "./chain/plans.js";
export { TokenClient } from "./chain/token.js";
export { EthersChainFacts, type ChainFacts, type Liquidity } from "./chain/facts.js";
export * from "./chain/errors.js";
export {
  SubmissionClosedError, InvalidShareTokenError, InvalidReceiptSignatureError, ClaimNotOpenError, ClaimClosedError,
  AlreadyClaimedError, NothingToClaimError, SweepNotOpenError, AlreadySweptError, UnknownPlanError, InvalidDeadlinesError, NotFunderError,
} from "./chain/plans.js";
export type { TxResult } from "./chain/tx.js";

export { MemoryStore, SqliteStore, type Store, type PeerRecord, type IssuedCheque, type ReceivedCheque, type CashoutRecord, type CashoutStatus } from "./store/index.js";
export { loadDeployment, saveDeployment, deployAll, defaultDeploymentsDir, DeploymentNotFoundError, type Deployment } from "./deployments.js";
export { CustomerClient, ProviderClient } from "./facade.js";

// capacity classes (LES service model) and the paid HTTP gateway; the viem transport is in
// src/gateway/viem.ts so that only viem users load viem
export * from "./capacity/index.js";
export * from "./gateway/index.js";
