import { SettlementError } from "../errors.js";

/** An assertion helper of `@swap-settlement/core/testing` found a difference. */
export class SwapAssertionError extends SettlementError {
  override readonly name = "SwapAssertionError" as const;
  constructor(
    readonly what: string,
    readonly expected: unknown,
    readonly actual: unknown,
  ) {
    super(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${k}: ${show(x)}`).join(", ")}}`;
  return typeof v === "string" ? v : JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : x));
}
