import { Ajv, type ValidateFunction } from "ajv";

type Doc = {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
};

/** Validates API responses against the daemon's own OpenAPI document. */
export class OpenApiChecker {
  readonly #ajv = new Ajv({ strict: false, allErrors: true });
  readonly #cache = new Map<string, ValidateFunction>();
  readonly checked = new Set<string>();

  constructor(readonly doc: Doc) {}

  /** The documented path template matching a concrete path (`/balances/{peer}` for `/balances/12D…`). */
  template(path: string): string | undefined {
    const clean = path.split("?")[0]!;
    return Object.keys(this.doc.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(clean));
  }

  /** Throws unless `body` matches the schema documented for (method, path, status). */
  check(method: string, path: string, status: number, body: unknown): void {
    const t = this.template(path);
    if (!t) throw new Error(`${method} ${path}: not in the OpenAPI document`);
    const op = this.doc.paths[t]![method.toLowerCase()];
    if (!op) throw new Error(`${method} ${t}: method not documented`);
    const res = op.responses?.[String(status)];
    if (!res) throw new Error(`${method} ${t}: status ${status} not documented`);
    const content = res.content ?? {};
    const media = Object.keys(content)[0];
    if (!media) throw new Error(`${method} ${t} ${status}: no response schema`);
    const key = `${method} ${t} ${status}`;
    let v = this.#cache.get(key);
    if (!v) {
      v = this.#ajv.compile(content[media]!.schema);
      this.#cache.set(key, v);
    }
    if (!v(body))
      throw new Error(
        `${key}: response does not match the document: ${this.#ajv.errorsText(v.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
      );
    this.checked.add(`${method} ${t}`);
  }
}
