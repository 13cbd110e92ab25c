/**
 * Checkpoints: the whole training state (networks, optimiser moments, target critic, replay buffer,
 * RNG state, loop index, metrics) as one JSON file, written atomically (temporary file + rename) so a
 * run killed at any moment leaves either the previous checkpoint or the new one, never a torn file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync, readdirSync, rmSync, statSync, unlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CheckpointData } from "./trainer.js";
import { validateCheckpoint } from "./validate-checkpoint.js";
import { encodeCheckpoint, unpackCheckpoint } from "./packed.js";

export { encodeCheckpoint, decodeCheckpoint } from "./packed.js";

export const CHECKPOINT_FILE = "checkpoint.json";

/** the checkpoint file of a run directory: `<runDir>/checkpoint.json` */
export function checkpointPath(runDir: string): string {
  return path.join(runDir, CHECKPOINT_FILE);
}

/** whether `runDir` holds a checkpoint file */
export function hasCheckpoint(runDir: string): boolean {
  return existsSync(checkpointPath(runDir));
}

/** a file could not be written; the work it held is still in memory (exit code 4 in the CLI) */
export class WriteError extends Error {
  constructor(readonly file: string, readonly cause: Error) {
    super(`cannot write ${file}: ${(cause as NodeJS.ErrnoException).code ?? ""}${(cause as NodeJS.ErrnoException).code ? " " : ""}${cause.message.replace(/^[A-Z]+: /, "")}`);
    this.name = "WriteError";
  }
}

/**
 * mkdir -p without Node's recursive mkdir, which spins forever on some paths (e.g. under /proc on
 * Node 20): create each missing ancestor in turn, so every failure is an ordinary error.
 */
export function ensureDir(dir: string): void {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let p = abs;
  while (!existsSync(p)) {
    missing.push(p);
    const up = path.dirname(p);
    if (up === p) break;
    p = up;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try { mkdirSync(missing[i]); } catch (e) { if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e; }
  }
}

/**
 * The temporary file of `file` for this process: <file>.tmp-<pid>@<host>, unique across the machines
 * that share a directory (sweeps on shared storage).
 */
export function tempPath(file: string): string {
  return `${file}.tmp-${process.pid}@${os.hostname()}`;
}

/**
 * Write `text` to `file` through a temporary file and a rename, so the old file stays whole if the
 * write fails (full disk, read-only directory); the temporary file is removed on failure.
 */
export function writeAtomic(file: string, text: string | Uint8Array): void {
  const tmp = tempPath(file);
  try {
    ensureDir(path.dirname(file));
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* not created */ }
    throw new WriteError(file, e as Error);
  }
}

/**
 * Before a long run: the run directory can be created and written (a probe file is written and
 * removed). Throws a WriteError naming the directory otherwise, e.g. when it is a file or read-only.
 */
export function checkWritable(runDir: string): void {
  if (existsSync(runDir) && !statSync(runDir).isDirectory()) {
    throw new RangeError(`run directory ${runDir}: it exists and is not a directory; choose a directory (--out)`);
  }
  writeAtomic(path.join(runDir, `.write-probe-${process.pid}`), "probe");
  rmSync(path.join(runDir, `.write-probe-${process.pid}`), { force: true });
}

/** true when a process with this pid is running (signal 0 probes without signalling) */
/** a process with this pid exists on this host (EPERM: it exists but is not ours) */
export function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === "EPERM"; }
}

/** remove temporary files left by killed writers (checkpoint.json.tmp-<pid> of dead pids); returns their names */
export function cleanStaleTemps(runDir: string): string[] {
  if (!existsSync(runDir)) return [];
  const gone: string[] = [];
  for (const f of readdirSync(runDir)) {
    const m = /\.tmp-(\d+)(?:@(.+))?$/.exec(f);
    if (!m || !/^(checkpoint\.json|report\.md|evaluation\.json|progress\.json|result\.json|.*\.svg|\.write-probe)/.test(f)) continue;
    const pid = Number(m[1]);
    // another machine's temporary file (shared storage): its process cannot be checked from here
    if (m[2] !== undefined && m[2] !== os.hostname()) continue;
    if (pid === process.pid || alive(pid)) continue;
    rmSync(path.join(runDir, f), { force: true });
    gone.push(f);
  }
  return gone;
}

/**
 * Write `data` to the run directory's checkpoint file atomically (packed format, directory created
 * if needed); returns the file's path. Throws a WriteError if it cannot be written.
 */
export function saveCheckpoint(runDir: string, data: CheckpointData): string {
  const file = checkpointPath(runDir);
  writeAtomic(file, encodeCheckpoint(data));
  return file;
}

/**
 * Read and validate the run directory's checkpoint; throws a RangeError if it is missing, is not
 * JSON or has a bad field.
 */
export function loadCheckpoint(runDir: string): CheckpointData {
  const file = checkpointPath(runDir);
  if (!existsSync(file)) throw new RangeError(`--run: no checkpoint at ${file} (train first: cacto train --out ${runDir})`);
  let d: CheckpointData;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new RangeError(`checkpoint ${file}: not valid JSON (${(e as Error).message})`);
  }
  try {
    d = unpackCheckpoint(raw);
  } catch (e) {
    throw new RangeError(`checkpoint ${file}: ${(e as Error).message}`);
  }
  validateCheckpoint(d, `checkpoint ${file}`);
  return d;
}
