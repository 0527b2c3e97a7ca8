/**
 * @swap-settlement/core — the root entry point (Node.js ≥ 22): everything a user needs, i.e. the
 * browser-safe pure parts (`@swap-settlement/core/browser`: cheques, share receipts, hash chains,
 * payout model, EIP-712 constants, ABIs) and the Node parts (`@swap-settlement/core/node`: SWAP
 * node, stores, cash-out, contract clients). Internals (ledger, codec, issuer/receiver, typechain
 * bindings) are not exported; `@swap-settlement/core/testing` has fixtures for integration suites.
 */
export * from "./browser.js";
export * from "./node.js";
