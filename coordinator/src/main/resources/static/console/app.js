// The taskstats-fleet console: reads the coordinator's admin API with the operator's token (kept in this
// tab's sessionStorage), polls it, draws the CPU grids (one per node), and performs the admin API's writes. It has
// no API of its own.
import { createApi, ApiError } from "./api.js";
import { parseCpulist, formatCpulist, countCpulist } from "./cpulist.js";
import { CpuGrid } from "./grid.js";
import { buildGridModel, ownedCounts } from "./model.js";
import { Palette, NO_OWNER } from "./palette.js";
import { h, fill, fmtTime } from "./dom.js";
import { renderStats, renderLegend, renderReplicas, renderHandovers, renderAudit, renderPlan, renderCpuTip, renderNodes, renderNodeHead } from "./views.js";

const TOKEN_KEY = "tsfleet.console.token";
const AUDIT_LIMIT = 50;
const DETAIL_TTL_MS = 2000;

const $ = (id) => document.getElementById(id);
const palette = new Palette();
const api = createApi(() => sessionStorage.getItem(TOKEN_KEY) || "");

const state = {
  assignment: null,
  replicas: [],
  scaling: null,
  status: null,
  statusMissing: false,
  audit: [],
  nodes: [], // GET /nodes (empty on a static fleet without node agents)
  model: null,
  refreshes: 0,
  lastError: null,
  timer: null,
  inFlight: null,
  hover: null, // { key, cpu, rect, source }: the cell under the pointer or the keyboard cursor
  moveNode: "", // the section whose CPUs the move form names (its selection is the only one shown)
  details: new Map(), // "<section key>:<cpu>" -> { at, data, error }
};

// ------------------------------------------------------------------ grids

// One grid per node, by node name (model.js). The section key is the node's name, or "" for the
// single section of a fleet of one node, whose assignment writes plain cpulists and whose canvas keeps the id "grid".
const grids = new Map(); // key -> { grid, section, head, canvas }
new ResizeObserver(() => layoutGrids(true)).observe($("grids"));

function canvasIdOf(key) {
  return key === "" ? "grid" : `grid-${key}`;
}

/** Makes the grid sections match the model's: creates new nodes' grids, removes those of nodes that left, keeps the order. */
function syncGrids(model) {
  const wanted = new Set(model.sections.map((s) => s.key));
  for (const [key, g] of grids) {
    if (wanted.has(key)) continue;
    g.grid.destroy();
    g.section.remove();
    grids.delete(key);
    if (state.hover && state.hover.key === key) hideTip();
  }
  const container = $("grids");
  let before = container.firstElementChild;
  for (const s of model.sections) {
    let g = grids.get(s.key);
    if (!g) {
      const canvas = h("canvas", { id: canvasIdOf(s.key), class: "grid", tabindex: 0, role: "application",
        "aria-roledescription": "CPU grid", "aria-describedby": "grid-help", dataset: { node: s.key } });
      const head = h("div", { class: "node-head" });
      const section = h("section", { class: "node-grid", dataset: { node: s.key } }, head, canvas);
      g = { grid: null, section, head, canvas };
      g.grid = new CpuGrid(canvas, palette, gridEvents(s.key));
      grids.set(s.key, g);
    }
    if (g.section !== before) container.insertBefore(g.section, before);
    else before = before.nextElementSibling;
  }
  for (const s of model.sections) grids.get(s.key).grid.setModel(s);
  layoutGrids(false);
}

/** The grids of several nodes share one cell size and label width (the smallest and the widest), so they line up. */
function layoutGrids(resized) {
  const all = [...grids.values()].map((g) => g.grid).filter((g) => g.model);
  if (all.length === 0) return;
  const labelMin = Math.max(...all.map((g) => g.naturalLabelWidth()));
  all.forEach((g) => (g.labelMin = labelMin));
  const cell = Math.min(...all.map((g) => g.naturalCell()));
  for (const g of all) {
    if (!resized && g.cellLimit === cell && g.layout.labelW === labelMin) continue;
    g.cellLimit = cell;
    g.relayout();
  }
  if (state.hover) placeTip();
}

function gridEvents(key) {
  return {
    hover(cpu, rect, source) {
      if (cpu === null) {
        if (!state.hover || (state.hover.key === key && (source === state.hover.source || source === "keyboard"))) hideTip();
        return;
      }
      state.hover = { key, cpu, rect, source };
      showTip();
      if (source === "keyboard") announceCpu(key, cpu);
    },
    select(cpus) {
      // the selection is per node: selecting on one node's grid clears the others' and names that node in the form
      if (key !== state.moveNode) {
        state.moveNode = key;
        if (state.model && state.model.named) $("move-node").value = key;
      }
      $("move-cpus").value = formatCpulist(cpus);
      updateMovePreview();
    },
  };
}

