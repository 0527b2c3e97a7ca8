// Builds the published package from src/ after `hardhat compile` and `npm run abi`:
//   dist/esm  ES modules + declarations (tsc), source maps with the sources inlined
//   dist/cjs  CommonJS (esbuild, file by file, same tree) + the same declarations under type=commonjs
// Only what the entry points reach is compiled, against a copy of typechain-types pruned of the
// bindings of test contracts (mocks, invariant handlers, test bases) — except TestToken, which the
// token client and deployAll use.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STAGE = join(ROOT, ".build");
const DIST = join(ROOT, "dist");
const ENTRY_POINTS = [
  "src/index.ts",
  "src/browser.ts",
  "src/node.ts",
  "src/testing/index.ts",
  "src/capacity/index.ts",
  "src/gateway/index.ts",
  "src/daemon/main.ts",
  "src/hardhat/index.ts",
].filter((f) => existsSync(join(ROOT, f)));

if (!existsSync(join(ROOT, "typechain-types/index.ts"))) throw new Error("run `hardhat compile` first");
if (!existsSync(join(ROOT, "src/abi/generated.ts"))) throw new Error("run `npm run abi` first");

rmSync(STAGE, { recursive: true, force: true });
rmSync(DIST, { recursive: true, force: true });
cpSync(join(ROOT, "src"), join(STAGE, "src"), { recursive: true });
cpSync(join(ROOT, "typechain-types"), join(STAGE, "typechain-types"), {
  recursive: true,
  filter: (src) => {
    const rel = relative(join(ROOT, "typechain-types"), src).split("\\").join("/");
    if (rel === "hardhat.d.ts") return false;
    const isTest = /(^|\/)test(\/|$)/.test(rel);
    return !isTest || statSync(src).isDirectory() || /TestToken/.test(rel);
  },
});
// barrels: drop every line naming a test contract (except TestToken) and the `test` namespaces
for (const barrel of ["typechain-types/index.ts", "typechain-types/factories/index.ts"]) {
  const file = join(STAGE, barrel);
  const kept = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => !/['/]test\//.test(line) || /TestToken/.test(line))
    .filter((line) => !/\btest\b.*from '\.\/(factories\/)?test\/index\.js'|export type \{ test \}/.test(line));
  writeFileSync(file, kept.join("\n"));
}

writeFileSync(
  join(STAGE, "tsconfig.json"),
  JSON.stringify({
    extends: "../tsconfig.json",
    compilerOptions: {
      noEmit: false,
      declaration: true,
      sourceMap: true,
      inlineSources: true,
      outDir: "../dist/esm",
      rootDir: ".",
      types: ["node"],
    },
    include: [],
    files: ENTRY_POINTS,
  }),
);
execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(STAGE, "tsconfig.json")], {
  stdio: "inherit",
});

// CommonJS: every file tsc emitted, transpiled from its TypeScript source by esbuild, as .cjs
// beside nothing else in dist/cjs (no nested package.json: the package root stays findable)
const emitted = walk(join(DIST, "esm")).filter((f) => f.endsWith(".js"));
const sources = emitted.map((f) => join(STAGE, relative(join(DIST, "esm"), f)).replace(/\.js$/, ".ts"));
await build({
  entryPoints: sources,
  outdir: join(DIST, "cjs"),
  outbase: STAGE,
  outExtension: { ".js": ".cjs" },
  format: "cjs",
  platform: "node",
  target: "node22",
  sourcemap: true,
  sourcesContent: true,
  logLevel: "error",
  logOverride: { "empty-import-meta": "silent" },
});
const relativeJs = /((?:require\(|from |import\()\s*["'])(\.{1,2}\/[^"']*?)\.js(["'])/g;
for (const f of walk(join(DIST, "cjs")).filter((f) => f.endsWith(".cjs"))) {
  let code = readFileSync(f, "utf8").replace(relativeJs, "$1$2.cjs$3");
  // `import.meta.url` has no CommonJS counterpart in esbuild's output: give it this file's URL
  code = code.replace("import_meta = {}", 'import_meta = { url: require("node:url").pathToFileURL(__filename).href }');
  writeFileSync(f, code);
}
// dependencies that cannot be require()d (ESM with only an `import` export condition, e.g.
// protons-runtime) are bundled once into dist/cjs/vendor/<name>.cjs and required from there
const requireFromRoot = createRequire(join(ROOT, "package.json"));
const bare = /require\("((?!node:)[^".][^"]*)"\)/g;
const cjsFiles = walk(join(DIST, "cjs")).filter((f) => f.endsWith(".cjs"));
const vendored = new Set();
for (const f of cjsFiles) {
  for (const [, spec] of readFileSync(f, "utf8").matchAll(bare)) {
    try {
      requireFromRoot.resolve(spec);
    } catch {
      vendored.add(spec);
    }
  }
}
for (const spec of vendored) {
  const out = join(DIST, "cjs/vendor", `${spec.replaceAll("/", "__")}.cjs`);
  await build({
    stdin: { contents: `export * from "${spec}";`, resolveDir: ROOT },
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node22",
    outfile: out,
    logLevel: "error",
  });
  for (const f of cjsFiles) {
    const code = readFileSync(f, "utf8");
    const target = relative(dirname(f), out).split("\\").join("/");
    if (code.includes(`require("${spec}")`))
      writeFileSync(
        f,
        code.replaceAll(`require("${spec}")`, `require("${target.startsWith(".") ? target : "./" + target}")`),
      );
  }
}
// the same declarations as CommonJS declarations (.d.cts naming .cjs modules)
for (const f of walk(join(DIST, "esm")).filter((f) => f.endsWith(".d.ts"))) {
  const to = join(DIST, "cjs", relative(join(DIST, "esm"), f)).replace(/\.d\.ts$/, ".d.cts");
  mkdirSync(dirname(to), { recursive: true });
  // type-only imports of ESM-only packages need an explicit resolution mode in a CommonJS declaration
  const esmOnly = /^(import type \{[^}]*\} from '(?:protons-runtime|uint8arraylist)');$/gm;
  writeFileSync(
    to,
    readFileSync(f, "utf8")
      .replace(relativeJs, "$1$2.cjs$3")
      .replace(esmOnly, '$1 with { "resolution-mode": "import" };'),
  );
}
// source maps name the repository's files (src/…), not the staging copy; the sources are inlined
for (const f of walk(DIST).filter((f) => f.endsWith(".map"))) {
  writeFileSync(f, readFileSync(f, "utf8").replaceAll("../.build/", "../"));
}
// the daemon's dashboard: static files served from beside the compiled routes
for (const flavour of ["esm", "cjs"])
  cpSync(join(ROOT, "src/daemon/dashboard"), join(DIST, flavour, "src/daemon/dashboard"), { recursive: true });
rmSync(STAGE, { recursive: true, force: true });
console.log(`dist/esm and dist/cjs: ${emitted.length} modules from ${ENTRY_POINTS.join(", ")}`);

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}
