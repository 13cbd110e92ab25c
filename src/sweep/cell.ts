/**
 * One sweep cell: train (resuming from the cell's checkpoint if one exists), evaluate, write the
 * result once. The store is a directory, possibly on shared storage: cells/<id>/checkpoint.json after
 * every loop, cells/<id>/result.json when done. Running a cell that already has a result does nothing;
 * two runs of one cell (a retried job whose first worker was only slow) write one result: the second
 * finds it taken and reports so.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CactoTrainer } from "../cacto/trainer.js";
import { alive, cleanStaleTemps, hasCheckpoint, loadCheckpoint, saveCheckpoint, ensureDir, tempPath, writeAtomic } from "../cacto/checkpoint.js";
import { evaluate } from "../eval/evaluate.js";
import { seedResult, type SeedResult } from "../experiments/seeds.js";
import { cellConfig, type SweepCell, type SweepPlan } from "./plan.js";

export interface CellResult extends SeedResult {
  cell: SweepCell;
  /** loops done before this run started (0: from scratch; > 0: resumed from the checkpoint) */
  resumedFromLoop: number;
  /** wall seconds of this run: training loops run here, and the evaluation */
  runSeconds: number;
  evalSeconds: number;
  /** who wrote it */
  host: string;
  pid: number;
  finishedAt: string;
}

export function cellDir(dir: string, id: string): string {
  return path.join(dir, "cells", id);
}

export function resultPath(dir: string, id: string): string {
  return path.join(cellDir(dir, id), "result.json");
}

export function readResult(dir: string, id: string): CellResult | null {
  const f = resultPath(dir, id);
  if (!fs.existsSync(f)) return null;
  return JSON.parse(fs.readFileSync(f, "utf8")) as CellResult;
}

/**
 * Write the result only if none exists: a hard link of a complete temporary file (atomic and
 * exclusive). Where the file system has no hard links (some FUSE / bucket mounts), an exclusive
 * create (O_EXCL) of the result and a write into it.
 */
export function writeResultOnce(dir: string, id: string, r: CellResult): boolean {
  const f = resultPath(dir, id);
  ensureDir(path.dirname(f));
  const text = JSON.stringify(r) + "\n";
  const tmp = tempPath(f);
  fs.writeFileSync(tmp, text);
  try {
    fs.linkSync(tmp, f);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS" && code !== "EXDEV") throw e;
    let fd: number;
    try { fd = fs.openSync(f, "wx"); } catch (e2) { if ((e2 as NodeJS.ErrnoException).code === "EEXIST") return false; throw e2; }
    try { fs.writeSync(fd, text); } finally { fs.closeSync(fd); }
    return true;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * This machine's claim on a cell (cells/<id>/claim.json: host and pid): refuses a cell that a live
 * process on this host is running (two local runs on one directory); a claim from another host is not
 * checked (the queue decides who runs a job there). Returns the release function.
 */
function claimCell(cdir: string, id: string): () => void {
  const f = path.join(cdir, "claim.json");
  ensureDir(cdir);
  const me = { host: os.hostname(), pid: process.pid };
  try {
    const c = JSON.parse(fs.readFileSync(f, "utf8")) as { host?: string; pid?: number };
    if (c.host === me.host && c.pid !== me.pid && typeof c.pid === "number" && alive(c.pid)) {
      throw new RangeError(`sweep cell ${id}: already being run by process ${c.pid} on this host (${f})`);
    }
  } catch (e) {
    if (e instanceof RangeError) throw e;
    /* no claim, or an unreadable one: take it */
  }
  writeAtomic(f, JSON.stringify(me) + "\n");
  return () => {
    try {
      const c = JSON.parse(fs.readFileSync(f, "utf8")) as { host?: string; pid?: number };
      if (c.host === me.host && c.pid === me.pid) fs.rmSync(f, { force: true });
    } catch { /* gone */ }
  };
}

export interface RunCellOptions {
  log?: (s: string) => void;
  /** called after each loop's checkpoint is written (the queue worker reports progress with it) */
  onLoop?: (loop: number, loops: number) => void | Promise<void>;
}

/** run one cell to its result (or return the existing one); `written` false: another run wrote it first */
export async function runCell(dir: string, plan: SweepPlan, cell: SweepCell, o: RunCellOptions = {}): Promise<{ result: CellResult; written: boolean; skipped: boolean }> {
  const log = o.log ?? (() => {});
  const have = readResult(dir, cell.id);
  if (have) return { result: have, written: false, skipped: true };
  const cfg = cellConfig(plan, cell);
  const cdir = cellDir(dir, cell.id);
  const release = claimCell(cdir, cell.id);
  try {
    return await trainAndEvaluate(dir, plan, cell, cfg, cdir, log, o);
  } finally {
    release();
  }
}

async function trainAndEvaluate(dir: string, plan: SweepPlan, cell: SweepCell, cfg: ReturnType<typeof cellConfig>, cdir: string, log: (s: string) => void, o: RunCellOptions) {
  // a killed writer's leftovers (this host's dead processes only)
  for (const f of cleanStaleTemps(cdir)) log(`${cell.id}: removed a stale temporary file ${f}`);
  let t: CactoTrainer;
  if (hasCheckpoint(cdir)) {
    const d = loadCheckpoint(cdir);
    if (JSON.stringify({ ...d.config, workers: 0 }) !== JSON.stringify(cfg) || d.seed !== cell.seed) {
      throw new RangeError(`sweep cell ${cell.id}: ${cdir}/checkpoint.json was trained with another config or seed than the plan's; remove it to start the cell over`);
    }
    t = await CactoTrainer.fromCheckpoint({ ...d, config: cfg }, `${cdir}/checkpoint.json`);
    log(`${cell.id}: resuming at loop ${t.loop} of ${t.loops}`);
  } else {
    t = await CactoTrainer.create(cfg, cell.seed);
    log(`${cell.id}: starting (${t.loops} loops)`);
  }
  const resumedFromLoop = t.loop;
  const t0 = performance.now();
  try {
    while (!t.finished) {
      const m = await t.runLoop();
      saveCheckpoint(cdir, t.serialize());
      writeAtomic(path.join(cdir, "progress.json"), JSON.stringify({ loop: t.loop, loops: t.loops, host: os.hostname(), pid: process.pid, at: new Date().toISOString() }) + "\n");
      log(`${cell.id}: loop ${m.loop + 1}/${t.loops} done, mean TO cost ${m.meanToCost.toPrecision(6)}`);
      await o.onLoop?.(t.loop, t.loops);
      // one turn of the event loop between loops: signals and a closed parent channel are handled here
      // (a loop itself computes without yielding)
      await new Promise((r) => setImmediate(r));
    }
    const te = performance.now();
    const ev = await evaluate(t, { grid: plan.grid, fresh: plan.fresh, workers: 0 });
    const evalSeconds = (performance.now() - te) / 1000;
    const result: CellResult = {
      ...seedResult(t, ev), cell, resumedFromLoop, runSeconds: (performance.now() - t0) / 1000, evalSeconds,
      host: os.hostname(), pid: process.pid, finishedAt: new Date().toISOString(),
    };
    const written = writeResultOnce(dir, cell.id, result);
    log(`${cell.id}: ${written ? "result written" : "a result was already there (another run finished first); kept it"}`);
    return { result: written ? result : readResult(dir, cell.id)!, written, skipped: false };
  } finally {
    await t.close();
    t.dispose();
  }
}
