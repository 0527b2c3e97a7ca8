/**
 * The daemon's configuration: a YAML file validated by a zod schema (unknown keys are errors, so a
 * typo never silently falls back to a default), then environment overrides. Every failure is a
 * `ConfigError` naming the dotted key. Amounts are decimal strings (or safe integers) → bigint.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import type { CashoutPolicy } from "../settlement/cashout.js";
import { fixedGasPrice } from "../settlement/fees.js";

const MAX_U256 = (1n << 256n) - 1n;

const amount = z
  .union([
    z.string().regex(/^[0-9]{1,78}$/, "a non-negative decimal integer"),
    z.number().int().nonnegative().refine(Number.isSafeInteger, "a safe integer (quote larger amounts)"),
  ])
  .transform((v) => BigInt(v))
  .refine((v) => v <= MAX_U256, "at most 2^256 − 1");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "a 0x-prefixed 20-byte address");
const port = z.number().int().min(0).max(65_535);
const protocolName = z.string().regex(/^[a-zA-Z0-9_./-]{1,64}$/, "1–64 characters of [a-zA-Z0-9_./-]");

export const configSchema = z.strictObject({
  /** Where the node keeps its database, libp2p key and cash-out history. */
  dataDir: z.string().min(1).default("./swap-node-data"),
  mode: z.enum(["soft", "mock", "hard"]).default("hard"),
  chain: z
    .strictObject({
      rpcUrl: z.url({ protocol: /^(https?|wss?)$/ }).optional(),
      /** Required without rpcUrl (mock/soft mode). */
      chainId: z.number().int().positive().optional(),
      /** Chequebook factories we trust; default: the deployment record of the chain. */
      factories: z.array(address).max(16).optional(),
      deploymentsDir: z.string().optional(),
    })
    .default({}),
  key: z
    .strictObject({
      /** Environment variable holding the hex private key. */
      env: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/)
        .default("SWAP_NODE_PRIVATE_KEY"),
      /** Encrypted JSON keystore (geth/ethers format). */
      keystore: z.string().optional(),
      passwordEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/)
        .default("SWAP_NODE_KEYSTORE_PASSWORD"),
      passwordFile: z.string().optional(),
      /**
       * A key kept with `npx hardhat keystore set <name>` (Hardhat 3's encrypted keystore). The
       * password comes from `passwordEnv`, `passwordFile` or, on a terminal, a prompt; the
       * development keystore (`dev: true`) is unlocked with Hardhat's own password file.
       */
      hardhatKeystore: z
        .strictObject({
          name: z.string().regex(/^[a-zA-Z_]+[a-zA-Z0-9_]*$/, "a keystore key name ([a-zA-Z_][a-zA-Z0-9_]*)"),
          /** Default: Hardhat's global keystore.json (dev.keystore.json with `dev`). */
          file: z.string().min(1).optional(),
          dev: z.boolean().default(false),
        })
        .optional(),
      /** A private key in clear: refused unless `insecureAllowPlaintextKey` is true. */
      privateKey: z
        .string()
        .regex(/^0x[0-9a-fA-F]{64}$/, "a 0x-prefixed 32-byte hex key")
        .optional(),
      insecureAllowPlaintextKey: z.boolean().default(false),
    })
    .default({
      env: "SWAP_NODE_PRIVATE_KEY",
      passwordEnv: "SWAP_NODE_KEYSTORE_PASSWORD",
      insecureAllowPlaintextKey: false,
    }),
  /** Our chequebook; without it the node cannot pay (it consumes within free tiers only). */
  chequebook: address.optional(),
  thresholds: z
    .strictObject({
      payment: amount.default(10_000_000_000_000_000n),
      tolerancePercent: amount.default(50n),
      earlyPaymentPercent: amount.refine((v) => v < 100n, "below 100").default(0n),
      minPeerPayment: amount.optional(),
      maxPeerPayment: amount.optional(),
      minChequeValue: amount.default(1n),
      embargoMsPerUnit: z.number().nonnegative().optional(),
      maxEmbargoMs: z.number().int().nonnegative().max(86_400_000).optional(),
      /** ERC-1271 issuers whose chequebook has no hard deposits: cap on their uncashed cheques. */
      contractIssuerMaxUncashed: amount.optional(),
      /** ERC-1271 issuers: an operator cap on credit below their hard deposit (0 = no paid work). */
      contractIssuerMaxCredit: amount.optional(),
    })
    .default({ payment: 10_000_000_000_000_000n, tolerancePercent: 50n, earlyPaymentPercent: 0n, minChequeValue: 1n }),
  /** Price per unit of each metered protocol we serve. */
  prices: z.record(protocolName, amount).default({ store: 1_000_000_000_000_000n }),
  /** Debt forgiven per second of connection (0 = no free tier). */
  freeTier: z.strictObject({ perSecond: amount.default(0n) }).default({ perSecond: 0n }),
  p2p: z
    .strictObject({
      listen: z.array(z.string().min(1)).max(16).default(["/ip4/127.0.0.1/tcp/0"]),
      bootstrap: z.array(z.string().min(1)).max(64).default([]),
      redialMs: z.number().int().min(100).max(3_600_000).default(2_000),
      maxConnections: z.number().int().min(1).max(10_000).default(300),
    })
    .default({ listen: ["/ip4/127.0.0.1/tcp/0"], bootstrap: [], redialMs: 2_000, maxConnections: 300 }),
  api: z
    .strictObject({
      host: z.string().min(1).default("127.0.0.1"),
      port: port.default(1635),
      /** Bearer token; required when `host` is not loopback. Prefer `tokenEnv`. */
      token: z.string().min(16).optional(),
      tokenEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/)
        .default("SWAP_NODE_API_TOKEN"),
      /** Expose /debug routes (drive traffic, pause payments): demos and tests only. */
      debug: z.boolean().default(false),
    })
    .default({ host: "127.0.0.1", port: 1635, tokenEnv: "SWAP_NODE_API_TOKEN", debug: false }),
  metrics: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
  cashout: z
    .strictObject({
      enabled: z.boolean().default(true),
      intervalMs: z.number().int().min(1_000).max(86_400_000).default(60_000),
      /** Never cash out less than this. */
      minAmount: amount.default(0n),
      /** Maximum fee as a percentage of the value a cash-out transaction cashes. */
      maxFeePercent: z.number().min(0).max(100).default(5),
      /** Wait while the gas price (wei) is above this (unless the always-cash ceiling is hit). */
      maxGasPriceWei: amount.optional(),
      /** A cheque paying at least this is cashed whatever the fee and the gas price. */
      alwaysCashAmount: amount.optional(),
      /** Cheques per transaction (capped by what the casher can batch). */
      batchSize: z.number().int().min(1).max(1_000).default(50),
      /** Price of one unit of gas in token base units ×1e9; unset: 1 wei of the native coin = 1 token base unit. */
      gasPriceNanoTokens: amount.optional(),
    })
    .default({ enabled: true, intervalMs: 60_000, minAmount: 0n, maxFeePercent: 5, batchSize: 50 }),
  log: z
    .strictObject({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") })
    .default({ level: "info" }),
});

