/**
 * Chain access through viem: `viemRunner({ publicClient, walletClient? })` gives the contract clients
 * (ChequebookClient, ChequebookFactoryClient, ServicePlansClient, TokenClient, CashoutRouterClient),
 * `TransactionSender` and the `CashoutService` the runner they take — an ethers `Provider` whose every
 * JSON-RPC request goes through the viem public client (its transport, retries and batching), and, with
 * a wallet client, a `Signer` whose signatures are made by viem:
 *
 * - a `LocalAccount` wallet client (`privateKeyToAccount(key)`): transactions are signed locally and
 *   sent with `sendRawTransaction`, so `TransactionSender` (durable cash-out) gets the signed bytes
 *   and their hash before the node has them;
 * - a JSON-RPC account (an address the node holds the key of): `sendTransaction` goes through
 *   `eth_sendTransaction`; raw signing is refused with `SignerCannotSignError`, exactly like an ethers
 *   JSON-RPC signer.
 *
 * viem is an optional peer dependency: this module neither imports viem nor names its types (the
 * ports below are structural), so `/node` loads and type-checks without viem for ethers users.
 * Reverts keep their data, so they decode to the same typed errors (`toSettlementError`) as on the
 * ethers path.
 */
import {
  AbstractSigner,
  JsonRpcApiProvider,
  Network,
  TypedDataEncoder,
  accessListify,
  getBytes,
  hexlify,
  isHexString,
  resolveAddress,
  type JsonRpcError,
  type JsonRpcPayload,
  type JsonRpcResult,
  type Provider,
  type TransactionLike,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import { InvalidArgumentError, SettlementError } from "../errors.js";
import { toAddress } from "../values.js";
import type { Hex } from "../crypto/index.js";
import { SignerCannotSignError } from "./transactions.js";

// viem is an optional peer dependency: these ports name no viem type, so the declarations of `/node`
// resolve without viem installed. viem's clients and accounts fit them (its methods are generic or
// typed per method; the ports take `never` and this module calls them with the shapes below).

/** The part of a viem `PublicClient` the runner uses: its EIP-1193 `request` (and `chain`, when set). */
export interface ViemPublicClientLike {
  readonly chain?: { readonly id: number } | undefined;
  request(args: never): Promise<unknown>;
}

/** The part of a viem `Account` the runner uses (`LocalAccount`: `type` "local" and its signing methods). */
export interface ViemAccountPort {
  readonly address: string;
  /** "local" (signs here), "json-rpc" (the node signs), "smart". */
  readonly type: string;
  signTransaction?(tx: never): Promise<string>;
  signMessage?(args: never): Promise<string>;
  signTypedData?(args: never): Promise<string>;
}

/** The part of a viem `WalletClient` the runner uses; it must be created with an `account`. */
export interface ViemWalletClientPort {
  readonly account?: ViemAccountPort | undefined;
  readonly chain?: { readonly id: number } | undefined;
  sendRawTransaction(args: never): Promise<string>;
  sendTransaction(args: never): Promise<string>;
  signMessage(args: never): Promise<string>;
  signTypedData(args: never): Promise<string>;
}

type Hex0x = `0x${string}`;
/** viem's `TransactionSerializable`, the fields this module fills. */
type Serializable = {
  chainId: number;
  nonce: number;
  gas: bigint;
  to: Hex0x | null;
  data: Hex0x;
  value: bigint;
} & (
  | { type: "legacy"; gasPrice: bigint }
  | { type: "eip2930"; gasPrice: bigint; accessList: { address: Hex0x; storageKeys: Hex0x[] }[] }
  | {
      type: "eip1559";
      maxFeePerGas: bigint;
      maxPriorityFeePerGas: bigint;
      accessList: { address: Hex0x; storageKeys: Hex0x[] }[];
    }
);
type TypedDataRequest = {
  domain: Record<string, unknown>;
  types: Record<string, TypedDataField[]>;
  primaryType: string;
  message: Record<string, unknown>;
};
type MessageArg = string | { raw: Hex0x };
/** The calls this module makes, typed (viem's own signatures accept them). */
interface LocalAccountCalls {
  signTransaction(tx: Serializable): Promise<string>;
  signMessage(args: { message: MessageArg }): Promise<string>;
  signTypedData(args: TypedDataRequest): Promise<string>;
}
interface WalletCalls {
  sendRawTransaction(args: { serializedTransaction: Hex0x }): Promise<string>;
  sendTransaction(
    args: {
      account: ViemAccountPort;
      chain: null;
      to: Hex0x | null;
      data: Hex0x;
      value: bigint;
      gas: bigint;
      nonce: number;
    } & ({ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint }),
  ): Promise<string>;
  signMessage(args: { account: ViemAccountPort; message: MessageArg }): Promise<string>;
  signTypedData(args: TypedDataRequest & { account: ViemAccountPort }): Promise<string>;
}

export interface ViemRunnerOptions {
  publicClient: ViemPublicClientLike;
  /** Signs (and, for a JSON-RPC account, sends) transactions. Omit for a read-only runner. */
  walletClient?: ViemWalletClientPort;
  /** Chain id, when neither client has a `chain`: fixes the network (no `eth_chainId` per request). */
  chainId?: number;
  /** How often ethers polls for new blocks while waiting for a receipt (ms). Default 4,000. */
  pollingIntervalMs?: number;
  /** How long `sendTransaction` waits for the node to return the transaction it accepted (ms). Default 30,000. */
  lookupTimeoutMs?: number;
}

/** The node accepted a transaction (we have its hash) but did not return it within `lookupTimeoutMs`. */
export class TransactionNotFoundError extends SettlementError {
  override readonly name = "TransactionNotFoundError" as const;
  constructor(
    readonly hash: string,
    readonly waitedMs: number,
  ) {
    super(`the node accepted transaction ${hash} but did not return it within ${waitedMs} ms`, {
      details: "it may still be mined: look the hash up before sending again",
    });
  }
}

/** The clients (or `chainId`) disagree about the chain. */
export class ViemChainMismatchError extends SettlementError {
  override readonly name = "ViemChainMismatchError" as const;
  constructor(
    readonly publicChainId: number,
    readonly otherChainId: number,
  ) {
    super(`the public client is on chain ${publicChainId}, the wallet client (or chainId) on ${otherChainId}`);
  }
}

/**
 * An ethers `Provider` over a viem public client: every JSON-RPC request (one per call, no ethers
 * batching) is the client's `request`; errors become JSON-RPC error objects carrying the node's code,
 * message and revert data, so ethers (and then `toSettlementError`) read them as from any node.
 * Call `destroy()` when done if anything subscribed to events (receipt waits do, briefly).
 */
export class ViemProvider extends JsonRpcApiProvider {
  readonly #client: ViemPublicClientLike;

  constructor(client: ViemPublicClientLike, opts: { chainId?: number; pollingIntervalMs?: number } = {}) {
    const chainId = opts.chainId ?? client.chain?.id;
    super(chainId === undefined ? undefined : Network.from(chainId), {
      staticNetwork: chainId === undefined ? null : Network.from(chainId),
      batchMaxCount: 1,
      cacheTimeout: -1, // ethers' 250 ms result cache would hand a sender its old nonce
      pollingInterval: opts.pollingIntervalMs ?? 4_000,
    });
    this.#client = client;
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<(JsonRpcResult | JsonRpcError)[]> {
    const list = Array.isArray(payload) ? payload : [payload];
    return Promise.all(list.map((p) => this.#one(p)));
  }

  async #one(p: JsonRpcPayload): Promise<JsonRpcResult | JsonRpcError> {
    try {
      // viem types `request` per method; the payload is one ethers built from its own typed calls
      const request = this.#client.request as (args: { method: string; params?: unknown }) => Promise<unknown>;
      const result = await request({ method: p.method, params: p.params });
      return { id: p.id, result };
    } catch (e) {
      return { id: p.id, error: rpcErrorOf(e) };
    }
  }
}

/**
 * A viem error as the JSON-RPC error object the node answered with: viem wraps the node's error
 * (`InternalRpcError` → `RpcRequestError` / the EIP-1193 provider's error), so the innermost code and
 * message are the node's; the revert data may sit at any level (`data` or `data.data`).
 */
export function rpcErrorOf(e: unknown): { code: number; message: string; data?: string } {
  let code: number | undefined;
  let message: string | undefined;
  let data: string | undefined;
  const seen = new Set<unknown>();
  let cur: unknown = e;
  while (cur && typeof cur === "object" && !seen.has(cur)) {
    seen.add(cur);
    const o = cur as { code?: unknown; message?: unknown; details?: unknown; data?: unknown; cause?: unknown };
    if (typeof o.code === "number") code = o.code;
    const text = typeof o.details === "string" && o.details ? o.details : o.message;
    if (typeof text === "string" && text) message = text;
    const d = typeof o.data === "object" && o.data !== null ? (o.data as { data?: unknown }).data : o.data;
    if (typeof d === "string" && isHexString(d)) data = d;
    cur = o.cause;
  }
  // ethers looks for revert data next to a message saying "revert"
  const text = message ?? "unknown error";
  const said = data !== undefined && !/revert/i.test(text) ? `execution reverted: ${text}` : text;
  return data === undefined ? { code: code ?? -32603, message: said } : { code: code ?? 3, message: said, data };
}

const TX_TYPES = { 0: "legacy", 1: "eip2930", 2: "eip1559" } as const;

/** An ethers transaction (populated: nonce, gas, fees, chain id known) as viem's serializable form. */
function toSerializable(tx: TransactionLike<string>): Serializable {
  const type = TX_TYPES[(tx.type ?? 2) as 0 | 1 | 2];
  if (type === undefined) throw new InvalidArgumentError("type", tx.type, "a legacy, EIP-2930 or EIP-1559 transaction");
  const base = {
    chainId: Number(need(tx.chainId, "chainId")),
    nonce: Number(need(tx.nonce, "nonce")),
    gas: BigInt(need(tx.gasLimit, "gasLimit")),
    to: tx.to ? (toAddress(tx.to, "to") as `0x${string}`) : null,
    data: (tx.data ?? "0x") as `0x${string}`,
    value: BigInt(tx.value ?? 0n),
  };
  const accessList = accessListify(tx.accessList ?? []).map((a) => ({
    address: a.address as `0x${string}`,
    storageKeys: a.storageKeys as `0x${string}`[],
  }));
  if (type === "legacy") return { ...base, type, gasPrice: BigInt(need(tx.gasPrice, "gasPrice")) };
  if (type === "eip2930") return { ...base, type, accessList, gasPrice: BigInt(need(tx.gasPrice, "gasPrice")) };
  return {
    ...base,
    type,
    accessList,
    maxFeePerGas: BigInt(need(tx.maxFeePerGas, "maxFeePerGas")),
    maxPriorityFeePerGas: BigInt(need(tx.maxPriorityFeePerGas, "maxPriorityFeePerGas")),
  };
}

function need<T>(v: T | null | undefined, field: string): T {
  if (v === null || v === undefined) throw new InvalidArgumentError(field, v, "set (a populated transaction)");
  return v;
}

/**
 * An ethers `Signer` whose signatures are viem's (see the module comment). Reads, nonces, gas and
 * fees come from its provider; `connect` keeps the wallet client and changes the provider.
 */
export class ViemSigner extends AbstractSigner<Provider> {
  readonly address: Hex;
  readonly #wallet: ViemWalletClientPort;
  readonly #calls: WalletCalls;
  readonly #account: ViemAccountPort;
  /** The account's own signing methods when it signs locally (a `LocalAccount`). */
  readonly #localCalls: LocalAccountCalls | undefined;
  readonly #lookupMs: number;

  constructor(wallet: ViemWalletClientPort, provider: Provider, opts: { lookupTimeoutMs?: number } = {}) {
    super(provider);
    if (!wallet.account)
      throw new InvalidArgumentError("walletClient", "no account", "a wallet client with an account");
    this.#wallet = wallet;
    this.#account = wallet.account;
    this.#calls = wallet as unknown as WalletCalls;
    const a = wallet.account;
    this.#localCalls =
      a.type === "local" && a.signTransaction && a.signMessage && a.signTypedData
        ? (a as unknown as LocalAccountCalls)
        : undefined;
    this.address = toAddress(wallet.account.address, "walletClient.account");
    this.#lookupMs = opts.lookupTimeoutMs ?? 30_000;
  }

  /** The account signs locally (a viem `LocalAccount`): raw transactions can be signed. */
  get local(): boolean {
    return this.#localCalls !== undefined;
  }

  override async getAddress(): Promise<string> {
    return this.address;
  }

  override connect(provider: Provider | null): ViemSigner {
    if (!provider) throw new InvalidArgumentError("provider", provider, "a provider");
    return new ViemSigner(this.#wallet, provider, { lookupTimeoutMs: this.#lookupMs });
  }

  override async signTransaction(request: TransactionRequest): Promise<string> {
    if (!this.#localCalls) throw new SignerCannotSignError(this.address, { accountType: this.#account.type });
    const tx = await this.#resolved(request);
    return this.#localCalls.signTransaction(toSerializable(tx));
  }

  override async sendTransaction(request: TransactionRequest): Promise<TransactionResponse> {
    const populated = await this.populateTransaction(request);
    let hash: string;
    if (this.local) {
      const serializedTransaction = (await this.signTransaction(populated)) as `0x${string}`;
      hash = await this.#calls.sendRawTransaction({ serializedTransaction });
    } else {
      const tx = toSerializable(await this.#resolved(populated));
      const common = {
        account: this.#account,
        chain: null,
        to: tx.to,
        data: tx.data,
        value: tx.value,
        gas: tx.gas,
        nonce: tx.nonce,
      };
      hash =
        tx.type === "eip1559"
          ? await this.#calls.sendTransaction({
              ...common,
              maxFeePerGas: tx.maxFeePerGas,
              maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
            })
          : await this.#calls.sendTransaction({ ...common, gasPrice: tx.gasPrice });
    }
    return this.#lookup(hash);
  }

  override async signMessage(message: string | Uint8Array): Promise<string> {
    const msg = typeof message === "string" ? message : { raw: hexlify(message) as `0x${string}` };
    if (this.#localCalls) return this.#localCalls.signMessage({ message: msg });
    return this.#calls.signMessage({ account: this.#account, message: msg });
  }

  override async signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    const fields = { ...types };
    delete fields.EIP712Domain;
    const request = {
      domain: {
        ...(domain.name != null && { name: domain.name }),
        ...(domain.version != null && { version: domain.version }),
        ...(domain.chainId != null && { chainId: BigInt(domain.chainId) }),
        ...(domain.verifyingContract != null && { verifyingContract: domain.verifyingContract as `0x${string}` }),
        ...(domain.salt != null && { salt: hexlify(getBytes(domain.salt)) as `0x${string}` }),
      },
      types: fields,
      primaryType: TypedDataEncoder.getPrimaryType(fields),
      message: value,
    };
    if (this.#localCalls) return this.#localCalls.signTypedData(request);
    return this.#calls.signTypedData({ ...request, account: this.#account });
  }

  /** `request` with its addresses resolved and `from` checked to be ours. */
  async #resolved(request: TransactionRequest): Promise<TransactionLike<string>> {
    const { from, to, ...rest } = request;
    if (from != null && toAddress(await resolveAddress(from), "from") !== this.address) {
      throw new InvalidArgumentError("from", from, `the signer's address ${this.address}`);
    }
    const target = to == null ? null : await resolveAddress(to, this.provider);
    return { ...(rest as TransactionLike<string>), to: target, from: this.address };
  }

  /** The node accepted `hash`: fetch it as ethers' response (so `wait()` works). Bounded. */
  async #lookup(hash: string): Promise<TransactionResponse> {
    const provider = need(this.provider, "provider");
    const started = Date.now();
    for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
      const tx = await provider.getTransaction(hash);
      if (tx) return tx;
      const waited = Date.now() - started;
      if (waited >= this.#lookupMs) throw new TransactionNotFoundError(hash, waited);
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(delay, this.#lookupMs - waited)));
    }
  }
}

/**
 * The runner our contract clients and the cash-out service take, over viem clients: with a wallet
 * client a `ViemSigner` (connected to a `ViemProvider` over the public client), without one the
 * read-only `ViemProvider`. No viem code is loaded here: the clients are the caller's.
 */
export function viemRunner(opts: ViemRunnerOptions & { walletClient: ViemWalletClientPort }): ViemSigner;
export function viemRunner(opts: ViemRunnerOptions & { walletClient?: undefined }): ViemProvider;
export function viemRunner(opts: ViemRunnerOptions): ViemSigner | ViemProvider;
export function viemRunner(opts: ViemRunnerOptions): ViemSigner | ViemProvider {
  const publicChain = opts.publicClient.chain?.id;
  for (const other of [opts.walletClient?.chain?.id, opts.chainId]) {
    if (publicChain !== undefined && other !== undefined && other !== publicChain) {
      throw new ViemChainMismatchError(publicChain, other);
    }
  }
  const chainId = opts.chainId ?? publicChain ?? opts.walletClient?.chain?.id;
  const provider = new ViemProvider(opts.publicClient, {
    ...(chainId !== undefined && { chainId }),
    ...(opts.pollingIntervalMs !== undefined && { pollingIntervalMs: opts.pollingIntervalMs }),
  });
  if (!opts.walletClient) return provider;
  return new ViemSigner(
    opts.walletClient,
    provider,
    opts.lookupTimeoutMs === undefined ? {} : { lookupTimeoutMs: opts.lookupTimeoutMs },
  );
}
