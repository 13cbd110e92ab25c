/**
 * SVG plots of an evaluation (plain strings, no DOM, no dependencies):
 *   - valueMapSvg: the critic's value V(x, t = 0) over the position domain (a heatmap with a viridis
 *     colour bar, obstacles and target on top; toy1d: the curve V(x); manipulator: a (q0, q1) map);
 *   - trainingCurvesSvg: mean TO cost per loop against TO episodes and wall seconds, critic loss per loop;
 *   - trajectory plots of the evaluation states (reusing svg.ts plotTrajectories);
 *   - makePlots: all of them, keyed by file name.
 */
import { buildParams, planeIndices, type SystemSpec } from "../systems/specs.js";
import { P } from "../systems/layout.js";
import { normaliseStates } from "../rl/normalise.js";
import type { ActorCritic } from "../rl/networks.js";
import type { LoopMetrics } from "../cacto/trainer.js";
import { plotTrajectories, type PlotTrajectory } from "./svg.js";
import { METHOD_LABELS, type Evaluation, type MethodName } from "./evaluate.js";

/** what the value map needs of a trainer */
export interface CriticSource {
  spec: SystemSpec;
  learner: Pick<ActorCritic, "criticValue">;
}

// ---------------------------------------------------------------------------------------------------
// colours

/** viridis at nine evenly spaced stops (matplotlib's table, sampled) */
const VIRIDIS: [number, number, number][] = [
  [0x44, 0x01, 0x54], [0x48, 0x28, 0x78], [0x3e, 0x49, 0x89], [0x31, 0x68, 0x8e], [0x26, 0x82, 0x8e],
  [0x1f, 0x9e, 0x89], [0x35, 0xb7, 0x79], [0x6e, 0xce, 0x58], [0xfd, 0xe7, 0x25],
];

