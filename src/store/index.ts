export * from "./types.js";
export { MemoryStore } from "./memory.js";
export { SqliteStore } from "./sqlite.js";
export * from "./errors.js";
