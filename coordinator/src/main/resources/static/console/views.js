// Rendering of the console's panels from the admin API's answers.
import { h, fill, fmtNumber, fmtRate, fmtAge, fmtTime } from "./dom.js";
import { countCpulist, countSlotSet, formatCpulist } from "./cpulist.js";
import { groupHandovers, countsByNode } from "./model.js";
import { NO_OWNER, UNCOVERED } from "./palette.js";

const swatch = (colour, label) => h("span", { class: "swatch", style: { background: colour }, "aria-hidden": "true", title: label });

/** The summary cards: generation, CPUs, replicas against the desired count, imbalance against its floor, handovers, load. */
export function renderStats(el, s) {
  const { assignment, replicas, scaling, status, model } = s;
  const possible = countSlotSet(assignment.possibleCpus);
  const uncovered = countSlotSet(assignment.uncoveredCpus);
  const nodes = model && model.named ? model.sections.length : 0;
  const active = replicas.filter((r) => r.state === "ACTIVE").length;
  const draining = replicas.length - active;
  const desired = status ? status.desiredReplicas : scaling ? scaling.desiredReplicas : null;
  const imbalance = status ? status.imbalanceRatio : localImbalance(replicas);
  const floor = status ? status.imbalanceFloorRatio : null;
  const capacity = replicas.reduce((a, r) => a + (r.capacityPerSecond || 0), 0);
  const load = scaling ? scaling.totalLoad : replicas.reduce((a, r) => a + r.load, 0);

  const card = (key, label, value, sub, tone) =>
    h("div", { class: `stat${tone ? ` ${tone}` : ""}`, dataset: { stat: key } },
      h("div", { class: "stat-label" }, label),
      h("div", { class: "stat-value" }, value),
      h("div", { class: "stat-sub" }, sub));

  const imbalanceTone = imbalance === null || Number.isNaN(imbalance) ? "" : floor !== null && imbalance <= floor * 1.1 ? "good" : imbalance > 1.5 ? "warn" : "";
  fill(el,
    card("generation", "Generation", fmtNumber(assignment.generation), `assignor ${assignment.assignor || "–"}`),
    card("cpus", "CPUs", fmtNumber(possible),
      `${nodes ? `on ${nodes} node${nodes === 1 ? "" : "s"}, ` : ""}${uncovered === 0 ? "all covered" : `${fmtNumber(uncovered)} uncovered`}`,
      uncovered === 0 ? "good" : "bad"),
    card("replicas", "Replicas", `${active}${draining ? ` + ${draining} draining` : ""}`,
      desired === null ? "desired: unknown" : `desired ${desired}`, desired !== null && desired !== active ? "warn" : ""),
    card("imbalance", "Imbalance", imbalance === null || Number.isNaN(imbalance) ? "–" : `${fmtNumber(imbalance, 2)}×`,
      floor === null || Number.isNaN(floor) ? "floor: unknown" : `floor ${fmtNumber(floor, 2)}× (max/mean load)`, imbalanceTone),
    card("handovers", "Handovers", fmtNumber((assignment.handovers || []).length),
      `${fmtNumber(assignment.pendingMoves)} pending, ${fmtNumber((assignment.releases || []).length)} releasing`,
      (assignment.handovers || []).length > 0 ? "busy" : ""),
    card("load", "Exit rate", fmtRate(load), capacity > 0 ? `capacity ${fmtRate(capacity)}` : "capacity not measured yet"),
  );
}

/** max/mean load of the active replicas: what the console shows when the coordinator has no /status. */
function localImbalance(replicas) {
  const loads = replicas.filter((r) => r.state === "ACTIVE").map((r) => r.load);
  if (loads.length === 0) return null;
  const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
  return mean > 0 ? Math.max(...loads) / mean : 1;
}

