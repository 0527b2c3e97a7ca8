/**
 * The TypeScript examples of README.md and docs/ compile against the package's public entry points
 * (mapped to src/), and the example of docs/testing.md is the one test/testing runs.
 */
import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Docs owned by this test's area; docs/swap-protocol.md is checked by its own owner. */
const DOCS = ["README.md", "docs/install.md", "docs/testing.md", "docs/protocol.md", "docs/README.md"];
const ENTRY_POINTS: Record<string, string[]> = {
  "@swap-settlement/core": ["src/index.ts"],
  "@swap-settlement/core/browser": ["src/browser.ts"],
  "@swap-settlement/core/node": ["src/node.ts"],
  "@swap-settlement/core/testing": ["src/testing/index.ts"],
  "@swap-settlement/core/hardhat": ["src/hardhat/index.ts"],
};

function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

describe("docs: README and docs/ examples", function () {
  this.timeout(120_000);

  it("every ```ts block type-checks against the public entry points", () => {
    const dir = join(ROOT, "cache/docs-check");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const doc of DOCS) {
      tsBlocks(readFileSync(join(ROOT, doc), "utf8")).forEach((code, i) => {
        const file = join(dir, `${doc.replace(/[/.]/g, "_")}_${i}.ts`);
        writeFileSync(file, `${code}\nexport {};\n`);
        files.push(file);
      });
    }
    expect(files.length).to.be.greaterThanOrEqual(3);
    // hardhat.config.ts brings the plugins' type extensions (networkHelpers, ethers on connections)
    const program = ts.createProgram([...files, join(ROOT, "hardhat.config.ts")], {
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      target: ts.ScriptTarget.ES2023,
      lib: ["lib.es2023.d.ts"],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      verbatimModuleSyntax: true,
      types: ["node", "mocha"],
      baseUrl: ROOT,
      paths: ENTRY_POINTS,
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.includes(d.file.fileName))
      .map((d) => `${d.file!.fileName.slice(dir.length + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    expect(problems).to.deep.equal([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("docs/testing.md shows the example test/testing/testing.test.ts runs", () => {
    const [doc] = tsBlocks(readFileSync(join(ROOT, "docs/testing.md"), "utf8"));
    const test = readFileSync(join(ROOT, "test/testing/testing.test.ts"), "utf8");
    const body = test.slice(
      test.indexOf("// --- docs/testing.md example: begin\n") + 38,
      test.indexOf("// --- docs/testing.md example: end"),
    );
    const withoutImports = (s: string) =>
      s
        .split("\n")
        .filter((l) => !l.startsWith("import "))
        .join("\n")
        .trim();
    expect(withoutImports(doc)).to.equal(withoutImports(body));
  });

  it("no link leaves the repository except to a web address, and every relative link resolves", () => {
    for (const doc of DOCS) {
      const text = readFileSync(join(ROOT, doc), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)]+)\)/g)) {
        if (/^https?:/.test(target)) continue;
        const path = join(ROOT, doc, "..", target.split("#")[0]);
        expect(path.startsWith(ROOT), `${doc} links outside the repository: ${target}`).to.equal(true);
        if (target.endsWith("swap-protocol.md")) continue; // written by the SWAP protocol's owner
        expect(existsSync(path), `${doc}: ${target}`).to.equal(true);
      }
    }
    expect(readdirSync(join(ROOT, "docs"))).to.include("protocol.md");
  });
});