export type DaemonConfig = z.output<typeof configSchema>;

/** The cash-out service's policy from the `cashout` section. */
export function cashoutPolicy(c: DaemonConfig["cashout"]): CashoutPolicy {
  return {
    minAmount: c.minAmount,
    maxFeePercent: c.maxFeePercent,
    maxGasPriceWei: c.maxGasPriceWei,
    alwaysCashAmount: c.alwaysCashAmount,
    batchSize: c.batchSize,
    ...(c.gasPriceNanoTokens === undefined ? {} : { gasPrice: fixedGasPrice(c.gasPriceNanoTokens) }),
  };
}

/** Environment variables that override a config key (value parsed like the YAML scalar). */
export const ENV_OVERRIDES: Record<string, string> = {
  SWAP_NODE_DATA_DIR: "dataDir",
  SWAP_NODE_MODE: "mode",
  SWAP_NODE_RPC_URL: "chain.rpcUrl",
  SWAP_NODE_CHEQUEBOOK: "chequebook",
  SWAP_NODE_LISTEN: "p2p.listen",
  SWAP_NODE_BOOTSTRAP: "p2p.bootstrap",
  SWAP_NODE_API_HOST: "api.host",
  SWAP_NODE_API_PORT: "api.port",
  SWAP_NODE_LOG_LEVEL: "log.level",
  SWAP_NODE_CASHOUT_INTERVAL_MS: "cashout.intervalMs",
};
const LIST_KEYS = new Set(["p2p.listen", "p2p.bootstrap"]);
const NUMBER_KEYS = new Set(["api.port", "cashout.intervalMs"]);

