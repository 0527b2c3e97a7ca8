import { expect } from "chai";
import { network } from "hardhat";
import { measureChequebookGas } from "../../bench/gas-scenarios.js";
import { checkGasSnapshot, diffGasSnapshot } from "./snapshot.js";

describe("gas snapshot: chequebook, router and 7702 executor (gas-snapshots/chequebook.json)", () => {
  it("the rule: > 1% above the snapshot fails, exactly 1% passes, new and vanished names fail", () => {
    const d = diffGasSnapshot(
      { a: 10_000n, b: 10_000n, c: 10_000n, gone: 1n },
      { a: 10_100n, b: 10_101n, c: 9_000n, fresh: 5n },
    );
    expect(d.risen.map((x) => x.name)).to.deep.equal(["b"]);
    expect(d.dropped.map((x) => x.name)).to.deep.equal(["c"]);
    expect(d.added).to.deep.equal(["fresh"]);
    expect(d.removed).to.deep.equal(["gone"]);
  });

  it("no named scenario costs more than 1% over its committed figure", async () => {
    const { ethers } = await network.create();
    const figures = await measureChequebookGas(ethers);
    checkGasSnapshot("chequebook", Object.fromEntries(figures.map((f) => [f.name, f.gas])));
  });
});
