/**
 * The daemon's HTTP routes, shaped after Swarm Bee's settlement API (/chequebook/*, /balances,
 * /consumed, /settlements, /chequebook/cheque, /chequebook/cashout/{peer}) plus this node's own
 * (peers and service class, cash-out history, plans, metrics, dashboard). Every route declares
 * its schemas, so the OpenAPI document at /openapi.json is complete. Handlers only read the
 * daemon's parts and call their public APIs.
 */
import { existsSync, readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { peerIdFromString } from "@libp2p/peer-id";
import { ServicePlansClient } from "../chain/plans.js";
import type { Hex } from "../crypto/index.js";
import type { CashoutRecord, PeerRecord } from "../store/types.js";
import { errorSchema } from "./api.js";
import { ApiInputError } from "./errors.js";
import type { Daemon } from "./daemon.js";

const amount = { type: "string", pattern: "^-?[0-9]+$", description: "token base units, decimal" } as const;
const address = { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } as const;
const nullable = <T extends object>(s: T) => ({ ...s, nullable: true }) as const;
const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema } as const;
const obj = (properties: Record<string, unknown>, required = Object.keys(properties)) =>
  ({ type: "object", additionalProperties: false, required, properties }) as const;
const peerParam = {
  type: "object",
  required: ["peer"],
  properties: { peer: { type: "string", maxLength: 128 } },
} as const;
const amountQuery = {
  type: "object",
  required: ["amount"],
  properties: { amount: { type: "string", maxLength: 100 } },
} as const;

const chequeSchema = obj({ beneficiary: address, chequebook: address, payout: amount });
const lastChequesSchema = obj({
  peer: { type: "string" },
  lastreceived: nullable(chequeSchema),
  lastsent: nullable(chequeSchema),
});
const cashoutRecordSchema = obj(
  {
    id: { type: "string" },
    chequebook: address,
    peer: nullable({ type: "string" }),
    cumulativePayout: amount,
    requestPayout: amount,
    totalPayout: amount,
    status: { type: "string", enum: ["pending", "mined", "bounced", "reverted", "failed"] },
    txHash: nullable({ type: "string" }),
    gasUsed: nullable(amount),
    error: nullable({ type: "string" }),
    createdAt: { type: "integer" },
    updatedAt: { type: "integer" },
  },
  [
    "id",
    "chequebook",
    "peer",
    "cumulativePayout",
    "requestPayout",
    "totalPayout",
    "status",
    "txHash",
    "gasUsed",
    "error",
    "createdAt",
    "updatedAt",
  ],
);
const balanceSchema = obj({ peer: { type: "string" }, balance: amount });
const peerSchema = obj({
  peer: { type: "string" },
  connected: { type: "boolean" },
  serviceClass: { type: "string", enum: ["paid", "free", "refused"] },
  balance: amount,
  surplus: amount,
  chequebook: nullable(address),
  defaulting: { type: "boolean" },
  embargoUntil: { type: "integer" },
});
const planSchema = obj({
  planId: amount,
  signer: address,
  funder: address,
  token: address,
  budget: amount,
  bond: amount,
  shareCap: amount,
  totalShares: amount,
  paidOut: amount,
  submitDeadline: amount,
  claimDeadline: amount,
  swept: { type: "boolean" },
  ourShares: amount,
  claimed: { type: "boolean" },
  claimable: amount,
});
const txSchema = obj({ transactionHash: { type: "string" }, blockNumber: { type: "integer" }, gasUsed: amount });

