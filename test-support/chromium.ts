/**
 * Headless Chromium for the browser tests: Debian's `chromium` package (`.ci/run` installs it when it
 * is missing; nothing downloads a browser), or the binary named by `CHROMIUM_PATH` elsewhere (e.g.
 * a macOS contributor's Chrome).
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launch it, or fail saying how to get it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${CHROMIUM_PATH} missing: apt-get install -y chromium (.ci/run does it), or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
}
