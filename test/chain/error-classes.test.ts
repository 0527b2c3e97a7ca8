/**
 * Every custom error of the production ABIs has its TypeScript class: revert data of each error decodes
 * to `<Name>Error` with the arguments by name, whether the project declares it (contracts/swap,
 * contracts/plans) or inherits it from OpenZeppelin, and users can import the class from the package.
 * Only the decoder is imported: no client module has to be loaded for its contract's errors to decode.
 */
import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Interface, ZeroAddress, ZeroHash, type ErrorFragment } from "ethers";
import { chequebookAbi, chequebookFactoryAbi, servicePlansAbi } from "../../src/abi/index.js";
import { ContractRevertError, toSettlementError } from "../../src/chain/errors.js";
import * as root from "../../src/index.js";
import { contractErrorsAbi } from "../../src/abi/generated.js";
import { BatchCashoutExecutor__factory, CashoutRouter__factory } from "../../typechain-types/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
type AbiEntry = { readonly type: string; readonly name?: string };
const PRODUCTION: Record<string, readonly AbiEntry[]> = {
  Chequebook: chequebookAbi,
  ChequebookFactory: chequebookFactoryAbi,
  ServicePlans: servicePlansAbi,
  CashoutRouter: CashoutRouter__factory.abi,
  BatchCashoutExecutor: BatchCashoutExecutor__factory.abi,
  // the token errors a token call inside our contracts bubbles up
  IERC20Errors: openZeppelinAbi("IERC20Errors"),
  SafeERC20: openZeppelinAbi("SafeERC20"),
};

function openZeppelinAbi(contract: string): readonly AbiEntry[] {
  const path = join(ROOT, `node_modules/@openzeppelin/contracts/build/contracts/${contract}.json`);
  return (JSON.parse(readFileSync(path, "utf8")) as { abi: AbiEntry[] }).abi;
}

function solidityFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? solidityFiles(join(dir, e.name)) : e.name.endsWith(".sol") ? [join(dir, e.name)] : [],
  );
}
const declared = new Set(
  [...solidityFiles(join(ROOT, "contracts/swap")), ...solidityFiles(join(ROOT, "contracts/plans"))].flatMap((f) =>
    [...readFileSync(f, "utf8").matchAll(/^\s*error\s+(\w+)\s*\(/gm)].map((m) => m[1]),
  ),
);

function sampleArgs(fragment: ErrorFragment): unknown[] {
  return fragment.inputs.map((p, i) =>
    p.type === "address"
      ? ZeroAddress
      : p.type === "bytes32"
        ? ZeroHash
        : p.type === "bool"
          ? true
          : p.type === "string"
            ? "x"
            : p.type === "bytes"
              ? "0x01"
              : BigInt(i + 7),
  );
}

describe("chain: one TypeScript error class per custom error of the production contracts", () => {
  it("finds the project's declared errors (sanity)", () => {
    expect(declared.size).to.be.greaterThan(40);
    for (const name of ["ChequeNotIncreasing", "NotIssuer", "ZeroIssuer", "UnknownPlan", "SharesOverflow"])
      expect(declared.has(name), name).to.equal(true);
  });

  it("the decoder's error ABI holds every error declared under contracts/swap and contracts/plans", () => {
    const decodable = new Set<string>(contractErrorsAbi.map((e) => e.name));
    expect([...declared].filter((name) => !decodable.has(name))).to.deep.equal([]);
  });

  for (const [contract, abi] of Object.entries(PRODUCTION)) {
    it(`${contract}: every error decodes to its own class with its arguments`, () => {
      const iface = new Interface(abi as never);
      const missing: string[] = [];
      let checked = 0;
      for (const { name } of abi.filter((x) => x.type === "error")) {
        const entry = { name: name! };
        const fragment = iface.getError(entry.name)!;
        const args = sampleArgs(fragment);
        const e = toSettlementError({ data: iface.encodeErrorResult(fragment, args) });
        expect(e).to.be.instanceOf(ContractRevertError);
        const revert = e as ContractRevertError;
        expect(revert.errorName).to.equal(entry.name);
        checked++;
        if (revert.constructor === ContractRevertError || revert.name !== `${entry.name}Error`) {
          missing.push(entry.name);
          continue;
        }
        fragment.inputs.forEach((p, i) => expect(revert.args[p.name], `${entry.name}.${p.name}`).to.equal(args[i]));
        // and users can import it (instanceof checks) from the package
        expect((root as Record<string, unknown>)[`${entry.name}Error`], `${entry.name}Error exported`).to.equal(
          revert.constructor,
        );
      }
      expect(missing, `errors of ${contract} without a TypeScript class`).to.deep.equal([]);
      expect(checked).to.be.greaterThan(0);
    });
  }
});
