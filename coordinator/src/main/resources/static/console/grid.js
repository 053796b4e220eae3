// The CPU grid of one node: one cell per possible CPU, drawn on a <canvas> (8192 cells redraw in a few
// milliseconds), coloured by the owning replica. A fleet of several nodes has one grid per node (app.js), all with
// the same cell size and label width so that they line up. Hover and the keyboard find cells by coordinates; a click, a drag,
// shift+click or shift+arrows select a range of CPUs for the "move CPUs" form.
//
// The cell colour is the owner's: the committed owner mask of GET /api/v1/assignment. Marks on top of it
// (never over the cell's centre, which always shows the owner):
//   corner triangle in another colour  the planned target differs (a pending move or a handover in flight)
//   dark inner border                   a make-before-break handover is in flight
//   red inner border                    uncovered: no live replica reports being registered on the CPU
//   dot in the lower-left corner        pinned (PUT /replicas/{id}/mask)
import { NO_OWNER, UNCOVERED, inkOn } from "./palette.js";

const MAX_CELL = 56;
const MIN_CELL = 3;

/** Columns: a power of two giving a grid about twice as wide as high (16 for 64 CPUs, 128 for 8192). */
export function columnsFor(n) {
  if (n <= 1) return 1;
  return Math.min(n, 2 ** Math.round(Math.log2(Math.sqrt(2 * n))));
}

