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

const rows: { scenario: string; gas: bigint; swarm?: number; floor?: string }[] = [];
const record = (scenario: string, gas: bigint, swarm?: number, floor?: string) => rows.push({ scenario, gas, swarm, floor });

const deployed = await factory.deployChequebook({ issuer: issuerKey.address, defaultHardDepositTimeout: 86400, salt: id("bench") });
record("deploy a chequebook through the factory", deployed.gasUsed, 161_829, "21,000 tx + 32,000 CREATE2 + 200/byte × 109 B code + 22,100 registry slot");
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
record("first cash-out of a fresh chequebook (beneficiary holds no tokens)", (await book.connect(b0).cashChequeBeneficiary(await cheque(b0.address, 10n ** 18n))).gasUsed);

const b1 = await fresh();
const first = await book.connect(b1).cashChequeBeneficiary(await cheque(b1.address, 10n ** 18n));
record("first cash-out to a new beneficiary who holds no tokens", first.gasUsed, 125_078, "21,000 tx + ~2,000 calldata + 3,000 ecrecover + 22,100 paidOut + 22,100 recipient balance + ~10,000 token transfer/balanceOf");
const later = await book.connect(b1).cashChequeBeneficiary(await cheque(b1.address, 2n * 10n ** 18n));
record("later cash-out by the same beneficiary", later.gasUsed, 73_790, "21,000 tx + ~2,000 calldata + 3,000 ecrecover + 5,000 paidOut + ~15,000 token transfer/balanceOf");

const b2 = await fresh();
const recipient2 = Wallet.createRandom().address;
const c2 = await cheque(b2.address, 10n ** 18n);
const cashoutSig = await signCashout(
  { chequebook: book.address, sender: relayer.address, requestPayout: c2.cumulativePayout, recipient: recipient2, callerPayout: 10n ** 16n },
  chainId, b2.privateKey as `0x${string}`,
);
const relayed = await book.connect(relayer).cashCheque({ cheque: c2, recipient: recipient2, callerPayout: 10n ** 16n, beneficiarySignature: cashoutSig });
record("third-party cash-out (first for the beneficiary; recipient and caller hold no tokens)", relayed.gasUsed, 142_016, "first cash-out + 3,000 second ecrecover + 22,100 caller balance + transfer");

const issuerWallet = new Wallet(issuerKey.privateKey, ethers.provider);
await deployer.sendTransaction({ to: issuerWallet.address, value: 10n ** 18n });
const asIssuer = book.connect(issuerWallet);
record("withdraw (issuer holds no tokens yet)", (await asIssuer.withdraw(10n ** 18n)).gasUsed);
record("withdraw (issuer already holds tokens)", (await asIssuer.withdraw(10n ** 18n)).gasUsed, 50_282, "21,000 tx + ~8,000 token transfer/balanceOf + 2,100 totals slot");

const hb = Wallet.createRandom().address;
record("hard deposit: increase (new beneficiary)", (await asIssuer.increaseHardDeposit(hb, 10n ** 18n)).gasUsed);
record("hard deposit: prepare decrease", (await asIssuer.prepareDecreaseHardDeposit(hb, 10n ** 17n)).gasUsed);
await ethers.provider.send("evm_increaseTime", [86400]);
record("hard deposit: decrease", (await asIssuer.decreaseHardDeposit(hb)).gasUsed);

// bounce: a chequebook with less than the cheque
const small = await factory.deployChequebook({ issuer: issuerKey.address, defaultHardDepositTimeout: 86400, salt: id("small") });
const smallBook = new ChequebookClient(small.address, deployer);
await token.mint(small.address, 10n ** 17n);
const b3 = await fresh();
const cs = { chequebook: small.address, beneficiary: b3.address, cumulativePayout: 10n ** 18n };
const bounced = await smallBook.connect(b3).cashChequeBeneficiary({ ...cs, signature: await signCheque(cs, chainId, issuerKey.privateKey as `0x${string}`) });
if (!bounced.bounced) throw new Error("expected a bounce");
record("bounced cash-out (first for the beneficiary, pays what is there)", bounced.gasUsed);

const out = rows.map((r) => [
  r.scenario,
  fmt(r.gas),
  r.swarm ? fmt(r.swarm) : "–",
  r.swarm ? `${((Number(r.gas) / r.swarm) * 100).toFixed(1)}%` : "–",
  r.swarm ? (Number(r.gas) <= r.swarm * 0.75 ? "yes" : "**no**") : "–",
  r.floor ?? "",
]);
console.log(table(["scenario", "gas", "Swarm", "ratio", "≤ 75%", "floor (what it cannot avoid)"], out));
writeSection(
  "gas",
  `## Chequebook gas per scenario\n\nCommand: \`npm run bench:gas\` (in-process Hardhat network, EDR, hardfork osaka; solc ${"0.8.37"} viaIR, 10,000 runs). Machine: ${machine()}.\n\n` +
    table(["scenario", "gas", "Swarm", "ratio", "≤ 75%", "floor (what it cannot avoid)"], out),
);
