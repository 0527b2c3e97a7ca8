/**
 * Every custom error the project's contracts declare has its TypeScript class: revert data of each
 * error in the production ABIs decodes to `<Name>Error` with the arguments by name. Errors that
 * come from OpenZeppelin's libraries (not declared under contracts/swap or contracts/plans) decode
 * to the generic ContractRevertError with their Solidity name.
 */
import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Interface, ZeroAddress, ZeroHash, type ErrorFragment } from "ethers";
import { chequebookAbi, chequebookFactoryAbi, servicePlansAbi } from "../../src/abi/index.js";
import { ContractRevertError, toSettlementError } from "../../src/chain/errors.js";
import "../../src/chain/chequebook.js";
import "../../src/chain/plans.js";
import * as root from "../../src/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PRODUCTION = {
  Chequebook: chequebookAbi,
  ChequebookFactory: chequebookFactoryAbi,
  ServicePlans: servicePlansAbi,
};

function solidityFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? solidityFiles(join(dir, e.name)) : e.name.endsWith(".sol") ? [join(dir, e.name)] : [],
  );
}
const declared = new Set(
  [...solidityFiles(join(ROOT, "contracts/swap")), ...solidityFiles(join(ROOT, "contracts/plans"))].flatMap((f) =>
    [...readFileSync(f, "utf8").matchAll(/\berror\s+(\w+)\s*\(/g)].map((m) => m[1]),
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
    for (const name of ["ChequeNotIncreasing", "NotIssuer", "ZeroIssuer", "UnknownPlan", "SharesOverflow"])
      expect(declared.has(name), name).to.equal(true);
  });

  for (const [contract, abi] of Object.entries(PRODUCTION)) {
    it(`${contract}: every declared error decodes to its own class with its arguments`, () => {
      const iface = new Interface(abi as never);
      const missing: string[] = [];
      let checked = 0;
      for (const entry of abi.filter((x) => x.type === "error")) {
        const fragment = iface.getError(entry.name)!;
        const args = sampleArgs(fragment);
        const e = toSettlementError({ data: iface.encodeErrorResult(fragment, args) });
        expect(e).to.be.instanceOf(ContractRevertError);
        const revert = e as ContractRevertError;
        expect(revert.errorName).to.equal(entry.name);
        if (!declared.has(entry.name)) continue; // OpenZeppelin's: generic class, by name
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
