/**
 * `cacto sweep run` on one machine: the cells without a result, N at a time, each in its own process
 * (`cacto sweep cell`), its output in cells/<id>/log.txt. Resumable: a rerun skips finished cells and a
 * cell killed mid-training resumes from its last checkpoint. No server needed.
 */
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ensureDir, writeAtomic } from "../cacto/checkpoint.js";
import { cellDir, readResult } from "./cell.js";
import { readPlan } from "./plan.js";

/** bin/cacto.js of this package (src/sweep or dist/src/sweep: walk up to the package root) */
export function cactoBin(): string {
  let d = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const b = path.join(d, "bin", "cacto.js");
    if (fs.existsSync(b)) return b;
    d = path.dirname(d);
  }
  throw new Error("sweep: bin/cacto.js not found above " + fileURLToPath(import.meta.url));
}

/**
 * Run one cell in its own process (`cacto sweep cell`), output appended to cells/<id>/log.txt. The
 * child gets an IPC channel and exits when it closes, so a killed parent (a worker lost mid-job) does
 * not leave an orphan training the cell. Resolves with the exit code (null: killed by a signal).
 */
export function spawnCell(dir: string, id: string, o: { forwardSignals?: boolean } = {}): Promise<number | null> {
  const logFile = path.join(cellDir(dir, id), "log.txt");
  ensureDir(path.dirname(logFile));
  const out = fs.openSync(logFile, "a");
  return new Promise<number | null>((resolve) => {
    const p = spawn(process.execPath, [cactoBin(), "sweep", "cell", "--dir", dir, "--cell", id], { stdio: ["ignore", out, out, "ipc"] });
    // a local run stops its cells with it (each keeps its last checkpoint); a queue worker does not
    // forward: it stops taking jobs and lets the running cell finish
    const forward = (sig: NodeJS.Signals) => () => p.kill(sig);
    const onTerm = forward("SIGTERM"), onInt = forward("SIGINT");
    if (o.forwardSignals !== false) {
      process.once("SIGTERM", onTerm);
      process.once("SIGINT", onInt);
    }
    const done = (c: number | null) => {
      process.off("SIGTERM", onTerm);
      process.off("SIGINT", onInt);
      fs.closeSync(out);
      resolve(c);
    };
    p.on("error", () => done(-1));
    p.on("exit", (c) => done(c));
  });
}

/** the cell's last one-line error ("cacto: ...") from its log, or "" */
function lastError(logFile: string): string {
  try {
    const lines = fs.readFileSync(logFile, "utf8").trim().split("\n").filter((l) => l.startsWith("cacto: "));
    return lines.length ? lines[lines.length - 1].slice(7) : "";
  } catch { return ""; }
}

export interface LocalRunSummary {
  cells: number;
  skipped: number;
  done: number;
  failed: { id: string; code: number | null; log: string }[];
  wallSeconds: number;
}

/** run the plan's unfinished cells with `parallel` processes; resolves when all have ended */
export async function runLocal(dir: string, parallel: number, log: (s: string) => void = () => {}): Promise<LocalRunSummary> {
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 256) throw new RangeError(`sweep run: parallel: got ${parallel}, expected an integer 1..256`);
  const plan = readPlan(dir);
  const todo = plan.cells.filter((c) => !readResult(dir, c.id));
  const summary: LocalRunSummary = { cells: plan.cells.length, skipped: plan.cells.length - todo.length, done: 0, failed: [], wallSeconds: 0 };
  log(`sweep ${plan.name}: ${plan.cells.length} cells, ${summary.skipped} already done, ${todo.length} to run, ${parallel} at a time`);
  const t0 = performance.now();
  let next = 0;
  const runOne = async (): Promise<void> => {
    while (next < todo.length) {
      const cell = todo[next++];
      const logFile = path.join(cellDir(dir, cell.id), "log.txt");
      const code = await spawnCell(dir, cell.id);
      const failedFile = path.join(cellDir(dir, cell.id), "failed.json");
      if (code === 0 && readResult(dir, cell.id)) {
        fs.rmSync(failedFile, { force: true });
        summary.done++;
        log(`sweep ${plan.name}: ${cell.id} done (${summary.done + summary.skipped}/${plan.cells.length})`);
      } else {
        summary.failed.push({ id: cell.id, code, log: logFile });
        writeAtomic(failedFile, JSON.stringify({ code, reason: lastError(logFile), at: new Date().toISOString(), log: logFile }) + "\n");
        log(`sweep ${plan.name}: ${cell.id} FAILED (exit ${code}); see ${logFile}; rerun cacto sweep run to retry it from its checkpoint`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, todo.length) }, runOne));
  summary.wallSeconds = (performance.now() - t0) / 1000;
  return summary;
}
