/**
 * Two SWAP nodes over a real TCP connection on loopback: the client's requests are metered, and at
 * the payment threshold it pays the server with a cheque (mock mode: real cheques, no chain).
 * `npm run examples` (or `npx tsx examples/node-pair.ts`).
 */
import { createServer, connect, type Socket } from "node:net";
import { once } from "node:events";
import { Wallet } from "ethers";
import { MemoryStore, SwapNode, socketDuplex, type Hex } from "@swap-settlement/core";

const chainId = 31337n;
function makeNode(name: string): SwapNode {
  const key = Wallet.createRandom();
  return new SwapNode({
    store: new MemoryStore(),
    chainId,
    beneficiary: key.address,
    chequebook: Wallet.createRandom().address, // mock mode: a chequebook that exists only in mockFunds
    signer: key.privateKey as Hex,
    issuer: key.address,
    mockFunds: () => ({ balance: 10n ** 6n, totalPaidOut: 0n }),
    policy: { mode: "mock", paymentThreshold: 100n, prices: { echo: 30n } },
    handlers: { echo: (payload) => Uint8Array.from(payload) },
    flushIntervalMs: 0,
  }).on("cheque-received", (c) =>
    console.log(`${name}: cheque from ${c.peer}, cumulative ${c.cumulativePayout}, credited ${c.credited}`),
  );
}

const server = makeNode("server");
const client = makeNode("client");
const sockets: Socket[] = [];
const listener = createServer((socket) => {
  sockets.push(socket);
  void server.connect(socketDuplex(socket), "client");
});
listener.listen(0, "127.0.0.1");
await once(listener, "listening");
const { port } = listener.address() as { port: number };
const socket = connect(port, "127.0.0.1");
sockets.push(socket);
await once(socket, "connect");
const session = await client.connect(socketDuplex(socket), "server");

const paid = once(server, "cheque-received");
for (let i = 0; i < 5; i++) {
  const { payload } = await session.request("echo", new TextEncoder().encode(`hello ${i}`));
  console.log(`client: echo ${new TextDecoder().decode(payload)}`);
}
await paid;

client.close();
server.close();
for (const s of sockets) s.destroy();
listener.close();