/** The grid's legend: each replica's colour and CPU count, then the marks. */
export function renderLegend(el, palette, ids, counts) {
  fill(el,
    ids.map((id) => h("span", { class: "legend-item", dataset: { replica: id } },
      swatch(palette.colourOf(id), id), h("span", {}, id), h("span", { class: "muted" }, ` ${fmtNumber(counts.get(id) || 0)}`))),
    h("span", { class: "legend-item" }, swatch(NO_OWNER, "no owner"), "no owner"),
    h("span", { class: "legend-item" }, h("span", { class: "swatch mark-uncovered", style: { borderColor: UNCOVERED }, "aria-hidden": "true" }), "uncovered"),
    h("span", { class: "legend-item" }, h("span", { class: "swatch mark-handover", "aria-hidden": "true" }), "handover"),
    h("span", { class: "legend-item" }, h("span", { class: "swatch mark-target", "aria-hidden": "true" }), "corner: planned target"),
    h("span", { class: "legend-item" }, h("span", { class: "swatch mark-pin", "aria-hidden": "true" }), "pinned"),
  );
}

/**
 * The replicas with load against capacity, losses, state, and their actions. When the assignment names nodes the
 * CPUs column also shows owned → target per node (owned: the committed owner masks of the assignment).
 */
export function renderReplicas(tbody, replicas, palette, counts, actions, assignment, named) {
  if (replicas.length === 0) {
    fill(tbody, h("tr", {}, h("td", { colspan: 9, class: "empty" }, "No live replicas: the coordinator has heard no heartbeat yet.")));
    return;
  }
  const now = Date.now();
  fill(tbody, replicas.map((r) => {
    const cap = r.capacityPerSecond || 0;
    const ratio = cap > 0 ? r.load / cap : 0;
    const planned = cap > 0 && r.planningCapacityPerSecond > 0 ? r.planningCapacityPerSecond / cap : 0;
    const owned = counts.get(r.id) ?? countSlotSet(r.ownedCpus);
    const target = countSlotSet(r.targetCpus);
    const pinned = countSlotSet(r.pinnedCpus);
    const stateTone = r.state === "ACTIVE" ? (r.presumed ? "warn" : "good") : "busy";
    return h("tr", { dataset: { replica: r.id } },
      h("th", { scope: "row" }, h("span", { class: "replica-name" }, swatch(palette.colourOf(r.id), r.id), r.id)),
      h("td", {}, h("span", { class: `badge ${stateTone}` }, r.presumed ? `${r.state} (presumed)` : r.state)),
      h("td", { class: "num", title: `owned ${r.ownedCpus || "none"}\ntarget ${r.targetCpus || "none"}${pinned ? `\npinned ${r.pinnedCpus}` : ""}` },
        fmtNumber(owned), target !== owned ? h("span", { class: "muted" }, ` → ${fmtNumber(target)}`) : null,
        pinned ? h("span", { class: "badge pin", title: `pinned: ${r.pinnedCpus}` }, "pinned") : null,
        named ? perNode(((assignment && assignment.owners) || {})[r.id], r.targetCpus) : null),
      h("td", { class: "load-cell" },
        h("div", { class: "meter", role: "meter", "aria-valuemin": 0, "aria-valuemax": cap > 0 ? Math.round(cap) : 1,
          "aria-valuenow": cap > 0 ? Math.min(Math.round(r.load), Math.round(cap)) : 0, "aria-label": `load of ${r.id}`,
          "aria-valuetext": `${fmtRate(r.load)} of ${cap > 0 ? fmtRate(cap) : "unknown capacity"}`,
          title: cap > 0 ? `planning limit ${fmtRate(r.planningCapacityPerSecond)} (headroom)` : "capacity not measured yet" },
          h("div", { class: `meter-fill${ratio > 1 ? " over" : planned > 0 && ratio > planned ? " high" : ""}`, style: { width: `${Math.min(100, ratio * 100)}%` } }),
          planned > 0 ? h("div", { class: "meter-mark", style: { left: `${Math.min(100, planned * 100)}%` } }) : null),
        h("div", { class: "meter-text" }, `${fmtRate(r.load)} of ${cap > 0 ? fmtRate(cap) : "?"}`,
          cap > 0 ? h("span", { class: "muted" }, ` (${fmtNumber(ratio * 100, 0)}%)`) : null)),
      h("td", { class: "num" }, fmtNumber(r.recordsTotal)),
      h("td", { class: `num${r.lostTotal > 0 ? " bad-text" : ""}` }, fmtNumber(r.lostTotal),
        r.enobufsTotal > 0 ? h("div", { class: "muted small" }, `${fmtNumber(r.enobufsTotal)} ENOBUFS`) : null),
      h("td", { class: `num${r.duplicatesTotal > 0 ? " warn-text" : ""}` }, fmtNumber(r.duplicatesTotal)),
      h("td", { class: "small" }, fmtAge(r.lastHeartbeat, now), h("div", { class: "muted" }, `gen ${fmtNumber(r.appliedGeneration)}`)),
      h("td", { class: "row-actions" },
        h("button", { type: "button", class: "small-btn", disabled: r.state !== "ACTIVE", onclick: () => actions.drain(r.id),
          "aria-label": `Drain ${r.id}` }, "Drain"),
        pinned ? h("button", { type: "button", class: "small-btn", onclick: () => actions.unpin(r.id), "aria-label": `Unpin ${r.id}` }, "Unpin") : null));
  }));
}

