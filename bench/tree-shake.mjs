// What a bundler keeps of the published package when a consumer imports one thing: esbuild bundles
// the built dist/esm (run `npm run build` first) the way an application would, honouring package.json's
// `sideEffects`, minified, dependencies left external (node) or bundled (browser). Prints a Markdown table.
//   npm run build && npm run bench:treeshake
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const DIST = fileURLToPath(new URL("../dist/esm/src/", import.meta.url));
if (!existsSync(DIST)) throw new Error("no dist/esm: run `npm run build` first");

const CASES = [
  ["`{ hashCheque }` from `/browser`", `export { hashCheque } from "./browser.js";`, "browser"],
  ["all of `/browser`", `export * from "./browser.js";`, "browser"],
  ["`{ hashCheque }` from the root", `export { hashCheque } from "./index.js";`, "node"],
  ["`{ ChequeNotIncreasingError }` from `/node`", `export { ChequeNotIncreasingError } from "./node.js";`, "node"],
  ["`{ SqliteStore }` from `/node`", `export { SqliteStore } from "./node.js";`, "node"],
  ["`{ TokenClient }` from `/node`", `export { TokenClient } from "./node.js";`, "node"],
  ["all of `/node`", `export * from "./node.js";`, "node"],
];

console.log("| import | platform | minified bytes | revert classes + error ABI | engine check |");
console.log("| --- | --- | ---: | --- | --- |");
for (const [label, contents, platform] of CASES) {
  const result = await build({
    stdin: { contents, resolveDir: DIST, loader: "js" },
    bundle: true,
    platform,
    format: "esm",
    write: false,
    minify: true,
    logLevel: "silent",
    ...(platform === "node" ? { packages: "external" } : {}),
  });
  const text = result.outputFiles[0].text;
  // a class name of the table and an error only the decoder's ABI holds (not the exported contract ABIs)
  const table = text.includes("SubmissionClosedError") || text.includes("ERC20InvalidSpender") ? "in" : "out";
  const engine = text.includes("required: this is Node") ? "in" : "out";
  console.log(`| ${label} | ${platform} | ${text.length.toLocaleString("en")} | ${table} | ${engine} |`);
}
