// swap-node dashboard: plain browser JS, no build step, no third-party code. Reads the node's API
// (same origin), refreshes every REFRESH_MS, keeps a short in-memory history for the chart.
// A bearer token (when the API requires one) is taken from the URL fragment `#token=…`.
"use strict";
(() => {
  const REFRESH_MS = 2000;
  const HISTORY = 180;
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const history = []; // { t, balances: { peer: number } }
  const $ = (id) => document.getElementById(id);
  const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 3 });
  const short = (s) => (s && s.length > 18 ? `${s.slice(0, 8)}…${s.slice(-6)}` : s || "");

  async function get(path) {
    const res = await fetch(path, { headers });
    const body = await res.json().catch(() => null);
    if (!res.ok) return { error: body && body.code ? body.code : String(res.status) };
    return body;
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) e.append(c && c.nodeType ? c : document.createTextNode(c == null ? "" : String(c)));
    return e;
  }

  function fill(tbody, rows, empty, cols) {
    tbody.replaceChildren(
      ...(rows.length ? rows : [el("tr", {}, el("td", { class: "empty", colspan: String(cols) }, empty))]),
    );
  }

  function renderChequebook(addr, bal) {
    const dl = $("chequebook");
    const rows = [["address", "chequebook-address", addr.error ? "none" : addr.chequebookAddress]];
    if (!bal.error)
      rows.push(
        ["total", "total-balance", bal.totalBalance],
        ["available", "available-balance", bal.availableBalance],
        ["uncommitted", "uncommitted-balance", bal.uncommittedBalance],
      );
    dl.replaceChildren(...rows.flatMap(([label, k, v]) => [el("dt", {}, label), el("dd", { "data-k": k }, v)]));
  }

  function renderPeers(peers, cheques) {
    const last = new Map(cheques.map((c) => [c.peer, c]));
    fill(
      $("peers"),
      peers.map((p) => {
        const c = last.get(p.peer) || {};
        return el(
          "tr",
          { "data-peer": p.peer },
          el("td", { class: "id", title: p.peer }, short(p.peer)),
          el("td", {}, el("span", { class: `tag ${p.serviceClass}`, "data-k": "class" }, p.serviceClass)),
          el("td", {}, p.connected ? "yes" : "no"),
          el("td", { class: "num", "data-k": "balance" }, p.balance),
          el("td", { class: "num", "data-k": "surplus" }, p.surplus),
          el("td", { class: "num", "data-k": "sent" }, c.lastsent ? c.lastsent.payout : "–"),
          el("td", { class: "num", "data-k": "received" }, c.lastreceived ? c.lastreceived.payout : "–"),
        );
      }),
      "no peers yet",
      7,
    );
  }

  function renderCashouts(list) {
    fill(
      $("cashouts"),
      list
        .slice(-20)
        .reverse()
        .map((r) =>
          el(
            "tr",
            { "data-id": r.id },
            el("td", { class: "id", title: r.chequebook }, short(r.chequebook)),
            el("td", {}, el("span", { class: `tag ${r.status}`, "data-k": "status" }, r.status)),
            el("td", { class: "num", "data-k": "payout" }, r.totalPayout),
            el("td", { class: "id", title: r.txHash || "" }, short(r.txHash || "")),
          ),
        ),
      "no cash-outs yet",
      4,
    );
  }

  function renderChart() {
    const svg = $("chart");
    const W = 900,
      H = 220,
      L = 60,
      R = 10,
      T = 10,
      B = 24;
    const peers = [...new Set(history.flatMap((h) => Object.keys(h.balances)))];
    const values = history.flatMap((h) => Object.values(h.balances));
    const lo = Math.min(0, ...values),
      hi = Math.max(1, ...values);
    const t0 = history.length ? history[0].t : 0,
      t1 = history.length ? history[history.length - 1].t : 1;
    const x = (t) => L + ((t - t0) / Math.max(1, t1 - t0)) * (W - L - R);
    const y = (v) => T + (1 - (v - lo) / (hi - lo || 1)) * (H - T - B);
    const ns = "http://www.w3.org/2000/svg";
    const node = (tag, attrs, text) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (text != null) e.textContent = text;
      return e;
    };
    const parts = [
      node("line", { x1: L, x2: W - R, y1: y(0), y2: y(0), stroke: "#d9dee3" }),
      node("text", { x: L - 6, y: y(hi) + 4, "text-anchor": "end" }, compact.format(hi)),
      node("text", { x: L - 6, y: y(lo) + 4, "text-anchor": "end" }, compact.format(lo)),
      node("text", { x: L, y: H - 6 }, history.length ? new Date(t0).toLocaleTimeString() : ""),
      node(
        "text",
        { x: W - R, y: H - 6, "text-anchor": "end" },
        history.length ? new Date(t1).toLocaleTimeString() : "",
      ),
    ];
    const colours = ["#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bf3989"];
    peers.forEach((p, i) => {
      const pts = history
        .filter((h) => p in h.balances)
        .map((h) => `${x(h.t).toFixed(1)},${y(h.balances[p]).toFixed(1)}`);
      parts.push(
        node("polyline", {
          points: pts.join(" "),
          fill: "none",
          stroke: colours[i % colours.length],
          "stroke-width": 2,
          "data-peer": p,
        }),
      );
      const [lx, ly] = (pts[pts.length - 1] || "0,0").split(",");
      if (pts.length) parts.push(node("circle", { cx: lx, cy: ly, r: 3, fill: colours[i % colours.length] })); // the latest value, visible from the first refresh
      parts.push(
        node(
          "text",
          { x: W - R - 4, y: T + 12 + 13 * i, "text-anchor": "end", fill: colours[i % colours.length] },
          short(p),
        ),
      );
    });
    if (!peers.length) parts.push(node("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "no balances yet"));
    svg.replaceChildren(...parts);
  }

  async function showPlan(id) {
    const p = await get(`/plans/${encodeURIComponent(id)}`);
    const box = $("plan");
    if (p.error) return box.replaceChildren(el("span", { class: "empty" }, `plan ${id}: ${p.error}`));
    const rows = [
      ["budget", p.budget],
      ["share cap", p.shareCap],
      ["total shares", p.totalShares],
      ["paid out", p.paidOut],
      ["our shares", p.ourShares],
      ["claimable", p.claimable],
      ["claimed", p.claimed],
      ["submit deadline", new Date(Number(p.submitDeadline) * 1000).toLocaleString()],
      ["claim deadline", new Date(Number(p.claimDeadline) * 1000).toLocaleString()],
    ];
    box.replaceChildren(
      el(
        "dl",
        { class: "kv" },
        ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", { "data-k": `plan-${k.replace(/ /g, "-")}` }, v)]),
      ),
    );
  }

  async function refresh() {
    try {
      const [node, addr, bal, peers, cheques, settlements, cashouts] = await Promise.all([
        get("/node"),
        get("/chequebook/address"),
        get("/chequebook/balance"),
        get("/peers"),
        get("/chequebook/cheque"),
        get("/settlements"),
        get("/cashouts"),
      ]);
      if (node.error) throw new Error(node.error);
      $("peer-id").textContent = node.peerId;
      $("mode").textContent = `${node.mode} · chain ${node.chainId}`;
      renderChequebook(addr, bal);
      document.querySelector('[data-k="total-sent"]').textContent = settlements.totalSent;
      document.querySelector('[data-k="total-received"]').textContent = settlements.totalReceived;
      renderPeers(peers.peers, cheques.lastcheques);
      renderCashouts(cashouts.cashouts);
      history.push({
        t: Date.now(),
        balances: Object.fromEntries(peers.peers.map((p) => [p.peer, Number(p.balance)])),
      });
      if (history.length > HISTORY) history.shift();
      renderChart();
      $("status").className = "";
      $("status").textContent = `updated ${new Date().toLocaleTimeString()}`;
      document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
    } catch (e) {
      $("status").className = "err";
      $("status").textContent = `API unreachable: ${e.message}`;
    }
  }

  $("plan-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const id = $("plan-id").value.trim();
    if (id) showPlan(id);
  });
  refresh();
  setInterval(refresh, REFRESH_MS);
})();