/** Owned → target per node, one line per node with either: "worker-1 12 → 16". */
function perNode(owned, target) {
  const rows = new Map();
  for (const [node, n] of countsByNode(owned)) rows.set(node, [n, 0]);
  for (const [node, n] of countsByNode(target)) rows.set(node, [(rows.get(node) || [0])[0], n]);
  if (rows.size === 0) return null;
  return h("div", { class: "per-node" }, [...rows].sort(([a], [b]) => String(a).localeCompare(String(b))).map(([node, [o, t]]) =>
    h("div", { class: "per-node-row", dataset: { node: node ?? "" } }, h("span", { class: "muted" }, `${node} `), fmtNumber(o),
      t !== o ? h("span", { class: "muted" }, ` → ${fmtNumber(t)}`) : null)));
}

/** Handovers in flight, grouped by node, source, destination and phase; the node is shown when the assignment names nodes. */
export function renderHandovers(tbody, handovers, palette, named) {
  const groups = groupHandovers(handovers);
  if (groups.length === 0) {
    fill(tbody, h("tr", {}, h("td", { colspan: 5, class: "empty" }, "No handover in flight.")));
    return;
  }
  fill(tbody, groups.map((g) => h("tr", {},
    h("td", {}, h("span", { class: "replica-name" }, swatch(palette.colourOf(g.from), g.from), g.from), " → ",
      h("span", { class: "replica-name" }, swatch(palette.colourOf(g.to), g.to), g.to)),
    h("td", {}, h("span", { class: "badge busy" }, g.phase)),
    h("td", { class: "mono" }, named && g.node ? `${g.node}:` : "", formatCpulist(g.cpus), h("span", { class: "muted" }, ` (${g.cpus.length})`)),
    h("td", { class: "small" }, g.waiting > 0 ? `${g.waiting} waiting for traffic` : ""),
    h("td", { class: "small" }, fmtAge(g.oldest)))));
}

/** The audit log, newest first. The node is shown for node events, and for CPU events when the assignment names nodes. */
export function renderAudit(tbody, events, named) {
  if (!events || events.length === 0) {
    fill(tbody, h("tr", {}, h("td", { colspan: 5, class: "empty" }, "Nothing audited yet.")));
    return;
  }
  fill(tbody, events.map((e) => h("tr", {},
    h("td", { class: "small mono", title: e.time }, fmtTime(e.time)),
    h("td", { class: "num small" }, fmtNumber(e.generation)),
    h("td", {}, h("span", { class: `badge type-${String(e.type).replace(/[^a-z-]/gi, "")}` }, e.type)),
    h("td", { class: "small" }, e.replica || "", where(e, named)),
    h("td", { class: "message" }, e.message))));
}

