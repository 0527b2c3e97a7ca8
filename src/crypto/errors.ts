import { SettlementError } from "../errors.js";

/** A signature does not decode to a signature the contracts accept (length, v, high s, curve). */
export class InvalidSignatureError extends SettlementError {
  override readonly name = "InvalidSignatureError" as const;
  constructor(
    readonly signature: string,
    reason: string,
  ) {
    super(`invalid signature: ${reason}`, { details: signature });
  }
}

/** The signer given cannot sign (neither an ethers Signer nor a valid private key). */
export class InvalidSignerError extends SettlementError {
  override readonly name = "InvalidSignerError" as const;
  constructor(reason: string) {
    super(`invalid signer: ${reason}`);
  }
}
