/**
 * `cacto sweep report`: whatever results exist, gathered into one report: per (system, method) the
 * number of seeds done, the actor - zeros paired difference over seeds (mean, median, min, max of the
 * per-seed means), how many seeds hold (experiment S's rule), training time per cell; then one row per
 * cell. Also `sweepProgress` for `cacto sweep status`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { holds } from "../experiments/seeds.js";
import { alive } from "../cacto/checkpoint.js";
import { fmt, mdTable, pct, writeExperiment } from "../experiments/common.js";
import { FRESH_SEED } from "../eval/evaluate.js";
import { cellDir, readResult, type CellResult } from "./cell.js";
import { readPlan, type SweepPlan } from "./plan.js";

function stats(v: number[]): { mean: number; median: number; min: number; max: number } {
  if (!v.length) return { mean: NaN, median: NaN, min: NaN, max: NaN };
  const s = [...v].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { mean: v.reduce((a, b) => a + b, 0) / v.length, median, min: s[0], max: s[s.length - 1] };
}

export interface StartedCell {
  id: string;
  loop: number;
  loops: number;
  /** when its last checkpoint was written */
  at: string;
  /** running: a live process on this host claims it; stopped: its process on this host is gone (a rerun
   * resumes it); elsewhere: claimed from another host (the queue knows) */
  state: "running" | "stopped" | "elsewhere";
  host?: string;
  pid?: number;
}

function readJson<T>(f: string): T | null {
  try { return JSON.parse(fs.readFileSync(f, "utf8")) as T; } catch { return null; }
}

/** per cell: done, failed (the last local run's exit), started (loop k of n; running or stopped), or not started */
export function sweepProgress(dir: string): { plan: SweepPlan; done: string[]; failed: { id: string; code: number | null; reason: string; log: string }[]; started: StartedCell[]; pending: string[] } {
  const plan = readPlan(dir);
  const done: string[] = [], pending: string[] = [];
  const started: StartedCell[] = [];
  const failed: { id: string; code: number | null; reason: string; log: string }[] = [];
  for (const c of plan.cells) {
    if (readResult(dir, c.id)) { done.push(c.id); continue; }
    const cd = cellDir(dir, c.id);
    const claim = readJson<{ host: string; pid: number }>(path.join(cd, "claim.json"));
    const here = claim && claim.host === os.hostname();
    const running = here && alive(claim.pid);
    const f = readJson<{ code: number | null; reason?: string; log: string }>(path.join(cd, "failed.json"));
    if (f && !running) failed.push({ id: c.id, code: f.code, reason: f.reason ?? "", log: f.log });
    const p = readJson<{ loop: number; loops: number; at: string }>(path.join(cd, "progress.json"));
    if (p || running) {
      started.push({ id: c.id, loop: p?.loop ?? 0, loops: p?.loops ?? NaN, at: p?.at ?? "-", state: running ? "running" : claim && !here ? "elsewhere" : "stopped", host: claim?.host, pid: claim?.pid });
      continue;
    }
    if (!f) pending.push(c.id);
  }
  return { plan, done, failed, started, pending };
}