/** Validate a parsed document (+ env overrides); relative paths resolve against `baseDir`. */
export function parseConfig(doc: unknown, env: NodeJS.ProcessEnv = {}, baseDir = process.cwd()): DaemonConfig {
  if (doc !== null && doc !== undefined && (typeof doc !== "object" || Array.isArray(doc)))
    throw new ConfigError("(root)", "expected a mapping of keys");
  const merged = structuredClone((doc ?? {}) as Record<string, unknown>);
  for (const [name, key] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    let value: unknown = raw;
    if (LIST_KEYS.has(key))
      value = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    else if (NUMBER_KEYS.has(key)) {
      if (!/^[0-9]{1,15}$/.test(raw))
        throw new ConfigError(key, `environment ${name}=${JSON.stringify(raw)} is not a number`);
      value = Number(raw);
    }
    setPath(merged, key, value);
  }
  const r = configSchema.safeParse(merged);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path.length ? issue.path.map(String).join(".") : "(root)";
    const key = issue.code === "unrecognized_keys" ? [...issue.path.map(String), issue.keys[0]].join(".") : path;
    throw new ConfigError(key, issue.code === "unrecognized_keys" ? "unknown key" : issue.message);
  }
  const c = r.data;
  if (c.key.privateKey && !c.key.insecureAllowPlaintextKey) {
    throw new ConfigError(
      "key.privateKey",
      "a private key in clear in the config is refused; use key.env or key.keystore (or set key.insecureAllowPlaintextKey: true)",
    );
  }
  if (c.key.keystore && c.key.hardhatKeystore)
    throw new ConfigError("key.hardhatKeystore", "set key.keystore or key.hardhatKeystore, not both");
  if (!c.chain.rpcUrl && c.mode === "hard") throw new ConfigError("chain.rpcUrl", "required in hard mode");
  if (!c.chain.rpcUrl && c.chain.chainId === undefined)
    throw new ConfigError("chain.chainId", "required without chain.rpcUrl");
  if (
    c.thresholds.minPeerPayment !== undefined &&
    c.thresholds.maxPeerPayment !== undefined &&
    c.thresholds.minPeerPayment > c.thresholds.maxPeerPayment
  ) {
    throw new ConfigError("thresholds.minPeerPayment", "greater than thresholds.maxPeerPayment");
  }
  if (c.thresholds.payment === 0n) throw new ConfigError("thresholds.payment", "must be positive");
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  c.dataDir = abs(c.dataDir);
  if (c.key.keystore) c.key.keystore = abs(c.key.keystore);
  if (c.key.passwordFile) c.key.passwordFile = abs(c.key.passwordFile);
  if (c.key.hardhatKeystore?.file) c.key.hardhatKeystore.file = abs(c.key.hardhatKeystore.file);
  if (c.chain.deploymentsDir) c.chain.deploymentsDir = abs(c.chain.deploymentsDir);
  return c;
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(
      "(file)",
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (text.length > 1_000_000) throw new ConfigError("(file)", "larger than 1 MB");
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : "";
    throw new ConfigError("(file)", `not valid YAML${where}: ${(e as Error).message.split("\n")[0]}`);
  }
  return parseConfig(doc, env, dirname(resolve(file)));
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (typeof next !== "object" || next === null || Array.isArray(next)) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
}

