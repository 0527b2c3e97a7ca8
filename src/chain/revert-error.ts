/** The base class of every contract revert the library decodes (src/chain/revert-classes.ts maps names to classes). */
import { SettlementError, stringify } from "../errors.js";

export class ContractRevertError<A extends Record<string, unknown> = Record<string, unknown>> extends SettlementError {
  override readonly name: string = "ContractRevertError";
  constructor(
    /** The Solidity error name, e.g. "ChequeNotIncreasing". */
    readonly errorName: string,
    /** Its arguments by parameter name. */
    readonly args: A,
    opts: { cause?: unknown; data?: string } = {},
  ) {
    super(`contract reverted: ${errorName}(${Object.values(args).map(stringify).join(", ")})`, {
      cause: opts.cause,
      details: opts.data,
    });
  }
}

/** The arguments of a revert, by the Solidity parameter names. */
export type Args<T> = T & Record<string, unknown>;