export function sweepReport(dir: string): { file: string; results: CellResult[] } {
  const plan = readPlan(dir);
  const { failed } = sweepProgress(dir);
  const results = plan.cells.map((c) => readResult(dir, c.id)).filter((r): r is CellResult => r !== null);
  const groups = new Map<string, CellResult[]>();
  for (const r of results) {
    const k = `${r.cell.system} / ${r.cell.method}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const planned = (k: string) => plan.cells.filter((c) => `${c.system} / ${c.method}` === k).length;
  const groupRows = [...groups].map(([k, rs]) => {
    const f = stats(rs.map((r) => r.paired.fresh.meanDiff)), e = stats(rs.map((r) => r.paired.eval.meanDiff));
    const tr = stats(rs.map((r) => r.trainSeconds));
    return [k, `${rs.length}/${planned(k)}`, fmt(f.mean), fmt(f.median), `${fmt(f.min)} .. ${fmt(f.max)}`, `${rs.filter((r) => holds(r.paired.fresh)).length}/${rs.length}`,
      fmt(e.mean), fmt(e.median), `${rs.filter((r) => holds(r.paired.eval)).length}/${rs.length}`, tr.mean.toFixed(0)];
  });
  // the last loop's held-out critic fit (R^2 of V, of V at the episodes' first states, of V_x) and the actor's saturation
  // (values read back from JSON are null where they were NaN; Number.isFinite covers both)
  const r2 = (v: number | null | undefined) => (Number.isFinite(v) ? v!.toFixed(2) : "-");
  const fit = (r: CellResult) => {
    const d = r.lastDiagnostics;
    return d ? `${r2(d.heldOutR2)} / ${r2(d.heldOutR2First)} / ${r2(d.heldOutR2Vx)} / ${r2(d.heldOutSlogVx)}` : "-";
  };
  const sat = (r: CellResult) => (r.lastDiagnostics && Number.isFinite(r.lastDiagnostics.saturation) ? pct(r.lastDiagnostics.saturation!) : "-");
  const cellRows = results.map((r) => [r.cell.id, pct(r.trainConverged), fit(r), sat(r), fmt(r.mean.fresh.zeros), fmt(r.mean.fresh.actor), fmt(r.paired.fresh.meanDiff),
    `[${fmt(r.paired.fresh.ci95[0])}, ${fmt(r.paired.fresh.ci95[1])}]`, pct(r.paired.fresh.worseShare), holds(r.paired.fresh) ? "yes" : "no",
    fmt(r.paired.eval.meanDiff), holds(r.paired.eval) ? "yes" : "no", r.trainSeconds.toFixed(0), r.evalSeconds.toFixed(0), r.resumedFromLoop ? `loop ${r.resumedFromLoop}` : "-", r.host]);
  const md = [
    `# Sweep ${plan.name}: ${results.length} of ${plan.cells.length} cells done`, "",
    `Preset ${plan.preset}${plan.set ? `, overrides \`${JSON.stringify(plan.set)}\`` : ""}. Each cell trains to the end, then TO from the actor's warm start and from zeros are compared on ` +
    `${plan.fresh} fresh starts drawn like the training ones (fixed seed ${FRESH_SEED}, the same for every cell) and on the evaluation states. ` +
    `Differences are actor - zeros (negative: the actor's warm start is better). A seed holds on a set when its 95% bootstrap interval is below 0 and the actor is worse by > 1 on at most 25% of the starts (experiment S).`, "",
    "## Over seeds", "",
    mdTable(["system / method", "seeds done", "fresh: mean of actor - zeros", "median", "min .. max", "holds", "eval states: mean", "median", "holds", "train s per cell"], groupRows), "",
    ...[...groups].map(([k, rs]) => `- ${k}: fresh starts hold on ${rs.filter((r) => holds(r.paired.fresh)).length} of ${rs.length} seeds, evaluation states on ${rs.filter((r) => holds(r.paired.eval)).length} of ${rs.length} (target: 8 of 10).`), "",
    ...(failed.length ? ["## Failed cells", "", ...failed.map((f) => `- ${f.id}: ${f.reason || `exit ${f.code}`} (log: cells/${f.id}/log.txt)`), ""] : []),
    "## Cells", "",
    mdTable(["cell", "training TO converged", "critic held-out fit at the last loop (its new episodes, before its updates): R^2 of V / V at first states / V_x, and the V_x slog skill", "actor saturated", "fresh: zeros mean", "actor mean", "actor - zeros", "95% interval", "worse by > 1", "holds", "eval: actor - zeros", "holds", "train s", "eval s", "resumed from", "host"], cellRows), "",
  ].join("\n");
  const file = writeExperiment(dir, md, { plan, results, failed });
  return { file, results };
}
