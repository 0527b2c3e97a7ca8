/**
 * `@swap-settlement/core/node` — the parts that run a node under Node.js (≥ 22): the SWAP node and
 * its transports, the durable store, the cash-out service, typed contract clients (ethers), chain
 * facts, deployments, and the customer/provider facade.
 */
import "./engine.js";

export { UnsupportedNodeError } from "./engine.js";

export { SwapNode, type SwapNodeConfig, type ServiceHandler } from "./swap/node.js";
export type { PeerSession, RemoteTerms } from "./swap/session.js";
export { memoryPair, socketDuplex, SWAP_PROTOCOL_ID, type Duplex } from "./swap/transport.js";
export * from "./swap/errors.js";

export { resolvePolicy, type PolicyConfig, type Mode, type ServiceClass } from "./accounting/policy.js";
export * from "./accounting/errors.js";

export {
  CashoutService,
  type CashoutPolicy,
  type CashoutCandidate,
  type CashoutServiceOptions,
  type CashoutPlan,
  type CashoutRun,
  type CashoutProgress,
} from "./settlement/cashout.js";
export * from "./settlement/errors.js";
// fee-aware batched cash-out, durable transactions, token errors, deployment checks
export {
  SingleChequeCasher,
  type BatchCasher,
  type CashItem,
  type CashItemResult,
  type CasherContext,
  type CashProbe,
  type ReceiptLogs,
} from "./settlement/casher.js";
export { RouterBatchCasher, routerBatchLimit, type RouterBatchCasherOptions } from "./settlement/router-casher.js";
export {
  decideCashouts,
  feeInToken,
  fixedGasPrice,
  nativeAtParOracle,
  NANO,
  DEFAULT_MAX_FEE_PERCENT,
  type FeePolicy,
  type GasPriceOracle,
  type CashoutDecision,
  type PlannedBatch,
  type DueItem,
} from "./settlement/fees.js";
export {
  TransactionSender,
  classifyBroadcastError,
  SignerCannotSignError,
  GasLimitTooLowError,
  type TxRequest,
  type TrackedTx,
  type TxOutcome,
  type BroadcastFailure,
  type TransactionSenderOptions,
} from "./chain/transactions.js";
export {
  ERC20InsufficientBalanceError,
  ERC20InsufficientAllowanceError,
  ERC20InvalidSenderError,
  ERC20InvalidReceiverError,
  ERC20InvalidApproverError,
  ERC20InvalidSpenderError,
  SafeERC20FailedDecreaseAllowanceError,
  type TokenInfo,
} from "./chain/token.js";
export {
  CashoutRouterClient,
  BatchCashoutExecutorClient,
  SKIP_REASONS,
  type SkipReason,
  type SkippedEntry,
  type BatchResult,
  type BatchOptions,
  type RouterEntry,
  type ExecutorCheque,
} from "./chain/batch-cashout.js";

