/**
 * SVG drawings of trajectories over a system's workspace: obstacles, target, and one path per
 * trajectory (the controlled point: position, car-park centre, or manipulator end effector).
 * Plain strings, no DOM: works in Node and in browsers.
 */
import { planeIndices, type SystemSpec } from "../systems/specs.js";
import { P } from "../systems/layout.js";

export interface PlotTrajectory {
  label: string;
  /** states, row per node */
  X: ArrayLike<number>;
  color?: string;
}

const PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/** the 2-D point the cost acts on, for each node */
export function controlledPoints(spec: SystemSpec, X: ArrayLike<number>, params: ArrayLike<number>): [number, number][] {
  const n = spec.nx;
  const N = Math.floor(X.length / n);
  const pts: [number, number][] = [];
  for (let k = 0; k < N; k++) {
    const x = (i: number) => X[k * n + i];
    if (spec.model) {
      // a user-defined system: its positionIndex components (1-D: time and x[0])
      const pi = planeIndices(spec);
      pts.push(pi ? [x(pi[0]), x(pi[1])] : [k * spec.dt, x(0)]);
    } else if (spec.name === "manipulator") {
      const l = params[P.MA_LINK];
      const t0 = x(0), t1 = t0 + x(1), t2 = t1 + x(2);
      pts.push([params[P.MA_BASEX] + l * (Math.cos(t0) + Math.cos(t1) + Math.cos(t2)), params[P.MA_BASEY] + l * (Math.sin(t0) + Math.sin(t1) + Math.sin(t2))]);
    } else if (spec.name === "car_park") {
      const h = params[P.CP_LD] / 2;
      pts.push([x(0) + h * Math.cos(x(2)), x(1) + h * Math.sin(x(2))]);
    } else if (spec.name === "toy1d") {
      pts.push([k * params[P.DT], x(0)]);
    } else {
      pts.push([x(0), x(1)]);
    }
  }
  return pts;
}

/** a user system's plot window: the sampling ranges of its plotted components, 10% wider */
function userWindow(spec: SystemSpec): [number, number, number, number] {
  const pi = planeIndices(spec);
  const widen = ([lo, hi]: [number, number]): [number, number] => { const m = 0.1 * (hi - lo || 1); return [lo - m, hi + m]; };
  const xr = pi ? widen(spec.sampleRanges[pi[0]]) : [0, spec.nsteps * spec.dt] as [number, number];
  const yr = widen(spec.sampleRanges[pi ? pi[1] : 0]);
  return [xr[0], xr[1], yr[0], yr[1]];
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function plotTrajectories(
  spec: SystemSpec, params: ArrayLike<number>, trajectories: PlotTrajectory[], opts: { title?: string; width?: number } = {},
): string {
  const W = opts.width ?? 560;
  const paths = trajectories.map((t) => controlledPoints(spec, t.X, params));
  // world window: the sampling domain, widened to fit every path
  let [x0, x1, y0, y1] = spec.model ? userWindow(spec) : spec.name === "toy1d" ? [0, spec.nsteps * spec.dt, -2.4, 2.2]
    : spec.name === "car_park" ? [-16, 16, -5, 10]
      : spec.name === "manipulator" ? [-38, 24, -31, 31] : [-16, 16, -16, 16];
  for (const p of paths) for (const [x, y] of p) {
    if (Number.isFinite(x) && Number.isFinite(y)) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  }
  const Hh = Math.round(W * (y1 - y0) / (x1 - x0));
  const H = Math.min(Math.max(Hh, 200), 900);
  const sx = (x: number) => ((x - x0) / (x1 - x0)) * W;
  const sy = (y: number) => H - ((y - y0) / (y1 - y0)) * H;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 40}" viewBox="0 -40 ${W} ${H + 40}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fafafa" stroke="#999"/>`);
  if (opts.title) out.push(`<text x="4" y="-24" font-size="14">${esc(opts.title)}</text>`);
  // (a user system's parameter block holds its own parameters, not the benchmark layout)
  const nobs = spec.model || spec.name === "car_park" || spec.name === "toy1d" ? 0 : params[P.NOBS];
  for (let j = 0; j < nobs; j++) {
    const o = P.OBS + 4 * j;
    out.push(`<ellipse cx="${sx(params[o]).toFixed(1)}" cy="${sy(params[o + 1]).toFixed(1)}" rx="${(params[o + 2] / 2 / (x1 - x0) * W).toFixed(1)}" ry="${(params[o + 3] / 2 / (y1 - y0) * H).toFixed(1)}" fill="#bbb" stroke="#777"/>`);
  }
  if (spec.name === "car_park") {
    for (let j = 0; j < params[P.CP_NBOX]; j++) {
      const o = P.CP_BOX + 4 * j;
      const [cx, cy, wx, wy] = [params[o], params[o + 1], params[o + 2], params[o + 3]];
      out.push(`<rect x="${sx(cx - wx / 2).toFixed(1)}" y="${sy(cy + wy / 2).toFixed(1)}" width="${(wx / (x1 - x0) * W).toFixed(1)}" height="${(wy / (y1 - y0) * H).toFixed(1)}" fill="#bbb" stroke="#777"/>`);
    }
  }
  if (spec.model) {
    const g = spec.goal?.point;
    if (g) {
      const tx = sx(g[0]), ty = sy(g[1]);
      out.push(`<path d="M${tx - 6},${ty - 6}L${tx + 6},${ty + 6}M${tx - 6},${ty + 6}L${tx + 6},${ty - 6}" stroke="#000" stroke-width="2"/>`);
    }
  } else if (spec.name === "toy1d") {
    // the three minima of the state cost, as horizontal guides
    out.push(`<line x1="0" x2="${W}" y1="${sy(0).toFixed(1)}" y2="${sy(0).toFixed(1)}" stroke="#ddd"/>`);
  } else {
    const tx = sx(params[P.XD]), ty = sy(params[P.YD]);
    out.push(`<path d="M${tx - 6},${ty - 6}L${tx + 6},${ty + 6}M${tx - 6},${ty + 6}L${tx + 6},${ty - 6}" stroke="#000" stroke-width="2"/>`);
  }
  paths.forEach((p, i) => {
    const color = trajectories[i].color ?? PALETTE[i % PALETTE.length];
    const d = p.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y], k) => `${k ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    if (p.length) out.push(`<circle cx="${sx(p[0][0]).toFixed(1)}" cy="${sy(p[0][1]).toFixed(1)}" r="3" fill="${color}"/>`);
    out.push(`<text x="${8 + (i % 3) * (W / 3)}" y="${-8 + 0 * i}" fill="${color}" transform="translate(0,${-14 * Math.floor(i / 3) + 0})">${esc(trajectories[i].label)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}
