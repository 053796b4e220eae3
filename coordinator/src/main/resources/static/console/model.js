// Read models of the console, built from the admin API's answers.
import { parseSlotSet, countSlotSet } from "./cpulist.js";

/**
 * The grid's model from GET /api/v1/assignment: one section per node, by node name (numbers in names compare as
 * numbers: node-2 before node-10). Each section holds, per possible CPU of its node (by its index in ascending order), the owner and planned
 * target replica, whether it is uncovered or pinned, and its handover. On a fleet of one node the assignment writes
 * plain cpulists: there is one section whose node is null (`named` is false), and the API calls leave `node` out.
 */
export function buildGridModel(assignment) {
  const sections = parseSlotSet(assignment.possibleCpus).map(({ node, cpus }) => section(node, cpus))
    .sort((a, b) => a.key.localeCompare(b.key, "en", { numeric: true }));
  const byKey = new Map(sections.map((s) => [s.key, s]));
  const named = sections.some((s) => s.node !== null);
  const sectionOf = (node) => byKey.get(named ? node : "");
  const mark = (masks, field, flag) => {
    for (const [replica, slots] of Object.entries(masks || {})) {
      for (const { node, cpus } of parseSlotSet(slots)) {
        const s = byKey.get(node ?? "");
        if (!s) continue;
        for (const c of cpus) {
          const i = s.indexOf.get(c);
          if (i === undefined) continue;
          s[field][i] = replica;
          if (flag) s[flag][i] = 1;
        }
      }
    }
  };
  mark(assignment.owners, "owner");
  mark(assignment.targets, "target");
  mark(assignment.pins, "pinnedTo", "pinned");
  for (const { node, cpus } of parseSlotSet(assignment.uncoveredCpus)) {
    const s = byKey.get(node ?? "");
    if (!s) continue;
    for (const c of cpus) {
      const i = s.indexOf.get(c);
      if (i !== undefined) s.uncovered[i] = 1;
    }
  }
  for (const h of assignment.handovers || []) {
    const s = sectionOf(h.node);
    const i = s ? s.indexOf.get(h.cpu) : undefined;
    if (i !== undefined) s.handover.set(i, h);
  }
  const size = sections.reduce((n, s) => n + s.possible.length, 0);
  return { generation: assignment.generation, named, sections, byKey, size, sectionOf };
}

function section(node, possible) {
  const n = possible.length;
  return {
    node,
    key: node ?? "",
    possible,
    indexOf: new Map(possible.map((c, i) => [c, i])),
    owner: new Array(n).fill(null),
    target: new Array(n).fill(null),
    pinnedTo: new Array(n).fill(null),
    uncovered: new Uint8Array(n),
    pinned: new Uint8Array(n),
    handover: new Map(),
  };
}

/**
 * Handovers grouped by (node, from, to, phase), each with its CPUs as a list: a drain of 2000 CPUs stays readable.
 * `node` is the handover's node (the views show it on a fleet of several nodes only).
 */
export function groupHandovers(handovers) {
  const groups = new Map();
  for (const h of handovers || []) {
    const node = h.node ?? "";
    const key = `${node}\u0000${h.from}\u0000${h.to}\u0000${h.phase}`;
    let g = groups.get(key);
    if (!g) {
      g = { node, from: h.from, to: h.to, phase: h.phase, cpus: [], waiting: 0, oldest: h.startedAt };
      groups.set(key, g);
    }
    g.cpus.push(h.cpu);
    if (h.waitingForTraffic) g.waiting++;
    if (h.startedAt && (!g.oldest || h.startedAt < g.oldest)) g.oldest = h.startedAt;
  }
  return [...groups.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)
    || a.phase.localeCompare(b.phase) || a.node.localeCompare(b.node));
}

/** Owned CPU counts per replica from the assignment's owner masks (all nodes). */
export function ownedCounts(assignment) {
  const out = new Map();
  for (const [replica, slots] of Object.entries(assignment.owners || {})) out.set(replica, countSlotSet(slots));
  return out;
}

/** Counts of a slot set per node: [[node or null, count], ...] in the written order. */
export function countsByNode(slots) {
  return parseSlotSet(slots).map(({ node, cpus }) => [node, cpus.length]);
}
