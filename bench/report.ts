/** Writes a benchmark section into BENCHMARKS.md between `<!-- name:start -->` and `<!-- name:end -->`. */
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function writeSection(name: string, body: string): void {
  const file = new URL("../BENCHMARKS.md", import.meta.url);
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

export function table(head: string[], rows: (string | number | bigint)[][]): string {
  const line = (cells: (string | number | bigint)[]) => `| ${cells.map(String).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

export const fmt = (n: number | bigint) => Number(n).toLocaleString("en-US");
