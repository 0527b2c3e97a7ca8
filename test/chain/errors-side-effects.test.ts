/**
 * Error classes without import-time side effects (issue 14): the revert decoder needs no module but
 * itself to decode every contract error into its class; no module the package's entry points reach runs
 * anything at import time but the Node version check, which is exactly what package.json's `sideEffects`
 * lists; importing every entry point leaves the process's globals as they were; and a bundler keeps the
 * error tables only where a chain client is used.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { Interface, ZeroAddress, ZeroHash, type ErrorFragment } from "ethers";
import ts from "typescript";
import { contractErrorsAbi } from "../../src/abi/generated.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  exports: Record<string, string | { import?: string | { default: string } }>;
  sideEffects: string[];
};

/** The source file of each subpath the package exports as a module (`.` → src/index.ts, …). */
const ENTRY_SOURCES = Object.values(pkg.exports)
  .map((target) => (typeof target === "string" ? undefined : target.import))
  .map((target) => (typeof target === "string" ? target : target?.default))
  .filter((target): target is string => target?.startsWith("./dist/esm/src/") === true)
  .map((target) => target.replace("./dist/esm/", "").replace(/\.js$/, ".ts"));

function sampleArgs(fragment: ErrorFragment): unknown[] {
  return fragment.inputs.map((p, i) =>
    p.type === "address" ? ZeroAddress : p.type === "bytes32" ? ZeroHash : p.type === "string" ? "x" : BigInt(i + 7),
  );
}

/** Runs an ES module under tsx in a fresh Node process and parses what it prints as JSON. */
async function inFreshProcess(source: string, input?: string): Promise<unknown> {
  const child = run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", source], {
    cwd: ROOT,
    maxBuffer: 16 << 20,
  });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  const { stdout } = await child;
  return JSON.parse(stdout);
}

/** Top-level statements that do something when the module is imported (not declarations, imports, exports). */
function importTimeStatements(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true);
  return sf.statements
    .filter(
      (s) =>
        ts.isExpressionStatement(s) ||
        ts.isIfStatement(s) ||
        ts.isIterationStatement(s, false) ||
        ts.isTryStatement(s) ||
        ts.isSwitchStatement(s) ||
        ts.isBlock(s) ||
        ts.isThrowStatement(s) ||
        ts.isLabeledStatement(s),
    )
    .map((s) => `${file}:${sf.getLineAndCharacterOfPosition(s.getStart()).line + 1}: ${s.getText().split("\n")[0]}`);
}

/** esbuild, as an application bundles the package: minified, dependencies external, `sideEffects` honoured. */
async function bundle(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: join(ROOT, "src"), loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    write: false,
    minify: true,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}
// a class of the revert table, and an error only the decoder's ABI holds (not the exported contract ABIs)
const hasErrorTables = (code: string) => code.includes("SubmissionClosedError") || code.includes("ERC20InvalidSpender");
const hasEngineCheck = (code: string) => code.includes("required: this is Node");

