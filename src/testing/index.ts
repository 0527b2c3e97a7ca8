/**
 * `@swap-settlement/core/testing` — helpers for users' integration suites (Node, Hardhat 3):
 * contract fixtures for `networkHelpers.loadFixture`, a pair of connected in-memory nodes, and
 * assertion helpers for cheques and plan payouts. See docs/testing.md for a test to copy.
 */
export {
  createSwapFixture,
  deploySwapFixture,
  type SwapFixture,
  type SwapFixtureOptions,
  type FixtureChequebook,
  type FixtureConnection,
} from "./fixtures.js";
export { connectedNodePair, type NodePair, type NodePairOptions, type TestNode } from "./nodes.js";
export { assertCheque, assertPlanPayouts, type PlanOutcome } from "./assertions.js";
export { SwapAssertionError } from "./errors.js";
