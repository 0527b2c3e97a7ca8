/**
 * The one base class of every error this library throws. Callers branch on the class or on
 * `name` (a literal per subclass), never on the message text.
 */
export abstract class SettlementError extends Error {
  abstract override readonly name: string;
  /** One line, for humans. */
  readonly shortMessage: string;
  /** Extra detail (the values involved), for humans and logs. */
  readonly details?: string;

  constructor(shortMessage: string, opts: { details?: string; cause?: unknown } = {}) {
    super(opts.details ? `${shortMessage}\n\nDetails: ${opts.details}` : shortMessage, { cause: opts.cause });
    this.shortMessage = shortMessage;
    this.details = opts.details;
  }
}

/** A value given to the library is not of the expected form (bad address, amount out of range, …). */
export class InvalidArgumentError extends SettlementError {
  override readonly name = "InvalidArgumentError" as const;
  constructor(
    readonly argument: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`invalid ${argument}: expected ${expected}`, { details: `got ${stringify(value)}` });
  }
}

export function stringify(value: unknown): string {
  try {
    return typeof value === "bigint"
      ? `${value}n`
      : (JSON.stringify(value, (_, v) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value));
  } catch {
    return String(value);
  }
}