export {
  ChequebookClient,
  ChequebookFactoryClient,
  BEE_GAS_LIMITS,
  customTimeoutValue,
  type CashoutPreview,
  type CashResult,
  type HardDeposit,
} from "./chain/chequebook.js";
export { ServicePlansClient, NATIVE_TOKEN, type PlanInfo, type CreatePlanArgs } from "./chain/plans.js";
export { TokenClient } from "./chain/token.js";
export { EthersChainFacts, type ChainFacts, type Liquidity } from "./chain/facts.js";
// the error classes (not the registry functions): test/chain/error-classes.test.ts checks every
// contract error's class is exported here
export {
  ContractRevertError,
  NotIssuerError,
  InvalidIssuerSignatureError,
  InvalidBeneficiarySignatureError,
  ChequeNotIncreasingError,
  CallerPayoutExceedsPayoutError,
  RelayedChequeWouldBounceError,
  ZeroRecipientError,
  InsufficientLiquidBalanceError,
  HardDepositExceedsBalanceError,
  DecreaseExceedsHardDepositError,
  NoDecreasePreparedError,
  DecreaseNotDueError,
  TimeoutSignatureUsedError,
  InitializedAtCreationError,
  NotACloneError,
  ZeroIssuerError,
  ProviderError,
  TransactionRevertedError,
  CashoutSignatureUsedError,
  HardDepositTooLargeError,
  TimeoutEpochMismatchError,
  ReentrancyGuardReentrantCallError,
  SafeERC20FailedOperationError,
  TimeoutTooLargeError,
  ChequebookAlreadyDeployedError,
  FailedDeploymentError,
  GasPerEntryTooLowError,
  OnlySelfError,
  InsufficientGasForEntryError,
} from "./chain/errors.js";
export {
  SubmissionClosedError,
  InvalidShareTokenError,
  InvalidReceiptSignatureError,
  ClaimNotOpenError,
  ClaimClosedError,
  AlreadyClaimedError,
  NothingToClaimError,
  SweepNotOpenError,
  AlreadySweptError,
  UnknownPlanError,
  InvalidDeadlinesError,
  NotFunderError,
  ZeroSignerError,
  ZeroBudgetError,
  IncorrectNativeValueError,
  DepthExceedsLengthError,
  SharesOverflowError,
  PlanExistsError,
  AmountsTooLargeError,
  ShareCapTooLargeError,
  ClaimWindowTooShortError,
  InvalidMinClaimWindowError,
  BudgetTooLargeError,
  TotalSharesOverflowError,
  DEFAULT_MIN_CLAIM_WINDOW,
  planIdOf,
  type SkippedSubmission,
} from "./chain/plans.js";
export type { TxResult } from "./chain/tx.js";
// the errors of the OpenZeppelin libraries ServicePlans inherits (Address, ShortStrings, SafeCast)
export {
  FailedCallError,
  InsufficientBalanceError,
  InvalidShortStringError,
  StringTooLongError,
  SafeCastOverflowedUintDowncastError,
} from "./chain/errors.js";

export {
  MemoryStore,
  SqliteStore,
  type Store,
  type PeerRecord,
  type IssuedCheque,
  type ReceivedCheque,
  type CashoutRecord,
  type CashoutStatus,
} from "./store/index.js";
export {
  loadDeployment,
  saveDeployment,
  deployAll,
  defaultDeploymentsDir,
  DeploymentNotFoundError,
  DeploymentChainMismatchError,
  DeploymentCodeMissingError,
  findDeployment,
  isLocalChain,
  type Deployment,
} from "./deployments.js";
export { CustomerClient, ProviderClient } from "./facade.js";

// SWAP under hostile peers and machine faults: the session's port to its node, the mode
// strategies, store faults
export {
  DEFAULT_LIMITS,
  MAX_STASH_BYTES,
  type SessionHost,
  type SessionLimits,
  type SessionEvent,
  type BalanceView,
  type Admission,
} from "./swap/session.js";
export {
  ChainVerifier,
  mockVerifier,
  chainFunds,
  mockFunds,
  type ChequeVerifier,
  type FundsSource,
} from "./swap/verifier.js";
export { limitsFor, UNBOUNDED, type LimitsPolicy } from "./accounting/limits.js";
export { StoreUnavailableError, StoreOpenError } from "./store/errors.js";
export { APPLICATION_ID, SCHEMA_VERSION, type SqliteStoreOptions } from "./store/sqlite.js";
export type { ServiceResult, NodeEvents } from "./swap/node.js";
// credit to contract-wallet (ERC-1271) issuers, bounded by their hard deposit (`SwapNode.credit`)
export type { ContractIssuerCredit, CreditView, CreditGuarantee, CreditFacts } from "./accounting/credit.js";
export type { Guarantee } from "./chain/facts.js";
// chain access through viem clients: the runner the contract clients and the cash-out service take
export {
  viemRunner,
  ViemProvider,
  ViemSigner,
  TransactionNotFoundError,
  ViemChainMismatchError,
  type ViemRunnerOptions,
  type ViemPublicClientLike,
  type ViemWalletClientPort,
} from "./chain/viem-runner.js";
