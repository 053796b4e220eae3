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
