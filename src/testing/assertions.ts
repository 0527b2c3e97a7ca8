/**
 * Assertion helpers for cheques and plan payouts. Each throws `SwapAssertionError` (with the
 * expected and actual values) and works with any test runner.
 */
import { recoverChequeSigner, type ChequeInput } from "../cheque/index.js";
import { computePayouts, type PayoutResult } from "../plans/payout.js";
import { toChecksumAddress } from "../crypto/index.js";
import { SwapAssertionError } from "./errors.js";

/**
 * The cheque is signed by `issuer` on `chainId` and, when given, carries these fields. A signature
 * that does not recover at all counts as signed by nobody.
 */
export function assertCheque(
  cheque: ChequeInput & { signature: string },
  expected: {
    chainId: bigint | number;
    issuer: string;
    chequebook?: string;
    beneficiary?: string;
    cumulativePayout?: bigint;
  },
): void {
  let signer: string;
  try {
    signer = recoverChequeSigner(cheque, expected.chainId, cheque.signature);
  } catch (e) {
    throw new SwapAssertionError(
      "cheque signer",
      toChecksumAddress(expected.issuer),
      `no signer (${(e as Error).name})`,
    );
  }
  if (signer !== toChecksumAddress(expected.issuer))
    throw new SwapAssertionError("cheque signer", toChecksumAddress(expected.issuer), signer);
  for (const field of ["chequebook", "beneficiary"] as const) {
    const want = expected[field];
    if (want !== undefined && toChecksumAddress(cheque[field]) !== toChecksumAddress(want)) {
      throw new SwapAssertionError(`cheque ${field}`, toChecksumAddress(want), toChecksumAddress(cheque[field]));
    }
  }
  if (expected.cumulativePayout !== undefined && BigInt(cheque.cumulativePayout) !== expected.cumulativePayout) {
    throw new SwapAssertionError("cheque cumulativePayout", expected.cumulativePayout, BigInt(cheque.cumulativePayout));
  }
}

/** What ServicePlans pays: the plan's terms and final shares per provider. */
export interface PlanOutcome {
  budget: bigint;
  bond: bigint;
  shareCap: bigint;
  shares: ReadonlyMap<string, bigint>;
}

/**
 * `actual` (e.g. what each provider's `claim` paid, by provider address) is exactly what the payout
 * model says the plan pays. Returns the model's result for further checks (sweep, forfeiture).
 */
export function assertPlanPayouts(plan: PlanOutcome, actual: ReadonlyMap<string, bigint>): PayoutResult {
  const model = computePayouts({ ...plan, claimants: new Set(actual.keys()) });
  const norm = (m: ReadonlyMap<string, bigint>) => new Map([...m].map(([k, v]) => [toChecksumAddress(k), v] as const));
  const want = norm(model.payouts);
  const got = norm(actual);
  for (const [provider, amount] of got) {
    if (want.get(provider) !== amount)
      throw new SwapAssertionError(`payout of ${provider}`, want.get(provider) ?? 0n, amount);
  }
  return model;
}
