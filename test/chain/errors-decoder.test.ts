/**
 * The revert decoder at its edges: names that are not contract errors (including Object.prototype's),
 * revert data it cannot decode, Solidity's built-in Error(string) and Panic(uint256), and the places
 * providers nest revert data.
 */
import { expect } from "chai";
import { AbiCoder, Interface, concat, id, makeError } from "ethers";
import {
  ChequeNotIncreasingError,
  ContractRevertError,
  ProviderError,
  TransactionRevertedError,
  revertClassFor,
  toSettlementError,
} from "../../src/chain/errors.js";
import { contractErrorsAbi } from "../../src/abi/generated.js";

const iface = new Interface(contractErrorsAbi);
const notIncreasing = iface.encodeErrorResult("ChequeNotIncreasing", [5n, 9n]);

describe("chain errors: the revert decoder", () => {
  it("revertClassFor knows every error of the ABI and nothing else, not even Object.prototype's names", () => {
    for (const e of contractErrorsAbi) expect(revertClassFor(e.name), e.name).to.be.a("function");
    expect(revertClassFor("ChequeNotIncreasing")).to.equal(ChequeNotIncreasingError);
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "", "ChequeNotIncreasingError"])
      expect(revertClassFor(name), name).to.equal(undefined);
  });

  it("decodes a custom error with its arguments, wherever the provider nests the data", () => {
    for (const thrown of [
      { data: notIncreasing },
      { error: { data: notIncreasing } },
      { info: { error: { data: notIncreasing } } },
      { data: { data: notIncreasing, reason: null } },
      new Error("wrapped", { cause: { data: notIncreasing } }),
    ]) {
      const e = toSettlementError(thrown);
      expect(e).to.be.instanceOf(ChequeNotIncreasingError);
      expect((e as ChequeNotIncreasingError).args).to.deep.include({ cumulativePayout: 5n, alreadyPaidOut: 9n });
      expect(e.cause).to.equal(thrown);
    }
  });

  it("an unknown selector and truncated arguments give the generic class with the raw data", () => {
    const unknown = concat([id("NotOurs(uint256)").slice(0, 10), AbiCoder.defaultAbiCoder().encode(["uint256"], [1n])]);
    const truncated = notIncreasing.slice(0, 10 + 64); // selector and one of two words
    for (const data of [unknown, truncated]) {
      const e = toSettlementError({ data });
      expect(e.constructor).to.equal(ContractRevertError);
      expect(e).to.deep.include({ errorName: "unknown", args: { data } });
    }
  });

  it("Solidity's Error(string) and Panic(uint256) decode generically by name", () => {
    const reason = concat(["0x08c379a0", AbiCoder.defaultAbiCoder().encode(["string"], ["nope"])]);
    const panic = concat(["0x4e487b71", AbiCoder.defaultAbiCoder().encode(["uint256"], [0x11n])]);
    const r = toSettlementError({ data: reason }) as ContractRevertError;
    expect(r.constructor).to.equal(ContractRevertError);
    expect(r.errorName).to.equal("Error");
    expect(Object.values(r.args)).to.deep.equal(["nope"]);
    const p = toSettlementError({ data: panic }) as ContractRevertError;
    expect(p.errorName).to.equal("Panic");
    expect(Object.values(p.args)).to.deep.equal([0x11n]);
  });

  it("without revert data: a mined revert is TransactionRevertedError, anything else a ProviderError", () => {
    const mined = makeError("reverted", "CALL_EXCEPTION", {
      action: "sendTransaction",
      data: null,
      reason: null,
      transaction: { to: null, data: "0x" },
      invocation: null,
      revert: null,
      receipt: { hash: "0x" + "11".repeat(32) } as never,
    });
    expect(toSettlementError(mined)).to.be.instanceOf(TransactionRevertedError);
    expect((toSettlementError(mined) as TransactionRevertedError).txHash).to.equal("0x" + "11".repeat(32));
    const down = toSettlementError(makeError("down", "NETWORK_ERROR", { event: "x" }));
    expect(down).to.be.instanceOf(ProviderError);
    expect(down).to.deep.include({ code: "NETWORK_ERROR", retryable: true });
    expect(toSettlementError("a string")).to.deep.include({ code: "UNKNOWN_ERROR" });
    // short data (no full selector) is not revert data
    expect(toSettlementError({ data: "0x1234", code: "SERVER_ERROR" })).to.be.instanceOf(ProviderError);
  });
});
