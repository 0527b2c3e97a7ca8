import { createRequire } from "node:module";
import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";
// the operator tasks come from this package's own Hardhat plugin (`@swap-settlement/core/hardhat`)
import swapSettlementPlugin from "./src/hardhat/index.js";

// Offline compiler: solc-js (wasm) shipped inside the npm package `solc`.
// Hardhat treats a non-binary `path` as a solc-js module (it `import()`s it and
// drives it via cwrap), so no download from binaries.soliditylang.org happens.
const require = createRequire(import.meta.url);
const SOLC_VERSION: string = require("solc/package.json").version; // e.g. "0.8.37"
const SOLC_PATH = require.resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin, swapSettlementPlugin],
  networks: {
    // `npx hardhat node --hostname 127.0.0.1`, then `--network localhost`
    localhost: { type: "http", chainType: "l1", url: `http://127.0.0.1:${process.env.SWAP_LOCALHOST_PORT ?? "8545"}` },
    // any EVM network: `npx hardhat keystore set SWAP_RPC_URL` / `SWAP_DEPLOYER_KEY` (or env vars); no secret in the repo
    custom: {
      type: "http",
      chainType: "l1",
      url: configVariable("SWAP_RPC_URL"),
      accounts: [configVariable("SWAP_DEPLOYER_KEY")],
    },
  },
  solidity: {
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: SOLC_PATH,
        // viaIR + optimizer everywhere: tests and gas benchmarks measure the code that is deployed.
        settings: { evmVersion: "osaka", viaIR: true, optimizer: { enabled: true, runs: 10_000 } },
      },
      production: {
        version: SOLC_VERSION,
        path: SOLC_PATH,
        settings: { evmVersion: "osaka", viaIR: true, optimizer: { enabled: true, runs: 10_000 } },
      },
    },
  },
  test: {
    solidity: {
      // golden vectors shared with the TypeScript tests
      fsPermissions: { readFile: ["test/vectors/eip712.json", "test/vectors/plans.json"] },
      fuzz: { runs: 256 },
      invariant: { runs: 64, depth: 64, failOnRevert: false },
    },
  },
  typechain: {
    outDir: "typechain-types",
  },
});