export class CpuGrid {
  /**
   * @param canvas  the <canvas>
   * @param palette the replicas' colours
   * @param events  { hover(cpu|null, rect, source), select(cpus[]) }
   */
  constructor(canvas, palette, events) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { alpha: false });
    this.palette = palette;
    this.events = events;
    this.model = null;
    this.selection = new Set(); // indices into model.possible
    this.anchor = -1;
    this.cursor = -1;
    this.dragging = false;
    this.hoverIndex = -1;
    this.lastDrawMs = 0;
    this.layout = { cols: 1, cell: MAX_CELL, labelW: 0, rows: 0, width: 0, height: 0, dpr: 1 };
    /** The largest cell and the smallest label width: the grids of several nodes share them (see app.js). */
    this.cellLimit = MAX_CELL;
    this.labelMin = 0;
    this.bindEvents();
  }

  /** Stops listening (the node left the fleet and its grid is removed). */
  destroy() {
    window.removeEventListener("mouseup", this.onMouseUp);
  }

  /** @param model see model.js buildGridModel */
  setModel(model) {
    const changedShape = !this.model || this.model.possible.length !== model.possible.length
      || this.model.possible.some((c, i) => c !== model.possible[i]);
    this.model = model;
    if (changedShape) {
      this.selection.clear();
      this.anchor = -1;
      this.cursor = Math.min(this.cursor, model.possible.length - 1);
      this.relayout();
    } else {
      this.draw();
    }
  }

  /** Selects the CPUs of a list (as typed into the form); CPUs that are not possible are ignored. */
  selectCpus(cpus) {
    this.selection.clear();
    if (this.model) for (const c of cpus) {
      const i = this.model.indexOf.get(c);
      if (i !== undefined) this.selection.add(i);
    }
    this.draw();
  }

  selectedCpus() {
    return [...this.selection].sort((a, b) => a - b).map((i) => this.model.possible[i]);
  }

  // ---------------------------------------------------------------- geometry

  /** The label width this grid needs for its highest CPU number. */
  naturalLabelWidth() {
    if (!this.model) return 0;
    return String(this.model.possible[this.model.possible.length - 1] ?? 0).length * 7 + 12;
  }

  /** The cell size this grid would have alone in the width of its container. */
  naturalCell() {
    if (!this.model) return MAX_CELL;
    const width = Math.max(120, this.canvas.parentElement.clientWidth);
    const labelW = Math.max(this.labelMin, this.naturalLabelWidth());
    return Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor((width - labelW) / columnsFor(this.model.possible.length))));
  }

  relayout() {
    if (!this.model) return;
    const n = this.model.possible.length;
    const cols = columnsFor(n);
    const labelW = Math.max(this.labelMin, this.naturalLabelWidth());
    const cell = Math.max(MIN_CELL, Math.min(this.cellLimit, this.naturalCell()));
    const rows = Math.ceil(n / cols);
    const dpr = window.devicePixelRatio || 1;
    const cssW = labelW + cols * cell;
    const cssH = rows * cell;
    this.layout = { cols, cell, labelW, rows, width: cssW, height: cssH, dpr };
    this.canvas.style.width = `${cssW}px`;
    this.canvas.style.height = `${cssH}px`;
    this.canvas.width = Math.round(cssW * dpr);
    this.canvas.height = Math.round(cssH * dpr);
    this.draw();
  }

  /** The CSS-pixel rectangle of cell i, relative to the canvas. */
  rectOf(i) {
    const { cols, cell, labelW } = this.layout;
    return { x: labelW + (i % cols) * cell, y: Math.floor(i / cols) * cell, size: cell };
  }

  /** The cell index under canvas coordinates (CSS pixels), or -1. */
  indexAt(x, y) {
    if (!this.model) return -1;
    const { cols, cell, labelW } = this.layout;
    if (x < labelW || y < 0) return -1;
    const col = Math.floor((x - labelW) / cell);
    const row = Math.floor(y / cell);
    if (col >= cols) return -1;
    const i = row * cols + col;
    return i < this.model.possible.length ? i : -1;
  }

  // ---------------------------------------------------------------- drawing

  draw() {
    if (!this.model) return;
    const t0 = performance.now();
    const { ctx } = this;
    const { cell, labelW, rows, cols, width, height, dpr } = this.layout;
    const m = this.model;
    const styles = getComputedStyle(this.canvas);
    const background = styles.getPropertyValue("--grid-bg").trim() || "#ffffff";
    const labelInk = styles.getPropertyValue("--grid-label").trim() || "#6b7280";
    const ink = "#111827";
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, width, height);

    const gap = cell >= 8 ? 1 : 0;
    const inner = cell - gap;
    const n = m.possible.length;

    // cells, batched by colour
    const byColour = new Map();
    for (let i = 0; i < n; i++) {
      const owner = m.owner[i];
      const colour = owner ? this.palette.colourOf(owner) : NO_OWNER;
      let list = byColour.get(colour);
      if (!list) byColour.set(colour, (list = []));
      list.push(i);
    }
    for (const [colour, list] of byColour) {
      ctx.fillStyle = colour;
      for (const i of list) {
        const r = this.rectOf(i);
        ctx.fillRect(r.x, r.y, inner, inner);
      }
    }

    // marks, batched into one path per kind (and per target colour): a drain of 8192 CPUs stays a few draw calls
    const markW = Math.max(1, Math.floor(inner / 8));
    const uncoveredW = markW + 1;
    const triangles = new Map();
    const uncoveredPath = new Path2D();
    const handoverPath = new Path2D();
    const pinPaths = new Map();
    const t = Math.max(3, Math.floor(inner * 0.42));
    const d = Math.max(2, Math.floor(inner / 7));
    for (let i = 0; i < n; i++) {
      const owner = m.owner[i];
      const target = m.target[i];
      const uncovered = m.uncovered[i] === 1;
      const handover = m.handover.has(i);
      if (target === owner && !uncovered && !handover && !m.pinned[i]) continue;
      const r = this.rectOf(i);
      if (target && target !== owner && inner >= 5) {
        const colour = this.palette.colourOf(target);
        let path = triangles.get(colour);
        if (!path) triangles.set(colour, (path = new Path2D()));
        path.moveTo(r.x + inner - t, r.y);
        path.lineTo(r.x + inner, r.y);
        path.lineTo(r.x + inner, r.y + t);
        path.closePath();
      }
      if (uncovered) uncoveredPath.rect(r.x + uncoveredW / 2, r.y + uncoveredW / 2, inner - uncoveredW, inner - uncoveredW);
      else if (handover) handoverPath.rect(r.x + markW / 2, r.y + markW / 2, inner - markW, inner - markW);
      if (m.pinned[i] && inner >= 10) {
        const ink = inkOn(owner ? this.palette.colourOf(owner) : NO_OWNER);
        let path = pinPaths.get(ink);
        if (!path) pinPaths.set(ink, (path = new Path2D()));
        const cx = r.x + d + 1, cy = r.y + inner - d - 1;
        path.moveTo(cx + d / 1.4, cy);
        path.arc(cx, cy, d / 1.4, 0, Math.PI * 2);
      }
    }
    for (const [colour, path] of triangles) {
      ctx.fillStyle = colour;
      ctx.fill(path);
    }
    ctx.lineWidth = markW;
    ctx.strokeStyle = ink;
    ctx.setLineDash(inner >= 10 ? [3, 2] : []);
    ctx.stroke(handoverPath);
    ctx.setLineDash([]);
    ctx.lineWidth = uncoveredW;
    ctx.strokeStyle = UNCOVERED;
    ctx.stroke(uncoveredPath);
    for (const [colour, path] of pinPaths) {
      ctx.fillStyle = colour;
      ctx.fill(path);
    }

    // CPU numbers inside big cells
    if (inner >= 24) {
      ctx.font = `${inner >= 34 ? 11 : 10}px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      for (let i = 0; i < n; i++) {
        const owner = m.owner[i];
        const r = this.rectOf(i);
        ctx.fillStyle = inkOn(owner ? this.palette.colourOf(owner) : NO_OWNER);
        ctx.fillText(String(m.possible[i]), r.x + inner / 2, r.y + inner * 0.62);
      }
    }

    // row labels: the first CPU of each row (every k-th row when rows are thin)
    ctx.font = "11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillStyle = labelInk;
    const every = Math.max(1, Math.ceil(13 / cell));
    for (let row = 0; row < rows; row += every) {
      const i = row * cols;
      if (i < n) ctx.fillText(String(m.possible[i]), labelW - 6, row * cell + (cell >= 13 ? inner / 2 : 6));
    }

    // selection and keyboard cursor
    if (this.selection.size > 0) {
      const w = inner >= 8 ? 2 : 1;
      ctx.lineWidth = w;
      for (const i of this.selection) {
        const r = this.rectOf(i);
        ctx.strokeStyle = "#ffffff";
        ctx.strokeRect(r.x + w * 1.5, r.y + w * 1.5, inner - 3 * w, inner - 3 * w);
        ctx.strokeStyle = ink;
        ctx.strokeRect(r.x + w / 2, r.y + w / 2, inner - w, inner - w);
      }
    }
    if (this.cursor >= 0 && document.activeElement === this.canvas) {
      const r = this.rectOf(this.cursor);
      ctx.lineWidth = 2;
      ctx.strokeStyle = styles.getPropertyValue("--focus").trim() || "#2563eb";
      ctx.strokeRect(r.x - 1, r.y - 1, inner + 2, inner + 2);
    }
    this.lastDrawMs = performance.now() - t0;
  }

  /** The colour actually drawn at the centre of a CPU's cell, as #rrggbb (for tests). */
  drawnColourOf(cpu) {
    const i = this.model ? this.model.indexOf.get(cpu) : undefined;
    if (i === undefined) return null;
    const r = this.rectOf(i);
    const inner = this.layout.cell - (this.layout.cell >= 8 ? 1 : 0);
    const dpr = this.layout.dpr;
    const px = this.ctx.getImageData(Math.floor((r.x + inner / 2) * dpr), Math.floor((r.y + inner / 2) * dpr), 1, 1).data;
    return `#${[px[0], px[1], px[2]].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
  }

  // ---------------------------------------------------------------- interaction

  bindEvents() {
    const c = this.canvas;
    const point = (e) => {
      const b = c.getBoundingClientRect();
      return this.indexAt(e.clientX - b.left, e.clientY - b.top);
    };
    c.addEventListener("mousemove", (e) => {
      const i = point(e);
      if (this.dragging && i >= 0 && this.anchor >= 0) this.selectRange(this.anchor, i, false);
      if (i !== this.hoverIndex) {
        this.hoverIndex = i;
        this.events.hover(i >= 0 ? this.model.possible[i] : null, i >= 0 ? this.rectOf(i) : null, "mouse");
      }
    });
    c.addEventListener("mouseleave", () => {
      this.hoverIndex = -1;
      this.events.hover(null, null, "mouse");
    });
    c.addEventListener("mousedown", (e) => {
      const i = point(e);
      if (i < 0 || e.button !== 0) return;
      e.preventDefault();
      c.focus({ preventScroll: true });
      this.cursor = i;
      if (e.shiftKey && this.anchor >= 0) {
        this.selectRange(this.anchor, i, true);
      } else {
        this.anchor = i;
        this.dragging = true;
        this.selectRange(i, i, false);
      }
    });
    this.onMouseUp = () => {
      if (!this.dragging) return;
      this.dragging = false;
      this.events.select(this.selectedCpus());
    };
    window.addEventListener("mouseup", this.onMouseUp);
    c.addEventListener("focus", () => {
      if (this.cursor < 0 && this.model && this.model.possible.length > 0) this.cursor = 0;
      this.draw();
      this.announceCursor();
    });
    c.addEventListener("blur", () => {
      this.draw();
      this.events.hover(null, null, "keyboard");
    });
    c.addEventListener("keydown", (e) => this.onKey(e));
  }

  onKey(e) {
    if (!this.model) return;
    const n = this.model.possible.length;
    const { cols } = this.layout;
    let next = this.cursor;
    switch (e.key) {
      case "ArrowLeft": next = Math.max(0, this.cursor - 1); break;
      case "ArrowRight": next = Math.min(n - 1, this.cursor + 1); break;
      case "ArrowUp": next = this.cursor - cols >= 0 ? this.cursor - cols : this.cursor; break;
      case "ArrowDown": next = this.cursor + cols < n ? this.cursor + cols : this.cursor; break;
      case "PageUp": next = Math.max(0, this.cursor - cols * 8); break;
      case "PageDown": next = Math.min(n - 1, this.cursor + cols * 8); break;
      case "Home": next = e.ctrlKey ? 0 : this.cursor - (this.cursor % cols); break;
      case "End": next = e.ctrlKey ? n - 1 : Math.min(n - 1, this.cursor - (this.cursor % cols) + cols - 1); break;
      case "Enter":
      case " ":
        e.preventDefault();
        if (e.shiftKey && this.anchor >= 0) this.selectRange(this.anchor, this.cursor, true);
        else {
          this.anchor = this.cursor;
          this.selectRange(this.cursor, this.cursor, true);
        }
        return;
      case "Escape":
        if (this.selection.size === 0) return;
        e.preventDefault();
        this.selection.clear();
        this.anchor = -1;
        this.draw();
        this.events.select([]);
        return;
      default:
        return;
    }
    e.preventDefault();
    if (e.shiftKey) {
      if (this.anchor < 0) this.anchor = this.cursor;
      this.cursor = next;
      this.selectRange(this.anchor, next, true);
    } else {
      this.cursor = next;
      this.draw();
    }
    this.announceCursor();
  }

  announceCursor() {
    if (this.cursor >= 0 && this.model) this.events.hover(this.model.possible[this.cursor], this.rectOf(this.cursor), "keyboard");
  }

  selectRange(a, b, notify) {
    this.selection.clear();
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) this.selection.add(i);
    this.draw();
    if (notify) this.events.select(this.selectedCpus());
  }
}
