import { SettlementError } from "../errors.js";

/** The database cannot take writes right now (disk full, read-only, I/O error, corrupt page). Nothing
 * of the failed transaction was kept; the caller refuses the work it cannot record and retries later. */
export class StoreUnavailableError extends SettlementError {
  override readonly name = "StoreUnavailableError" as const;
  constructor(
    readonly code: string,
    cause?: unknown,
  ) {
    super(`store unavailable: ${code}`, { cause });
  }
}

/** The file is not a database of this library (empty, foreign, or of a newer schema): refused at
 * open so a wrong path never starts a node with an empty ledger. */
export class StoreOpenError extends SettlementError {
  override readonly name = "StoreOpenError" as const;
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot open store ${path}: ${reason}`);
  }
}
