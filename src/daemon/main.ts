/** Process entry of `swap-node` (bin/swap-node.js runs the built copy; `npm run swap-node` this one). */
import { main } from "./cli.js";

// A daemon outlives a stray rejection (logged); an uncaught exception ends the process, which
// loses nothing: every credit and cheque is durable before it is acknowledged.
process.on("unhandledRejection", (e) =>
  process.stderr.write(`unhandled rejection: ${(e as Error)?.message ?? String(e)}\n`),
);
process.on("uncaughtException", (e) => {
  process.stderr.write(`uncaught exception: ${e.message}\n`);
  process.exit(1);
});

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    // main() turns every error into an exit code; this is the last resort, not a silent hang
    process.stderr.write(`swap-node: ${(e as Error)?.message ?? String(e)}\n`);
    process.exit(1);
  },
);