/** viridis colour of t in [0, 1] (clamped; NaN gives grey), as #rrggbb */
export function viridis(t: number): string {
  if (!Number.isFinite(t)) return "#808080";
  const u = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  const c = VIRIDIS[i].map((a, j) => Math.round(a + (VIRIDIS[i + 1][j] - a) * f));
  return "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** compact number for labels */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

/** "nice" tick values covering [lo, hi] */
function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// value map

interface ValueDomain {
  /** world window of the plot: x range, y range */
  x: [number, number];
  y: [number, number];
  xLabel: string;
  yLabel: string;
  /** state of a lattice point (world coordinates -> state) */
  state: (px: number, py: number) => number[];
}

function valueDomain(spec: SystemSpec, params: Float64Array): ValueDomain {
  const zeros = () => new Array(spec.nx).fill(0);
  if (spec.name === "manipulator") {
    return {
      x: [-Math.PI, Math.PI], y: [-Math.PI, Math.PI], xLabel: "q0 (rad)", yLabel: "q1 (rad)",
      state: (a, b) => { const s = zeros(); s[0] = a; s[1] = b; return s; },
    };
  }
  if (spec.name === "car_park") {
    // plotted at the car centre (the controlled point) with th = 0: rear axle = centre - Ld/2 along x
    const h = params[P.CP_LD] / 2;
    return {
      x: [-12, 12], y: [-1, 10], xLabel: "car centre x (th = 0)", yLabel: "car centre y",
      state: (a, b) => { const s = zeros(); s[0] = a - h; s[1] = b; return s; },
    };
  }
  const [ix, iy] = planeIndices(spec) ?? [0, 0];
  return {
    x: [...spec.sampleRanges[ix]] as [number, number], y: [...spec.sampleRanges[iy]] as [number, number],
    xLabel: spec.stateNames[ix], yLabel: spec.stateNames[iy],
    state: (a, b) => { const s = zeros(); s[ix] = a; s[iy] = b; return s; },
  };
}

export interface ValueMapOptions {
  /** lattice points per axis (default 60; toy1d: curve samples, default 200) */
  n?: number;
  /** time step of the map (default 0) */
  k?: number;
  width?: number;
  title?: string;
  /** evaluation starts to mark (default: the system's evaluation states) */
  marks?: number[][];
}

/** V at step k for a batch of states (float64 copy of the critic's float32 output) */
export function criticValues(src: CriticSource, states: number[][], k = 0): Float64Array {
  const nx = src.spec.nx;
  const X = new Float64Array(states.length * nx);
  states.forEach((s, i) => X.set(s, i * nx));
  return Float64Array.from(src.learner.criticValue(normaliseStates(src.spec, X, k)));
}

/**
 * The critic's value map. 2-D systems: an n x n heatmap (rect elements of class "cell"), colour from
 * viridis over [min, max] of the lattice, obstacles (outlined) and the target on top, evaluation
 * starts as white dots, colour bar labelled with min and max. toy1d: the curve V(x) over [-2.2, 2.0]
 * with n samples (one path of class "value").
 */
export function valueMapSvg(src: CriticSource, opts: ValueMapOptions = {}): string {
  const spec = src.spec;
  const k = opts.k ?? 0;
  const t = (k * spec.dt).toFixed(2);
  if (spec.nx === 1) return valueCurveSvg(src, opts.n ?? 200, k, opts.width ?? 560, opts.title ?? `Critic V(x, t = ${t}), ${spec.title}`);
  const params = buildParams(spec);
  const n = Math.max(2, Math.floor(opts.n ?? 60));
  const dom = valueDomain(spec, params);
  const W = opts.width ?? 520;
  const H = Math.round((W * (dom.y[1] - dom.y[0])) / (dom.x[1] - dom.x[0]));
  const ml = 50, mt = 34, mr = 90, mb = 42;
  const sx = (x: number) => ml + ((x - dom.x[0]) / (dom.x[1] - dom.x[0])) * W;
  const sy = (y: number) => mt + H - ((y - dom.y[0]) / (dom.y[1] - dom.y[0])) * H;
  // cell centres
  const cx = Array.from({ length: n }, (_, i) => dom.x[0] + ((i + 0.5) * (dom.x[1] - dom.x[0])) / n);
  const cy = Array.from({ length: n }, (_, j) => dom.y[0] + ((j + 0.5) * (dom.y[1] - dom.y[0])) / n);
  const states: number[][] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) states.push(dom.state(cx[i], cy[j]));
  const V = criticValues(src, states, k);
  let lo = Infinity, hi = -Infinity;
  for (const v of V) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi > lo)) hi = lo + 1;
  const cw = W / n, ch = H / n;
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${ml + W + mr}" height="${mt + H + mb}" viewBox="0 0 ${ml + W + mr} ${mt + H + mb}" font-family="sans-serif" font-size="12">`);
  o.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  o.push(`<text x="${ml}" y="20" font-size="14">${esc(opts.title ?? `Critic value V(x, t = ${t}), ${spec.title}`)}</text>`);
  o.push(`<g shape-rendering="crispEdges">`);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const v = V[j * n + i];
    // overlap by a fraction of a pixel so no seams show between cells
    o.push(`<rect class="cell" x="${(ml + i * cw).toFixed(2)}" y="${(mt + H - (j + 1) * ch).toFixed(2)}" width="${(cw + 0.3).toFixed(2)}" height="${(ch + 0.3).toFixed(2)}" fill="${viridis((v - lo) / (hi - lo))}"/>`);
  }
  o.push(`</g>`);
  // obstacles and target (world coordinates; not for the manipulator's joint-space map)
  if (spec.name !== "manipulator") {
    for (const e of spec.obstacles) {
      o.push(`<ellipse cx="${sx(e.xc).toFixed(1)}" cy="${sy(e.yc).toFixed(1)}" rx="${((e.a / 2 / (dom.x[1] - dom.x[0])) * W).toFixed(1)}" ry="${((e.b / 2 / (dom.y[1] - dom.y[0])) * H).toFixed(1)}" fill="none" stroke="#fff" stroke-width="1.5" stroke-dasharray="5,3"/>`);
    }
    for (const b of spec.boxes) {
      const x0 = Math.max(dom.x[0], b.xc - b.wx / 2), x1 = Math.min(dom.x[1], b.xc + b.wx / 2);
      const y0 = Math.max(dom.y[0], b.yc - b.wy / 2), y1 = Math.min(dom.y[1], b.yc + b.wy / 2);
      if (x1 > x0 && y1 > y0) o.push(`<rect x="${sx(x0).toFixed(1)}" y="${sy(y1).toFixed(1)}" width="${(sx(x1) - sx(x0)).toFixed(1)}" height="${(sy(y0) - sy(y1)).toFixed(1)}" fill="none" stroke="#fff" stroke-width="1.5" stroke-dasharray="5,3"/>`);
    }
    // a user-defined system marks its goal's point, if it gives one
    const tp = spec.model ? spec.goal?.point : spec.target;
    if (tp) {
      const tx = sx(tp[0]), ty = sy(tp[1]);
      o.push(`<path d="M${tx - 7},${ty - 7}L${tx + 7},${ty + 7}M${tx - 7},${ty + 7}L${tx + 7},${ty - 7}" stroke="#fff" stroke-width="4"/>`);
      o.push(`<path d="M${tx - 7},${ty - 7}L${tx + 7},${ty + 7}M${tx - 7},${ty + 7}L${tx + 7},${ty - 7}" stroke="#d62728" stroke-width="2"/>`);
    }
    const marks = opts.marks ?? spec.evalStates;
    const [ix, iy] = planeIndices(spec) ?? [0, 0];
    const off = spec.name === "car_park" ? params[P.CP_LD] / 2 : 0;
    for (const m of marks) {
      o.push(`<circle cx="${sx(m[ix] + off).toFixed(1)}" cy="${sy(m[iy]).toFixed(1)}" r="3.5" fill="#fff" stroke="#000" stroke-width="1"/>`);
    }
  } else {
    for (const m of opts.marks ?? spec.evalStates) {
      o.push(`<circle cx="${sx(m[0]).toFixed(1)}" cy="${sy(m[1]).toFixed(1)}" r="3.5" fill="#fff" stroke="#000" stroke-width="1"/>`);
    }
  }
  o.push(`<rect x="${ml}" y="${mt}" width="${W}" height="${H}" fill="none" stroke="#333"/>`);
  // axes
  for (const v of ticks(dom.x[0], dom.x[1])) {
    o.push(`<line x1="${sx(v).toFixed(1)}" x2="${sx(v).toFixed(1)}" y1="${mt + H}" y2="${mt + H + 4}" stroke="#333"/><text x="${sx(v).toFixed(1)}" y="${mt + H + 16}" text-anchor="middle">${fmt(v)}</text>`);
  }
  for (const v of ticks(dom.y[0], dom.y[1])) {
    o.push(`<line x1="${ml - 4}" x2="${ml}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" stroke="#333"/><text x="${ml - 6}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`);
  }
  o.push(`<text x="${ml + W / 2}" y="${mt + H + 34}" text-anchor="middle">${esc(dom.xLabel)}</text>`);
  o.push(`<text transform="translate(14,${mt + H / 2}) rotate(-90)" text-anchor="middle">${esc(dom.yLabel)}</text>`);
  // colour bar: 64 bands, max at the top
  const bx = ml + W + 18, bw = 16, nb = 64;
  o.push(`<g shape-rendering="crispEdges">`);
  for (let b = 0; b < nb; b++) {
    o.push(`<rect x="${bx}" y="${(mt + H - ((b + 1) * H) / nb).toFixed(2)}" width="${bw}" height="${(H / nb + 0.3).toFixed(2)}" fill="${viridis((b + 0.5) / nb)}"/>`);
  }
  o.push(`</g>`);
  o.push(`<rect x="${bx}" y="${mt}" width="${bw}" height="${H}" fill="none" stroke="#333"/>`);
  o.push(`<text x="${bx + bw + 4}" y="${mt + 10}">max</text><text x="${bx + bw + 4}" y="${mt + 24}">${fmt(hi)}</text>`);
  o.push(`<text x="${bx + bw + 4}" y="${mt + H - 16}">min</text><text x="${bx + bw + 4}" y="${mt + H - 2}">${fmt(lo)}</text>`);
  o.push(`<text x="${bx + bw + 4}" y="${mt + H / 2 + 4}">V</text>`);
  o.push("</svg>");
  return o.join("\n");
}

