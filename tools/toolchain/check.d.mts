// Types of check.mjs (plain JavaScript so that it runs under any Node npm runs on).

/** What scripts/check-toolchain.mjs finds out about this machine and this install. */
export interface ToolchainFacts {
  platform: string;
  arch: string;
  /** linux only: which C library (EDR ships a binding for each); null elsewhere */
  libc: "glibc" | "musl" | null;
  /** the Node that npm scripts run (`node_modules/.bin/node` when the pinned one is installed) */
  runtime: string;
  /** whether `runtime` is node_modules/.bin/node */
  localNode: boolean;
  /** whether node_modules/.bin/node exists (the pinned runtime is installed) */
  localNodePresent: boolean;
  /** the Node that npm itself runs on (`npm_node_execpath`), null when not run by npm */
  npmNode: string | null;
  /** `npm_command`: install, ci, pack, publish, …; null when not run by npm */
  npmCommand: string | null;
  npmExecPath: string | null;
  dryRun: boolean;
  /** `--omit=dev` */
  omitDev: boolean;
  /** this is the second `npm install` that a first one started */
  nested: boolean;
  /** installed versions, null when the package is absent */
  versions: { hardhat: string | null; edr: string | null; solc: string | null };
  /** whether EDR (and so its native binding) loads under `runtime` */
  edrLoad: { ok: true } | { ok: false; message: string };
}

/**
 * skip: nothing to check (dry run, devDependencies omitted); ok: Hardhat can run; reinstall: npm skipped EDR's
 * binding because it ran on Node < 22, so run `npm install` once more under `runtime`; fail: say `lines`, exit 1.
 */
export interface ToolchainVerdict {
  action: "skip" | "ok" | "reinstall" | "fail";
  lines: string[];
}

export const MIN_NODE: string;
export const EDR_MIN_NODE: string;
export const NESTED_ENV: string;
export function parseNodeVersion(version: string | null | undefined): [number, number, number] | null;
export function atLeast(version: string | null | undefined, min: string): boolean;
export function edrBindingPackage(platform: string, arch: string, libc: "glibc" | "musl" | null): string | null;
export function hasPinnedRuntime(platform: string, arch: string, libc: "glibc" | "musl" | null): boolean;
export function decide(facts: ToolchainFacts): ToolchainVerdict;
export function requiredPlatformPins(lock: {
  packages: Record<string, { os?: unknown; cpu?: unknown; libc?: unknown; optional?: boolean }>;
}): string[];
