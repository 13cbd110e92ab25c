/**
 * A sweep (issue 14): cells of system x method x seed (one preset, optional config overrides), each
 * one CACTO training plus the evaluation of experiment S (fresh starts drawn like the training ones and
 * the evaluation states; paired actor - zeros statistics). The plan is a JSON file in the sweep
 * directory (sweep.json); cells run anywhere that can read and write that directory.
 */
import fs from "node:fs";
import path from "node:path";
import { preset, withOverrides, type CactoConfig, type PresetName } from "../cacto/presets.js";
import { validateConfig } from "../cacto/validate-checkpoint.js";
import { writeAtomic, ensureDir } from "../cacto/checkpoint.js";
import { DEFAULT_FRESH } from "../eval/evaluate.js";
import { SYSTEM_NAMES } from "../systems/layout.js";

/**
 * "preset": the preset as it is (plain CACTO or CACTO-SL, as the preset chose for the system);
 * "cacto": the preset with w_S = 0; "cacto-sl": the preset's w_S if > 0, else 1e-3
 */
export type SweepMethod = "preset" | "cacto" | "cacto-sl";
export const SWEEP_METHODS: readonly SweepMethod[] = ["preset", "cacto", "cacto-sl"];

export interface SweepCell {
  /** <system>.<method>.s<seed>: unique in the sweep, the job id and the cell's directory name */
  id: string;
  system: string;
  method: SweepMethod;
  seed: number;
}

export interface SweepPlan {
  format: "cacto-sweep";
  version: 1;
  /** names the queue (letters, digits, - and _) */
  name: string;
  preset: PresetName;
  /** config fields replacing the preset's in every cell (validated) */
  set: Record<string, unknown> | null;
  /** fresh evaluation starts per cell */
  fresh: number;
  /** evaluation grid points per axis */
  grid: number;
  cells: SweepCell[];
}

export interface PlanOptions {
  name: string;
  systems: string[];
  methods?: SweepMethod[];
  seeds: number[];
  preset?: PresetName;
  set?: Record<string, unknown> | null;
  fresh?: number;
  grid?: number;
}

function bad(param: string, got: unknown, expected: string): never {
  throw new RangeError(`sweep plan: ${param}: got ${JSON.stringify(got)}, expected ${expected}`);
}

/** a validated plan (every cell's config is built and checked here, not when a worker takes it) */
export function planSweep(o: PlanOptions): SweepPlan {
  if (typeof o.name !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(o.name)) bad("name", o.name, "1-64 letters, digits, - or _");
  if (!Array.isArray(o.systems) || o.systems.length === 0) bad("systems", o.systems, "a non-empty list of system names");
  for (const s of o.systems) if (!(SYSTEM_NAMES as string[]).includes(s)) bad("systems", s, `names from ${SYSTEM_NAMES.join(", ")}`);
  const methods = o.methods ?? ["preset"];
  for (const m of methods) if (!SWEEP_METHODS.includes(m)) bad("methods", m, `names from ${SWEEP_METHODS.join(", ")}`);
  if (!Array.isArray(o.seeds) || o.seeds.length === 0 || !o.seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= 2 ** 31 - 1)) bad("seeds", o.seeds, "a non-empty list of integer seeds >= 0");
  if (new Set(o.seeds).size !== o.seeds.length) bad("seeds", o.seeds, "distinct seeds");
  const presetName = o.preset ?? "quick";
  if (presetName !== "quick" && presetName !== "reference") bad("preset", presetName, '"quick" or "reference"');
  const fresh = o.fresh ?? DEFAULT_FRESH;
  if (!Number.isInteger(fresh) || fresh < 0 || fresh > 100_000) bad("fresh", fresh, "an integer 0..100000");
  const grid = o.grid ?? 2;
  if (!Number.isInteger(grid) || grid < 1 || grid > 101) bad("grid", grid, "an integer 1..101");
  const plan: SweepPlan = { format: "cacto-sweep", version: 1, name: o.name, preset: presetName, set: o.set ?? null, fresh, grid, cells: [] };
  for (const system of o.systems) for (const method of methods) for (const seed of o.seeds) {
    plan.cells.push({ id: `${system}.${method}.s${seed}`, system, method, seed });
  }
  for (const c of plan.cells) cellConfig(plan, c);
  return plan;
}

/** the CactoConfig of a cell: the preset, the method's w_S, the plan's overrides; TO in the cell's thread */
export function cellConfig(plan: SweepPlan, cell: SweepCell): CactoConfig {
  let cfg: CactoConfig = preset(cell.system as never, plan.preset);
  if (cell.method !== "preset") cfg = { ...cfg, wS: cell.method === "cacto" ? 0 : cfg.wS > 0 ? cfg.wS : 1e-3 };
  // w_S may be overridden only in "preset" cells (the other methods set it)
  const fixed: Record<string, string> = { system: "the cell sets it" };
  if (cell.method !== "preset") fixed.wS = `the cell's method (${cell.method}) sets it; only "preset" cells take a w_S override`;
  if (plan.set) cfg = withOverrides(cfg, plan.set, fixed, "sweep plan");
  // cells run side by side (processes or machines): each solves its TO batches in its own thread
  cfg = { ...cfg, workers: 0 };
  validateConfig(cfg, `sweep cell ${cell.id}`);
  return cfg;
}

export const PLAN_FILE = "sweep.json";

/** write the plan (refuses to replace a different plan: a sweep's cells must not change under its results) */
export function writePlan(dir: string, plan: SweepPlan): string {
  const file = path.join(dir, PLAN_FILE);
  if (fs.existsSync(file)) {
    const old = fs.readFileSync(file, "utf8");
    if (old !== JSON.stringify(plan, null, 1) + "\n") throw new RangeError(`sweep plan: ${file} already holds another plan; use another --out, or delete it first`);
    return file;
  }
  ensureDir(dir);
  writeAtomic(file, JSON.stringify(plan, null, 1) + "\n");
  return file;
}

export function readPlan(dir: string): SweepPlan {
  const file = path.join(dir, PLAN_FILE);
  let plan: SweepPlan;
  try {
    plan = JSON.parse(fs.readFileSync(file, "utf8")) as SweepPlan;
  } catch (e) {
    throw new RangeError(`sweep: ${file}: ${(e as Error).message} (make it with cacto sweep plan --out ${dir})`);
  }
  if (plan?.format !== "cacto-sweep" || plan.version !== 1 || !Array.isArray(plan.cells)) throw new RangeError(`sweep: ${file}: not a cacto sweep plan (format "cacto-sweep", version 1)`);
  return plan;
}

/** parse "1-10", "1,3,5" or "3" (= 1..3) */
export function parseSeeds(v: string): number[] {
  if (/^\d+$/.test(v)) return Array.from({ length: Number(v) }, (_, i) => i + 1);
  const out: number[] = [];
  for (const part of v.split(",")) {
    const m = /^(\d+)-(\d+)$/.exec(part.trim());
    if (m) { for (let s = Number(m[1]); s <= Number(m[2]); s++) out.push(s); continue; }
    if (!/^\d+$/.test(part.trim())) bad("seeds", v, 'a count ("10"), a range ("1-10") or a list ("1,3,5")');
    out.push(Number(part.trim()));
  }
  return out;
}
