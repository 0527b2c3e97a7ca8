/**
 * Capacity classes for the LES service model: a client pool (priority / standard / free), one
 * priority function, a capacity-weighted fair queue with strict class precedence, flow control,
 * honest capacity quotes at a demand-driven price, and durable credits and decaying debts.
 */
export * from "./errors.js";
export { ClientPool, type PoolConfig, type Standing, type ClientView, type Quote } from "./pool.js";
export { priorityOf, classOfPriority, TIER, BAND, type CapacityClass, type PriorityInput } from "./priority.js";
export { DemandPrice, holdingCost, holdingMs, type PriceConfig, type PriceState } from "./pricing.js";
export { FlowControl, type FlowParams } from "./flow.js";
export { FairScheduler, type Job } from "./scheduler.js";
export { CapacityService, type Admission, type ServedResult } from "./service.js";
export { MemoryCapacityStore, type CapacityStore, type CreditRecord } from "./persistence.js";
export { SqliteCapacityStore, type SqliteHandle, type SqliteStatement } from "./sqlite.js";
export { decayedValue, addDecaying, type Decaying } from "./decay.js";
export { addressGroup } from "./address-group.js";
export {
  simulate,
  SimClock,
  quantile,
  jainIndex,
  mulberry32,
  type SimClient,
  type SimResult,
  type SimClientResult,
} from "./simulation.js";
export { openCapacity, DEFAULT_USAGE_HALF_LIFE_MS, type CapacityOptions, type CapacityStack } from "./open.js";