function nodeParam(key) {
  return state.model && state.model.named ? key : null;
}

function showTip() {
  const tip = $("tip");
  const hover = state.hover;
  const section = hover && state.model ? state.model.byKey.get(hover.key) : null;
  if (!section || !section.indexOf.has(hover.cpu)) return hideTip();
  const cached = state.details.get(`${hover.key}:${hover.cpu}`);
  renderCpuTip(tip, hover.cpu, section, palette, cached && cached.data, cached && cached.error, nodeParam(hover.key));
  tip.hidden = false;
  placeTip();
  if (!cached || performance.now() - cached.at > DETAIL_TTL_MS) loadDetail(hover.key, hover.cpu);
}

function placeTip() {
  const tip = $("tip");
  const hover = state.hover;
  const g = hover && grids.get(hover.key);
  if (!g || !hover.rect) return;
  const wrap = $("grids");
  const w = wrap.getBoundingClientRect();
  const c = g.canvas.getBoundingClientRect();
  const canvasLeft = c.left - w.left + wrap.scrollLeft;
  const canvasTop = c.top - w.top + wrap.scrollTop;
  const r = hover.rect;
  let x = canvasLeft + r.x + r.size + 10;
  let y = canvasTop + r.y - 4;
  if (x + tip.offsetWidth > wrap.clientWidth) x = Math.max(0, canvasLeft + r.x - tip.offsetWidth - 10);
  if (y + tip.offsetHeight > wrap.scrollHeight) y = Math.max(0, wrap.scrollHeight - tip.offsetHeight);
  tip.style.left = `${x}px`;
  tip.style.top = `${y}px`;
}

function hideTip() {
  state.hover = null;
  $("tip").hidden = true;
}

let detailTimer = null;
function loadDetail(key, cpu) {
  clearTimeout(detailTimer);
  // hover settles before a request goes out: sweeping the mouse over 8192 cells asks for one CPU, not hundreds
  detailTimer = setTimeout(async () => {
    const cacheKey = `${key}:${cpu}`;
    try {
      const data = await api.cpu(cpu, nodeParam(key));
      state.details.set(cacheKey, { at: performance.now(), data, error: null });
    } catch (e) {
      state.details.set(cacheKey, { at: performance.now(), data: null, error: e.message });
    }
    if (state.details.size > 512) state.details.clear();
    if (state.hover && state.hover.key === key && state.hover.cpu === cpu) showTip();
  }, 120);
}

function announceCpu(key, cpu) {
  const m = state.model.byKey.get(key);
  if (!m) return;
  const i = m.indexOf.get(cpu);
  const parts = [state.model.named ? `CPU ${cpu} of node ${key}` : `CPU ${cpu}`, `owner ${m.owner[i] || "none"}`];
  if (m.target[i] !== m.owner[i]) parts.push(`moving to ${m.target[i] || "none"}`);
  if (m.uncovered[i]) parts.push("uncovered");
  $("grid-live").textContent = parts.join(", ");
}

// ------------------------------------------------------------------ polling

async function refresh() {
  if (state.inFlight) return state.inFlight;
  state.inFlight = (async () => {
    const optional = (p) => p.catch((e) => (e instanceof ApiError && e.status === 404 ? undefined : Promise.reject(e)));
    const results = await Promise.allSettled([
      api.assignment(), api.replicas(), api.scaling(), optional(api.status()), api.audit(AUDIT_LIMIT), optional(api.nodes())]);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    const [assignment, replicas, scaling, status, audit, nodes] = results.map((r) => r.value);
    state.assignment = assignment;
    state.nodes = [...(nodes || [])].sort((a, b) => a.name.localeCompare(b.name));
    state.replicas = [...replicas].sort((a, b) => a.id.localeCompare(b.id));
    state.scaling = scaling;
    state.status = status || null;
    state.statusMissing = status === undefined;
    state.audit = audit;
    state.model = buildGridModel(assignment);
    state.refreshes++;
    state.lastError = null;
    render();
  })();
  try {
    await state.inFlight;
    setLive("live", `live · generation ${state.assignment.generation} · ${fmtTime(new Date().toISOString())}`);
  } catch (e) {
    state.lastError = e.message;
    if (e instanceof ApiError && e.status === 401) {
      signOut(`The coordinator refused the token: ${e.detail || e.title}`);
    } else if (e instanceof ApiError && e.status === 503) {
      setLive("warn", `this coordinator instance is not the leader; retrying (${e.detail || e.title})`);
    } else {
      setLive("error", `refresh failed: ${e.message}`);
    }
  } finally {
    state.inFlight = null;
  }
}

