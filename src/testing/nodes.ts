/**
 * Two SWAP nodes connected in memory (mock mode: real cheques and policy, no chain), for testing
 * a service on top of the node without a network or a blockchain.
 */
import { MemoryStore } from "../store/memory.js";
import { SwapNode, type ServiceHandler } from "../swap/node.js";
import type { PeerSession } from "../swap/session.js";
import { memoryPair } from "../swap/transport.js";
import type { PolicyConfig } from "../accounting/policy.js";
import type { Funds } from "../swap/issuer.js";
import { LocalSigner } from "../crypto/signer.js";
import { bytesToHex, type Hex } from "../crypto/index.js";

export interface NodePairOptions {
  chainId?: bigint;
  /** Policy of both nodes (mode "mock"); default payment threshold 100 base units, price 1. */
  policy?: Partial<PolicyConfig>;
  /** The services the server offers. Default: "echo" returns the payload. */
  handlers?: Record<string, ServiceHandler>;
  /** Each node's chequebook balance (mock funds). Default 10^6. */
  funds?: bigint;
}

export interface TestNode {
  node: SwapNode;
  /** Issuer key, beneficiary and (fictitious) chequebook address. */
  key: Hex;
  address: Hex;
  chequebook: Hex;
  funds: Funds;
}

export interface NodePair {
  client: TestNode;
  server: TestNode;
  /** The client's session to the server (send requests here) and the server's to the client. */
  toServer: PeerSession;
  toClient: PeerSession;
  /** Close both sessions and nodes. */
  close(): Promise<void>;
}

function randomKey(): Hex {
  return bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

function testNode(
  chainId: bigint,
  policy: Partial<PolicyConfig>,
  handlers: Record<string, ServiceHandler>,
  balance: bigint,
): TestNode {
  const key = randomKey();
  const address = new LocalSigner(key).address;
  const chequebook = new LocalSigner(randomKey()).address;
  const funds: Funds = { balance, totalPaidOut: 0n };
  const node = new SwapNode({
    store: new MemoryStore(),
    policy: { mode: "mock", paymentThreshold: 100n, ...policy },
    chainId,
    beneficiary: address,
    chequebook,
    signer: key,
    issuer: address,
    mockFunds: () => funds,
    handlers,
    flushIntervalMs: 0,
  });
  return { node, key, address, chequebook, funds };
}

/** Two nodes in mock mode, connected over an in-memory duplex and past the handshake. */
export async function connectedNodePair(options: NodePairOptions = {}): Promise<NodePair> {
  const chainId = options.chainId ?? 31337n;
  const policy = options.policy ?? {};
  const funds = options.funds ?? 1_000_000n;
  const client = testNode(chainId, policy, {}, funds);
  const server = testNode(chainId, policy, options.handlers ?? { echo: (payload) => Uint8Array.from(payload) }, funds);
  const [a, b] = memoryPair();
  const [toServer, toClient] = await Promise.all([client.node.connect(a, "server"), server.node.connect(b, "client")]);
  return {
    client,
    server,
    toServer,
    toClient,
    async close() {
      client.node.close();
      server.node.close();
    },
  };
}
