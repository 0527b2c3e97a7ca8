/**
 * Gas snapshots: one committed JSON file per group in gas-snapshots/ (`{ "<scenario>": "<gas>" }`),
 * checked by a mocha test per group. A figure more than 1% above its snapshot fails the test; so does
 * a scenario missing from the snapshot or a snapshot entry no longer measured. A figure that dropped
 * passes (and is reported) until the snapshot is updated.
 *
 * Update after a deliberate change: `npm run gas:snapshot` (sets GAS_SNAPSHOT=update), review the
 * diff of gas-snapshots/*.json, commit it with the reason.
 *
 * Adding a group (e.g. the plans): write test/gas/<group>.test.ts that measures its named scenarios
 * and calls `checkGasSnapshot("<group>", figures)`; `npm run gas:snapshot` creates
 * gas-snapshots/<group>.json. Groups never touch each other's files.
 */
import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

export const SNAPSHOT_DIR = new URL("../../gas-snapshots/", import.meta.url);
/** Allowed rise before the check fails, in percent. */
export const TOLERANCE_PERCENT = 1;

export function snapshotFile(group: string): URL {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(group)) throw new Error(`bad snapshot group name: ${group}`);
  return new URL(`${group}.json`, SNAPSHOT_DIR);
}

export function readGasSnapshot(group: string): Record<string, bigint> {
  const file = snapshotFile(group);
  if (!existsSync(file)) return {};
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => {
      if (typeof v !== "string" || !/^\d+$/.test(v)) throw new Error(`${group}.json: "${k}" must be a decimal string`);
      return [k, BigInt(v)];
    }),
  );
}

export function writeGasSnapshot(group: string, figures: Record<string, bigint>): void {
  mkdirSync(SNAPSHOT_DIR, { recursive: true });
  const sorted = Object.fromEntries(
    Object.keys(figures)
      .sort()
      .map((k) => [k, figures[k]!.toString()]),
  );
  writeFileSync(snapshotFile(group), `${JSON.stringify(sorted, null, 2)}\n`);
}

export interface SnapshotDiff {
  risen: { name: string; stored: bigint; measured: bigint }[];
  dropped: { name: string; stored: bigint; measured: bigint }[];
  added: string[];
  removed: string[];
}

/** Compare measured figures with stored ones: pure, so the rule itself is unit-tested. */
export function diffGasSnapshot(
  stored: Record<string, bigint>,
  measured: Record<string, bigint>,
  tolerancePercent = TOLERANCE_PERCENT,
): SnapshotDiff {
  const d: SnapshotDiff = { risen: [], dropped: [], added: [], removed: [] };
  for (const [name, gas] of Object.entries(measured)) {
    const s = stored[name];
    if (s === undefined) d.added.push(name);
    // gas * 100 > s * (100 + tolerance), in integers
    else if (gas * 100n > s * BigInt(100 + tolerancePercent)) d.risen.push({ name, stored: s, measured: gas });
    else if (gas < s) d.dropped.push({ name, stored: s, measured: gas });
  }
  for (const name of Object.keys(stored)) if (!(name in measured)) d.removed.push(name);
  return d;
}

/** Check (or, with GAS_SNAPSHOT=update, rewrite) the snapshot of `group`. */
export function checkGasSnapshot(group: string, measured: Record<string, bigint>): void {
  if (process.env.GAS_SNAPSHOT === "update") {
    writeGasSnapshot(group, measured);
    return;
  }
  const d = diffGasSnapshot(readGasSnapshot(group), measured);
  for (const x of d.dropped)
    console.log(`    gas snapshot ${group}#${x.name}: ${x.stored} → ${x.measured} (lower; run npm run gas:snapshot)`);
  const problems = [
    ...d.risen.map(
      (x) =>
        `${x.name}: ${x.stored} → ${x.measured} (+${(((Number(x.measured) - Number(x.stored)) / Number(x.stored)) * 100).toFixed(2)}%)`,
    ),
    ...d.added.map((n) => `${n}: not in gas-snapshots/${group}.json`),
    ...d.removed.map((n) => `${n}: in the snapshot but no longer measured`),
  ];
  expect(problems, `gas snapshot "${group}" (update with npm run gas:snapshot if intended)`).to.deep.equal([]);
}
