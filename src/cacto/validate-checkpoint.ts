/**
 * Checkpoint validation on load (issue 11, item 3): every field a resume relies on is checked against
 * the checkpoint's own config and its system before anything is built from it, so a bad file is
 * rejected with the field that is wrong (and the run that would have overwritten it never starts).
 */
import type { SystemSpec } from "../systems/specs.js";
import { SYSTEM_NAMES } from "../systems/layout.js";
import { checkSystem, registeredSystemNames } from "../to/validate.js";

/**
 * The fingerprint a checkpoint keeps of its user-defined system (defineSystem's `fingerprint`: the
 * dynamics and costs by structure, and the fields that shape training); null for a built-in system.
 */
export function systemFingerprint(spec: SystemSpec): string | null {
  if (!spec.model) return null;
  const f = (spec as { fingerprint?: unknown }).fingerprint;
  if (typeof f !== "string") throw new TypeError(`system ${JSON.stringify(spec.name)}: no fingerprint (make the system with defineSystem)`);
  return f;
}

type Obj = Record<string, unknown>;

class Check {
  constructor(private readonly where: string) {}

  fail(field: string, v: unknown, expected: string): never {
    let shown: string;
    // non-finite numbers as themselves (JSON would show null)
    if (typeof v === "number" && !Number.isFinite(v)) shown = String(v);
    else try { shown = JSON.stringify(v) ?? String(v); } catch { shown = String(v); }
    if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
    throw new RangeError(`${this.where}: ${field}: got ${shown}, expected ${expected}`);
  }

  obj(field: string, v: unknown): Obj {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(field, v, "an object");
    return v as Obj;
  }

  int(field: string, v: unknown, lo: number, hi: number): number {
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) this.fail(field, v, `an integer in ${lo}..${hi}`);
    return v as number;
  }

  num(field: string, v: unknown, lo: number, hi: number, openLo = false): number {
    if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi || (openLo && v === lo)) {
      this.fail(field, v, `a finite number in ${openLo ? "(" : "["}${lo}, ${hi}]`);
    }
    return v as number;
  }

  ints(field: string, v: unknown, lo: number, hi: number, minLen = 0): number[] {
    if (!Array.isArray(v) || v.length < minLen) this.fail(field, v, `an array of at least ${minLen} integers`);
    (v as unknown[]).forEach((x, i) => this.int(`${field}[${i}]`, x, lo, hi));
    return v as number[];
  }

  finiteArray(field: string, v: unknown, length?: number): number[] {
    if (!Array.isArray(v)) this.fail(field, typeof v, "an array of numbers");
    const a = v as unknown[];
    if (length !== undefined && a.length !== length) this.fail(`${field}.length`, a.length, String(length));
    for (let i = 0; i < a.length; i++) {
      if (typeof a[i] !== "number" || !Number.isFinite(a[i] as number)) this.fail(`${field}[${i}]`, a[i], "a finite number");
    }
    return a as number[];
  }

  tensors(field: string, v: unknown): number[][] {
    if (!Array.isArray(v) || v.length === 0) this.fail(field, v, "a non-empty array of tensors");
    return (v as unknown[]).map((t, i) => {
      const o = this.obj(`${field}[${i}]`, t);
      const shape = this.ints(`${field}[${i}].shape`, o.shape, 1, 1 << 20, 1);
      this.finiteArray(`${field}[${i}].data`, o.data, shape.reduce((a, b) => a * b, 1));
      return shape;
    });
  }
}

/**
 * A CACTO configuration (CactoTrainer.create, checkpoints): every field with its name, value and what
 * was expected. `p` prefixes the field names (e.g. "config").
 */
