/**
 * secp256k1 backends, single thread: signs/s and recoveries/s (recover → checksummed address, as the
 * cheque receiver does), native libsecp256k1 (optional dependency `secp256k1`) vs @noble/curves.
 * `npm run bench:crypto`
 */
import { cpus } from "node:os";
import {
  hexToBytes,
  signDigest,
  tryRecoverDigest,
  useSecp256k1Backend,
  type Secp256k1BackendName,
} from "../src/crypto/index.js";
import { keccak256 } from "../src/crypto/index.js";
import { createRequire } from "node:module";

const KEY = hexToBytes("0x" + "42".repeat(32));
const N = 256;
const digests = Array.from({ length: N }, (_, i) => keccak256(new Uint8Array([i, i >> 8])));

function rate(run: () => void, ops: number, ms = 2000): number {
  run(); // warm-up
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    run();
    done += ops;
  }
  return Math.round(done / ((performance.now() - start) / 1000));
}

const rows: string[] = [];
for (const name of ["native", "noble"] as Secp256k1BackendName[]) {
  useSecp256k1Backend(name);
  const sigs = digests.map((d) => signDigest(d, KEY));
  const signs = rate(() => digests.forEach((d) => signDigest(d, KEY)), N);
  const recoveries = rate(() => digests.forEach((d, i) => tryRecoverDigest(d, sigs[i])), N);
  rows.push(
    `| ${name === "native" ? "native libsecp256k1 (`secp256k1` 5.0.2)" : "@noble/curves 2.4.0"} | ${signs.toLocaleString("en")} | ${recoveries.toLocaleString("en")} |`,
  );
}
// what `secp256k1` silently falls back to where its native build is missing (elliptic, pure JS)
const elliptic = createRequire(import.meta.url)("secp256k1/elliptic") as {
  ecdsaSign(d: Uint8Array, k: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaRecover(s: Uint8Array, r: number, d: Uint8Array, c: boolean): Uint8Array;
};
{
  const sigs = digests.map((d) => elliptic.ecdsaSign(d, KEY));
  const signs = rate(() => digests.forEach((d) => elliptic.ecdsaSign(d, KEY)), N);
  const recoveries = rate(
    () =>
      digests.forEach((d, i) =>
        keccak256(elliptic.ecdsaRecover(sigs[i].signature, sigs[i].recid, d, false).subarray(1)),
      ),
    N,
  );
  rows.push(
    `| \`secp256k1\`'s own fallback (elliptic, pure JS; not used by this library) | ${signs.toLocaleString("en")} | ${recoveries.toLocaleString("en")} |`,
  );
}
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"})\n`);
console.log("| backend | signs/s | recoveries/s (→ address) |\n|---|---:|---:|");
console.log(rows.join("\n"));
