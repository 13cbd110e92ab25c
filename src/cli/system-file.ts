/**
 * `--system` in the CLI: a built-in name, or a path to a module that exports a system made by
 * `defineSystem` (as `default` or as `system`). A run directory trained on a user-defined system keeps
 * the module's absolute path in system-source.json, so `train --resume` and `eval --run` find it again.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SYSTEMS, type SystemSpec } from "../systems/specs.js";
import { SYSTEM_NAMES, type SystemName } from "../systems/layout.js";
import { registerSystem } from "../to/validate.js";
import { writeAtomic } from "../cacto/checkpoint.js";
import { UsageError } from "./args.js";

const SOURCE_FILE = "system-source.json";

function looksLikePath(v: string): boolean {
  return v.includes("/") || v.includes("\\") || /\.(m|c)?(j|t)s$/.test(v);
}

/** the system named by `--system` (built-in name or module path); a module's system is registered */
export async function resolveSystemFlag(value: string, flag = "--system"): Promise<SystemSpec> {
  if ((SYSTEM_NAMES as string[]).includes(value)) return SYSTEMS[value as SystemName];
  if (!looksLikePath(value)) {
    throw new UsageError(`${flag}: got ${JSON.stringify(value)}, expected one of ${SYSTEM_NAMES.join(", ")}, or a path to a module exporting a defineSystem system (e.g. ./my-system.mjs)`);
  }
  const file = path.resolve(value);
  if (!fs.existsSync(file)) throw new UsageError(`${flag}: ${JSON.stringify(value)}: no such file (${file})`);
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    const hint = /\.(m|c)?ts$/.test(file) ? " (a .ts module needs a TypeScript-aware Node: run the CLI with `npx tsx`, or use Node >= 23, or write the system as .mjs)" : "";
    throw new UsageError(`${flag}: ${JSON.stringify(value)} could not be loaded: ${(e as Error).message}${hint}`);
  }
  const sys = (mod.default ?? mod.system) as SystemSpec | undefined;
  if (typeof sys !== "object" || sys === null || sys.model === undefined) {
    throw new UsageError(`${flag}: ${JSON.stringify(value)} exports ${sys === undefined ? "neither default nor system" : typeof sys}; expected \`export default defineSystem({ ... })\` (or \`export const system = ...\`)`);
  }
  const spec = registerSystem(sys);
  (spec as { sourceFile?: string }).sourceFile = file;
  return spec;
}

/** remember a run's user-defined system's module (no-op for built-in systems) */
export function recordSystemSource(runDir: string, spec: SystemSpec): void {
  const file = (spec as { sourceFile?: string }).sourceFile;
  if (!spec.model || !file) return;
  writeAtomic(path.join(runDir, SOURCE_FILE), JSON.stringify({ name: spec.name, file }, null, 2) + "\n");
}

/**
 * Make a run's user-defined system known before its checkpoint is loaded (the checkpoint's validation
 * then checks the name and the fingerprint): from `flagValue` (--system) if it is a module, else from
 * the run directory's record (a run on a built-in system has none). Returns the flag's system name.
 */
export async function ensureRunSystem(runDir: string, flagValue?: string): Promise<string | undefined> {
  let given: string | undefined;
  if (flagValue !== undefined) {
    const spec = await resolveSystemFlag(flagValue);
    if (spec.model) return spec.name;
    given = spec.name;
  }
  const rec = path.join(runDir, SOURCE_FILE);
  if (!fs.existsSync(rec)) return given;
  let file: string | undefined;
  try { file = (JSON.parse(fs.readFileSync(rec, "utf8")) as { file?: string }).file; } catch { /* unreadable: named below */ }
  if (typeof file !== "string") throw new UsageError(`${rec}: expected {"file": "<path of the system's module>"}; give the module with --system ./path/to/system.mjs`);
  if (!fs.existsSync(file)) throw new UsageError(`${rec}: the system's module ${file} is gone; give it with --system ./path/to/system.mjs`);
  await resolveSystemFlag(file, `${rec} (file)`);
  return given;
}

/** with --system on a run: the flag's system must be the one the run trained */
export function checkRunSystem(runDir: string, trained: string, flagValue: string | undefined, given: string | undefined): void {
  if (flagValue === undefined || given === undefined || given === trained) return;
  throw new UsageError(`--system: ${JSON.stringify(flagValue)} is ${JSON.stringify(given)}, but the run in ${runDir} trained ${JSON.stringify(trained)}`);
}
