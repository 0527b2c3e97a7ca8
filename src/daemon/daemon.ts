/**
 * One running swap-node: composes the store, the SwapNode, the libp2p host, the cash-out
 * scheduler, metrics and the HTTP API from a validated config. Start order: durable state first,
 * network last; stop order reversed (stop accepting, drain, flush, close the store).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { JsonRpcProvider, type Wallet } from "ethers";
import type { FastifyInstance } from "fastify";
import { pino, type Logger } from "pino";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/types.js";
import { SwapNode, type ServiceHandler } from "../swap/node.js";
import type { PolicyConfig } from "../accounting/policy.js";
import { EthersChainFacts } from "../chain/facts.js";
import { ChequebookClient } from "../chain/chequebook.js";
import { LocalSigner } from "../crypto/signer.js";
import { loadDeployment, type Deployment } from "../deployments.js";
import { CashoutService } from "../settlement/cashout.js";
import { RouterBatchCasher } from "../settlement/router-casher.js";
import { cashoutPolicy, type DaemonConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { loadPeerKey, loadWallet, type PasswordPrompt } from "./keys.js";
import { DaemonMetrics, timedStore } from "./metrics.js";
import { P2PHost } from "./p2p.js";
import { CashoutScheduler } from "./cashout-scheduler.js";
import { ServiceStreams } from "./service-streams.js";
import { buildApi } from "./api.js";
import { registerRoutes } from "./routes.js";

/** The largest payload the built-in metered services accept (bytes). */
const MAX_SERVICE_PAYLOAD = 64 * 1024;

export interface DaemonOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to a pino JSON logger on stdout at the configured level. */
  log?: Logger;
  /** Asks for a keystore password none of the configured sources gives (the CLI's, on a terminal). */
  prompt?: PasswordPrompt;
}

export class Daemon {
  readonly inflight = new Set<Promise<unknown>>();
  #stopping?: Promise<void>;
  ready = false;

  private constructor(
    readonly config: DaemonConfig,
    readonly log: Logger,
    readonly wallet: Wallet,
    readonly store: Store,
    readonly node: SwapNode,
    readonly host: P2PHost,
    /** Metered service protocols on their own streams. */
    readonly services: ServiceStreams,
    readonly metrics: DaemonMetrics,
    readonly api: FastifyInstance,
    /** One transaction sender at a time for the node's key (API writes and auto cash-out). */
    readonly chainLock: ChainLock,
    readonly provider?: JsonRpcProvider,
    readonly deployment?: Deployment,
    readonly chequebookClient?: ChequebookClient,
    readonly scheduler?: CashoutScheduler,
  ) {}