export function registerRoutes(app: FastifyInstance, d: Daemon): void {
  const node = d.node;
  const tags = (t: string) => ({ tags: [t] });

  /** A known peer (in the ledger), else a typed 400/404. */
  const knownPeer = (raw: string): string => {
    try {
      peerIdFromString(raw);
    } catch {
      throw new ApiInputError("InvalidPeer", `not a libp2p peer id: ${raw.slice(0, 80)}`);
    }
    if (!node.ledger.peers().includes(raw))
      throw new ApiInputError("UnknownPeer", `no accounting with peer ${raw}`, 404);
    return raw;
  };
  const parseAmount = (raw: string): bigint => {
    if (!/^[0-9]{1,78}$/.test(raw))
      throw new ApiInputError(
        "InvalidAmount",
        `amount must be a non-negative decimal integer, got ${JSON.stringify(raw.slice(0, 80))}`,
      );
    const v = BigInt(raw);
    if (v === 0n) throw new ApiInputError("InvalidAmount", "amount must be positive");
    if (v >= 1n << 256n) throw new ApiInputError("InvalidAmount", "amount exceeds uint256");
    return v;
  };
  const chequebook = () => {
    if (!d.chequebookClient)
      throw new ApiInputError(
        "NoChequebook",
        "this node has no chequebook (config `chequebook`) or no chain (config `chain.rpcUrl`)",
        404,
      );
    return d.chequebookClient;
  };
  const plans = () => {
    if (!d.deployment || !d.provider)
      throw new ApiInputError("NoPlans", "no chain or no deployment record with a ServicePlans address", 404);
    return new ServicePlansClient(d.deployment.servicePlans, d.wallet.connect(d.provider));
  };
  const serviceClass = (r: PeerRecord): "paid" | "free" | "refused" => {
    if (r.defaulting || r.balance - r.surplus > node.policy.disconnectThreshold || r.embargoUntil > node.now())
      return "refused";
    const session = node.sessions.get(r.peer);
    return session?.remote?.chequebook || r.chequebook ? "paid" : "free";
  };
  const peerView = (r: PeerRecord) => ({
    peer: r.peer,
    connected: node.sessions.has(r.peer),
    serviceClass: serviceClass(r),
    balance: r.balance.toString(),
    surplus: r.surplus.toString(),
    chequebook: r.chequebook ?? null,
    defaulting: r.defaulting,
    embargoUntil: r.embargoUntil,
  });
  const peerOfChequebook = (cb: string) =>
    node.store.listReceived().find((c) => c.chequebook.toLowerCase() === cb.toLowerCase())?.peer ?? null;
  const cashoutView = (r: CashoutRecord) => ({
    id: r.id,
    chequebook: r.chequebook,
    peer: peerOfChequebook(r.chequebook),
    cumulativePayout: r.cumulativePayout.toString(),
    requestPayout: r.requestPayout.toString(),
    totalPayout: r.totalPayout.toString(),
    status: r.status,
    txHash: r.txHash ?? null,
    gasUsed: r.gasUsed?.toString() ?? null,
    error: r.error?.split("\n")[0] ?? null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  });
  const lastCheques = (peer: string) => {
    const sent = node.store
      .listIssued()
      .filter((c) => c.peer === peer)
      .sort((a, b) => (a.cumulativePayout < b.cumulativePayout ? 1 : -1))[0];
    const received = node.store
      .listReceived()
      .filter((c) => c.peer === peer)
      .sort((a, b) => (a.cumulativePayout < b.cumulativePayout ? 1 : -1))[0];
    const view = (c?: { beneficiary: string; chequebook: string; cumulativePayout: bigint }) =>
      c ? { beneficiary: c.beneficiary, chequebook: c.chequebook, payout: c.cumulativePayout.toString() } : null;
    return { peer, lastreceived: view(received), lastsent: view(sent) };
  };
  const settlement = (peer: string) => ({
    peer,
    sent: node.store
      .listIssued()
      .filter((c) => c.peer === peer)
      .reduce((m, c) => (c.cumulativePayout > m ? c.cumulativePayout : m), 0n)
      .toString(),
    received: node.store
      .listReceived()
      .filter((c) => c.peer === peer)
      .reduce((m, c) => (c.cumulativePayout > m ? c.cumulativePayout : m), 0n)
      .toString(),
  });
  const peersWithCheques = () => [
    ...new Set([...node.store.listIssued().map((c) => c.peer), ...node.store.listReceived().map((c) => c.peer)]),
  ];
  const txView = (t: { hash: string; blockNumber: number; gasUsed: bigint }) => ({
    transactionHash: t.hash,
    blockNumber: t.blockNumber,
    gasUsed: t.gasUsed.toString(),
  });

  // ------------------------------------------------------------------ probes, node, docs
  app.get(
    "/health",
    {
      schema: { ...tags("node"), response: { 200: obj({ status: { type: "string" }, version: { type: "string" } }) } },
    },
    async () => ({ status: "ok", version: "0.1.0" }),
  );
  app.get(
    "/readiness",
    {
      schema: {
        ...tags("node"),
        response: { 200: obj({ status: { type: "string" } }), 503: obj({ status: { type: "string" } }) },
      },
    },
    async (_req, reply) => (d.ready ? { status: "ready" } : reply.code(503).send({ status: "starting or stopping" })),
  );
  app.get(
    "/node",
    {
      schema: {
        ...tags("node"),
        response: {
          200: obj({
            peerId: { type: "string" },
            addresses: { type: "array", items: { type: "string" } },
            beneficiary: address,
            chequebook: nullable(address),
            mode: { type: "string" },
            chainId: amount,
            paymentThreshold: amount,
            disconnectThreshold: amount,
          }),
        },
      },
    },
    async () => ({
      peerId: d.host.peerId,
      addresses: d.host.addresses(),
      beneficiary: node.beneficiary,
      chequebook: node.chequebook ?? null,
      mode: node.policy.mode,
      chainId: node.chainId.toString(),
      paymentThreshold: node.policy.paymentThreshold.toString(),
      disconnectThreshold: node.policy.disconnectThreshold.toString(),
    }),
  );
  app.get(
    "/openapi.json",
    {
      schema: {
        ...tags("node"),
        description: "this document",
        response: { 200: { type: "object", additionalProperties: true } },
      },
    },
    async () => app.swagger(),
  );

  // ------------------------------------------------------------------ chequebook (Bee)
  app.get(
    "/chequebook/address",
    { schema: { ...tags("chequebook"), response: { 200: obj({ chequebookAddress: address }), ...errors } } },
    async () => ({ chequebookAddress: chequebook().address }),
  );
  app.get(
    "/chequebook/balance",
    {
      schema: {
        ...tags("chequebook"),
        description:
          "total: the chequebook's token balance; available: total minus hard deposits; uncommitted: total + paid out − every cheque issued (what new cheques can still draw)",
        response: {
          200: obj({ totalBalance: amount, availableBalance: amount, uncommittedBalance: amount }),
          ...errors,
        },
      },
    },
    async () => {
      const book = chequebook();
      const [total, liquid, paidOut] = await Promise.all([book.balance(), book.liquidBalance(), book.totalPaidOut()]);
      return {
        totalBalance: total.toString(),
        availableBalance: liquid.toString(),
        uncommittedBalance: (total + paidOut - node.store.totalIssued(book.address)).toString(),
      };
    },
  );
  for (const [path, method] of [
    ["/chequebook/deposit", "deposit"],
    ["/chequebook/withdraw", "withdraw"],
  ] as const) {
    app.post(
      path,
      { schema: { ...tags("chequebook"), querystring: amountQuery, response: { 201: txSchema, ...errors } } },
      async (req, reply) => {
        const amt = parseAmount((req.query as { amount: string }).amount);
        const book = chequebook();
        const res = await d.track(d.chainLock.run(() => book[method](amt)));
        d.log.info({ amount: amt.toString(), tx: res.hash }, method);
        return reply.code(201).send(txView(res));
      },
    );
  }
  app.get(
    "/chequebook/cheque",
    {
      schema: {
        ...tags("chequebook"),
        response: { 200: obj({ lastcheques: { type: "array", items: lastChequesSchema } }) },
      },
    },
    async () => ({ lastcheques: peersWithCheques().map(lastCheques) }),
  );
  app.get(
    "/chequebook/cheque/:peer",
    { schema: { ...tags("chequebook"), params: peerParam, response: { 200: lastChequesSchema, ...errors } } },
    async (req) => lastCheques(knownPeer((req.params as { peer: string }).peer)),
  );
  const cashoutStatus = obj({
    peer: { type: "string" },
    lastCashedCheque: nullable(chequeSchema),
    uncashedAmount: amount,
    last: nullable(cashoutRecordSchema),
  });
  app.get(
    "/chequebook/cashout/:peer",
    { schema: { ...tags("chequebook"), params: peerParam, response: { 200: cashoutStatus, ...errors } } },
    async (req) => {
      const peer = knownPeer((req.params as { peer: string }).peer);
      const cheque = node.store.listReceived().find((c) => c.peer === peer);
      if (!cheque) throw new ApiInputError("NoCheque", `no cheque received from ${peer}`, 404);
      const history = node.store.listCashouts({ chequebook: cheque.chequebook });
      const last = history.at(-1);
      const mined = history.filter((r) => r.status === "mined" || r.status === "bounced").at(-1);
      return {
        peer,
        lastCashedCheque: mined
          ? { beneficiary: node.beneficiary, chequebook: cheque.chequebook, payout: mined.cumulativePayout.toString() }
          : null,
        uncashedAmount: (cheque.cumulativePayout - (mined?.cumulativePayout ?? 0n)).toString(),
        last: last ? cashoutView(last) : null,
      };
    },
  );
  app.post(
    "/chequebook/cashout/:peer",
    {
      schema: {
        ...tags("chequebook"),
        params: peerParam,
        response: {
          201: obj({ record: nullable(cashoutRecordSchema), reason: nullable({ type: "string" }) }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const peer = knownPeer((req.params as { peer: string }).peer);
      const cheque = node.store.listReceived().find((c) => c.peer === peer);
      if (!cheque) throw new ApiInputError("NoCheque", `no cheque received from ${peer}`, 404);
      if (!d.scheduler) throw new ApiInputError("NoChain", "cash-out needs a chain (hard mode with chain.rpcUrl)", 409);
      const service = d.scheduler.service;
      const r = await d.track(d.chainLock.run(() => service.cashOut(cheque.chequebook)));
      if (r) d.metrics.cashouts.inc({ outcome: r.status });
      const reason = r ? null : ((await service.preview(cheque.chequebook)).reason ?? "not worth it");
      return reply.code(201).send({ record: r ? cashoutView(r) : null, reason });
    },
  );
  app.get(
    "/cashouts",
    {
      schema: {
        ...tags("chequebook"),
        response: {
          200: obj({
            cashouts: { type: "array", items: cashoutRecordSchema },
            lastRun: nullable(
              obj({
                startedAt: { type: "integer" },
                finishedAt: nullable({ type: "integer" }),
                error: nullable({ type: "string" }),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const run = d.scheduler?.lastRun;
      return {
        cashouts: node.store.listCashouts().map(cashoutView),
        lastRun: run
          ? { startedAt: run.startedAt, finishedAt: run.finishedAt ?? null, error: run.error ?? null }
          : null,
      };
    },
  );

  // ------------------------------------------------------------------ accounting (Bee)
  app.get(
    "/balances",
    {
      schema: {
        ...tags("accounting"),
        description: "balance > 0: the peer owes us",
        response: { 200: obj({ balances: { type: "array", items: balanceSchema } }) },
      },
    },
    async () => ({
      balances: node.ledger.peers().map((p) => ({ peer: p, balance: node.ledger.balance(p).toString() })),
    }),
  );
  app.get(
    "/balances/:peer",
    { schema: { ...tags("accounting"), params: peerParam, response: { 200: balanceSchema, ...errors } } },
    async (req) => {
      const peer = knownPeer((req.params as { peer: string }).peer);
      return { peer, balance: node.ledger.balance(peer).toString() };
    },
  );
  const consumedSchema = obj({
    peer: { type: "string" },
    balance: amount,
    surplus: amount,
    protocols: { type: "object", additionalProperties: amount },
  });
  const consumedView = (p: string) => {
    const r = node.ledger.get(p);
    return {
      peer: p,
      balance: r.balance.toString(),
      surplus: r.surplus.toString(),
      protocols: Object.fromEntries(Object.entries(r.protocols).map(([k, v]) => [k, v.toString()])),
    };
  };
  app.get(
    "/consumed",
    {
      schema: {
        ...tags("accounting"),
        description: "per peer: balance, surplus paid beyond the debt, balance per protocol",
        response: { 200: obj({ balances: { type: "array", items: consumedSchema } }) },
      },
    },
    async () => ({ balances: node.ledger.peers().map(consumedView) }),
  );
  app.get(
    "/consumed/:peer",
    { schema: { ...tags("accounting"), params: peerParam, response: { 200: consumedSchema, ...errors } } },
    async (req) => consumedView(knownPeer((req.params as { peer: string }).peer)),
  );
  const settlementSchema = obj({ peer: { type: "string" }, sent: amount, received: amount });
  app.get(
    "/settlements",
    {
      schema: {
        ...tags("accounting"),
        response: {
          200: obj({
            totalSent: amount,
            totalReceived: amount,
            settlements: { type: "array", items: settlementSchema },
          }),
        },
      },
    },
    async () => {
      const settlements = peersWithCheques().map(settlement);
      return {
        totalSent: settlements.reduce((s, x) => s + BigInt(x.sent), 0n).toString(),
        totalReceived: settlements.reduce((s, x) => s + BigInt(x.received), 0n).toString(),
        settlements,
      };
    },
  );
  app.get(
    "/settlements/:peer",
    { schema: { ...tags("accounting"), params: peerParam, response: { 200: settlementSchema, ...errors } } },
    async (req) => settlement(knownPeer((req.params as { peer: string }).peer)),
  );
  app.get(
    "/peers",
    { schema: { ...tags("accounting"), response: { 200: obj({ peers: { type: "array", items: peerSchema } }) } } },
    // the ledger holds a peer once it has a balance; a connected peer may not have one yet
    async () => ({
      peers: [...new Set([...node.sessions.keys(), ...node.ledger.peers()])].map((p) => peerView(node.ledger.get(p))),
    }),
  );

  // ------------------------------------------------------------------ plans
  const planParam = {
    type: "object",
    required: ["planId"],
    properties: { planId: { type: "string", maxLength: 80 } },
  } as const;
  /** The chain's UnknownPlan revert is the caller's mistake: a 404, like a missing peer. */
  const unknownPlan =
    (id: bigint) =>
    (e: Error): never => {
      throw e.name === "UnknownPlanError" ? new ApiInputError("UnknownPlan", `no plan ${id}`, 404) : e;
    };
  const planId = (raw: string) => {
    if (!/^[0-9]{1,78}$/.test(raw))
      throw new ApiInputError(
        "InvalidPlanId",
        `plan id must be a decimal integer, got ${JSON.stringify(raw.slice(0, 80))}`,
      );
    return BigInt(raw);
  };
  app.get(
    "/plans/:planId",
    { schema: { ...tags("plans"), params: planParam, response: { 200: planSchema, ...errors } } },
    async (req) => {
      const id = planId((req.params as { planId: string }).planId);
      const client = plans();
      const p = await client.getPlan(id).catch(unknownPlan(id));
      if (p.funder === "0x0000000000000000000000000000000000000000")
        throw new ApiInputError("UnknownPlan", `no plan ${id}`, 404);
      const [mine, claimable] = await Promise.all([
        client.sharesOf(id, node.beneficiary),
        client.previewClaim(id, node.beneficiary).catch(() => 0n),
      ]);
      return {
        planId: id.toString(),
        signer: p.signer,
        funder: p.funder,
        token: p.token,
        budget: p.budget.toString(),
        bond: p.bond.toString(),
        shareCap: p.shareCap.toString(),
        totalShares: p.totalShares.toString(),
        paidOut: p.paidOut.toString(),
        submitDeadline: p.submitDeadline.toString(),
        claimDeadline: p.claimDeadline.toString(),
        swept: p.swept,
        ourShares: mine.shares.toString(),
        claimed: mine.claimed,
        claimable: claimable.toString(),
      };
    },
  );
  const submissionBody = {
    type: "object",
    additionalProperties: false,
    required: ["baseShares", "anchor", "length", "depth", "word", "signature"],
    properties: {
      baseShares: { type: "string", pattern: "^[0-9]{1,78}$" },
      anchor: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" },
      length: { type: "string", pattern: "^[0-9]{1,20}$" },
      depth: { type: "string", pattern: "^[0-9]{1,20}$" },
      word: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" },
      signature: { type: "string", pattern: "^0x[0-9a-fA-F]{130}$" },
    },
  } as const;
  app.post(
    "/plans/:planId/receipts",
    {
      schema: {
        ...tags("plans"),
        description: "submit the best share receipt this node holds for the plan (as the provider)",
        params: planParam,
        body: submissionBody,
        response: { 201: txSchema, ...errors },
      },
    },
    async (req, reply) => {
      const id = planId((req.params as { planId: string }).planId);
      const b = req.body as Record<string, string>;
      const client = plans();
      const res = await d
        .track(
          d.chainLock.run(() =>
            client.submit({
              planId: id,
              provider: node.beneficiary,
              baseShares: BigInt(b.baseShares!),
              anchor: b.anchor as Hex,
              length: BigInt(b.length!),
              depth: BigInt(b.depth!),
              word: b.word as Hex,
              signature: b.signature as Hex,
            }),
          ),
        )
        .catch(unknownPlan(id));
      return reply.code(201).send(txView(res));
    },
  );
  app.post(
    "/plans/:planId/claim",
    {
      schema: {
        ...tags("plans"),
        params: planParam,
        response: { 201: obj({ ...txSchema.properties, amount }), ...errors },
      },
    },
    async (req, reply) => {
      const id = planId((req.params as { planId: string }).planId);
      const client = plans();
      const res = await d.track(d.chainLock.run(() => client.claim(id, node.beneficiary))).catch(unknownPlan(id));
      return reply.code(201).send({ ...txView(res), amount: res.amount.toString() });
    },
  );

  // ------------------------------------------------------------------ metrics, dashboard
  if (d.config.metrics.enabled) {
    app.get(
      "/metrics",
      { schema: { ...tags("node"), produces: ["text/plain"], response: { 200: { type: "string" } } } },
      async (_req, reply) => reply.type(d.metrics.registry.contentType).send(await d.metrics.text()),
    );
  }
  const page = (file: string) => {
    const url = dashboardFile(file);
    if (!existsSync(url))
      throw new ApiInputError(
        "NoDashboard",
        `dashboard file ${file} is not installed (package "files" must include src/daemon/dashboard)`,
        404,
      );
    return readFileSync(url, "utf8");
  };
  app.get(
    "/dashboard",
    { schema: { ...tags("node"), produces: ["text/html"], response: { 200: { type: "string" }, 404: errorSchema } } },
    async (_req, reply) => reply.type("text/html; charset=utf-8").send(page("index.html")),
  );
  app.get(
    "/dashboard/app.js",
    {
      schema: {
        ...tags("node"),
        produces: ["text/javascript"],
        response: { 200: { type: "string" }, 404: errorSchema },
      },
    },
    async (_req, reply) => reply.type("text/javascript; charset=utf-8").send(page("app.js")),
  );

  // ------------------------------------------------------------------ debug (demos, tests)
  if (d.config.api.debug) {
    app.post(
      "/debug/requests/:peer",
      {
        schema: {
          ...tags("debug"),
          description:
            "consume `count` metered requests from a connected peer (drives traffic in demos and benchmarks)",
          params: peerParam,
          body: {
            type: "object",
            additionalProperties: false,
            required: ["protocol"],
            properties: {
              protocol: { type: "string", maxLength: 64 },
              via: {
                type: "string",
                enum: ["stream", "session"],
                description: "the service protocol's own stream (default) or the SWAP stream",
              },
              count: { type: "integer", minimum: 1, maximum: 10_000 },
              units: { type: "integer", minimum: 1, maximum: 1_000_000 },
              concurrency: { type: "integer", minimum: 1, maximum: 64 },
            },
          },
          response: {
            200: obj({
              paid: { type: "integer" },
              free: { type: "integer" },
              refused: { type: "integer" },
              failed: { type: "integer" },
              lastError: nullable({ type: "string" }),
              elapsedMs: { type: "number" },
              p50Ms: nullable({ type: "number" }),
              p99Ms: nullable({ type: "number" }),
            }),
            ...errors,
          },
        },
      },
      async (req) => {
        const peer = (req.params as { peer: string }).peer;
        const body = req.body as {
          protocol: string;
          via?: "stream" | "session";
          count?: number;
          units?: number;
          concurrency?: number;
        };
        const session = node.sessions.get(peer);
        if (!session) throw new ApiInputError("NotConnected", `no SWAP session with ${peer.slice(0, 80)}`, 404);
        const out = { paid: 0, free: 0, refused: 0, failed: 0, lastError: null as string | null };
        const latencies: number[] = [];
        let left = body.count ?? 1;
        const worker = async () => {
          while (left > 0 && !session.closed) {
            left--;
            try {
              const t0 = performance.now();
              const payload = new Uint8Array(32);
              const r =
                body.via === "session"
                  ? await session.request(body.protocol, payload, body.units ?? 1)
                  : await d.services.request(peer, body.protocol, payload, body.units ?? 1);
              latencies.push(performance.now() - t0);
              if (r.serviceClass === "free") out.free++;
              else out.paid++;
              d.metrics.consumed.inc({ protocol: body.protocol, class: r.serviceClass });
            } catch (e) {
              const name = (e as Error).name;
              if (name === "ServiceRefusedError") {
                out.refused++;
                left = 0; // refused: the peer is ending the session, stop asking
              } else out.failed++;
              out.lastError = `${name}: ${(e as Error).message.split("\n")[0]}`;
              d.metrics.consumed.inc({
                protocol: body.protocol,
                class: name === "ServiceRefusedError" ? "refused" : "failed",
              });
            }
          }
        };
        const started = performance.now();
        await d.track(Promise.all(Array.from({ length: body.concurrency ?? 1 }, worker)));
        latencies.sort((x, y) => x - y);
        const pct = (q: number) =>
          latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! : null;
        return { ...out, elapsedMs: performance.now() - started, p50Ms: pct(0.5), p99Ms: pct(0.99) };
      },
    );
    app.post(
      "/debug/payments",
      {
        schema: {
          ...tags("debug"),
          description: "pause or resume paying peers (simulates a peer that stops paying)",
          body: obj({ enabled: { type: "boolean" } }),
          response: { 200: obj({ enabled: { type: "boolean" } }), ...errors },
        },
      },
      async (req) => {
        const { enabled } = req.body as { enabled: boolean };
        node.paymentsEnabled = enabled && !!node.issuer;
        return { enabled: node.accounting.paymentsEnabled };
      },
    );
  }
}

/** The dashboard's static files live in src/daemon/dashboard (tsc does not copy them to dist/). */
function dashboardFile(file: string): URL {
  // from src/ (tsx) and from the built package (the build copies the files beside the routes)
  return new URL(`./dashboard/${file}`, import.meta.url);
}
