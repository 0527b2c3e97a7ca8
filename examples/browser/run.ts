/**
 * Browser signing: bundles page.ts (which imports @swap-settlement/core/browser) with esbuild for the
 * browser, runs it in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core), and
 * verifies the signature it made in Node. `npm run examples`.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
/// <reference lib="dom" />
import { Wallet } from "ethers";
import { verifyCheque } from "@swap-settlement/core/browser";

const page = fileURLToPath(new URL("page.ts", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));
const bundle = await build({
  entryPoints: [page],
  bundle: true,
  platform: "browser",
  format: "esm",
  write: false,
  // resolve the package name to this repository's sources (a user's bundler resolves the installed package)
  alias: { "@swap-settlement/core/browser": `${root}src/browser.ts` },
  logLevel: "error",
});
console.log(`bundle: ${(bundle.outputFiles[0].contents.length / 1024).toFixed(0)} KiB, no Node built-ins`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const tab = await browser.newPage();
  await tab.setContent("<!doctype html><body></body>");
  await tab.addScriptTag({ content: bundle.outputFiles[0].text, type: "module" });
  await tab.waitForFunction(() => document.body.dataset.result !== undefined);
  const { signature, backend } = JSON.parse((await tab.evaluate(() => document.body.dataset.result))!);
  const issuer = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d").address;
  const cheque = {
    chequebook: "0x1111111111111111111111111111111111111111",
    beneficiary: "0x2222222222222222222222222222222222222222",
    cumulativePayout: 12345n,
  };
  const ok = verifyCheque(cheque, 100n, signature, issuer);
  console.log(`signed in Chromium (${backend}): ${signature}\nverified in Node: ${ok}`);
  if (!ok) process.exitCode = 1;
} finally {
  await browser.close();
}
