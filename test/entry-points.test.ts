/**
 * The entry points' contents: /browser reaches no Node built-in and no dependency but @noble, and
 * tree-shakes (sideEffects); the root export holds what users need and no internals.
 */
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import * as root from "../src/index.js";
import * as browser from "../src/browser.js";
import * as nodeEntry from "../src/node.js";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

async function bundle(contents: string) {
  return build({
    stdin: { contents, resolveDir: SRC, loader: "ts" },
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    minify: true,
    logLevel: "silent",
  });
}

describe("entry points", function () {
  this.timeout(60_000);

  it("/browser bundles for the browser from src/ and @noble alone", async () => {
    const result = await bundle(`export * from "./browser.js";`);
    const inputs = Object.keys(result.metafile.inputs);
    const outside = inputs.filter(
      (f) => !f.startsWith("src/") && !f.includes("node_modules/@noble/") && !f.startsWith("<stdin>"),
    );
    expect(outside).to.deep.equal([]);
    expect(
      inputs.some((f) => f.startsWith("src/") && /src\/(swap|store|chain|settlement|accounting)\//.test(f)),
    ).to.equal(false);
  });

  it("tree-shakes: hashCheque alone leaves the ABIs, receipts and plans out", async () => {
    const all = await bundle(`export * from "./browser.js";`);
    const one = await bundle(`export { hashCheque } from "./browser.js";`);
    const size = (r: typeof all) => r.outputFiles[0].contents.length;
    expect(all.outputFiles[0].text).to.contain("RelayedChequeWouldBounce");
    expect(one.outputFiles[0].text).not.to.contain("RelayedChequeWouldBounce"); // an ABI error name
    expect(one.outputFiles[0].text).not.to.contain("ShareReceipt(");
    expect(size(one)).to.be.lessThan(size(all) / 2);
  });

  it("the root export is /browser plus /node, without internals", () => {
    expect(Object.keys(root).sort()).to.deep.equal(
      [...new Set([...Object.keys(browser), ...Object.keys(nodeEntry)])].sort(),
    );
    for (const internal of [
      "Ledger",
      "Reservation",
      "Accounting",
      "ChequeIssuer",
      "ChequeReceiver",
      "encodeMessage",
      "FrameDecoder",
      "withRetry",
      "Chequebook__factory",
      "registerRevertClass",
      "registerErrorAbi",
      "call",
      "registerRevertClass",
      "toSettlementError",
    ]) {
      expect(root, internal).not.to.have.property(internal);
    }
    for (const needed of [
      "signCheque",
      "verifyCheque",
      "hashShareReceipt",
      "computePayouts",
      "chequebookAbi",
      "SwapNode",
      "SqliteStore",
      "ChequebookClient",
      "CashoutService",
      "SettlementError",
      "UnsupportedNodeError",
    ]) {
      expect(root, needed).to.have.property(needed);
    }
  });
});
