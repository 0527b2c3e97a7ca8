// npm run bench:gas — gas per named chequebook scenario on the in-process Hardhat chain, written
// into BENCHMARKS.md. Reference: Swarm's ERC20SimpleSwap (solc 0.7.6, 200 runs), same kind of chain.
import { network } from "hardhat";
import { Wallet, id } from "ethers";
import { TestToken__factory } from "../typechain-types/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../src/chain/chequebook.js";
import { signCashout, signCheque, type SignedCheque } from "../src/cheque/index.js";
import { fmt, machine, table, writeSection } from "./report.js";

const { ethers } = await network.create();
const [deployer, issuerSigner, relayer] = await ethers.getSigners();
const { chainId } = await ethers.provider.getNetwork();
const issuerKey = Wallet.createRandom();
const token = await new TestToken__factory(deployer).deploy();
const factory = await ChequebookFactoryClient.deploy(deployer, await token.getAddress());

// The floor of a scenario: what any implementation must pay, from EIP-2929/2200/3529 prices.
const F = {
  tx: 21_000, delegate: 2_600 /* clone → implementation, cold */, ecrecover: 3_000, newSlot: 22_100, dirtySlot: 5_000,
  warmRead: 2_100, tokenAccount: 2_600, transferEvent: 1_756, cashedEvent: 2_643, withdrawEvent: 1_006,
};
const rows: { scenario: string; gas: bigint; swarm?: number; floor?: number; parts?: string }[] = [];
async function calldataGas(hash: string): Promise<number> {
  const tx = await ethers.provider.getTransaction(hash);
  const b = Buffer.from(tx!.data.slice(2), "hex");
  return b.reduce((g, x) => g + (x === 0 ? 4 : 16), 0);
}
async function record(scenario: string, res: { gasUsed: bigint; hash: string }, swarm?: number, parts?: [string, number][]) {
  if (!parts) return void rows.push({ scenario, gas: res.gasUsed, swarm });
  const all: [string, number][] = [["tx", F.tx], ["calldata", await calldataGas(res.hash)], ...parts];
  rows.push({ scenario, gas: res.gasUsed, swarm, floor: all.reduce((s, [, g]) => s + g, 0), parts: all.map(([n, g]) => `${n} ${fmt(g)}`).join(" + ") });
}
const cashParts = (paidOutNew: boolean, recipientNew: boolean): [string, number][] => [
  ["delegatecall", F.delegate], ["ecrecover", F.ecrecover], ["paidOut", paidOutNew ? F.newSlot : F.dirtySlot], ["totals", F.dirtySlot],
  ["token account", F.tokenAccount], ["chequebook balance", F.dirtySlot], ["recipient balance", recipientNew ? F.newSlot : F.dirtySlot],
  ["Transfer", F.transferEvent], ["ChequeCashed", F.cashedEvent],
];

const deployed = await factory.deployChequebook({ issuer: issuerKey.address, defaultHardDepositTimeout: 86400, salt: id("bench") });
await record("deploy a chequebook through the factory", deployed, 161_829, [["CREATE2", 32_000], ["code deposit 109 B", 21_800], ["registry slot", F.newSlot], ["event", 1_024]]);
const book = new ChequebookClient(deployed.address, deployer);
await token.mint(book.address, 10n ** 24n);

async function cheque(beneficiary: string, amount: bigint): Promise<SignedCheque> {
  const c = { chequebook: book.address, beneficiary, cumulativePayout: amount };
  return { ...c, signature: await signCheque(c, chainId, issuerKey.privateKey as `0x${string}`) };
}
async function fresh() {
  const w = Wallet.createRandom().connect(ethers.provider);
  await deployer.sendTransaction({ to: w.address, value: 10n ** 18n });
  return w;
}

// the very first cash-out of the chequebook: totals slot written from zero
const b0 = await fresh();
await record("first cash-out of a fresh chequebook (beneficiary holds no tokens)", await book.connect(b0).cashChequeBeneficiary(await cheque(b0.address, 10n ** 18n)));

const b1 = await fresh();
const first = await book.connect(b1).cashChequeBeneficiary(await cheque(b1.address, 10n ** 18n));
await record("first cash-out to a new beneficiary who holds no tokens", first, 125_078, cashParts(true, true));
const later = await book.connect(b1).cashChequeBeneficiary(await cheque(b1.address, 2n * 10n ** 18n));
await record("later cash-out by the same beneficiary", later, 73_790, cashParts(false, false));

