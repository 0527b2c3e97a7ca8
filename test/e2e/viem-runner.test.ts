/**
 * Issue 14, "viem and ethers": the contract clients and the cash-out service run over viem clients
 * (`viemRunner`) exactly as over ethers. The same scenario runs twice on two fresh in-process chains —
 * once with ethers `Wallet`s, once with viem `LocalAccount` wallet clients over the network's EIP-1193
 * provider — and must give the same addresses, balances and events: deploy a token and a factory,
 * deploy a chequebook through `ChequebookFactoryClient`, fund it, sign cheques with the matching signer,
 * cash one through `ChequebookClient`, one through `CashoutService` (single cheque), two in one
 * `CashoutRouter` transaction through `CashoutService` with `RouterBatchCasher`, and decode a revert.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, id, keccak256, type Signer } from "ethers";
import { createPublicClient, createWalletClient, custom, type EIP1193Provider } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat, mainnet } from "viem/chains";
import { TestToken__factory } from "../../typechain-types/index.js";
import { ChequebookClient, ChequebookFactoryClient } from "../../src/chain/chequebook.js";
import { TokenClient } from "../../src/chain/token.js";
import { NotIssuerError, InsufficientLiquidBalanceError } from "../../src/chain/errors.js";
import { SignerCannotSignError, TransactionSender } from "../../src/chain/transactions.js";
import {
  viemRunner,
  ViemChainMismatchError,
  ViemProvider,
  ViemSigner,
  TransactionNotFoundError,
} from "../../src/chain/viem-runner.js";
import { signCheque } from "../../src/cheque/index.js";
import type { SignerLike } from "../../src/crypto/signer.js";
import { CashoutService } from "../../src/settlement/cashout.js";
import { RouterBatchCasher } from "../../src/settlement/router-casher.js";
import { CashoutRouterClient } from "../../src/chain/batch-cashout.js";
import { MemoryStore } from "../../src/store/memory.js";
import { InvalidArgumentError } from "../../src/errors.js";
import type { Hex } from "../../src/crypto/index.js";
import { expectError } from "../../test-support/helpers.js";

const KEYS = {
  issuer: id("viem-runner issuer") as Hex,
  alice: id("viem-runner beneficiary alice") as Hex,
  bob: id("viem-runner beneficiary bob") as Hex,
};

/** How one library user talks to the chain: a runner for a key, and the cheque signer for a key. */
interface Kit {
  chainId: bigint;
  runner(key: Hex): Signer;
  chequeSigner(key: Hex): SignerLike;
}

/** A fresh chain with the three keys funded with gas; `make` builds the kit over its connection. */
async function freshChain(make: (conn: Awaited<ReturnType<typeof network.create>>, chainId: bigint) => Kit) {
  const conn = await network.create();
  const [funder] = await conn.ethers.getSigners();
  for (const key of Object.values(KEYS)) {
    await (await funder.sendTransaction({ to: new Wallet(key).address, value: 10n ** 18n })).wait();
  }
  const { chainId } = await conn.ethers.provider.getNetwork();
  return make(conn, chainId);
}

interface Summary {
  token: string;
  factory: string;
  chequebook: string;
  deployedEventMatchesPrediction: boolean;
  direct: { totalPayout: bigint; callerPayout: bigint; bounced: boolean; gasUsed: bigint };
  service: { status: string; totalPayout: bigint | undefined; requestPayout: bigint | undefined };
  revert: { name: string; caller: string; issuer: string };
  router: { sent: unknown[][]; transactions: number; to: string | null; router: string; left: bigint[] };
  balances: { alice: bigint; bob: bigint; chequebook: bigint; totalPaidOut: bigint };
  events: { beneficiary: string; recipient: string; caller: string; totalPayout: bigint; cumulativePayout: bigint }[];
}

