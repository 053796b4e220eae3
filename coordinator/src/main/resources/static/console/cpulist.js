// Cpulists ("0-3,8,10-15:2/4") as the kernel's bitmap_parselist reads them, for the console's own needs:
// reading the coordinator's canonical masks and checking what an operator types before it is sent.
// The coordinator validates every cpulist again; its answer is the one that counts.

const GROUP = /^(\d+)(?:-(\d+)(?::(\d+)\/(\d+))?)?$/;

/** Parses a cpulist into an ascending array of unique CPU numbers; throws an Error with a readable message. */
export function parseCpulist(text) {
  const s = String(text ?? "").trim();
  if (s === "") return [];
  const out = new Set();
  for (const raw of s.split(",")) {
    const part = raw.trim();
    const m = GROUP.exec(part);
    if (!m) throw new Error(`"${part}" is not a CPU, a range "a-b" or a strided range "a-b:used/group"`);
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    const used = m[3] === undefined ? 1 : Number(m[3]);
    const group = m[4] === undefined ? 1 : Number(m[4]);
    if (end < start) throw new Error(`range "${part}" ends before it starts`);
    if (used < 1 || group < 1 || used > group) throw new Error(`stride "${part}" needs 1 <= used <= group`);
    if (end > 1 << 20) throw new Error(`CPU ${end} is out of range`);
    for (let base = start; base <= end; base += group) {
      for (let c = base; c < base + used && c <= end; c++) out.add(c);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** Formats CPU numbers (any order, duplicates allowed) as a canonical cpulist: "0-3,8". */
export function formatCpulist(cpus) {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** The number of CPUs in a canonical cpulist, without expanding it. */
export function countCpulist(text) {
  const s = String(text ?? "").trim();
  if (s === "") return 0;
  let n = 0;
  for (const part of s.split(",")) {
    const [a, b] = part.split("-");
    n += b === undefined ? 1 : Number(b) - Number(a) + 1;
  }
  return n;
}

// Slot sets of the admin API: on a fleet of several nodes each node's CPUs as "node:cpulist", nodes separated by ";"
// ("worker-1:0-15;worker-2:4-7"); on a fleet of one node the plain cpulist, as before nodes existed. Node names are
// DNS subdomains (no ":" or ";"), and the coordinator writes canonical cpulists (no strides), so the first ":" of a
// part ends the node's name.

/** Parses a slot set into [{node, cpus}] in the written order; node is null for a plain cpulist. */
export function parseSlotSet(text) {
  const s = String(text ?? "").trim();
  if (s === "") return [];
  if (!s.includes(":")) return [{ node: null, cpus: parseCpulist(s) }];
  return s.split(";").map((raw) => {
    const part = raw.trim();
    const colon = part.indexOf(":");
    if (colon <= 0) throw new Error(`"${part}" is not "node:cpulist"`);
    return { node: part.slice(0, colon), cpus: parseCpulist(part.slice(colon + 1)) };
  });
}

/** The number of slots in a canonical slot set, without expanding it. */
export function countSlotSet(text) {
  const s = String(text ?? "").trim();
  if (s === "") return 0;
  if (!s.includes(":")) return countCpulist(s);
  return s.split(";").reduce((n, part) => n + countCpulist(part.slice(part.indexOf(":") + 1)), 0);
}