function schedule() {
  clearTimeout(state.timer);
  if (!sessionStorage.getItem(TOKEN_KEY)) return;
  const every = Number($("interval").value);
  if (every > 0) state.timer = setTimeout(async () => {
    await refresh();
    schedule();
  }, every);
}

function setLive(tone, text) {
  const el = $("live");
  el.className = tone ? `live is-${tone}` : "live";
  el.textContent = text;
}

// ------------------------------------------------------------------ rendering

function render() {
  const { assignment, replicas, model } = state;
  const ids = new Set([...Object.keys(assignment.owners || {}), ...Object.keys(assignment.targets || {}), ...replicas.map((r) => r.id)]);
  palette.learn(ids);
  const counts = ownedCounts(assignment);
  const sorted = [...ids].sort();
  const nodesByName = new Map(state.nodes.map((n) => [n.name, n]));
  renderStats($("stats"), state);
  renderLegend($("legend"), palette, sorted, counts);
  syncGrids(model);
  for (const s of model.sections) {
    const g = grids.get(s.key);
    // a fleet of one node writes no node names; its node is the one node the registry lists with slots (a cluster of
    // one), and a static fleet's node is not in the registry: that grid keeps the look it had before nodes existed
    const name = s.node ?? soleNodeName();
    renderNodeHead(g.head, name, s, name === null ? null : nodesByName.get(name) || null, model.named);
    g.canvas.setAttribute("aria-label", `CPU grid of ${name === null ? "" : `node ${name}, `}${s.possible.length} possible CPUs `
      + `(${formatCpulist(s.possible)}); use the arrow keys to inspect a CPU`);
  }
  $("grid-meta").textContent = model.named
    ? `${model.size} CPUs on ${model.sections.length} node${model.sections.length === 1 ? "" : "s"} · ${sorted.length} replicas`
    : `${model.size} CPUs · ${sorted.length} replicas`;
  renderReplicas($("replicas-body"), replicas, palette, counts, { drain: confirmDrain, unpin }, assignment, model.named);
  renderHandovers($("handovers-body"), assignment.handovers, palette, model.named);
  $("handovers-count").textContent = String((assignment.handovers || []).length);
  renderAudit($("audit-body"), state.audit, model.named);
  $("nodes-card").hidden = state.nodes.length === 0;
  renderNodes($("nodes-body"), state.nodes, model);
  $("nodes-count").textContent = String(state.nodes.length);
  renderNodeChoices();
  renderReplicaChoices();
  updateMovePreview();
  if (state.hover) showTip();
  document.body.dataset.generation = String(assignment.generation);
}

/** The node of a fleet of one node that the registry lists with slots (a cluster of one), or null (a static fleet). */
function soleNodeName() {
  const withSlots = state.nodes.filter((n) => n.slots === true);
  return withSlots.length === 1 ? withSlots[0].name : null;
}

function renderReplicaChoices() {
  const select = $("move-replica");
  const current = select.value;
  const active = state.replicas.filter((r) => r.state === "ACTIVE").map((r) => r.id);
  const same = select.options.length === active.length && active.every((id, i) => select.options[i].value === id);
  if (!same) {
    fill(select, active.map((id) => h("option", { value: id }, id)));
    if (active.includes(current)) select.value = current;
  }
  $("move-submit").disabled = active.length === 0;
}

/** The move form's node selector: shown when the assignment names nodes; the selection of the grids follows it. */
function renderNodeChoices() {
  const m = state.model;
  const field = $("move-node-field");
  field.hidden = !m.named;
  if (!m.named) {
    state.moveNode = "";
    return;
  }
  const select = $("move-node");
  const keys = m.sections.map((s) => s.key);
  const same = select.options.length === keys.length && keys.every((k, i) => select.options[i].value === k);
  if (!same) fill(select, keys.map((k) => h("option", { value: k }, `${k} (${m.byKey.get(k).possible.length} CPUs)`)));
  if (!keys.includes(state.moveNode)) state.moveNode = keys[0] ?? "";
  select.value = state.moveNode;
}

// ------------------------------------------------------------------ admin actions

