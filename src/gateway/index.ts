/**
 * Paid HTTP gateway (HTTP 402 with SWAP cheques): server, production construction, paying client
 * (fetch-compatible, ethers provider; viem transport in `./viem.js`), LES client/provider verbs.
 */
export { createGateway, decodeCheque, HEADERS, SCHEME, type GatewayConfig } from "./server.js";
export { openGateway, type Gateway, type OpenGatewayOptions } from "./open.js";
export {
  createPaidFetch,
  paidJsonRpcProvider,
  type PaidFetch,
  type PaidFetchOptions,
  type PaidFetchState,
  type GatewayTerms,
} from "./client.js";
export { SwapSettlement, SwapPayer, HTTP_PROTOCOL, type SwapSettlementConfig } from "./swap-adapter.js";
export {
  signSession,
  verifySession,
  encodeSession,
  SESSION_TYPE,
  type SessionMessage,
  type SignedSession,
} from "./session.js";
export { costOf, DEFAULT_COSTS, type CostTable } from "./costs.js";
export * from "./errors.js";
export { LesClient, LesProvider, type Conditions, type ConditionsQuery, type BalanceView } from "./les.js";
