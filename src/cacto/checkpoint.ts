/**
 * Checkpoints: the whole training state (networks, optimiser moments, target critic, replay buffer,
 * RNG state, loop index, metrics) as one JSON file, written atomically (temporary file + rename) so a
 * run killed at any moment leaves either the previous checkpoint or the new one, never a torn file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import type { CheckpointData } from "./trainer.js";

export const CHECKPOINT_FILE = "checkpoint.json";

export function checkpointPath(runDir: string): string {
  return path.join(runDir, CHECKPOINT_FILE);
}

export function hasCheckpoint(runDir: string): boolean {
  return existsSync(checkpointPath(runDir));
}

export function saveCheckpoint(runDir: string, data: CheckpointData): string {
  mkdirSync(runDir, { recursive: true });
  const file = checkpointPath(runDir);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(data));
  renameSync(tmp, file);
  return file;
}

export function loadCheckpoint(runDir: string): CheckpointData {
  const file = checkpointPath(runDir);
  if (!existsSync(file)) throw new RangeError(`--run: no checkpoint at ${file} (train first: cacto train --out ${runDir})`);
  let d: CheckpointData;
  try {
    d = JSON.parse(readFileSync(file, "utf8")) as CheckpointData;
  } catch (e) {
    throw new RangeError(`checkpoint ${file}: not valid JSON (${(e as Error).message})`);
  }
  if (d?.format !== "cacto-checkpoint") throw new RangeError(`checkpoint ${file}: got format ${JSON.stringify(d?.format)}, expected "cacto-checkpoint"`);
  return d;
}