/**
 * The mask a move would set on the form's node: the typed CPUs, or those plus what the replica is planned to own on
 * that node. `elsewhere` counts, per other node, the replica's planned CPUs there that are not pinned to it: the
 * coordinator gives a pinned replica exactly its pins, so those move to other replicas.
 */
function plannedMask() {
  const replica = $("move-replica").value;
  const typed = parseCpulist($("move-cpus").value);
  if (typed.length === 0) throw new Error("enter the CPUs to move, e.g. 0-15 (or select them in the grid)");
  const model = state.model;
  const key = model.named ? state.moveNode : "";
  const m = model.byKey.get(key);
  if (!m) throw new Error("choose the node of the CPUs");
  const outside = typed.filter((c) => !m.indexOf.has(c));
  if (outside.length) {
    throw new Error(`not possible CPUs${model.named ? ` of node ${key}` : ""}: ${formatCpulist(outside)} (possible: ${formatCpulist(m.possible)})`);
  }
  const add = document.querySelector('input[name="move-mode"]:checked').value === "add";
  const own = add ? m.possible.filter((c, i) => m.target[i] === replica) : [];
  const elsewhere = [];
  for (const other of model.sections) {
    if (other === m) continue;
    let n = 0;
    for (let i = 0; i < other.possible.length; i++) if (other.target[i] === replica && other.pinnedTo[i] !== replica) n++;
    if (n > 0) elsewhere.push([other.key, n]);
  }
  return { replica, node: model.named ? key : null, section: m, typed, mask: formatCpulist([...own, ...typed]), elsewhere };
}

function updateMovePreview() {
  const out = $("move-preview");
  if (!state.model || !$("move-replica").value) return fill(out);
  let plan;
  try {
    plan = plannedMask();
  } catch (e) {
    out.className = "preview muted";
    fill(out, $("move-cpus").value.trim() === "" ? "" : e.message);
    for (const g of grids.values()) g.grid.selectCpus([]);
    return;
  }
  for (const [key, g] of grids) g.grid.selectCpus(g.grid.model === plan.section ? plan.typed : []);
  const m = plan.section;
  const from = new Map();
  for (const c of plan.typed) {
    const t = m.target[m.indexOf.get(c)];
    if (t !== plan.replica) from.set(t || "nobody", (from.get(t || "nobody") || 0) + 1);
  }
  out.className = "preview";
  fill(out, `${plan.replica} will own exactly ${plan.node ? `${plan.node}:` : ""}${plan.mask} (${countCpulist(plan.mask)} CPUs, pinned)`,
    from.size ? `; moving ${[...from].map(([k, v]) => `${v} from ${k}`).join(", ")}` : "; nothing moves to it",
    plan.elsewhere.length
      ? h("span", { class: "warn-text" }, `; its CPUs on other nodes that are not pinned to it move to other replicas (${
        plan.elsewhere.map(([k, v]) => `${v} on ${k}`).join(", ")}): a pinned replica owns exactly its pins`)
      : null);
}

async function act(what, op) {
  const status = $("action-status");
  status.className = "action-status busy";
  status.textContent = `${what}…`;
  try {
    const result = await op();
    status.className = "action-status good";
    status.textContent = `${what}: done${result && result.generation !== undefined ? ` (generation ${result.generation}, ${result.movedCpus} CPUs to move)` : ""}`;
    await refresh();
    return result;
  } catch (e) {
    status.className = "action-status bad";
    status.textContent = `${what} refused: ${e.message}`;
    return null;
  }
}

async function onMove(e) {
  e.preventDefault();
  let plan;
  try {
    plan = plannedMask();
  } catch (err) {
    $("action-status").className = "action-status bad";
    $("action-status").textContent = `Move refused: ${err.message}`;
    $("move-cpus").focus();
    return;
  }
  const result = await act(`Move ${plan.node ? `${plan.node}:` : ""}${plan.mask} to ${plan.replica}`,
    () => api.setMask(plan.replica, plan.mask, plan.node));
  if (result) {
    renderPlan($("plan-result"), result, palette);
    $("move-cpus").value = "";
    updateMovePreview();
  }
}

async function onRebalance(dryRun) {
  const result = await act(dryRun ? "Rebalance preview" : "Rebalance", () => api.rebalance(dryRun));
  if (result) renderPlan($("plan-result"), result, palette);
}

function confirmDrain(id) {
  const dialog = $("confirm");
  $("confirm-text").textContent = `Drain ${id}? Its CPUs move to the other replicas make-before-break; afterwards its target is empty.`;
  dialog.returnValue = "";
  dialog.onclose = () => {
    if (dialog.returnValue === "confirm") act(`Drain ${id}`, () => api.drain(id));
  };
  dialog.showModal();
}

