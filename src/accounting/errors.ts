import { SettlementError } from "../errors.js";

/** Serving/consuming `amount` more would push the peer past its limit: refused before it happens. */
export class OverdraftError extends SettlementError {
  override readonly name = "OverdraftError" as const;
  constructor(
    readonly peer: string,
    readonly direction: "serve" | "consume",
    readonly exposure: bigint,
    readonly limit: bigint,
  ) {
    super(`${direction} for ${peer} refused: exposure ${exposure} would exceed ${limit}`);
  }
}

/** A reservation was applied or released twice. */
export class ReservationSettledError extends SettlementError {
  override readonly name = "ReservationSettledError" as const;
  constructor() {
    super("reservation already applied or released");
  }
}

/** Nothing is known about the peer (no handshake yet). */
export class UnknownPeerError extends SettlementError {
  override readonly name = "UnknownPeerError" as const;
  constructor(readonly peer: string) {
    super(`unknown peer ${peer}: no handshake`);
  }
}
