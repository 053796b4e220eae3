// The taskstats-fleet console: reads the coordinator's admin API with the operator's token (kept in this
// tab's sessionStorage), polls it, draws the CPU grid, and performs the admin API's writes. It has no API of
// its own.
import { createApi, ApiError } from "./api.js";
import { parseCpulist, formatCpulist, countCpulist } from "./cpulist.js";
import { CpuGrid } from "./grid.js";
import { buildGridModel, ownedCounts } from "./model.js";
import { Palette, NO_OWNER } from "./palette.js";
import { h, fill, fmtTime } from "./dom.js";
import { renderStats, renderLegend, renderReplicas, renderHandovers, renderAudit, renderPlan, renderCpuTip } from "./views.js";

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
  model: null,
  refreshes: 0,
  lastError: null,
  timer: null,
  inFlight: null,
  hoverCpu: null,
  hoverSource: null,
  hoverRect: null,
  details: new Map(), // cpu -> { at, data, error }
};

// ------------------------------------------------------------------ grid

const grid = new CpuGrid($("grid"), palette, {
  hover(cpu, rect, source) {
    if (cpu === null) {
      if (source === state.hoverSource || source === "keyboard") hideTip();
      return;
    }
    state.hoverCpu = cpu;
    state.hoverSource = source;
    state.hoverRect = rect;
    showTip();
    if (source === "keyboard") announceCpu(cpu);
  },
  select(cpus) {
    $("move-cpus").value = formatCpulist(cpus);
    updateMovePreview();
  },
});

function showTip() {
  const tip = $("tip");
  const cpu = state.hoverCpu;
  if (cpu === null || !state.model || !state.model.indexOf.has(cpu)) return hideTip();
  const cached = state.details.get(cpu);
  renderCpuTip(tip, cpu, state.model, palette, cached && cached.data, cached && cached.error);
  tip.hidden = false;
  placeTip();
  if (!cached || performance.now() - cached.at > DETAIL_TTL_MS) loadDetail(cpu);
}

function placeTip() {
  const tip = $("tip");
  const r = state.hoverRect;
  if (!r) return;
  const wrap = $("grid").parentElement;
  const canvasLeft = $("grid").offsetLeft;
  const canvasTop = $("grid").offsetTop;
  let x = canvasLeft + r.x + r.size + 10;
  let y = canvasTop + r.y - 4;
  if (x + tip.offsetWidth > wrap.clientWidth) x = Math.max(0, canvasLeft + r.x - tip.offsetWidth - 10);
  if (y + tip.offsetHeight > wrap.scrollHeight) y = Math.max(0, wrap.scrollHeight - tip.offsetHeight);
  tip.style.left = `${x}px`;
  tip.style.top = `${y}px`;
}

function hideTip() {
  state.hoverCpu = null;
  state.hoverSource = null;
  $("tip").hidden = true;
}

let detailTimer = null;
function loadDetail(cpu) {
  clearTimeout(detailTimer);
  // hover settles before a request goes out: sweeping the mouse over 8192 cells asks for one CPU, not hundreds
  detailTimer = setTimeout(async () => {
    try {
      const data = await api.cpu(cpu);
      state.details.set(cpu, { at: performance.now(), data, error: null });
    } catch (e) {
      state.details.set(cpu, { at: performance.now(), data: null, error: e.message });
    }
    if (state.details.size > 512) state.details.clear();
    if (state.hoverCpu === cpu) showTip();
  }, 120);
}