/** The scenario, written once against the library's public clients; `kit` decides ethers or viem. */
async function scenario(kit: Kit): Promise<Summary> {
  const issuer = kit.runner(KEYS.issuer);
  const alice = new Wallet(KEYS.alice).address as Hex;
  const bob = new Wallet(KEYS.bob).address as Hex;
  const issuerAddress = (await issuer.getAddress()) as Hex;

  const tokenContract = await new TestToken__factory(issuer).deploy();
  await tokenContract.waitForDeployment();
  const token = new TokenClient(await tokenContract.getAddress(), issuer);
  const factory = await ChequebookFactoryClient.deploy(issuer, token.address);

  const deploy = { issuer: issuerAddress, defaultHardDepositTimeout: 86_400, salt: id("viem-runner chequebook") };
  const predicted = await factory.predictAddress({ ...deploy, deployer: issuerAddress });
  const deployed = await factory.deployChequebook(deploy);
  expect(await factory.isDeployed(deployed.address)).to.equal(true);

  await token.mint(issuerAddress, 1_000n);
  const book = new ChequebookClient(deployed.address, issuer);
  await book.deposit(1_000n);
  expect(await book.balance()).to.equal(1_000n);
  expect(await token.balanceOf(issuerAddress)).to.equal(0n);

  // a cheque to alice, cashed by alice through the chequebook client
  const first = { chequebook: deployed.address, beneficiary: alice, cumulativePayout: 300n };
  const signed = { ...first, signature: await signCheque(first, kit.chainId, kit.chequeSigner(KEYS.issuer)) };
  const direct = await book.connect(kit.runner(KEYS.alice)).cashChequeBeneficiary(signed);

  // a revert (estimated first: no fixed gas limit) decodes to its class with its arguments
  const err = await expectError(book.connect(kit.runner(KEYS.alice)).increaseHardDeposit(alice, 1n), NotIssuerError);

  // a cheque to bob, cashed by bob's cash-out service (durable raw transactions)
  const second = { chequebook: deployed.address, beneficiary: bob, cumulativePayout: 500n };
  const store = new MemoryStore();
  store.putReceived({
    ...second,
    signature: await signCheque(second, kit.chainId, kit.chequeSigner(KEYS.issuer)),
    peer: "peer-1",
    chainId: kit.chainId,
    receivedAt: 0,
  });
  const service = new CashoutService({
    store,
    signer: kit.runner(KEYS.bob),
    policy: { minAmount: 1n, gasPrice: () => 0n },
  });
  const run = await service.cashOut(deployed.address);
  expect(run?.status).to.equal("mined");

  // two more chequebooks' cheques to bob, cashed in ONE router transaction by the same service kind
  const router = (await CashoutRouterClient.deploy(issuer)).address;
  const more: Hex[] = [];
  for (const [i, amount] of [250n, 150n].entries()) {
    const extra = await factory.deployChequebook({ ...deploy, salt: id(`viem-runner router ${i}`) });
    await token.mint(extra.address, 400n);
    const c = { chequebook: extra.address, beneficiary: bob, cumulativePayout: amount };
    store.putReceived({
      ...c,
      signature: await signCheque(c, kit.chainId, kit.chequeSigner(KEYS.issuer)),
      peer: `peer-${i + 2}`,
      chainId: kit.chainId,
      receivedAt: 0,
    });
    more.push(extra.address);
  }
  const batched = await new CashoutService({
    store,
    signer: kit.runner(KEYS.bob),
    policy: { minAmount: 1n, gasPrice: () => 0n },
    casher: new RouterBatchCasher({ router }),
  }).run();
  expect(batched.failed).to.deep.equal([]);
  const batchTx = await issuer.provider!.getTransaction(batched.sent[0]!.txHash!);

  const events = await book.contract.queryFilter(book.contract.filters.ChequeCashed());
  return {
    token: token.address,
    factory: factory.address,
    chequebook: deployed.address,
    deployedEventMatchesPrediction: deployed.address === predicted,
    direct: {
      totalPayout: direct.totalPayout,
      callerPayout: direct.callerPayout,
      bounced: direct.bounced,
      gasUsed: direct.gasUsed,
    },
    service: { status: run!.status, totalPayout: run!.totalPayout, requestPayout: run!.requestPayout },
    revert: { name: err.name, caller: err.args.caller, issuer: err.args.issuer },
    router: {
      sent: batched.sent.map((x) => [x.chequebook, x.status, x.totalPayout]),
      transactions: new Set(batched.sent.map((x) => x.txHash)).size,
      to: batchTx?.to ?? null,
      router,
      left: [await token.balanceOf(more[0]!), await token.balanceOf(more[1]!)],
    },
    balances: {
      alice: await token.balanceOf(alice),
      bob: await token.balanceOf(bob),
      chequebook: await book.balance(),
      totalPaidOut: await book.totalPaidOut(),
    },
    events: events.map((e) => ({
      beneficiary: e.args.beneficiary,
      recipient: e.args.recipient,
      caller: e.args.caller,
      totalPayout: e.args.totalPayout,
      cumulativePayout: e.args.cumulativePayout,
    })),
  };
}