function valueCurveSvg(src: CriticSource, n: number, k: number, width: number, title: string): string {
  // toy1d: its plotted domain; another 1-D system: its sampling range
  const [lo, hi] = src.spec.name === "toy1d" ? [-2.2, 2.0] : src.spec.sampleRanges[0];
  const xs = Array.from({ length: Math.max(2, n) }, (_, i) => lo + ((hi - lo) * i) / (Math.max(2, n) - 1));
  const V = criticValues(src, xs.map((x) => [x]), k);
  return lineChart({
    title, width, height: 320, xLabel: "x", yLabel: "V(x)",
    series: [{ label: "critic V", x: xs, y: Array.from(V), color: "#1f77b4", cls: "value" }],
  });
}

// ---------------------------------------------------------------------------------------------------
// line charts

export interface Series {
  label: string;
  x: number[];
  y: number[];
  color: string;
  /** class of the path element */
  cls?: string;
  /** draw dots at the points */
  dots?: boolean;
}

export interface LineChartOptions {
  title: string;
  series: Series[];
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** log10 y axis (non-positive points are dropped) */
  logY?: boolean;
}

/** ticks of a log10 axis over [l0, l1] (exponents), as exponents: decades, else 1-2-5, else 1..9 */
function logTicks(l0: number, l1: number): number[] {
  for (const mant of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const out: number[] = [];
    for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) {
      for (const m of mant) { const v = e + Math.log10(m); if (v >= l0 && v <= l1) out.push(v); }
    }
    if (out.length >= 3) return out;
  }
  return ticks(l0, l1);
}