function announceCpu(cpu) {
  const m = state.model;
  const i = m.indexOf.get(cpu);
  const parts = [`CPU ${cpu}`, `owner ${m.owner[i] || "none"}`];
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
      api.assignment(), api.replicas(), api.scaling(), optional(api.status()), api.audit(AUDIT_LIMIT)]);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    const [assignment, replicas, scaling, status, audit] = results.map((r) => r.value);
    state.assignment = assignment;
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
  const { assignment, replicas } = state;
  const ids = new Set([...Object.keys(assignment.owners || {}), ...Object.keys(assignment.targets || {}), ...replicas.map((r) => r.id)]);
  palette.learn(ids);
  const counts = ownedCounts(assignment);
  const sorted = [...ids].sort();
  renderStats($("stats"), state);
  renderLegend($("legend"), palette, sorted, counts);
  grid.setModel(state.model);
  const n = state.model.possible.length;
  $("grid").setAttribute("aria-label",
    `CPU grid of ${n} possible CPUs (${assignment.possibleCpus}) owned by ${sorted.length} replicas; use the arrow keys to inspect a CPU`);
  $("grid-meta").textContent = `${n} CPUs · ${sorted.length} replicas`;
  renderReplicas($("replicas-body"), replicas, palette, counts, { drain: confirmDrain, unpin });
  renderHandovers($("handovers-body"), assignment.handovers, palette);
  $("handovers-count").textContent = String((assignment.handovers || []).length);
  renderAudit($("audit-body"), state.audit);
  renderReplicaChoices();
  updateMovePreview();
  if (state.hoverCpu !== null) showTip();
  document.body.dataset.generation = String(assignment.generation);
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

// ------------------------------------------------------------------ admin actions

/** The mask a move would set: the typed CPUs, or those plus what the replica is planned to own. */
function plannedMask() {
  const replica = $("move-replica").value;
  const typed = parseCpulist($("move-cpus").value);
  if (typed.length === 0) throw new Error("enter the CPUs to move, e.g. 0-15 (or select them in the grid)");
  const m = state.model;
  const outside = typed.filter((c) => !m.indexOf.has(c));
  if (outside.length) throw new Error(`not possible CPUs: ${formatCpulist(outside)} (possible: ${state.assignment.possibleCpus})`);
  const add = document.querySelector('input[name="move-mode"]:checked').value === "add";
  const own = add ? m.possible.filter((c, i) => m.target[i] === replica) : [];
  return { replica, typed, mask: formatCpulist([...own, ...typed]) };
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
    grid.selectCpus([]);
    return;
  }
  grid.selectCpus(plan.typed);
  const m = state.model;
  const from = new Map();
  for (const c of plan.typed) {
    const t = m.target[m.indexOf.get(c)];
    if (t !== plan.replica) from.set(t || "nobody", (from.get(t || "nobody") || 0) + 1);
  }
  out.className = "preview";
  fill(out, `${plan.replica} will own exactly ${plan.mask} (${countCpulist(plan.mask)} CPUs, pinned)`,
    from.size ? `; moving ${[...from].map(([k, v]) => `${v} from ${k}`).join(", ")}` : "; nothing moves to it");
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
  const result = await act(`Move ${plan.mask} to ${plan.replica}`, () => api.setMask(plan.replica, plan.mask));
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
document.querySelectorAll('input[name="move-mode"]').forEach((r) => r.addEventListener("change", updateMovePreview));
$("rebalance-preview").addEventListener("click", () => onRebalance(true));
$("rebalance-form").addEventListener("submit", (e) => {
  e.preventDefault();
  onRebalance(false);
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && sessionStorage.getItem(TOKEN_KEY)) refresh().then(schedule);
});

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
  get lastDrawMs() {
    return grid.lastDrawMs;
  },
  /** [[cpu, owner or null], ...] for every cell the grid draws, in cell order. */
  cells() {
    const m = state.model;
    return m ? m.possible.map((c, i) => [c, m.owner[i]]) : [];
  },
  /** The colour of a replica in the grid (NO_OWNER for null). */
  colourOf(replica) {
    return replica ? palette.colourOf(replica) : NO_OWNER;
  },
  /** The colour drawn at the centre of a CPU's cell. */
  drawnColourOf(cpu) {
    return grid.drawnColourOf(cpu);
  },
  /** The grid layout: columns, cell size in CSS pixels and the canvas position of a CPU's cell. */
  cellRect(cpu) {
    const i = state.model ? state.model.indexOf.get(cpu) : undefined;
    return i === undefined ? null : grid.rectOf(i);
  },
  refresh: () => refresh(),
});

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) signIn(saved);
else signOut("");