function where(e, named) {
  const node = e.node && (named || String(e.type).startsWith("node-")) ? e.node : null;
  const sep = e.replica ? " · " : "";
  if (e.cpu >= 0) return h("span", { class: "muted" }, `${sep}${node ? `${node} ` : ""}CPU ${e.cpu}`);
  return node ? h("span", { class: "muted" }, `${sep}node ${node}`) : null;
}

/** A plan (applied or a dry run): moves and imbalance before → after against the floor. */
export function renderPlan(el, plan, palette) {
  const moves = plan.moves || [];
  fill(el,
    h("p", {}, h("strong", {}, plan.applied ? `Applied: generation ${fmtNumber(plan.generation)}` : "Dry run: nothing changed"),
      ` · ${fmtNumber(plan.movedCpus)} CPUs to move · imbalance ${fmtNumber(plan.imbalanceBefore, 2)}× → ${fmtNumber(plan.imbalanceAfter, 2)}× (floor ${fmtNumber(plan.floor, 2)}×)`),
    moves.length === 0 ? null : h("ul", { class: "moves" }, moves.slice(0, 12).map((m) => h("li", {},
      h("span", { class: "replica-name" }, swatch(palette.colourOf(m.from), m.from), m.from), " → ",
      h("span", { class: "replica-name" }, swatch(palette.colourOf(m.to), m.to), m.to), ": ",
      h("span", { class: "mono" }, m.cpus), h("span", { class: "muted" }, ` (${m.count})`))),
      moves.length > 12 ? h("li", { class: "muted" }, `… ${moves.length - 12} more groups`) : null),
    plan.hotCpus ? h("p", { class: "warn-text" }, `Hot CPUs (each hotter than one replica's headroom): ${plan.hotCpus}`) : null,
    plan.overCapacity && plan.overCapacity.length ? h("p", { class: "warn-text" }, `Over capacity: ${plan.overCapacity.join(", ")}`) : null);
}

/**
 * The hover card of one CPU of a node's grid: what the assignment says now, then the per-CPU view when it has arrived.
 * `node` is named when the assignment names nodes.
 */
export function renderCpuTip(el, cpu, model, palette, detail, detailError, node) {
  const i = model.indexOf.get(cpu);
  const owner = model.owner[i];
  const target = model.target[i];
  const handover = model.handover.get(i);
  const who = (id) => (id ? h("span", { class: "replica-name" }, swatch(palette.colourOf(id), id), id) : h("span", { class: "muted" }, "none"));
  const row = (k, ...v) => h("div", { class: "tip-row" }, h("span", { class: "tip-k" }, k), h("span", { class: "tip-v" }, ...v));
  fill(el,
    h("div", { class: "tip-title" }, `CPU ${cpu}`,
      model.uncovered[i] ? h("span", { class: "badge bad" }, "uncovered") : null,
      model.pinnedTo[i] ? h("span", { class: "badge pin" }, `pinned to ${model.pinnedTo[i]}`) : null,
      detail && detail.hot ? h("span", { class: "badge warn" }, "hot") : null),
    node ? row("node", node) : null,
    row("owner", who(owner)),
    target !== owner ? row("target", who(target)) : null,
    handover ? row("handover", `${handover.phase}${handover.fence !== null && handover.fence !== undefined ? `, fence ${handover.fence}` : ""}`,
      handover.waitingForTraffic ? " (waiting for traffic)" : "") : null,
    detail ? [
      row("exit rate", fmtRate(detail.load), h("span", { class: "muted" }, ` (last ${fmtRate(detail.lastRate)})`)),
      row("lost", h("span", { class: detail.lostTotal > 0 ? "bad-text" : "" }, fmtNumber(detail.lostTotal)), " records"),
      row("registered", detail.registeredBy && detail.registeredBy.length ? detail.registeredBy.join(", ") : h("span", { class: "bad-text" }, "nobody")),
    ] : h("div", { class: "tip-row muted" }, detailError ? `details unavailable: ${detailError}` : "loading rate and losses…"));
}

