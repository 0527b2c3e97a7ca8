/**
 * npm run gateway -- --upstream <url> [options]: run a paid HTTP gateway in front of an upstream.
 *
 *   --upstream URL          the HTTP / JSON-RPC endpoint to sell (required)
 *   --port N, --host H      where to listen (default 8600 on 127.0.0.1)
 *   --db PATH               SQLite database: cheques, balances, credits, debts (default .swap/gateway.db)
 *   --mode hard|mock        hard: cheques checked on chain (needs --rpc, --factory); mock: no chain
 *   --rpc URL               chain JSON-RPC (hard mode)
 *   --chain-id N            mock mode chain id (hard mode reads it from --rpc)
 *   --factory ADDR          chequebook factory; --token ADDR: the token chequebooks hold
 *   --beneficiary ADDR      where cheques are made out (the operator's address)
 *   --price N               token base units per cost unit (default 1)
 *   --threshold N           payment threshold in base units (default 100 × price)
 *   --total-capacity N      serving rate in cost units per second (default 1000)
 *   --min-capacity N        least capacity per client (default 10)
 *   --free-allowance N      free cost units per address group before its debt must decay (default min × 600)
 *   --max-in-flight N       concurrent upstream requests (default 8)
 *
 * Prints `gateway listening on <url>` when ready; stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { JsonRpcProvider } from "ethers";
import { EthersChainFacts } from "../chain/facts.js";
import { SettlementError } from "../errors.js";
import { toAddress } from "../values.js";
import { openGateway } from "./open.js";
import { BadGatewayRequestError } from "./errors.js";
import { SqliteStore } from "./swap-adapter.js";

const { values } = parseArgs({
  options: {
    upstream: { type: "string" },
    port: { type: "string", default: "8600" },
    host: { type: "string", default: "127.0.0.1" },
    db: { type: "string", default: ".swap/gateway.db" },
    mode: { type: "string", default: "hard" },
    rpc: { type: "string" },
    "chain-id": { type: "string" },
    factory: { type: "string" },
    token: { type: "string" },
    beneficiary: { type: "string" },
    price: { type: "string", default: "1" },
    threshold: { type: "string" },
    "total-capacity": { type: "string", default: "1000" },
    "min-capacity": { type: "string", default: "10" },
    "free-allowance": { type: "string" },
    "max-in-flight": { type: "string", default: "8" },
  },
  strict: true,
});

function int(name: string, v: string | undefined, max = 2 ** 40): number {
  const n = Number(v);
  if (v === undefined || !/^\d{1,13}$/.test(v) || n < 1 || n > max)
    throw new BadGatewayRequestError(`--${name}`, `an integer in 1..${max}`);
  return n;
}
function big(name: string, v: string): bigint {
  if (!/^\d{1,78}$/.test(v)) throw new BadGatewayRequestError(`--${name}`, "a decimal amount in base units");
  return BigInt(v);
}
function url(name: string, v: string | undefined): string {
  try {
    return new URL(v ?? "").toString();
  } catch {
    throw new BadGatewayRequestError(`--${name}`, "a URL");
  }
}

async function main(): Promise<void> {
  const upstream = url("upstream", values.upstream);
  const mode = values.mode;
  if (mode !== "hard" && mode !== "mock") throw new BadGatewayRequestError("--mode", '"hard" or "mock"');
  const price = big("price", values.price!);
  const minCapacity = int("min-capacity", values["min-capacity"]);
  let chainId: bigint;
  let facts: EthersChainFacts | undefined;
  let provider: JsonRpcProvider | undefined;
  const factory = toAddress(values.factory, "--factory");
  if (mode === "hard") {
    provider = new JsonRpcProvider(url("rpc", values.rpc ?? values.upstream), undefined, { staticNetwork: true });
    facts = await EthersChainFacts.connect(provider, [factory]);
    chainId = facts.chainId;
  } else chainId = BigInt(int("chain-id", values["chain-id"]));
  mkdirSync(dirname(values.db!), { recursive: true });
  const store = new SqliteStore(values.db!);
  const gw = openGateway({
    upstream,
    store,
    chainId,
    facts,
    beneficiary: toAddress(values.beneficiary, "--beneficiary"),
    token: toAddress(values.token, "--token"),
    chequebookFactory: factory,
    pricePerCostUnit: price,
    policy: { mode, paymentThreshold: values.threshold ? big("threshold", values.threshold) : 100n * price },
    capacity: {
      totalCapacity: int("total-capacity", values["total-capacity"]),
      minCapacity,
      price: { minPriceMicro: price * 1_000_000n },
      freeAllowance: values["free-allowance"] ? int("free-allowance", values["free-allowance"]) : undefined,
      maxInFlight: int("max-in-flight", values["max-in-flight"], 4096),
    },
  });
  const at = await gw.listen(int("port", values.port, 65535), values.host);
  console.log(
    `gateway listening on ${at} (upstream ${upstream}, ${mode} mode, chain ${chainId}, beneficiary ${gw.settlement.beneficiary})`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await gw.close();
    store.close();
    provider?.destroy();
    console.log("gateway stopped");
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

main().catch((e: unknown) => {
  if (e instanceof SettlementError) console.error(`${e.name}: ${e.shortMessage}`);
  else console.error(e);
  process.exitCode = 1;
});
