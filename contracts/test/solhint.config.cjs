// solhint configuration for the Solidity tests, mocks and invariant handlers under contracts/test/
// (`npm run lint`): the production rules of /.solhint.json, minus those that do not fit test code.
const base = require("../../.solhint.json");

module.exports = {
  ...base,
  rules: {
    ...base.rules,
    // invariant tests print their handlers' success counts (the project's rule: report them)
    "no-console": "off",
    // mocks and test helpers: a require string reads better than a custom error, gas does not matter
    "gas-custom-errors": "off",
    "gas-calldata-parameters": "off",
    "gas-struct-packing": "off",
    // the cheatcode interface is called Vm (forge-std, Hardhat) and its constant vm, by convention
    "interface-starts-with-i": "off",
    "const-name-snakecase": "off",
    // awkward-token and re-entering mocks sit together in one file and re-enter on purpose
    "one-contract-per-file": "off",
    "no-complex-fallback": "off",
    reentrancy: "off",
    // invariant handlers keep many ghost variables
    "max-states-count": "off",
  },
};
