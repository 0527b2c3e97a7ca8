/**
 * Start and stop `swap-node` daemons as separate processes (for the multi-node demo, the
 * benchmarks and the integration tests): configs written as YAML, readiness read from the
 * daemon's own "swap-node started" log line, every process stopped by its pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

export interface DaemonProcess {
  child: ChildProcess;
  /** Resolves with the "swap-node started" log line (API URL, peer id, addresses). */
  started: Promise<{ api: string; peerId: string; addresses: string[] }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  logs: Record<string, unknown>[];
  stderr: string[];
}

/** A free loopback TCP port (bound and released; the caller binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Write `doc` as a YAML config in a fresh directory and return the file. */
export function writeConfig(doc: Record<string, unknown>, dir: string): string {
  const file = join(dir, "swap-node.yaml");
  writeFileSync(file, stringify(doc));
  return file;
}

/** Start `swap-node start --config <file>` as a separate process, as an operator would. */
export function spawnDaemon(
  file: string,
  env: NodeJS.ProcessEnv = {},
  entry = ["--import", "tsx", MAIN],
): DaemonProcess {
  const child = spawn(process.execPath, [...entry, "start", "--config", file], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let buf = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const started = new Promise<{ api: string; peerId: string; addresses: string[] }>((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => {
      buf += b.toString();
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const l of lines) {
        try {
          const j = JSON.parse(l) as Record<string, unknown>;
          logs.push(j);
          if (j.msg === "swap-node started")
            resolve({ api: j.api as string, peerId: j.peerId as string, addresses: j.addresses as string[] });
        } catch {
          stderr.push(l);
        }
      }
    });
    child.stderr!.on("data", (b: Buffer) => stderr.push(b.toString()));
    void exited.then((e) =>
      reject(new Error(`daemon exited before start (${e.code ?? e.signal}): ${stderr.join("").slice(-2000)}`)),
    );
  });
  started.catch(() => undefined);
  return { child, started, exited, logs, stderr };
}

/** Signal a daemon by its pid and wait for it to exit. */
export async function stopDaemon(
  p: DaemonProcess,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  return p.exited;
}
