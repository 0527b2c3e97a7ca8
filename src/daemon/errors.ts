import { SettlementError } from "../errors.js";

/** A config value is missing, of the wrong form, or contradicts another; `key` is its dotted path. */
export class ConfigError extends SettlementError {
  override readonly name = "ConfigError" as const;
  constructor(
    readonly key: string,
    readonly problem: string,
  ) {
    super(`config ${key}: ${problem}`);
  }
}

/** The node key cannot be loaded (no source, wrong password, unreadable keystore). */
export class KeyLoadError extends SettlementError {
  override readonly name = "KeyLoadError" as const;
  constructor(
    readonly source: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`cannot load the node key from ${source}: ${reason}`, { cause });
  }
}

/** A command-line argument is missing or unknown. */
export class UsageError extends SettlementError {
  override readonly name = "UsageError" as const;
  constructor(reason: string) {
    super(reason, { details: "usage: swap-node init [--config <file>] [--force] | swap-node start --config <file>" });
  }
}

/** An HTTP API request is malformed; `code` is what the API returns as `{ code, message }`. */
export class ApiInputError extends SettlementError {
  override readonly name = "ApiInputError" as const;
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The local `hardhat node` of the demo and the daemon's chain tests exited or did not answer in time. */
export class LocalChainStartError extends SettlementError {
  override readonly name = "LocalChainStartError" as const;
  constructor(
    readonly rpcUrl: string,
    readonly exitCode: number | null,
  ) {
    super(`hardhat node did not start at ${rpcUrl}`, {
      details: exitCode === null ? "no answer within 60 s" : `it exited with code ${exitCode}`,
    });
  }
}

/** The password does not unlock the Hardhat keystore `file` (its key-encryption key does not open). */
export class KeystorePasswordError extends SettlementError {
  override readonly name = "KeystorePasswordError" as const;
  constructor(readonly file: string) {
    super(`wrong password for the Hardhat keystore ${file}`);
  }
}

/** The Hardhat keystore `file` has no secret `key`; `available` names the ones it has. */
export class KeystoreSecretNotFoundError extends SettlementError {
  override readonly name = "KeystoreSecretNotFoundError" as const;
  constructor(
    readonly file: string,
    readonly key: string,
    readonly available: string[],
  ) {
    super(`the Hardhat keystore ${file} has no key ${JSON.stringify(key)}`, {
      details: available.length
        ? `it has: ${available.join(", ")} (add one with \`npx hardhat keystore set ${key}\`)`
        : `it is empty (add the key with \`npx hardhat keystore set ${key}\`)`,
    });
  }
}