export function validateConfig(config: unknown, where = "CactoTrainer.create", p = "config") {
  const c = new Check(where);
  const cfg = c.obj(p, config);
  let spec: SystemSpec | null = null;
  if (typeof cfg.system !== "string") c.fail(`${p}.system`, cfg.system, "a system's name (a string)");
  try { spec = checkSystem(cfg.system); } catch { /* named below */ }
  if (!spec) {
    const user = registeredSystemNames();
    c.fail(`${p}.system`, cfg.system, `one of ${SYSTEM_NAMES.join(", ")}${user.length ? `, ${user.join(", ")}` : ""} (a user-defined system must be registered first: preset(system, ...) or registerSystem(system); the CLI loads it with --system ./file.mjs)`);
  }
  if (cfg.preset !== "quick" && cfg.preset !== "reference") c.fail(`${p}.preset`, cfg.preset, '"quick" or "reference"');
  const loops = c.ints(`${p}.updateLoops`, cfg.updateLoops, 0, 1e9, 1);
  c.int(`${p}.episodesPerLoop`, cfg.episodesPerLoop, 1, 1e7);
  c.int(`${p}.batchSize`, cfg.batchSize, 1, 1e7);
  if (cfg.nStep !== "mc") c.int(`${p}.nStep`, cfg.nStep, 1, 1e7);
  const aH = c.ints(`${p}.actorHidden`, cfg.actorHidden, 1, 1e5, 1);
  const cH = c.ints(`${p}.criticHidden`, cfg.criticHidden, 1, 1e5, 1);
  if (cfg.actorOutput !== undefined && cfg.actorOutput !== "linear" && cfg.actorOutput !== "tanh") c.fail(`${p}.actorOutput`, cfg.actorOutput, '"linear", "tanh" or absent');
  c.num(`${p}.actorLr`, cfg.actorLr, 0, 10, true);
  c.num(`${p}.criticLr`, cfg.criticLr, 0, 10, true);
  c.num(`${p}.tau`, cfg.tau, 0, 1, true);
  c.num(`${p}.wS`, cfg.wS, 0, 1e12);
  const capacity = c.int(`${p}.bufferCapacity`, cfg.bufferCapacity, 1, 1 << 30);
  c.obj(`${p}.to`, cfg.to);
  c.ints(`${p}.lrHalvings`, cfg.lrHalvings, 0, 1e12);
  c.int(`${p}.workers`, cfg.workers, 0, 64);
  if (cfg.actorThread !== undefined && typeof cfg.actorThread !== "boolean") c.fail(`${p}.actorThread`, cfg.actorThread, "a boolean or absent");
  if (cfg.dropUnconverged !== undefined && typeof cfg.dropUnconverged !== "boolean") c.fail(`${p}.dropUnconverged`, cfg.dropUnconverged, "a boolean or absent");
  if (cfg.wSScale !== undefined && cfg.wSScale !== "none" && cfg.wSScale !== "variance") c.fail(`${p}.wSScale`, cfg.wSScale, '"none", "variance" or absent');
  if (cfg.actorGradQuirk !== undefined && typeof cfg.actorGradQuirk !== "boolean") c.fail(`${p}.actorGradQuirk`, cfg.actorGradQuirk, "a boolean or absent");
  if (cfg.actorInvertGradients !== undefined && typeof cfg.actorInvertGradients !== "boolean") c.fail(`${p}.actorInvertGradients`, cfg.actorInvertGradients, "a boolean or absent");
  if (cfg.costateWeight !== undefined && !(typeof cfg.costateWeight === "number" && cfg.costateWeight >= 0 && cfg.costateWeight <= 1)) c.fail(`${p}.costateWeight`, cfg.costateWeight, "a number in [0, 1] or absent");
  return { loops, capacity, aH, cH, spec: spec! };
}

