/**
 * Amounts as operators type and read them: token units with the token's decimals ("1.5"), or base
 * units ("1500000000000000000wei", or any integer with `--base-units`); printed in both forms.
 * Times as dates and "in 23 h" next to the raw numbers.
 */
import { formatUnits, parseUnits } from "ethers";
import { InvalidArgumentError } from "../errors.js";
import { MAX_UINT256 } from "../values.js";
import type { TokenInfo } from "../chain/token.js";

/** Parse an amount: `1.5` (token units), `1500wei` (base units), or base units when `baseUnits`. */
export function parseAmount(
  text: string,
  token: Pick<TokenInfo, "decimals" | "symbol">,
  opts: { baseUnits?: boolean; argument?: string } = {},
): bigint {
  const argument = opts.argument ?? "amount";
  if (typeof text !== "string" || text.trim() === "")
    throw new InvalidArgumentError(argument, text, `an amount in ${token.symbol} like 1.5, or base units like 1500wei`);
  const t = text.trim();
  let v: bigint;
  if (/^[0-9]+wei$/i.test(t)) v = BigInt(t.slice(0, -3));
  else if (opts.baseUnits) {
    if (!/^[0-9]+$/.test(t))
      throw new InvalidArgumentError(argument, text, "an integer number of base units (with --base-units)");
    v = BigInt(t);
  } else {
    if (!/^[0-9]+(\.[0-9]+)?$/.test(t))
      throw new InvalidArgumentError(
        argument,
        text,
        `an amount in ${token.symbol} like 1.5, or base units like 1500wei`,
      );
    const frac = t.split(".")[1] ?? "";
    if (frac.length > token.decimals)
      throw new InvalidArgumentError(argument, text, `at most ${token.decimals} decimals (${token.symbol})`);
    v = parseUnits(t, token.decimals);
  }
  if (v > MAX_UINT256) throw new InvalidArgumentError(argument, text, "a value below 2^256");
  return v;
}

/** "1.5 TST (1500000000000000000 base units)". */
export function formatAmount(v: bigint, token: Pick<TokenInfo, "decimals" | "symbol">): string {
  return `${formatUnits(v, token.decimals)} ${token.symbol} (${v} base units)`;
}

/** A unix time (seconds) as "2026-11-23 16:40:00 UTC, in 23 h" (or "… ago"). */
export function formatTime(unixSeconds: bigint, nowSeconds: bigint): string {
  const date = new Date(Number(unixSeconds) * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
  return `${date} (${unixSeconds}, ${relative(unixSeconds - nowSeconds)})`;
}

/** "in 23 h", "5 min ago", "now". */
export function relative(deltaSeconds: bigint): string {
  const d = deltaSeconds < 0n ? -deltaSeconds : deltaSeconds;
  if (d === 0n) return "now";
  const text =
    d < 120n ? `${d} s` : d < 7200n ? `${d / 60n} min` : d < 172_800n ? `${d / 3600n} h` : `${d / 86_400n} d`;
  return deltaSeconds > 0n ? `in ${text}` : `${text} ago`;
}

/** A duration in seconds as "86400 s (1 d)". */
export function formatDuration(seconds: bigint): string {
  return `${seconds} s (${relative(seconds).replace(/^in /, "")})`;
}
