/**
 * The Node.js version check of the `node` entry point: better-sqlite3's prebuilt binary and
 * `process.getBuiltinModule` need Node ≥ 22, and on Node 20 the native module crashes the process
 * (a segfault) instead of failing. This module runs first and fails with a clear error instead.
 */
import { SettlementError } from "./errors.js";

export const MIN_NODE_MAJOR = 22;

/** The running Node.js is older than the library supports. */
export class UnsupportedNodeError extends SettlementError {
  override readonly name = "UnsupportedNodeError" as const;
  constructor(readonly version: string) {
    super(`Node ≥ ${MIN_NODE_MAJOR} required: this is Node ${version}`, {
      details: "@swap-settlement/core/node needs Node.js 22 or later (better-sqlite3, process.getBuiltinModule)",
    });
  }
}

/** Throws `UnsupportedNodeError` when `version` (e.g. "20.20.2") is older than Node 22. */
export function assertSupportedNode(version: string): void {
  const major = Number(version.replace(/^v/, "").split(".")[0]);
  if (!Number.isInteger(major) || major < MIN_NODE_MAJOR) throw new UnsupportedNodeError(version);
}

const running = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
if (running !== undefined) assertSupportedNode(running);
