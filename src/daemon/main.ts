/** Process entry of `swap-node` (bin/swap-node.js runs the built copy; `npm run swap-node` this one). */
import { main } from "./cli.js";

main(process.argv.slice(2)).then((code) => process.exit(code));
