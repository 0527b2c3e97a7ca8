/**
 * The CLI's password prompt: one line read from a terminal without echo. Only on a TTY; a daemon
 * started by a supervisor has no one to ask and must get its password from the environment or a file.
 */
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { KeyLoadError } from "./errors.js";
import type { PasswordPrompt } from "./keys.js";

export function ttyPrompt(
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
): PasswordPrompt | undefined {
  if (!input.isTTY) return undefined;
  return (question) =>
    new Promise((resolve, reject) => {
      output.write(question);
      // what the operator types goes to a sink, not to the screen
      const silent = new Writable({ write: (_chunk, _enc, done) => done() });
      const rl = createInterface({ input, output: silent, terminal: true });
      let answered = false;
      rl.once("SIGINT", () => rl.close());
      rl.once("close", () => {
        output.write("\n");
        if (!answered) reject(new KeyLoadError("the terminal", "the password prompt was cancelled"));
      });
      rl.question("", (answer) => {
        answered = true;
        rl.close();
        resolve(answer);
      });
    });
}