describe("e2e: the same scenario over ethers and over viem (viemRunner)", function () {
  this.timeout(120_000);
  const providers: ViemProvider[] = [];
  after(() => {
    for (const p of providers) p.destroy();
  });

  /** viem clients over a connection's EIP-1193 provider, as a viem user would build them. */
  function viemClients(conn: Awaited<ReturnType<typeof network.create>>, key?: Hex) {
    const transport = custom(conn.provider as unknown as EIP1193Provider);
    const publicClient = createPublicClient({ transport });
    const walletClient = key ? createWalletClient({ account: privateKeyToAccount(key), transport }) : undefined;
    return { publicClient, walletClient };
  }

  let viaEthers: Summary;
  let viaViem: Summary;

  it("ethers Wallets: deploy, fund, cash directly and through the cash-out service", async () => {
    const kit = await freshChain((conn, chainId) => ({
      chainId,
      runner: (key) => new Wallet(key, conn.ethers.provider),
      chequeSigner: (key) => new Wallet(key),
    }));
    viaEthers = await scenario(kit);
  });

  it("viem LocalAccount wallet clients: the same scenario gives the same chain state", async () => {
    const kit = await freshChain((conn, chainId) => ({
      chainId,
      runner: (key) => {
        const { publicClient, walletClient } = viemClients(conn, key);
        const signer = viemRunner({ publicClient, walletClient: walletClient! });
        providers.push(signer.provider as ViemProvider);
        return signer;
      },
      chequeSigner: (key) => viemClients(conn, key).walletClient!,
    }));
    viaViem = await scenario(kit);
  });

  it("both runs agree, and the figures are the scenario's", () => {
    expect(viaViem).to.deep.equal(viaEthers);
    const alice = new Wallet(KEYS.alice).address;
    const bob = new Wallet(KEYS.bob).address;
    expect(viaEthers.deployedEventMatchesPrediction).to.equal(true);
    expect(viaEthers.direct).to.deep.include({ totalPayout: 300n, callerPayout: 0n, bounced: false });
    expect(viaEthers.direct.gasUsed > 0n).to.equal(true);
    expect(viaEthers.service).to.deep.equal({ status: "mined", totalPayout: 500n, requestPayout: 500n });
    expect(viaEthers.revert).to.deep.equal({
      name: "NotIssuerError",
      caller: alice,
      issuer: new Wallet(KEYS.issuer).address,
    });
    expect(viaEthers.router.sent).to.have.deep.members([
      [viaEthers.router.sent[0]![0], "mined", 250n],
      [viaEthers.router.sent[1]![0], "mined", 150n],
    ]);
    expect(viaEthers.router).to.deep.include({ transactions: 1, to: viaEthers.router.router, left: [150n, 250n] });
    expect(viaEthers.balances).to.deep.equal({ alice: 300n, bob: 900n, chequebook: 200n, totalPaidOut: 800n });
    expect(viaEthers.events).to.deep.equal([
      { beneficiary: alice, recipient: alice, caller: alice, totalPayout: 300n, cumulativePayout: 300n },
      { beneficiary: bob, recipient: bob, caller: bob, totalPayout: 500n, cumulativePayout: 500n },
    ]);
  });
});

