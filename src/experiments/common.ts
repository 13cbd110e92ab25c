/** Shared pieces of the experiments: scoring warm starts, summaries, markdown, writing reports. */
import path from "node:path";
import { writeAtomic } from "../cacto/checkpoint.js";
import type { SystemSpec } from "../systems/specs.js";
import { Solver } from "../to/solver.js";
import { controlledPoints } from "../eval/svg.js";
import { REACH_RADIUS, TOY_REACH, toyMinimiser } from "../eval/evaluate.js";
import type { SolveOptions } from "../to/types.js";

export type Rollout = (starts: { x0: ArrayLike<number>; k0: number }[]) => { U: Float64Array; X: Float64Array }[];

export interface Scores {
  costs: number[];
  reached: boolean[];
  mean: number;
  median: number;
  reach: number;
}

const toyStar = new Map<string, number>();

/** the target-region rule of the evaluation protocol (src/eval/evaluate.ts) */
export function reachedTarget(spec: SystemSpec, params: ArrayLike<number>, X: ArrayLike<number>): boolean {
  const pts = controlledPoints(spec, X, params);
  const [px, py] = pts[pts.length - 1];
  if (spec.name === "toy1d") {
    if (!toyStar.has(spec.name)) toyStar.set(spec.name, toyMinimiser(spec));
    return Math.abs(py - toyStar.get(spec.name)!) <= TOY_REACH;
  }
  return Math.hypot(px - spec.target[0], py - spec.target[1]) <= REACH_RADIUS;
}

export function summarise(costs: number[], reached: boolean[]): Scores {
  const n = costs.length;
  const sorted = [...costs].sort((a, b) => a - b);
  const median = n === 0 ? NaN : n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { costs, reached, mean: costs.reduce((a, b) => a + b, 0) / Math.max(1, n), median, reach: reached.filter(Boolean).length / Math.max(1, n) };
}

/** TO from each start (k0 = 0, full horizon) warm-started by a policy's rollout, or by zeros when null */
export function scoreWarmStart(solver: Solver, starts: number[][], rollout: Rollout | null, to?: SolveOptions): Scores {
  const spec = solver.spec;
  const warm = rollout ? rollout(starts.map((x0) => ({ x0, k0: 0 }))) : null;
  const costs: number[] = [], reached: boolean[] = [];
  starts.forEach((x0, i) => {
    const r = solver.solve({ x0, warmStart: warm ? { U: warm[i].U } : "zeros" }, to);
    costs.push(r.cost);
    reached.push(reachedTarget(spec, solver.params, r.X));
  });
  return summarise(costs, reached);
}

/** a policy's own rollout cost (no TO): one solve with zero iterations evaluates it exactly */
export function scoreRollout(solver: Solver, starts: number[][], rollout: Rollout): Scores {
  const warm = rollout(starts.map((x0) => ({ x0, k0: 0 })));
  const costs: number[] = [], reached: boolean[] = [];
  starts.forEach((x0, i) => {
    const r = solver.solve({ x0, warmStart: { U: warm[i].U } }, { maxIter: 0 });
    costs.push(r.cost);
    reached.push(reachedTarget(solver.spec, solver.params, r.X));
  });
  return summarise(costs, reached);
}

export function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(2) : v.toFixed(digits);
}

export function pct(v: number): string {
  return Number.isFinite(v) ? `${Math.round(100 * v)}%` : "-";
}

export function mdTable(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i ? "---:" : "---")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export function writeExperiment(dir: string, markdown: string, json: unknown): string {
  writeAtomic(path.join(dir, "results.json"), JSON.stringify(json, null, 1));
  const file = path.join(dir, "report.md");
  writeAtomic(file, markdown);
  return file;
}

export function median(a: number[]): number {
  const s = a.filter(Number.isFinite).sort((x, y) => x - y);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