/** A loopback host: the API may then run without a token. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The commented default config `swap-node init` writes. */
export const DEFAULT_CONFIG_YAML = `# swap-node configuration (YAML). Unknown keys are errors.
# Every key can be left out; the value shown is the default unless marked "example".
# Environment overrides: ${Object.entries(ENV_OVERRIDES)
  .map(([e, k]) => `${e} → ${k}`)
  .join(", ")}.

# Database (SQLite), libp2p identity key and cash-out history live here.
dataDir: ./swap-node-data

# soft: account and log only · mock: cheques without chain checks · hard: full on-chain checks
mode: hard

chain:
  # JSON-RPC endpoint (required in hard mode).
  rpcUrl: http://127.0.0.1:8545
  # chainId: 31337           # required when rpcUrl is absent (mock/soft mode)
  # factories: []            # trusted chequebook factories; default: deployments/<chainId>.json
  # deploymentsDir: ./deployments

# The node's Ethereum key (beneficiary of cheques, issuer of our chequebook). Never in clear here:
key:
  env: SWAP_NODE_PRIVATE_KEY          # hex key in this environment variable, or
  # keystore: ./key.json              # an encrypted JSON keystore (ethers/geth format), or
  # hardhatKeystore:                  # a key set with \`npx hardhat keystore set SWAP_NODE_KEY\`
  #   name: SWAP_NODE_KEY
  #   # file: ./keystore.json         # default: Hardhat's own (\$XDG_CONFIG_HOME or ~/.config)/hardhat-nodejs/keystore.json
  #   # dev: true                     # the development keystore (unlocked by Hardhat's password file)
  passwordEnv: SWAP_NODE_KEYSTORE_PASSWORD
  # passwordFile: ./key.password
  # privateKey: 0x…                   # refused unless the next line is true
  insecureAllowPlaintextKey: false

# Our chequebook (deploy one with \`npx hardhat chequebook deploy\`). Without it the node cannot pay.
# chequebook: 0x0000000000000000000000000000000000000000   # example

thresholds:
  payment: "10000000000000000"       # peers pay us once they owe this much (token base units)
  tolerancePercent: 50               # disconnect at payment × (100 + tolerance) / 100
  earlyPaymentPercent: 0             # pay peers this percent before their threshold
  minChequeValue: "1"
  # minPeerPayment: "1"              # bounds for the thresholds peers announce
  # maxPeerPayment: "1000000000000000000000"
  # embargoMsPerUnit: 0.01           # embargo after a disconnect for debt, per unit owed
  # maxEmbargoMs: 600000
  # contract-wallet (ERC-1271) issuers get credit up to the hard deposit their chequebook holds for us
  # contractIssuerMaxCredit: "5000000000000000"    # an operator cap below that (0 = no paid work)
  # contractIssuerMaxUncashed: "10000000000000000" # without hard deposits (default: payment)

# Price per unit of each metered protocol this node serves.
prices:
  store: "1000000000000000"

freeTier:
  perSecond: "0"                     # debt forgiven per second of connection

p2p:
  listen: ["/ip4/127.0.0.1/tcp/0"]     # TCP; add "/ip4/0.0.0.0/tcp/4002/ws" to accept WebSockets too
  bootstrap: []                      # e.g. ["/ip4/127.0.0.1/tcp/4001/p2p/12D3Koo…"]
  redialMs: 2000
  maxConnections: 300

api:
  host: 127.0.0.1                    # loopback by default; any other host requires a token
  port: 1635
  tokenEnv: SWAP_NODE_API_TOKEN      # bearer token from this environment variable
  debug: false                       # /debug routes (drive traffic, pause payments): demos only

metrics:
  enabled: true                      # Prometheus metrics at /metrics

cashout:
  enabled: true
  intervalMs: 60000
  minAmount: "0"
  maxFeePercent: 5                   # never pay more than 5% of what a transaction cashes in gas
  batchSize: 50                      # cheques per transaction
  # maxGasPriceWei: "50000000000"    # wait while gas is dearer than 50 gwei …
  # alwaysCashAmount: "1000000000000000000000"  # … unless a cheque pays at least this
  # gasPriceNanoTokens: "2000000000000"  # token base units ×1e9 per gas (default: 1 wei = 1 base unit)

log:
  level: info
`;