/** one panel: axes, ticks, a polyline per series, a legend; returns a <g> translated to (ox, oy) */
function panel(o: LineChartOptions, ox: number, oy: number): string {
  const W = o.width ?? 560, H = o.height ?? 300;
  const ml = 64, mr = 14, mt = 30, mb = 40;
  const pw = W - ml - mr, ph = H - mt - mb;
  const tr = (v: number) => (o.logY ? Math.log10(v) : v);
  const pts = o.series.map((s) => s.x.map((x, i) => [x, s.y[i]] as [number, number])
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0)).map(([x, y]) => [x, tr(y)] as [number, number]));
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const p of pts) for (const [x, y] of p) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  if (!Number.isFinite(x0)) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
  if (!(x1 > x0)) { x0 -= 0.5; x1 += 0.5; }
  if (!(y1 > y0)) { y0 -= 0.5; y1 += 0.5; }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad; y1 += pad;
  const sx = (x: number) => ml + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => mt + ph - ((y - y0) / (y1 - y0)) * ph;
  const g: string[] = [`<g transform="translate(${ox},${oy})">`];
  g.push(`<text x="${ml}" y="18" font-size="13">${esc(o.title)}</text>`);
  g.push(`<rect x="${ml}" y="${mt}" width="${pw}" height="${ph}" fill="#fcfcfc" stroke="#333"/>`);
  for (const v of ticks(x0, x1)) {
    g.push(`<line x1="${sx(v).toFixed(1)}" x2="${sx(v).toFixed(1)}" y1="${mt}" y2="${mt + ph}" stroke="#eee"/><text x="${sx(v).toFixed(1)}" y="${mt + ph + 15}" text-anchor="middle">${fmt(v)}</text>`);
  }
  const yt = o.logY ? logTicks(y0, y1) : ticks(y0, y1);
  for (const v of yt) {
    g.push(`<line x1="${ml}" x2="${ml + pw}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" stroke="#eee"/><text x="${ml - 5}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${o.logY ? fmt(10 ** v) : fmt(v)}</text>`);
  }
  g.push(`<text x="${ml + pw / 2}" y="${mt + ph + 32}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  g.push(`<text transform="translate(14,${mt + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}${o.logY ? " (log)" : ""}</text>`);
  pts.forEach((p, i) => {
    const s = o.series[i];
    if (!p.length) return;
    const d = p.map(([x, y], j) => `${j ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
    g.push(`<path${s.cls ? ` class="${s.cls}"` : ""} d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`);
    if (s.dots) for (const [x, y] of p) g.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    if (o.series.length > 1) g.push(`<text x="${ml + pw - 6}" y="${mt + 14 + 14 * i}" text-anchor="end" fill="${s.color}">${esc(s.label)}</text>`);
  });
  g.push("</g>");
  return g.join("\n");
}

/** a single line chart */
export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 560, H = o.height ?? 300;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="#fff"/>\n${panel(o, 0, 0)}\n</svg>`;
}

/**
 * Training curves, three panels side by side: mean TO cost of each loop against cumulative TO
 * episodes, the same against cumulative wall seconds, and the critic loss (last update of each loop)
 * against the loop index, on a log axis when every loss is positive.
 */
export function trainingCurvesSvg(metrics: LoopMetrics[], opts: { title?: string } = {}): string {
  const W = 380, H = 290;
  const cost = metrics.map((m) => m.meanToCost);
  const ep = metrics.map((m) => m.totalEpisodes);
  const wall = metrics.map((m) => m.wallSeconds);
  const loss = metrics.map((m) => m.criticLoss);
  const logY = loss.length > 0 && loss.every((v) => Number.isFinite(v) && v > 0);
  const parts = [
    panel({ title: "mean TO cost of each loop's episodes", xLabel: "TO episodes (cumulative)", yLabel: "mean TO cost", width: W, height: H,
      series: [{ label: "mean TO cost", x: ep, y: cost, color: "#1f77b4", dots: true, cls: "curve" }] }, 0, 28),
    panel({ title: "mean TO cost vs training wall time", xLabel: "wall seconds (cumulative)", yLabel: "mean TO cost", width: W, height: H,
      series: [{ label: "mean TO cost", x: wall, y: cost, color: "#2ca02c", dots: true, cls: "curve" }] }, W, 28),
    panel({ title: "critic loss (last update of each loop)", xLabel: "loop", yLabel: "critic loss", width: W, height: H, logY,
      series: [{ label: "critic", x: metrics.map((m) => m.loop), y: loss, color: "#d62728", dots: true, cls: "curve" }] }, 2 * W, 28),
  ];
  const TW = 3 * W, TH = H + 28;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${TW}" height="${TH}" viewBox="0 0 ${TW} ${TH}" font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="#fff"/>\n` +
    `<text x="8" y="18" font-size="14">${esc(opts.title ?? "Training")}</text>\n${parts.join("\n")}\n</svg>`;
}

// ---------------------------------------------------------------------------------------------------
// trajectories and the whole set

/** the trajectories of the evaluation states for one method, all in one plot */
export function trajectoriesSvg(ev: Evaluation, spec: SystemSpec, method: MethodName, title?: string): string {
  const params = buildParams(spec);
  const trajs: PlotTrajectory[] = ev.trajectories[method].map((X, i) => ({
    label: `(${ev.evalStates[i].x0.slice(0, 2).map((v) => Number(v.toFixed(2))).join(",")}): ${fmt(ev.evalStates[i].results[method].cost)}`, X,
  }));
  const t = `${title ?? `${spec.title}: ${METHOD_LABELS[method]}`} (labels: start, cost)`;
  const svg = plotTrajectories(spec, params, trajs, {});
  // plotTrajectories stacks the labels upwards, three per row, from y = -8 inside a 40-px header;
  // make the header tall enough for every row plus a title line above them
  const rows = Math.max(1, Math.ceil(trajs.length / 3));
  const top = 14 * rows + 32;
  const m = /height="(\d+)" viewBox="0 -40 (\d+) (\d+)"/.exec(svg);
  if (!m) return plotTrajectories(spec, params, trajs, { title: t });
  const [h, w] = [Number(m[1]) - 40, Number(m[2])];
  return svg.replace(m[0], `height="${h + top}" viewBox="0 ${-top} ${w} ${h + top}"`)
    .replace(/(<svg[^>]*>)/, `$1\n<rect x="0" y="${-top}" width="${w}" height="${h + top}" fill="#fff"/>\n<text x="4" y="${-top + 16}" font-size="14">${esc(t)}</text>`);
}

/** file names of makePlots, in report order */
export const PLOT_FILES = {
  value: "value_map.svg",
  training: "training.svg",
  zeros: "to_zeros.svg",
  actor: "to_actor.svg",
  rollout: "actor_rollout.svg",
} as const;

/** every plot of a report, keyed by file name */
export function makePlots(src: CriticSource & { metrics?: LoopMetrics[] }, ev: Evaluation): Record<string, string> {
  const spec = src.spec;
  return {
    [PLOT_FILES.value]: valueMapSvg(src),
    [PLOT_FILES.training]: trainingCurvesSvg(src.metrics ?? ev.metrics, { title: `Training: ${spec.title}, preset ${ev.preset}, seed ${ev.seed}` }),
    [PLOT_FILES.zeros]: trajectoriesSvg(ev, spec, "zeros", `${spec.title}: TO from zero warm start`),
    [PLOT_FILES.actor]: trajectoriesSvg(ev, spec, "actor", `${spec.title}: TO from the actor's warm start`),
    [PLOT_FILES.rollout]: trajectoriesSvg(ev, spec, "rollout", `${spec.title}: the actor alone (no TO)`),
  };
}