  static async start(config: DaemonConfig, opts: DaemonOptions = {}): Promise<Daemon> {
    const env = opts.env ?? process.env;
    const log =
      opts.log ??
      pino({
        level: config.log.level,
        base: { svc: "swap-node" },
        redact: ["key", "privateKey", "password", "token", "authorization"],
      });
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const wallet = await loadWallet(config.key, env, opts.prompt);
    const provider = config.chain.rpcUrl
      ? new JsonRpcProvider(config.chain.rpcUrl, undefined, {
          staticNetwork: true,
          polling: true,
          pollingInterval: 500,
          cacheTimeout: -1,
        })
      : undefined;
    const chainId = provider ? (await provider.getNetwork()).chainId : BigInt(config.chain.chainId!);
    if (config.chain.chainId !== undefined && BigInt(config.chain.chainId) !== chainId) {
      throw new ConfigError("chain.chainId", `${config.chain.chainId} but the RPC endpoint is on chain ${chainId}`);
    }
    let deployment: Deployment | undefined;
    if (provider) {
      try {
        deployment = loadDeployment(chainId, config.chain.deploymentsDir);
      } catch (e) {
        if (config.mode === "hard" && !config.chain.factories)
          throw new ConfigError(
            "chain.factories",
            `none configured and no deployment record for chain ${chainId}: ${(e as Error).message.split("\n")[0]}`,
          );
      }
    }
    const metrics = new DaemonMetrics();
    const store = timedStore(new SqliteStore(join(config.dataDir, "swap.db")), metrics.storeLatency);
    const cleanup: (() => unknown)[] = [() => store.close(), () => provider?.destroy()];
    try {
      const facts =
        config.mode === "hard"
          ? await EthersChainFacts.connect(provider!, config.chain.factories ?? [deployment!.factory])
          : undefined;
      const t = config.thresholds;
      const policy: PolicyConfig = {
        mode: config.mode,
        paymentThreshold: t.payment,
        tolerancePercent: t.tolerancePercent,
        earlyPaymentPercent: t.earlyPaymentPercent,
        minPeerThreshold: t.minPeerPayment,
        maxPeerThreshold: t.maxPeerPayment,
        minChequeValue: t.minChequeValue,
        embargoMsPerUnit: t.embargoMsPerUnit,
        maxEmbargoMs: t.maxEmbargoMs,
        contractIssuerMaxUncashed: t.contractIssuerMaxUncashed,
        contractIssuerMaxCredit: t.contractIssuerMaxCredit,
        freePerSecond: config.freeTier.perSecond,
        prices: config.prices,
      };
      const handlers: Record<string, ServiceHandler> = {};
      for (const protocol of Object.keys(config.prices)) {
        handlers[protocol] = (payload, _peer, cls) => {
          metrics.served.inc({ protocol, class: cls });
          // the built-in service echoes (bounded): the metered work of a real service plugs in here
          return payload.slice(0, MAX_SERVICE_PAYLOAD);
        };
      }
      const node = new SwapNode({
        store,
        policy,
        chainId,
        beneficiary: wallet.address,
        chequebook: config.chequebook,
        signer: new LocalSigner(wallet.privateKey as `0x${string}`),
        issuer: wallet.address,
        facts,
        handlers,
      });
      cleanup.unshift(() => node.close());
      metrics.observe(node);
      node.on("disconnected", (e) =>
        log.warn({ peer: e.peer, reason: e.reason, embargoMs: e.embargoMs }, "peer disconnected for debt"),
      );
      node.on("cheque-rejected", (e) => log.warn({ peer: e.peer, err: e.error.name }, "cheque rejected"));
      node.on("payment-failed", (e) =>
        log.warn({ peer: e.peer, err: e.error.message.split("\n")[0] }, "payment failed"),
      );
      node.on("frame-error", (e) => log.debug({ peer: e.peer, err: e.error.name }, "frame error"));
      node.on("cheque-sent", (e) =>
        log.debug({ peer: e.peer, cumulativePayout: e.cumulativePayout.toString() }, "cheque sent"),
      );
      node.on("cheque-received", (e) =>
        log.debug(
          { peer: e.peer, cumulativePayout: e.cumulativePayout.toString(), duplicate: e.duplicate },
          "cheque received",
        ),
      );

      const host = await P2PHost.create({
        privateKey: await loadPeerKey(config.dataDir),
        listen: config.p2p.listen,
        bootstrap: config.p2p.bootstrap,
        redialMs: config.p2p.redialMs,
        maxConnections: config.p2p.maxConnections,
        node,
        log,
      });
      cleanup.unshift(() => host.stop());
      const services = new ServiceStreams(host.libp2p, node, { protocols: Object.keys(config.prices), log });
      const connected = provider ? wallet.connect(provider) : undefined;
      const chequebookClient =
        config.chequebook && connected ? new ChequebookClient(config.chequebook, connected) : undefined;
      let scheduler: CashoutScheduler | undefined;
      const lock = new ChainLock();
      if (connected && config.mode === "hard") {
        const hooks = node.cashoutHooks();
        const service = new CashoutService({
          store,
          signer: connected,
          policy: cashoutPolicy(config.cashout),
          // one transaction for many cheques through the deployment's router, when it has one
          casher: deployment?.cashoutRouter ? new RouterBatchCasher({ router: deployment.cashoutRouter }) : undefined,
          onBounce: hooks.onBounce,
          onPaid: hooks.onPaid,
          waitMs: 60_000,
        });
        scheduler = new CashoutScheduler(service, {
          intervalMs: config.cashout.intervalMs,
          log,
          exclusive: (fn) => lock.run(fn),
          onRecord: (r) => metrics.cashouts.inc({ outcome: r.status }),
        });
      }
      const api = await buildApi({ config, env, log });
      cleanup.unshift(
        () => api.close(),
        () => scheduler?.stop(),
      );
      const d = new Daemon(
        config,
        log,
        wallet,
        store,
        node,
        host,
        services,
        metrics,
        api,
        lock,
        provider,
        deployment,
        chequebookClient,
        scheduler,
      );
      await d.#serve();
      return d;
    } catch (e) {
      for (const c of cleanup) {
        try {
          await c();
        } catch {
          /* already failing: keep the first error */
        }
      }
      throw e;
    }
  }

  async #serve(): Promise<void> {
    registerRoutes(this.api, this);
    await this.services.start();
    await this.host.start();
    if (this.config.cashout.enabled) this.scheduler?.start();
    await this.api.listen({ host: this.config.api.host, port: this.config.api.port });
    this.ready = true;
    this.log.info(
      {
        peerId: this.host.peerId,
        addresses: this.host.addresses(),
        api: this.apiUrl,
        beneficiary: this.wallet.address,
        chequebook: this.config.chequebook,
        mode: this.config.mode,
      },
      "swap-node started",
    );
  }

  get apiUrl(): string {
    const a = this.api.server.address();
    if (!a || typeof a === "string") return String(a);
    return `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
  }

  /** Track a request the daemon runs on behalf of the API, so shutdown can drain it. */
  track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  /** Graceful shutdown: stop accepting, drain in-flight requests, stop cash-outs, flush, close. */
  stop(reason = "stop"): Promise<void> {
    this.#stopping ??= (async () => {
      this.ready = false;
      this.log.info({ reason }, "swap-node stopping");
      await this.host.stopAccepting();
      await this.services.stop();
      await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => setTimeout(r, 10_000).unref())]);
      await this.api.close();
      await this.scheduler?.stop();
      this.node.close();
      await this.host.stop().catch((e: Error) => this.log.warn({ err: e.message }, "libp2p stop failed"));
      this.store.close();
      this.provider?.destroy();
      this.log.info("swap-node stopped");
    })();
    return this.#stopping;
  }
}

/** Runs chain writes of one key one after another, so two senders never race for a nonce. */
export class ChainLock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
