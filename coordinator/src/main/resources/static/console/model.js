// Read models of the console, built from the admin API's answers.
import { parseCpulist, countCpulist } from "./cpulist.js";

/**
 * The grid's model from GET /api/v1/assignment: per possible CPU (by its index in ascending order) the owner
 * and planned target replica, whether it is uncovered or pinned, and its handover.
 */
export function buildGridModel(assignment) {
  const possible = parseCpulist(assignment.possibleCpus);
  const indexOf = new Map(possible.map((c, i) => [c, i]));
  const n = possible.length;
  const owner = new Array(n).fill(null);
  const target = new Array(n).fill(null);
  const pinnedTo = new Array(n).fill(null);
  const uncovered = new Uint8Array(n);
  const pinned = new Uint8Array(n);
  const handover = new Map();
  const mark = (masks, into, flags) => {
    for (const [replica, cpulist] of Object.entries(masks || {})) {
      for (const c of parseCpulist(cpulist)) {
        const i = indexOf.get(c);
        if (i === undefined) continue;
        into[i] = replica;
        if (flags) flags[i] = 1;
      }
    }
  };
  mark(assignment.owners, owner);
  mark(assignment.targets, target);
  mark(assignment.pins, pinnedTo, pinned);
  for (const c of parseCpulist(assignment.uncoveredCpus)) {
    const i = indexOf.get(c);
    if (i !== undefined) uncovered[i] = 1;
  }
  for (const h of assignment.handovers || []) {
    const i = indexOf.get(h.cpu);
    if (i !== undefined) handover.set(i, h);
  }
  return { generation: assignment.generation, possible, indexOf, owner, target, pinnedTo, uncovered, pinned, handover };
}

/** Handovers grouped by (from, to, phase), each with its CPUs as a list: a drain of 2000 CPUs stays readable. */
export function groupHandovers(handovers) {
  const groups = new Map();
  for (const h of handovers || []) {
    const key = `${h.from}\u0000${h.to}\u0000${h.phase}`;
    let g = groups.get(key);
    if (!g) {
      g = { from: h.from, to: h.to, phase: h.phase, cpus: [], waiting: 0, oldest: h.startedAt };
      groups.set(key, g);
    }
    g.cpus.push(h.cpu);
    if (h.waitingForTraffic) g.waiting++;
    if (h.startedAt && (!g.oldest || h.startedAt < g.oldest)) g.oldest = h.startedAt;
  }
  return [...groups.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.phase.localeCompare(b.phase));
}

/** Owned CPU counts per replica from the assignment's owner masks. */
export function ownedCounts(assignment) {
  const out = new Map();
  for (const [replica, cpulist] of Object.entries(assignment.owners || {})) out.set(replica, countCpulist(cpulist));
  return out;
}
