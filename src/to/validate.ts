/**
 * Checks at the public boundary: every error names the parameter, the value received and what was
 * expected, and is thrown before anything reaches the engine (so a bad call never corrupts it).
 */
import { SYSTEMS, type SystemSpec } from "../systems/specs.js";
import { P, SYSTEM_NAMES, type SystemName } from "../systems/layout.js";

export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (ArrayBuffer.isView(v) || Array.isArray(v)) {
    const a = Array.from(v as ArrayLike<number>);
    const head = a.slice(0, 6).map(String).join(", ");
    return `[${head}${a.length > 6 ? `, ... (${a.length} values)` : ""}]`;
  }
  if (typeof v === "object" && v !== null) {
    try { return JSON.stringify(v).slice(0, 80); } catch { return String(v); }
  }
  return String(v);
}

/** user-defined systems registered by name (registerSystem), for APIs that carry a system's name */
const USER_SYSTEMS = new Map<string, SystemSpec>();

/**
 * Make a user-defined system (from `defineSystem`) known by its name, so that APIs which carry a
 * system's name (CACTO configs and checkpoints, `new Solver(engine, "my-system")`, the pools) resolve
 * it. Registering another system under the same name replaces it. Returns the system.
 */
export function registerSystem(system: SystemSpec): SystemSpec {
  if (typeof system !== "object" || system === null || (system as SystemSpec).model === undefined) {
    throw new TypeError(`registerSystem: system: got ${show(system)}, expected a system made by defineSystem`);
  }
  const spec = checkUserSystem(system);
  USER_SYSTEMS.set(spec.name, spec);
  return spec;
}

/** names of the registered user-defined systems */
export function registeredSystemNames(): string[] {
  return [...USER_SYSTEMS.keys()];
}

/**
 * A system by name (a built-in one, or a registered user-defined one) or a spec object (checked).
 * Throws a RangeError naming what was given and what is known.
 */
export function checkSystem(name: unknown): SystemSpec {
  if (typeof name === "object" && name !== null && "name" in name && typeof (name as SystemSpec).name === "string") {
    const spec = name as SystemSpec;
    if (spec.model !== undefined) return checkUserSystem(spec);
    return checkSystem(spec.name) && spec;
  }
  if (typeof name === "string" && (SYSTEM_NAMES as string[]).includes(name)) return SYSTEMS[name as SystemName];
  const user = typeof name === "string" ? USER_SYSTEMS.get(name) : undefined;
  if (user) return user;
  const reg = USER_SYSTEMS.size ? `, or a registered system: ${[...USER_SYSTEMS.keys()].join(", ")}` : " (or a system from defineSystem, registered with registerSystem)";
  throw new RangeError(`system: got ${show(name)}, expected one of ${SYSTEM_NAMES.join(", ")}${reg}`);
}

/** a system with a run-time model (defineSystem) must agree with its model */
function checkUserSystem(spec: SystemSpec): SystemSpec {
  const m = spec.model!;
  if ((SYSTEM_NAMES as string[]).includes(spec.name)) {
    throw new RangeError(`system ${JSON.stringify(spec.name)}: a system with its own model must not take a built-in system's name`);
  }
  if (typeof m !== "object" || m === null || !(m.bytes instanceof Uint8Array)) {
    throw new TypeError(`system ${JSON.stringify(spec.name)}: model: got ${show(m)}, expected a compiled model (make the system with defineSystem)`);
  }
  if (spec.nx !== m.nx || spec.nu !== m.nu) {
    throw new RangeError(`system ${JSON.stringify(spec.name)}: nx, nu = ${spec.nx}, ${spec.nu} but its model has ${m.nx}, ${m.nu}`);
  }
  return spec;
}

export function checkVector(param: string, v: unknown, length: number): ArrayLike<number> {
  if (v === null || v === undefined || typeof v !== "object" || typeof (v as ArrayLike<number>).length !== "number") {
    throw new TypeError(`${param}: got ${show(v)}, expected an array of ${length} finite numbers`);
  }
  const a = v as ArrayLike<number>;
  if (a.length !== length) {
    throw new RangeError(`${param}: got ${a.length} values ${show(a)}, expected ${length}`);
  }
  for (let i = 0; i < length; i++) {
    const x = a[i];
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new RangeError(`${param}[${i}]: got ${show(x)}, expected a finite number`);
    }
  }
  return a;
}

export function checkInt(param: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
    throw new RangeError(`${param}: got ${show(v)}, expected an integer in [${lo}, ${hi}]`);
  }
  return v;
}

export function checkNumber(param: string, v: unknown, lo: number, hi: number, opts: { allowInfinity?: boolean; openLo?: boolean } = {}): number {
  const ok = typeof v === "number" && !Number.isNaN(v)
    && (opts.allowInfinity ? true : Number.isFinite(v))
    && (opts.openLo ? v > lo : v >= lo) && v <= hi;
  if (!ok) {
    throw new RangeError(`${param}: got ${show(v)}, expected a ${opts.allowInfinity ? "" : "finite "}number in ${opts.openLo ? "(" : "["}${lo}, ${hi}]`);
  }
  return v as number;
}

export function checkKeys(param: string, obj: object, allowed: readonly string[], what = "option"): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new RangeError(`${param}: unknown ${what} ${JSON.stringify(k)}, expected one of ${allowed.join(", ")}`);
    }
  }
}

/**
 * The parameter block from a user's `params`: the full block of P.N values, or (for a system with a
 * run-time model, whose parameters start the block) exactly its own parameters, zero-padded.
 */
export function paramBlock(spec: SystemSpec, params: ArrayLike<number>): Float64Array {
  const own = (spec as { modelParams?: number[] }).modelParams?.length ?? 0;
  if (spec.model && params !== null && typeof params === "object" && typeof params.length === "number" && params.length !== P.N) {
    if (params.length !== own) {
      throw new RangeError(`params: got ${params.length} values, expected the ${own} parameters of ${JSON.stringify(spec.name)} (or a full block of ${P.N})`);
    }
    const b = new Float64Array(P.N);
    b.set(checkVector("params", params, own));
    return b;
  }
  return Float64Array.from(checkVector("params", params, P.N));
}