function unpin(id) {
  act(`Unpin ${id}`, () => api.clearMask(id));
}

// ------------------------------------------------------------------ token

function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  $("welcome").hidden = true;
  $("app").hidden = false;
  $("session").hidden = false;
  setLive("busy", "connecting…");
  refresh().then(schedule);
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  clearTimeout(state.timer);
  $("app").hidden = true;
  $("session").hidden = true;
  $("welcome").hidden = false;
  const err = $("token-error");
  err.textContent = message || "";
  err.hidden = !message;
  setLive("", "not connected");
  $("token").focus();
}

// ------------------------------------------------------------------ wiring

$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const token = $("token").value.trim();
  if (!token) return;
  $("token").value = "";
  $("token-error").hidden = true;
  signIn(token);
});
$("sign-out").addEventListener("click", () => signOut(""));
$("interval").addEventListener("change", () => {
  refresh().then(schedule);
});
$("move-form").addEventListener("submit", onMove);
$("move-cpus").addEventListener("input", updateMovePreview);
$("move-replica").addEventListener("change", updateMovePreview);
$("move-node").addEventListener("change", () => {
  state.moveNode = $("move-node").value;
  updateMovePreview();
});
document.querySelectorAll('input[name="move-mode"]').forEach((r) => r.addEventListener("change", updateMovePreview));
$("rebalance-preview").addEventListener("click", () => onRebalance(true));
$("rebalance-form").addEventListener("submit", (e) => {
  e.preventDefault();
  onRebalance(false);
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && sessionStorage.getItem(TOKEN_KEY)) refresh().then(schedule);
});

/**
 * A cell of the hooks below: a CPU number on a fleet of one node (whose assignment writes plain cpulists), or
 * "node:cpu" when the assignment names nodes. Answers the section and the cell's index in it, or null.
 */
function cellOf(cell) {
  const model = state.model;
  if (!model) return null;
  let key = "";
  let cpu = cell;
  if (typeof cell === "string") {
    const colon = cell.lastIndexOf(":");
    key = colon < 0 ? "" : cell.slice(0, colon);
    cpu = Number(cell.slice(colon + 1));
  }
  const section = model.byKey.get(key);
  const i = section ? section.indexOf.get(cpu) : undefined;
  return i === undefined ? null : { key, section, i, grid: grids.get(key) };
}

/** What the page shows, for tests and for the curious (read-only). */
window.tsfleetConsole = Object.freeze({
  get ready() {
    return state.refreshes > 0 && !!state.model;
  },
  get refreshes() {
    return state.refreshes;
  },
  get generation() {
    return state.assignment ? state.assignment.generation : null;
  },
  get lastError() {
    return state.lastError;
  },
  /** The slowest redraw of one node's grid, in milliseconds. */
  get lastDrawMs() {
    return Math.max(0, ...[...grids.values()].map((g) => g.grid.lastDrawMs));
  },
  /** Whether the assignment names nodes (a fleet of several nodes): then cells are "node:cpu". */
  get named() {
    return !!(state.model && state.model.named);
  },
  /** The grids in page order: [{node (null on a fleet of one node), cpus (cpulist), canvas (the canvas element's id)}]. */
  sections() {
    const m = state.model;
    return m ? m.sections.map((s) => ({ node: s.node, cpus: formatCpulist(s.possible), canvas: canvasIdOf(s.key) })) : [];
  },
  /** [[cell, owner or null], ...] for every cell the grids draw, in page order; a cell is a CPU or "node:cpu" (see named). */
  cells() {
    const m = state.model;
    if (!m) return [];
    return m.sections.flatMap((s) => s.possible.map((c, i) => [s.node === null ? c : `${s.node}:${c}`, s.owner[i]]));
  },
  /** The colour of a replica in the grid (NO_OWNER for null). */
  colourOf(replica) {
    return replica ? palette.colourOf(replica) : NO_OWNER;
  },
  /** The colour drawn at the centre of a cell. */
  drawnColourOf(cell) {
    const c = cellOf(cell);
    return c ? c.grid.grid.drawnColourOf(c.section.possible[c.i]) : null;
  },
  /** The position of a cell in CSS pixels relative to its canvas ({x, y, size}) and the canvas element's id. */
  cellRect(cell) {
    const c = cellOf(cell);
    return c ? { ...c.grid.grid.rectOf(c.i), canvas: canvasIdOf(c.key) } : null;
  },
  refresh: () => refresh(),
});

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) signIn(saved);
else signOut("");