const b2 = await fresh();
const recipient2 = Wallet.createRandom().address;
const c2 = await cheque(b2.address, 10n ** 18n);
const cashoutSig = await signCashout(
  { chequebook: book.address, sender: relayer.address, requestPayout: c2.cumulativePayout, recipient: recipient2, callerPayout: 10n ** 16n },
  chainId, b2.privateKey as `0x${string}`,
);
const relayed = await book.connect(relayer).cashCheque({ cheque: c2, recipient: recipient2, callerPayout: 10n ** 16n, beneficiarySignature: cashoutSig });
await record("third-party cash-out (first for the beneficiary; recipient and caller hold no tokens)", relayed, 142_016, [...cashParts(true, true), ["2nd ecrecover", F.ecrecover], ["caller balance", F.newSlot], ["2nd Transfer", F.transferEvent]]);

const issuerWallet = new Wallet(issuerKey.privateKey, ethers.provider);
await deployer.sendTransaction({ to: issuerWallet.address, value: 10n ** 18n });
const asIssuer = book.connect(issuerWallet);
await record("withdraw (issuer holds no tokens yet)", await asIssuer.withdraw(10n ** 18n));
await record("withdraw (issuer already holds tokens)", await asIssuer.withdraw(10n ** 18n), 50_282, [["delegatecall", F.delegate], ["totals read", F.warmRead], ["token account", F.tokenAccount], ["chequebook balance", F.dirtySlot], ["issuer balance", F.dirtySlot], ["Transfer", F.transferEvent], ["Withdraw", F.withdrawEvent]]);

const hb = Wallet.createRandom().address;
await record("hard deposit: increase (new beneficiary)", await asIssuer.increaseHardDeposit(hb, 10n ** 18n));
await record("hard deposit: prepare decrease", await asIssuer.prepareDecreaseHardDeposit(hb, 10n ** 17n));
await ethers.provider.send("evm_increaseTime", [86400]);
await record("hard deposit: decrease", await asIssuer.decreaseHardDeposit(hb));

// bounce: a chequebook with less than the cheque
const small = await factory.deployChequebook({ issuer: issuerKey.address, defaultHardDepositTimeout: 86400, salt: id("small") });
const smallBook = new ChequebookClient(small.address, deployer);
await token.mint(small.address, 10n ** 17n);
const b3 = await fresh();
const cs = { chequebook: small.address, beneficiary: b3.address, cumulativePayout: 10n ** 18n };
const bounced = await smallBook.connect(b3).cashChequeBeneficiary({ ...cs, signature: await signCheque(cs, chainId, issuerKey.privateKey as `0x${string}`) });
if (!bounced.bounced) throw new Error("expected a bounce");
await record("bounced cash-out (first for the beneficiary, pays what is there)", bounced);

const head = ["scenario", "gas", "Swarm 0.6.9", "of Swarm", "target (75%)", "floor", "over floor"];
const out = rows.map((r) => [
  r.scenario,
  fmt(r.gas),
  r.swarm ? fmt(r.swarm) : "–",
  r.swarm ? `${((Number(r.gas) / r.swarm) * 100).toFixed(1)}%` : "–",
  r.swarm ? `${fmt(Math.floor(r.swarm * 0.75))} ${Number(r.gas) <= r.swarm * 0.75 ? "met" : "missed"}` : "–",
  r.floor ? fmt(r.floor) : "–",
  r.floor ? `+${fmt(Number(r.gas) - r.floor)}` : "–",
]);
const floors = rows.filter((r) => r.parts).map((r) => `- ${r.scenario}: ${r.parts} = **${fmt(r.floor!)}**`).join("\n");
console.log(table(head, out));
writeSection(
  "gas",
  `## Chequebook gas per scenario\n\nCommand: \`npm run bench:gas\` (in-process Hardhat network, EDR, hardfork osaka; solc 0.8.37 viaIR, 10,000 runs). Machine: ${machine()}.\n\n` +
    table(head, out) +
    `\n\nFloors — what any chequebook must pay in that scenario at EIP-2929 prices (cold account 2,600, new slot 22,100, dirty slot 5,000, LOG costs), with the calldata of the actual transaction:\n\n${floors}`,
);