describe("viemRunner: accounts, reads, refusals", function () {
  this.timeout(60_000);
  let conn: Awaited<ReturnType<typeof network.create>>;
  let transport: ReturnType<typeof custom>;
  let funder: Signer;
  let token: TokenClient;
  let book: ChequebookClient;
  const issuerKey = KEYS.issuer;
  const issuerAddress = new Wallet(issuerKey).address as Hex;
  const providers: ViemProvider[] = [];
  const track = <T extends ViemSigner | ViemProvider>(r: T): T => {
    providers.push(r instanceof ViemSigner ? (r.provider as ViemProvider) : r);
    return r;
  };
  const local = (key: Hex) =>
    track(
      viemRunner({
        publicClient: createPublicClient({ transport }),
        walletClient: createWalletClient({ account: privateKeyToAccount(key), transport }),
      }),
    );

  before(async () => {
    conn = await network.create();
    transport = custom(conn.provider as unknown as EIP1193Provider);
    [funder] = await conn.ethers.getSigners();
    await (await funder.sendTransaction({ to: issuerAddress, value: 10n ** 18n })).wait();
    const issuer = local(issuerKey);
    const t = await new TestToken__factory(issuer).deploy();
    await t.waitForDeployment();
    token = new TokenClient(await t.getAddress(), issuer);
    const factory = await ChequebookFactoryClient.deploy(issuer, token.address);
    const d = await factory.deployChequebook({
      issuer: issuerAddress,
      defaultHardDepositTimeout: 60,
      salt: id("reads"),
    });
    await token.mint(d.address, 700n);
    book = new ChequebookClient(d.address, issuer);
  });
  after(() => {
    for (const p of providers) p.destroy();
  });

  it("a read-only runner (public client only) reads the contracts", async () => {
    const reader = track(viemRunner({ publicClient: createPublicClient({ transport }) }));
    expect(reader).to.be.instanceOf(ViemProvider);
    const view = new ChequebookClient(book.address, reader);
    expect(await view.balance()).to.equal(700n);
    expect(await view.issuer()).to.equal(issuerAddress);
    expect((await reader.getNetwork()).chainId).to.equal((await conn.ethers.provider.getNetwork()).chainId);
  });

  it("eth_call and eth_estimateGas reverts decode to the contract's error class through viem", async () => {
    const sender = new TransactionSender({ signer: local(issuerKey) });
    const req = { to: book.address, data: book.contract.interface.encodeFunctionData("withdraw", [701n]) as Hex };
    for (const run of [() => sender.simulate(req), () => sender.call(req)]) {
      const err = await expectError(run(), InsufficientLiquidBalanceError);
      expect(err.args).to.deep.include({ amount: 701n, liquidBalance: 700n });
    }
    expect(await book.balance()).to.equal(700n); // nothing was sent
  });

  it("the cash-out path's TransactionSender signs with a LocalAccount: hash before broadcast, mined once", async () => {
    const sender = new TransactionSender({ signer: local(issuerKey) });
    const recorded: string[] = [];
    const data = book.contract.interface.encodeFunctionData("withdraw", [100n]) as Hex;
    const out = await sender.send({ to: book.address, data }, { record: (tx) => recorded.push(tx.hash) });
    expect(out.kind).to.equal("mined");
    expect(recorded).to.deep.equal([out.tx.hash]);
    expect(out.tx.from).to.equal(issuerAddress);
    expect(await token.balanceOf(issuerAddress)).to.equal(100n);
    expect(await book.balance()).to.equal(600n);
    // the same signed bytes again change nothing (the node knows them): reconcile finds the receipt
    expect((await sender.reconcile(out.tx, { record: () => expect.fail("no new record") })).kind).to.equal("mined");
    expect(await book.balance()).to.equal(600n);
  });

  it("a JSON-RPC account sends through eth_sendTransaction but cannot sign raw transactions", async () => {
    const from = (await funder.getAddress()) as Hex;
    const rpc = track(
      viemRunner({
        publicClient: createPublicClient({ transport }),
        walletClient: createWalletClient({ account: from, transport }),
      }),
    );
    expect(rpc.local).to.equal(false);
    const before = await token.balanceOf(from);
    const res = await new TokenClient(token.address, rpc).mint(from, 5n);
    expect(res.receipt.from).to.equal(from);
    expect(await token.balanceOf(from)).to.equal(before + 5n);
    const err = await expectError(rpc.signTransaction({ to: from, value: 1n }), SignerCannotSignError);
    expect(err.address).to.equal(from);
    const sender = new TransactionSender({ signer: rpc });
    const nonce = await conn.ethers.provider.getTransactionCount(from);
    const refused = await expectError(
      sender.send({ to: from, data: "0x" }, { record: () => expect.fail("nothing to record") }),
      SignerCannotSignError,
    );
    expect(refused.address).to.equal(from);
    expect(await conn.ethers.provider.getTransactionCount(from)).to.equal(nonce);
  });

  it("messages and typed data signed through viem equal ethers' signatures for the same key", async () => {
    const signer = local(issuerKey);
    const wallet = new Wallet(issuerKey);
    expect(await signer.signMessage("hello")).to.equal(await wallet.signMessage("hello"));
    expect(await signer.signMessage(new Uint8Array([1, 2, 3]))).to.equal(
      await wallet.signMessage(new Uint8Array([1, 2, 3])),
    );
    const domain = { name: "Chequebook", version: "1.0", chainId: 31337n, verifyingContract: book.address };
    const types = {
      Mail: [
        { name: "to", type: "address" },
        { name: "amount", type: "uint256" },
      ],
    };
    const value = { to: issuerAddress, amount: 7n };
    expect(await signer.signTypedData(domain, types, value)).to.equal(await wallet.signTypedData(domain, types, value));
  });

  it("refuses mismatched chains, a wallet client without an account, and a foreign `from`", async () => {
    const mismatch = expectError(
      async () =>
        viemRunner({
          publicClient: createPublicClient({ chain: hardhat, transport }),
          walletClient: createWalletClient({ chain: mainnet, account: privateKeyToAccount(issuerKey), transport }),
        }),
      ViemChainMismatchError,
    );
    expect(await mismatch).to.deep.include({ publicChainId: hardhat.id, otherChainId: mainnet.id });
    const noAccount = await expectError(
      async () =>
        viemRunner({
          publicClient: createPublicClient({ transport }),
          walletClient: createWalletClient({ transport }),
        }),
      InvalidArgumentError,
    );
    expect(noAccount.message).to.contain("walletClient");
    const foreign = await expectError(
      local(issuerKey).signTransaction({
        from: await funder.getAddress(),
        to: issuerAddress,
        nonce: 0,
        gasLimit: 21_000n,
        chainId: 31337n,
        gasPrice: 1n,
        type: 0,
      }),
      InvalidArgumentError,
    );
    expect(foreign.message).to.contain("from");
  });

  it("a transaction the node accepted but never returns ends in TransactionNotFoundError, not a hang", async () => {
    const account = privateKeyToAccount(issuerKey);
    const real = createWalletClient({ account, transport });
    // a wallet transport that swallows the broadcast but answers with the hash
    const swallowing = createWalletClient({
      account,
      transport: custom({
        request: async ({ method, params }: { method: string; params?: unknown }) => {
          if (method === "eth_sendRawTransaction") return keccak256((params as [Hex])[0]);
          return real.request({ method, params } as never);
        },
      }),
    });
    const signer = track(
      viemRunner({ publicClient: createPublicClient({ transport }), walletClient: swallowing, lookupTimeoutMs: 200 }),
    );
    const nonce = await conn.ethers.provider.getTransactionCount(issuerAddress);
    const err = await expectError(signer.sendTransaction({ to: issuerAddress, value: 1n }), TransactionNotFoundError);
    expect(err.waitedMs).to.be.at.least(200);
    expect(await conn.ethers.provider.getTransactionCount(issuerAddress)).to.equal(nonce);
  });
});