/** throws a RangeError naming the first wrong field; `where` labels the messages (e.g. the file) */
export function validateCheckpoint(d: unknown, where = "checkpoint"): void {
  const c = new Check(where);
  const o = c.obj("checkpoint", d);
  if (o.format !== "cacto-checkpoint") c.fail("format", o.format, '"cacto-checkpoint"');
  if (o.version !== 1) c.fail("version", o.version, "1");
  const { loops, capacity, aH, cH, spec } = validateConfig(o.config, where);
  // a user-defined system: the checkpoint's model fingerprint must be the registered definition's
  if (o.modelHash !== undefined || spec.model) {
    const now = systemFingerprint(spec) ?? "none (a built-in system)";
    if (o.modelHash !== now) c.fail("modelHash", o.modelHash, `${now}, the fingerprint of the current definition of ${JSON.stringify(spec.name)} (the checkpoint was trained on another definition: dynamics, costs, params, bounds, ranges or solver defaults differ)`);
  }
  c.int("seed", o.seed, -2147483648, 4294967295);
  const loop = c.int("loop", o.loop, 0, loops.length);
  c.int("updates", o.updates, 0, 1e15);
  const rng = c.ints("rng", o.rng, 0, 4294967295, 4);
  if (rng.length !== 4) c.fail("rng.length", rng.length, "4");
  if (rng.every((w) => w === 0)) c.fail("rng", rng, "a state with a non-zero word (xoshiro128** never leaves the all-zero state)");
  // learner: its shapes must be those of the system and of the config's layers
  const l = c.obj("learner", o.learner);
  if (l.format !== "cacto-actor-critic" || l.version !== 1) c.fail("learner.format", l.format, '"cacto-actor-critic" version 1');
  const lc = c.obj("learner.config", l.config);
  if (lc.nx !== spec.nx) c.fail("learner.config.nx", lc.nx, `${spec.nx} (the state dimension of ${spec.name}, the checkpoint's system)`);
  if (lc.nu !== spec.nu) c.fail("learner.config.nu", lc.nu, `${spec.nu} (the control dimension of ${spec.name})`);
  const layers = (field: string, shapes: number[][], hidden: number[], nOut: number) => {
    // dense layers: kernel [in, out] then bias [out], from nx + 1 inputs (state and time)
    const dims = [spec.nx + 1, ...hidden, nOut];
    const want: number[][] = [];
    for (let i = 0; i + 1 < dims.length; i++) want.push([dims[i], dims[i + 1]], [dims[i + 1]]);
    if (JSON.stringify(shapes) !== JSON.stringify(want)) c.fail(`${field} shapes`, shapes, JSON.stringify(want));
  };
  const actor = c.tensors("learner.actor", l.actor);
  const critic = c.tensors("learner.critic", l.critic);
  const target = c.tensors("learner.target", l.target);
  layers("learner.actor", actor, aH, spec.nu);
  layers("learner.critic", critic, cH, 1);
  layers("learner.target", target, cH, 1);
  for (const [name, shapes] of [["actorOpt", actor], ["criticOpt", critic]] as const) {
    const a = c.obj(`learner.${name}`, l[name]);
    c.int(`learner.${name}.t`, a.t, 0, 1e15);
    for (const k of ["lr", "beta1", "beta2", "epsilon"]) c.num(`learner.${name}.${k}`, a[k], 0, 10);
    for (const mv of ["m", "v"]) {
      const s = c.tensors(`learner.${name}.${mv}`, a[mv]);
      if (JSON.stringify(s) !== JSON.stringify(shapes)) c.fail(`learner.${name}.${mv} shapes`, s, "the shapes of the network's tensors");
    }
  }
  // replay buffer
  const b = c.obj("buffer", o.buffer);
  if (b.format !== "cacto-replay-buffer" || b.version !== 1) c.fail("buffer.format", b.format, '"cacto-replay-buffer" version 1');
  if (b.nx !== spec.nx) c.fail("buffer.nx", b.nx, `${spec.nx} (the state dimension of ${spec.name})`);
  if (b.capacity !== capacity) c.fail("buffer.capacity", b.capacity, `${capacity} (config.bufferCapacity)`);
  const count = c.int("buffer.count", b.count, 0, 1e15);
  c.int("buffer.head", b.head, 0, capacity - 1);
  c.int("buffer.nextEpisode", b.nextEpisode, 0, 1e15);
  const rows = Math.min(count, capacity);
  c.finiteArray("buffer.x", b.x, rows * spec.nx);
  c.finiteArray("buffer.vx", b.vx, rows * spec.nx);
  c.finiteArray("buffer.cost", b.cost, rows);
  for (const k of ["k", "episode", "index", "length"]) c.finiteArray(`buffer.${k}`, b[k], rows);
  // metrics: one entry per completed loop
  if (!Array.isArray(o.metrics)) c.fail("metrics", o.metrics, "an array");
  const metrics = o.metrics as unknown[];
  if (metrics.length !== loop) c.fail("metrics.length", metrics.length, `${loop} (one entry per completed loop)`);
  metrics.forEach((m, i) => {
    const mo = c.obj(`metrics[${i}]`, m);
    if (mo.loop !== i) c.fail(`metrics[${i}].loop`, mo.loop, String(i));
  });
}
