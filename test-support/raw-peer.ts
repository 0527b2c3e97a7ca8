// Test helpers for attacking a node over a raw TCP socket (no library client: frames are built by
// hand with the codec) and for driving the node child process (test-support/hostile-node.ts).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { encodeMessage, FrameDecoder, toBytes32BE, type SwapMessage } from "../src/swap/codec.js";

export const NODE_CHILD = fileURLToPath(new URL("./hostile-node.ts", import.meta.url));

/** The node child process: `ask` sends a stdin command and resolves with its one-line JSON answer. */
export class NodeChild {
  readonly proc: ChildProcessWithoutNullStreams;
  port = 0;
  #lines: string[] = [];
  #waiters: ((l: string) => void)[] = [];
  stderr = "";
  exited = false;

  private constructor(dir: string, opts: object, nodeArgs: string[]) {
    this.proc = spawn(process.execPath, [...nodeArgs, "--import", "tsx", NODE_CHILD, dir, JSON.stringify(opts)], {
      stdio: "pipe",
    });
    let buf = "";
    this.proc.stdout.on("data", (b: Buffer) => {
      buf += b.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const w = this.#waiters.shift();
        if (w) w(line);
        else this.#lines.push(line);
      }
    });
    this.proc.stderr.on("data", (b: Buffer) => (this.stderr += b.toString()));
    this.proc.on("exit", () => {
      this.exited = true;
      for (const w of this.#waiters.splice(0)) w('{"exited":true}');
    });
  }

  static async start(dir: string, opts: object = {}, nodeArgs: string[] = []): Promise<NodeChild> {
    const c = new NodeChild(dir, opts, nodeArgs);
    const first = await c.#next();
    if (!first.startsWith("port ")) throw new Error(`node child did not start: ${first} ${c.stderr}`);
    c.port = Number(first.slice(5));
    return c;
  }

  #next(): Promise<string> {
    const l = this.#lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.exited) return Promise.resolve('{"exited":true}');
    return new Promise((r) => this.#waiters.push(r));
  }

  async ask<T = Record<string, unknown>>(cmd: string): Promise<T> {
    this.proc.stdin.write(cmd + "\n");
    return JSON.parse(await this.#next()) as T;
  }

  get alive(): boolean {
    return !this.exited && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const done = once(this.proc, "exit");
    this.proc.stdin.write("exit\n");
    await done;
  }

  kill(): void {
    if (this.alive) this.proc.kill("SIGKILL");
  }
}

/** A raw socket speaking SWAP frames built by hand. */
export class RawPeer {
  readonly frames: SwapMessage[] = [];
  readonly decoder = new FrameDecoder(1 << 20);
  closed = false;
  #waiters: (() => void)[] = [];

  private constructor(readonly sock: Socket) {
    sock.on("data", (b: Buffer) => {
      for (const d of this.decoder.push(b)) if (d.ok) this.frames.push(d.message);
      this.#wake();
    });
    sock.on("close", () => {
      this.closed = true;
      this.#wake();
    });
    sock.on("error", () => undefined);
  }

  static async open(port: number, id: string | undefined): Promise<RawPeer> {
    const sock = connect(port, "127.0.0.1");
    sock.setNoDelay(true);
    await once(sock, "connect");
    const p = new RawPeer(sock);
    if (id !== undefined) sock.write(`ID ${id}\n`);
    return p;
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolve once `cond()` holds (re-checked on every frame and on close); reject after `ms`. */
  async until(cond: () => boolean, ms = 5_000, what = "condition"): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(m: SwapMessage): void {
    if (!this.sock.destroyed) this.sock.write(encodeMessage(m));
  }

  write(bytes: Uint8Array): boolean {
    return !this.sock.destroyed && this.sock.write(bytes);
  }

  handshake(over: Partial<NonNullable<SwapMessage["handshake"]>> = {}): void {
    this.send({ handshake: { ...honestHandshake(), ...over } });
  }

  request(id: bigint, protocol = "store", units = 1, payload = new Uint8Array(0)): void {
    this.send({ request: { id, protocol, units, payload } });
  }

  responses() {
    return this.frames.filter((f) => f.response).map((f) => f.response!);
  }

  destroy(): void {
    this.sock.destroy();
  }
}

const addr = (byte: number) => new Uint8Array(20).fill(byte);

export function honestHandshake(): NonNullable<SwapMessage["handshake"]> {
  return {
    paymentThreshold: 100n,
    beneficiary: addr(0xaa),
    chequebook: addr(0xcb),
    chainId: 31337n,
    paymentThresholdBe: toBytes32BE(100n),
    issuer: addr(0xaa),
    mode: "mock",
    freePerSecond: new Uint8Array(0),
    balance: new Uint8Array(0),
    receivedCumulative: new Uint8Array(0),
  };
}
