/**
 * `swap-node` command line: `init` writes the commented default config; `start` runs the daemon
 * until SIGTERM/SIGINT, then shuts it down gracefully (a second signal forces the exit; the
 * store's guarantees make even that safe). Errors print as one line `<ErrorName>: <message>`.
 */
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { SettlementError } from "../errors.js";
import { DEFAULT_CONFIG_YAML, loadConfig } from "./config.js";
import { Daemon } from "./daemon.js";
import { ConfigError, UsageError } from "./errors.js";
import type { PasswordPrompt } from "./keys.js";
import { ttyPrompt } from "./prompt.js";

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Asks for a keystore password (on a terminal only). */
  prompt?: PasswordPrompt;
}

const defaultIo: CliIo = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  env: process.env,
  prompt: ttyPrompt(),
};

function parseArgs(argv: string[]): { command: string; config?: string; force: boolean } {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h") throw new UsageError("a command is required");
  let config: string | undefined;
  let force = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--config" || a === "-c") {
      config = rest[++i];
      if (!config) throw new UsageError("--config needs a file");
    } else if (a.startsWith("--config=")) config = a.slice("--config=".length);
    else if (a === "--force") force = true;
    else throw new UsageError(`unknown argument ${JSON.stringify(a.slice(0, 40))}`);
  }
  return { command, config, force };
}

/** Run the CLI; resolves with the exit code (for `start`: once the daemon has stopped). */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.command === "init") {
      const file = resolve(args.config ?? "swap-node.yaml");
      if (existsSync(file) && !args.force) throw new ConfigError("(file)", `${file} exists (use --force to overwrite)`);
      writeFileSync(file, DEFAULT_CONFIG_YAML, { mode: 0o600 });
      io.out(`wrote ${file}`);
      return 0;
    }
    if (args.command === "start") {
      if (!args.config) throw new UsageError("start needs --config <file>");
      const config = loadConfig(args.config, io.env);
      const daemon = await Daemon.start(config, { env: io.env, prompt: io.prompt });
      return await new Promise<number>((done) => {
        let signals = 0;
        const onSignal = (sig: NodeJS.Signals) => {
          if (++signals > 1) process.exit(130);
          daemon.stop(sig).then(
            () => done(0),
            (e: Error) => {
              io.err(`shutdown failed: ${e.message}`);
              done(1);
            },
          );
        };
        process.on("SIGTERM", onSignal);
        process.on("SIGINT", onSignal);
      });
    }
    throw new UsageError(`unknown command ${JSON.stringify(args.command.slice(0, 40))}`);
  } catch (e) {
    if (e instanceof SettlementError) {
      io.err(`${e.name}: ${e.shortMessage}`);
      if (e.details && e instanceof UsageError) io.err(e.details);
      return e instanceof UsageError || e instanceof ConfigError ? 2 : 1;
    }
    io.err(`Error: ${(e as Error).message.split("\n")[0]}`);
    return 1;
  }
}