describe("chain errors: no side effects at import time", function () {
  this.timeout(120_000);

  it("finds the package's entry points (sanity)", () => {
    expect(ENTRY_SOURCES).to.include.members([
      "src/index.ts",
      "src/browser.ts",
      "src/node.ts",
      "src/testing/index.ts",
      "src/capacity/index.ts",
      "src/gateway/index.ts",
      "src/hardhat/index.ts",
    ]);
  });

  it("importing the decoder alone decodes every contract error into its class with its arguments", async () => {
    const iface = new Interface(contractErrorsAbi);
    const cases = contractErrorsAbi.map((e) => {
      const fragment = iface.getError(e.name)!;
      const args = sampleArgs(fragment);
      return { name: e.name, data: iface.encodeErrorResult(fragment, args), args: args.map(String) };
    });
    expect(cases.length).to.be.greaterThan(60);
    const decoder = pathToFileURL(join(ROOT, "src/chain/errors.ts")).href;
    // the child imports src/chain/errors.ts and nothing else of the library
    const decoded = (await inFreshProcess(
      `import { text } from "node:stream/consumers";
       import { toSettlementError, ContractRevertError } from ${JSON.stringify(decoder)};
       const out = JSON.parse(await text(process.stdin)).map(({ data }) => {
         const e = toSettlementError({ data });
         return { typed: e instanceof ContractRevertError && e.constructor !== ContractRevertError,
                  name: e.name, errorName: e.errorName, args: Object.values(e.args ?? {}).map(String) };
       });
       console.log(JSON.stringify(out));`,
      JSON.stringify(cases),
    )) as { typed: boolean; name: string; errorName: string; args: string[] }[];
    expect(decoded).to.deep.equal(
      cases.map((c) => ({ typed: true, name: `${c.name}Error`, errorName: c.name, args: c.args })),
    );
  });

  it("importing every entry point leaves globalThis and the process's listeners as they were", async () => {
    const entries = ENTRY_SOURCES.map((f) => pathToFileURL(join(ROOT, f)).href);
    const report = (await inFreshProcess(
      `const events = ["exit", "beforeExit", "uncaughtException", "unhandledRejection", "warning", "SIGINT", "SIGTERM"];
       const snapshot = () => ({ globals: Object.getOwnPropertyNames(globalThis).sort(),
         listeners: events.map((e) => e + ":" + process.listenerCount(e)) });
       const before = snapshot();
       const modules = [];
       for (const entry of ${JSON.stringify(entries)}) modules.push(Object.keys(await import(entry)).length);
       console.log(JSON.stringify({ before, after: snapshot(), modules }));`,
    )) as { before: unknown; after: unknown; modules: number[] };
    expect(report.modules).to.have.length(ENTRY_SOURCES.length);
    for (const exportCount of report.modules) expect(exportCount).to.be.greaterThan(0);
    expect(report.after).to.deep.equal(report.before);
  });

  it("only the modules package.json's sideEffects lists run statements at import time", async () => {
    const result = await build({
      entryPoints: ENTRY_SOURCES.map((f) => join(ROOT, f)),
      absWorkingDir: ROOT,
      bundle: true,
      platform: "node",
      format: "esm",
      packages: "external",
      outdir: "unused",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const reached = Object.keys(result.metafile.inputs).filter((f) => f.startsWith("src/") && f.endsWith(".ts"));
    expect(reached).to.include.members(["src/chain/errors.ts", "src/chain/revert-classes.ts", "src/engine.ts"]);
    const withEffects = reached.filter((f) => importTimeStatements(f).length > 0);
    const listed = pkg.sideEffects.filter((p) => p.startsWith("./src/")).map((p) => p.slice(2));
    expect(withEffects, reached.flatMap(importTimeStatements).join("\n")).to.deep.equal(listed);
    expect(listed).to.deep.equal(["src/engine.ts"]);
    // the published files carry the same list
    expect(pkg.sideEffects.filter((p) => !p.startsWith("./src/"))).to.deep.equal(
      listed.map((f) => `./dist/*/${f.replace(/\.ts$/, ".*")}`),
    );
  });

  it("detects an import-time registration (the scan can fail)", () => {
    // src/chain/errors.ts before issue 14 looped over its classes at module level
    const sf = ts.createSourceFile("x.ts", "for (const c of []) register(c);\nregister(1);", ts.ScriptTarget.Latest);
    expect(
      sf.statements.filter((s) => ts.isIterationStatement(s, false) || ts.isExpressionStatement(s)),
    ).to.have.length(2);
    expect(importTimeStatements("src/engine.ts")).to.have.length(1);
  });

  describe("tree-shaking (esbuild, sideEffects honoured)", () => {
    it("one pure function from the root leaves the error tables, ethers and the engine check out", async () => {
      const code = await bundle(`export { hashCheque } from "./index.js";`);
      expect(code).to.contain("hashCheque");
      expect(hasErrorTables(code)).to.equal(false);
      expect(code).not.to.match(/from\s*"ethers"/);
      expect(hasEngineCheck(code)).to.equal(false);
    });

    it("one error class from /node is just that class (and the Node check); the table stays out", async () => {
      const code = await bundle(`export { ChequeNotIncreasingError } from "./node.js";`);
      expect(code).to.contain("ChequeNotIncreasingError");
      expect(hasErrorTables(code)).to.equal(false);
      expect(hasEngineCheck(code)).to.equal(true);
    });

    it("the store keeps the Node version check and leaves the error tables out", async () => {
      const code = await bundle(`export { SqliteStore } from "./node.js";`);
      expect(hasEngineCheck(code)).to.equal(true);
      expect(hasErrorTables(code)).to.equal(false);
    });

    it("a chain client brings the decoder's tables with it", async () => {
      const code = await bundle(`export { TokenClient } from "./node.js";`);
      expect(hasErrorTables(code)).to.equal(true);
    });
  });
});
