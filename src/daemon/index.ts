/**
 * The daemon as a library (entry point for embedding a swap-node, e.g. with your own service
 * handlers): config, the daemon, the libp2p host and the stream → transport adapter.
 */
export {
  configSchema,
  parseConfig,
  loadConfig,
  DEFAULT_CONFIG_YAML,
  ENV_OVERRIDES,
  type DaemonConfig,
} from "./config.js";
export { Daemon, ChainLock, type DaemonOptions } from "./daemon.js";
export { P2PHost, type P2PHostOptions } from "./p2p.js";
export { streamDuplex, type StreamDuplex, type StreamDuplexOptions } from "./stream-duplex.js";
export { DaemonMetrics, timedStore } from "./metrics.js";
export { CashoutScheduler, type CashoutRun } from "./cashout-scheduler.js";
export {
  ConfigError,
  KeyLoadError,
  KeystorePasswordError,
  KeystoreSecretNotFoundError,
  UsageError,
  ApiInputError,
  LocalChainStartError,
} from "./errors.js";
export { loadWallet, type PasswordPrompt } from "./keys.js";
export { openHardhatKeystoreSecret, hardhatKeystorePaths } from "./hardhat-keystore.js";
export { main as runCli } from "./cli.js";
