import { SettlementError } from "../errors.js";

/** A provider call kept failing after every retry. */
export class RetriesExhaustedError extends SettlementError {
  override readonly name = "RetriesExhaustedError" as const;
  constructor(
    readonly operation: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`${operation} failed after ${attempts} attempts`, { cause });
  }
}

/** No cheque from that chequebook is on record. */
export class NoChequeError extends SettlementError {
  override readonly name = "NoChequeError" as const;
  constructor(readonly chequebook: string) {
    super(`no cheque received from ${chequebook}`);
  }
}
