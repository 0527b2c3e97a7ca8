import { SettlementError } from "../errors.js";

/** A share token does not hash to the last accepted word (forged, or from another chain). */
export class ForgedShareTokenError extends SettlementError {
  override readonly name = "ForgedShareTokenError" as const;
  constructor(
    readonly index: number,
    readonly lastIndex: number,
  ) {
    super(`share token ${index} does not hash to accepted word ${lastIndex}`);
  }
}

/** A share token at or below the last accepted index: a replay. */
export class ReplayedShareTokenError extends SettlementError {
  override readonly name = "ReplayedShareTokenError" as const;
  constructor(
    readonly index: number,
    readonly lastIndex: number,
  ) {
    super(`share token ${index} is not beyond the last accepted ${lastIndex}`);
  }
}

/** More packets lost in a row than the collector tolerates (bounded work per token). */
export class ShareTokenGapError extends SettlementError {
  override readonly name = "ShareTokenGapError" as const;
  constructor(
    readonly gap: number,
    readonly maxGap: number,
  ) {
    super(`share token gap ${gap} exceeds the tolerated ${maxGap}`);
  }
}

/** A token refers to a receipt the collector has not accepted. */
export class UnknownReceiptError extends SettlementError {
  override readonly name = "UnknownReceiptError" as const;
  constructor(readonly anchor: string) {
    super(`no accepted receipt has anchor ${anchor}`);
  }
}

/** A receipt is not for this plan/provider, is badly signed, or is beyond its chain. */
export class InvalidReceiptError extends SettlementError {
  override readonly name = "InvalidReceiptError" as const;
  constructor(reason: string) {
    super(`invalid share receipt: ${reason}`);
  }
}

/** The plan does not protect the provider (cap, bond or deadlines outside its policy). */
export class PlanRejectedError extends SettlementError {
  override readonly name = "PlanRejectedError" as const;
  constructor(
    readonly planId: bigint,
    readonly reason: string,
  ) {
    super(`plan ${planId} rejected: ${reason}`);
  }
}

/** A hash chain cannot produce the requested word. */
export class ChainExhaustedError extends SettlementError {
  override readonly name = "ChainExhaustedError" as const;
  constructor(
    readonly index: number,
    readonly length: number,
  ) {
    super(`hash chain of length ${length} has no word ${index}`);
  }
}