/**
 * The heading of a node's grid: name, boot, CPUs, broker, zone and delay accounting from GET /nodes. Empty (today's
 * look) for a fleet of one node that the registry does not list (a static fleet).
 */
export function renderNodeHead(el, name, section, node, named) {
  if (name === null) {
    fill(el);
    el.hidden = true;
    return;
  }
  el.hidden = false;
  const facts = [`${fmtNumber(section.possible.length)} CPUs`];
  if (node) {
    facts.push(`boot ${shortBoot(node.bootId)}`);
    if (node.broker) facts.push(`broker ${node.broker}`);
    if (node.zone) facts.push(`zone ${node.zone}`);
  }
  fill(el,
    h("h3", { class: "node-name" }, name),
    h("span", { class: "muted small", title: node ? `boot ${node.bootId}` : "" }, facts.join(" · ")),
    node ? delayBadge(node.delayAccounting) : h("span", { class: "badge warn", title: "the coordinator knows the node from its persisted layout; its agent has not announced it since" }, "not announced"),
    named ? null : h("span", { class: "muted small" }, "(the only node)"));
}

function shortBoot(bootId) {
  return bootId ? String(bootId).slice(0, 8) : "–";
}

function delayBadge(state) {
  if (state === "on") return h("span", { class: "badge good", title: "delay accounting is on: the delay fields are measured" }, "delay accounting on");
  if (state === "off") {
    return h("span", { class: "badge warn", title: "every delay field of this node's records is zero; turn it on with "
      + "sysctl kernel.task_delayacct=1 or the delayacct boot parameter" }, "delay accounting off");
  }
  return h("span", { class: "badge", title: "the node agent could not read /proc/sys/kernel/task_delayacct" }, "delay accounting unknown");
}

/** The nodes whose agents hold a lease (GET /nodes): boot, CPUs, broker, zone, delay accounting, lease. */
export function renderNodes(tbody, nodes, model) {
  if (!nodes || nodes.length === 0) {
    fill(tbody, h("tr", {}, h("td", { colspan: 6, class: "empty" }, "No node agent holds a lease.")));
    return;
  }
  const now = Date.now();
  fill(tbody, nodes.map((n) => {
    const section = model && model.named ? model.byKey.get(n.name) : null;
    const slots = n.slots === undefined ? !!section : n.slots;
    const uncovered = n.uncoveredCpus ? countCpulist(n.uncoveredCpus) : 0;
    const left = n.leaseExpiresAt ? (Date.parse(n.leaseExpiresAt) - now) / 1000 : null;
    return h("tr", { dataset: { node: n.name } },
      h("th", { scope: "row" }, n.name, n.zone ? h("div", { class: "muted small" }, `zone ${n.zone}`) : null),
      h("td", { class: "mono small", title: n.bootId || "" }, shortBoot(n.bootId)),
      h("td", { class: "small" }, h("span", { class: "mono" }, n.possibleCpus), h("span", { class: "muted" }, ` (${fmtNumber(countCpulist(n.possibleCpus))})`),
        slots ? (uncovered ? h("div", { class: "bad-text" }, `${fmtNumber(uncovered)} uncovered`) : null)
          : h("div", { class: "muted" }, "not slots of this fleet (static fleet)")),
      h("td", { class: "mono small" }, n.broker || "–"),
      h("td", {}, delayBadge(n.delayAccounting)),
      h("td", { class: `small${left !== null && left < 0 ? " bad-text" : ""}`, title: `joined ${n.joinedAt || "?"}, last seen ${n.lastSeen || "?"}` },
        left === null ? "–" : left >= 0 ? `expires in ${left.toFixed(0)} s` : `expired ${(-left).toFixed(0)} s ago`,
        h("div", { class: "muted" }, `seen ${fmtAge(n.lastSeen, now)}`)));
  }));
}
