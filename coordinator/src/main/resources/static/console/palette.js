// One colour per replica, stable for the life of the page: a replica keeps the colour it was first given, even
// when others join or leave. Twelve hand-picked colours first (distinct for the common colour-vision
// deficiencies as far as twelve can be), then golden-angle hues.

const BASE = [
  "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
  "#9c755f", "#ff9da7", "#2f4b7c", "#a0cbe8", "#8cd17d", "#d4a6c8",
];

/** No owner at all (never assigned, or its owner is gone). */
export const NO_OWNER = "#d5d9e0";
/** Uncovered: no live replica reports being registered on the CPU. */
export const UNCOVERED = "#d62728";

function hslToHex(h, s, l) {
  const a = s * Math.min(l, 1 - l);
  const f = (n) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * c).toString(16).padStart(2, "0");
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

export class Palette {
  constructor() {
    this.colours = new Map();
  }

  /** The colour of a replica (assigned on first sight, in the order ids are first seen). */
  colourOf(id) {
    let c = this.colours.get(id);
    if (!c) {
      const i = this.colours.size;
      c = i < BASE.length ? BASE[i] : hslToHex((i * 137.508) % 360, 0.55, 0.55);
      this.colours.set(id, c);
    }
    return c;
  }

  /** Gives colours to new ids in sorted order, so that one refresh's newcomers are coloured deterministically. */
  learn(ids) {
    [...ids].sort().forEach((id) => this.colourOf(id));
  }
}

/** Black or white, whichever reads better on the colour. */
export function inkOn(hex) {
  const n = parseInt(hex.slice(1), 16);
  const lin = (v) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  const lum = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return lum > 0.36 ? "#111827" : "#ffffff";
}
