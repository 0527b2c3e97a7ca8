/**
 * The HTTP API's frame: Fastify with schema validation, the OpenAPI document (@fastify/swagger,
 * served at /openapi.json), bearer-token auth (required off loopback), and one error shape:
 * `{ code, message }` with a 4xx for anything the caller got wrong.
 */
import { timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import type { Logger } from "pino";
import { SettlementError } from "../errors.js";
import { isLoopback, type DaemonConfig } from "./config.js";
import { ApiInputError, ConfigError } from "./errors.js";

/** Routes reachable without the bearer token (probes and the page that asks for it). */
const PUBLIC = new Set(["/health", "/readiness", "/dashboard", "/dashboard/app.js"]);

export const errorSchema = {
  type: "object",
  required: ["code", "message"],
  properties: { code: { type: "string" }, message: { type: "string" } },
} as const;

/** Every route registered (method, URL template), for the test that each one is documented. */
export function routeList(app: FastifyInstance): { method: string; url: string }[] {
  return (app as unknown as { routeList: { method: string; url: string }[] }).routeList;
}

export async function buildApi(opts: {
  config: DaemonConfig;
  env: NodeJS.ProcessEnv;
  log: Logger;
}): Promise<FastifyInstance> {
  const { config, env } = opts;
  const token = config.api.token ?? env[config.api.tokenEnv];
  if (!token && !isLoopback(config.api.host))
    throw new ConfigError(
      "api.token",
      `required when api.host (${config.api.host}) is not loopback: set ${config.api.tokenEnv}`,
    );
  if (token !== undefined && token.length < 16) throw new ConfigError("api.token", "at least 16 characters");
  const app = Fastify({
    // request lines are logged at info: keep the API quiet unless something goes wrong
    loggerInstance: opts.log.child({ part: "api" }, { level: "warn" }) as unknown as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "swap-node API",
        version: "0.1.0",
        description:
          "Settlement API of a SWAP node, modelled on Swarm Bee's chequebook/settlement endpoints. Amounts are decimal strings of token base units.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: token ? [{ bearer: [] }] : [],
    },
  });
  const routes: { method: string; url: string }[] = [];
  app.decorate("routeList", routes);
  app.addHook("onRoute", (r) => {
    for (const m of [r.method].flat()) if (m !== "HEAD") routes.push({ method: m, url: r.url });
  });
  if (token) {
    const expected = Buffer.from(`Bearer ${token}`);
    app.addHook("onRequest", async (req, reply) => {
      const path = req.url.split("?")[0]!;
      if (PUBLIC.has(path)) return;
      const got = Buffer.from(req.headers.authorization ?? "");
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
        return reply.code(401).send({ code: "Unauthorized", message: "a valid bearer token is required" });
      }
    });
  }
  app.setErrorHandler((err: FastifyError | SettlementError | Error, _req, reply) => {
    if (err instanceof ApiInputError) return reply.code(err.status).send({ code: err.code, message: err.message });
    const fe = err as FastifyError;
    if (fe.validation) return reply.code(400).send({ code: "BadRequest", message: fe.message });
    if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500)
      return reply.code(fe.statusCode).send({ code: fe.code ?? "BadRequest", message: fe.message });
    if (err instanceof SettlementError) return reply.code(409).send({ code: err.name, message: err.shortMessage });
    opts.log.error({ err: err.message }, "API handler failed");
    return reply.code(500).send({ code: "Internal", message: "internal error" });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ code: "NotFound", message: `no route ${req.method} ${req.url.split("?")[0]}` }),
  );
  return app;
}
