import { SettlementError } from "../errors.js";

/** The gateway refuses to credit payments into a store that does not survive a restart. */
export class VolatileStoreError extends SettlementError {
  override readonly name = "VolatileStoreError" as const;
  constructor() {
    super("the gateway needs a durable store (SqliteStore): nothing is credited without one", {
      details: "pass allowVolatileStore: true only in tests",
    });
  }
}

/** A request from the client (header, body, query) is malformed or out of bounds. */
export class BadGatewayRequestError extends SettlementError {
  override readonly name = "BadGatewayRequestError" as const;
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`bad ${field}: ${reason}`);
  }
}

/** The session header is not signed by the chequebook's issuer, expired, or names another gateway. */
export class BadSessionError extends SettlementError {
  override readonly name = "BadSessionError" as const;
  constructor(readonly reason: string) {
    super(`session refused: ${reason}`);
  }
}

/** The gateway answered with an error status; `body` is its typed JSON answer. */
export class GatewayError extends SettlementError {
  override readonly name = "GatewayError" as const;
  constructor(
    readonly status: number,
    readonly error: string,
    readonly body: unknown,
  ) {
    super(`gateway answered ${status} ${error}`);
  }
}

/** A cash-out of the client's chequebook bounced: it is defaulting and refused until it pays in full. */
export class IssuerDefaultingError extends SettlementError {
  override readonly name = "IssuerDefaultingError" as const;
  constructor(readonly chequebook: string) {
    super(`chequebook ${chequebook} is defaulting (a cash-out bounced)`);
  }
}
