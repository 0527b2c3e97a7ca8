import { Wallet, type HDNodeWallet } from "ethers";
import { MemoryStore } from "../src/store/memory.js";
import type { Store } from "../src/store/types.js";
import { SwapNode, type SwapNodeConfig } from "../src/swap/node.js";
import { memoryPair } from "../src/swap/transport.js";
import type { PolicyConfig } from "../src/accounting/policy.js";

export const CHAIN_ID = 31337n;

export interface MockParty {
  key: HDNodeWallet;
  chequebook: string;
  funds: { balance: bigint; totalPaidOut: bigint };
}

export function party(balance = 10_000n): MockParty {
  return {
    key: Wallet.createRandom(),
    chequebook: Wallet.createRandom().address,
    funds: { balance, totalPaidOut: 0n },
  };
}

/** A mock-mode node (cheques and policy, no chain) with an in-memory store unless given one. */
export function mockNode(
  p: MockParty,
  policy: Partial<PolicyConfig> = {},
  extra: Partial<SwapNodeConfig> = {},
): SwapNode {
  return new SwapNode({
    store: extra.store ?? (new MemoryStore() as Store),
    policy: { mode: "mock", paymentThreshold: 100n, ...policy },
    chainId: CHAIN_ID,
    beneficiary: p.key.address,
    chequebook: p.chequebook,
    signer: p.key.privateKey as `0x${string}`,
    issuer: p.key.address,
    mockFunds: () => p.funds,
    handlers: { store: (payload) => Uint8Array.from(payload).reverse() },
    flushIntervalMs: 0,
    ...extra,
  });
}

/** Connect two nodes, known to each other as `clientId` and `serverId`; returns the client's
 * session to the server and the server's session to the client. */
export async function link(client: SwapNode, server: SwapNode, clientId = "client", serverId = "server") {
  const [a, b] = memoryPair();
  const [toServer, toClient] = await Promise.all([client.connect(a, serverId), server.connect(b, clientId)]);
  return { toServer, toClient };
}

/** Let queued microtasks and timers run (messages in flight land). */
export const settle = () => new Promise((r) => setTimeout(r, 5));
