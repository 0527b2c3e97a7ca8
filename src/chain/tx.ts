import type { ContractTransactionResponse, TransactionReceipt } from "ethers";
import { call, TransactionRevertedError } from "./errors.js";

/** What every state-changing client method returns. */
export interface TxResult {
  hash: string;
  blockNumber: number;
  gasUsed: bigint;
  receipt: TransactionReceipt;
}

/** Send a contract transaction and wait for `confirmations`; reverts and provider errors become typed. */
export async function send(submit: () => Promise<ContractTransactionResponse>, confirmations = 1): Promise<TxResult> {
  return call(async () => {
    const tx = await submit();
    const receipt = await tx.wait(confirmations);
    if (!receipt || receipt.status !== 1) throw new TransactionRevertedError(tx.hash);
    return { hash: tx.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, receipt };
  });
}

/**
 * Simulate a call before sending it (eth_estimateGas with the same arguments): a call that would
 * revert throws its decoded typed error and nothing is mined. Needed before every call sent with a
 * fixed gas limit (Bee's limits), where the provider does not estimate by itself. Returns the gas.
 */
export function simulate(estimate: () => Promise<bigint>): Promise<bigint> {
  return call(estimate);
}

/** The timestamp of the latest block (deadlines are compared with chain time, not the local clock). */
export async function chainTime(provider: {
  getBlock(tag: "latest"): Promise<{ timestamp: number } | null>;
}): Promise<bigint> {
  return call(async () => BigInt((await provider.getBlock("latest"))?.timestamp ?? 0));
}

/** The chain id of `provider`. */
export async function chainIdOf(provider: { getNetwork(): Promise<{ chainId: bigint }> }): Promise<bigint> {
  return call(async () => (await provider.getNetwork()).chainId);
}
