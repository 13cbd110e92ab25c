/**
 * A tiny WebAssembly binary emitter and a code generator for expression graphs (./expr.ts).
 *
 * Module layout (bytes written here, LEB128 included; no binaryen, no native tools):
 * - imports: the used math functions as `math.<name>` (each (f64) -> f64), in MATH_NAMES order, then
 *   `env.memory` (limits min `memoryMinPages`, default 0, no max; not shared);
 * - one function per GenFunction, exported under its name, in the given order.
 *
 * Code of one function (all params i32: byte pointers into memory, or flags):
 * 1. every variable the function uses anywhere is loaded once (f64.load at ptr + 8*index) before any
 *    store, so an output array may alias an input array;
 * 2. the returned expression (result "f64") is computed, then each unconditional store in order: the
 *    nodes its expression needs that are not yet computed, in topological order, then f64.store;
 * 3. `if (flag != 0)`: the same for the guarded stores; nodes needed only there are computed only
 *    there, nodes shared with step 2 were computed before;
 * 4. the result: local.get of the returned node, or an i32.const.
 * Each computed node goes to an f64 local (constants are inlined as f64.const). Locals are recycled
 * once a node's last use is behind (a linear scan over the plan), so the local count is the peak
 * number of live values, not the node count. Every op is emitted as exactly the IEEE operations of
 * `applyOp` in ./expr.ts, so results equal `evaluate` bit for bit given the same math functions.
 */
import { Expr, MATH_NAMES, constant, mathUsedBy, topoOrder as reachable, type MathName, type VarKind } from "./expr.js";

/** A store of an expression's value as f64 at (pointer param `param`) + 8 * index. */
export interface GenStore {
  /** index of the i32 param holding the destination array's byte pointer */
  param: number;
  /** element index in that f64 array */
  index: number;
  /** the value */
  expr: Expr | number;
}

/** A function to generate (see the file header for the code it becomes). */
export interface GenFunction {
  /** export name */
  name: string;
  /** all params are i32 (byte pointers into memory, or flags) */
  params: "i32"[];
  /** the result type (null: none) */
  result: "f64" | "i32" | null;
  /** var kind -> index of the pointer param of that f64 array; variable(kind, i) loads ptr + 8*i */
  inputs: Partial<Record<VarKind, number>>;
  /** always executed */
  stores: GenStore[];
  /** executed only when the i32 param `flag` is not 0 */
  guarded?: { flag: number; stores: GenStore[] };
  /** result "f64": the returned value; result "i32": a constant integer returned */
  returns?: Expr | number;
}

/** Options of emitModule. */
export interface EmitOptions {
  /** minimum pages of the imported env.memory (default 0) */
  memoryMinPages?: number;
}

/** What compileModule needs: the memory to import and the math functions (JS Math in Node is fine). */
export interface GenImports {
  /** imported as env.memory */
  memory: WebAssembly.Memory;
  /** module "math": at least the functions the module uses (see MATH_NAMES) */
  math: Readonly<Partial<Record<string, (x: number) => number>>>;
}

/** The exported functions of a generated module, by name. */
export type GenExports = Record<string, (...args: number[]) => number | undefined>;

/** Largest number of locals per function that engines accept (V8, SpiderMonkey: 50000). */
export const MAX_LOCALS = 50000;

// ---------------------------------------------------------------------------------------------
// Bytes

/** LEB128 of an unsigned 32-bit integer. */
export function u32Leb(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`u32Leb: value must be an integer in [0, 2^32), got ${value}`);
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function s32Leb(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new RangeError(`s32Leb: value must be an integer in [-2^31, 2^31), got ${value}`);
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

/** A growable byte buffer with the encodings a module needs. */
class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): this {
    this.room(1);
    this.buf[this.length++] = b;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    this.room(bs.length);
    this.buf.set(bs, this.length);
    this.length += bs.length;
    return this;
  }

  u32(v: number): this { return this.bytes(u32Leb(v)); }
  s32(v: number): this { return this.bytes(s32Leb(v)); }

  f64(v: number): this {
    this.room(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.length, 8).setFloat64(0, v, true);
    this.length += 8;
    return this;
  }

  name(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u32(b.length).bytes(b);
  }

  /** this writer's content, prefixed by its size, appended to `to` */
  sizedInto(to: ByteWriter): void {
    to.u32(this.length).bytes(this.finish());
  }

  finish(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}

const I32 = 0x7f;
const F64 = 0x7c;
const OP = {
  if: 0x04, end: 0x0b, call: 0x10, select: 0x1b,
  localGet: 0x20, localSet: 0x21,
  f64Load: 0x2b, f64Store: 0x39, i32Const: 0x41, f64Const: 0x44,
  f64Lt: 0x63, f64Gt: 0x64, f64Ge: 0x66, i32Sub: 0x6b,
  f64Abs: 0x99, f64Neg: 0x9a, f64Sqrt: 0x9f,
  f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3, f64Min: 0xa4, f64Max: 0xa5,
  f64ConvertI32S: 0xb7,
} as const;
const BINARY: Partial<Record<string, number>> = { add: OP.f64Add, sub: OP.f64Sub, mul: OP.f64Mul, div: OP.f64Div, min: OP.f64Min, max: OP.f64Max };
const UNARY: Partial<Record<string, number>> = { neg: OP.f64Neg, sqrt: OP.f64Sqrt, abs: OP.f64Abs };
const CALLED: ReadonlySet<string> = new Set<string>(MATH_NAMES);

// ---------------------------------------------------------------------------------------------
// Validation

interface Store { param: number; index: number; expr: Expr }

/** a GenFunction checked and normalised (numbers lifted to constants) */
interface CheckedFunction {
  name: string;
  params: number;
  result: "f64" | "i32" | null;
  inputs: Partial<Record<VarKind, number>>;
  stores: Store[];
  guard: { flag: number; stores: Store[] } | null;
  returns: Expr | null;
  returnsI32: number;
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(describe).join(", ")}]`;
  if (v instanceof Expr) return `an Expr (${v.op})`;
  if (typeof v === "object" && v !== null) return "an object";
  if (typeof v === "function") return "a function";
  return String(v);
}

function fail(where: string, what: string, got: unknown): never {
  throw new RangeError(`emitModule: ${where} must be ${what}, got ${describe(got)}`);
}

function toExpr(v: unknown, where: string): Expr {
  if (v instanceof Expr) return v;
  if (typeof v === "number") return constant(v);
  return fail(where, "an Expr or a number", v);
}

function paramIndex(v: unknown, params: number, where: string): number {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= params) fail(where, `a param index in [0, ${params})`, v);
  return v as number;
}

function checkStores(list: unknown, params: number, where: string): Store[] {
  if (!Array.isArray(list)) fail(where, "an array", list);
  return list.map((s: GenStore, i) => {
    const at = `${where}[${i}]`;
    if (s === null || typeof s !== "object") fail(at, "an object { param, index, expr }", s);
    if (!Number.isInteger(s.index) || s.index < 0 || 8 * s.index > 0xffffffff) fail(`${at}.index`, "an integer in [0, 2^29)", s.index);
    return { param: paramIndex(s.param, params, `${at}.param`), index: s.index, expr: toExpr(s.expr, `${at}.expr`) };
  });
}

function checkFunction(f: GenFunction, i: number, names: Set<string>): CheckedFunction {
  const at = `fns[${i}]${typeof f?.name === "string" ? ` ("${f.name}")` : ""}`;
  if (f === null || typeof f !== "object") fail(`fns[${i}]`, "a GenFunction object", f);
  if (typeof f.name !== "string" || f.name.length === 0) fail(`${at}.name`, "a non-empty string", f.name);
  if (names.has(f.name)) fail(`${at}.name`, "unique among the functions", f.name);
  names.add(f.name);
  if (!Array.isArray(f.params) || f.params.some((p) => p !== "i32")) fail(`${at}.params`, 'an array of "i32"', f.params);
  const params = f.params.length;
  if (f.result !== "f64" && f.result !== "i32" && f.result !== null) fail(`${at}.result`, '"f64", "i32" or null', f.result);
  const inputs: Partial<Record<VarKind, number>> = {};
  for (const [kind, p] of Object.entries(f.inputs ?? {})) {
    if (!["x", "u", "p", "lam"].includes(kind)) fail(`${at}.inputs key`, 'one of "x", "u", "p", "lam"', kind);
    inputs[kind as VarKind] = paramIndex(p, params, `${at}.inputs.${kind}`);
  }
  const stores = checkStores(f.stores ?? [], params, `${at}.stores`);
  let guard: CheckedFunction["guard"] = null;
  if (f.guarded !== undefined) {
    guard = { flag: paramIndex(f.guarded.flag, params, `${at}.guarded.flag`), stores: checkStores(f.guarded.stores, params, `${at}.guarded.stores`) };
  }
  let returns: Expr | null = null;
  let returnsI32 = 0;
  if (f.result === "f64") returns = toExpr(f.returns, `${at}.returns`);
  else if (f.result === "i32") {
    const r = f.returns;
    if (!Number.isInteger(r) || (r as number) < -0x80000000 || (r as number) > 0x7fffffff) fail(`${at}.returns`, "an i32 integer constant (result is \"i32\")", r);
    returnsI32 = r as number;
  } else if (f.returns !== undefined) fail(`${at}.returns`, "undefined (result is null)", f.returns);
  const checked = { name: f.name, params, result: f.result, inputs, stores, guard, returns, returnsI32 };
  checkVariables(checked, at);
  return checked;
}

function rootsOf(f: CheckedFunction): Expr[] {
  const roots = f.stores.map((s) => s.expr);
  if (f.returns) roots.push(f.returns);
  if (f.guard) for (const s of f.guard.stores) roots.push(s.expr);
  return roots;
}

function checkVariables(f: CheckedFunction, at: string): void {
  for (const n of reachable(rootsOf(f))) {
    if (n.op === "var" && f.inputs[n.kind!] === undefined) {
      throw new RangeError(`emitModule: ${at} uses ${n.kind}[${n.index}] but its inputs have no "${n.kind}" pointer`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Planning and code generation of one function

type Step =
  | { t: "load"; node: Expr }
  | { t: "compute"; node: Expr }
  | { t: "store"; store: Store }
  | { t: "if"; flag: number }
  | { t: "end" }
  | { t: "return"; node: Expr };

/** the linear plan of the file header: loads, unconditional part, guarded part, return */
function planOf(f: CheckedFunction): Step[] {
  const steps: Step[] = [];
  const done = new Set<number>();
  const vars = reachable(rootsOf(f)).filter((n) => n.op === "var");
  vars.sort((a, b) => (a.kind === b.kind ? a.index - b.index : a.kind! < b.kind! ? -1 : 1));
  for (const v of vars) {
    steps.push({ t: "load", node: v });
    done.add(v.id);
  }
  const demand = (e: Expr): void => {
    for (const n of reachable([e], (c) => done.has(c.id) || c.op === "const")) {
      steps.push({ t: "compute", node: n });
      done.add(n.id);
    }
  };
  if (f.returns) demand(f.returns);
  for (const s of f.stores) {
    demand(s.expr);
    steps.push({ t: "store", store: s });
  }
  if (f.guard && f.guard.stores.length > 0) {
    steps.push({ t: "if", flag: f.guard.flag });
    for (const s of f.guard.stores) {
      demand(s.expr);
      steps.push({ t: "store", store: s });
    }
    steps.push({ t: "end" });
  }
  if (f.returns) steps.push({ t: "return", node: f.returns });
  return steps;
}

function usesOf(step: Step): readonly Expr[] {
  switch (step.t) {
    case "compute": return step.node.args;
    case "store": return [step.store.expr];
    case "return": return [step.node];
    default: return [];
  }
}

/** Emits the body of one function from its plan, recycling f64 locals after each node's last use. */
class FunctionCoder {
  readonly code = new ByteWriter();
  private readonly local = new Map<number, number>();
  private readonly lastUse = new Map<number, number>();
  private readonly free: number[] = [];
  /** number of f64 locals declared (indices params .. params + f64Locals - 1) */
  f64Locals = 0;

  constructor(private readonly f: CheckedFunction, private readonly calls: ReadonlyMap<MathName, number>) {}

  run(): void {
    const steps = planOf(this.f);
    steps.forEach((s, i) => { for (const u of usesOf(s)) this.lastUse.set(u.id, i); });
    steps.forEach((s, i) => this.step(s, i));
    if (this.f.result === "i32") this.code.byte(OP.i32Const).s32(this.f.returnsI32);
    this.code.byte(OP.end);
  }

  private step(s: Step, i: number): void {
    const c = this.code;
    switch (s.t) {
      case "load": {
        const ptr = this.f.inputs[s.node.kind!]!;
        c.byte(OP.localGet).u32(ptr).byte(OP.f64Load).u32(3).u32(8 * s.node.index);
        this.assign(s.node);
        break;
      }
      case "compute":
        this.op(s.node);
        this.release(s.node.args, i);
        this.assign(s.node);
        break;
      case "store":
        c.byte(OP.localGet).u32(s.store.param);
        this.push(s.store.expr);
        c.byte(OP.f64Store).u32(3).u32(8 * s.store.index);
        this.release([s.store.expr], i);
        break;
      case "if":
        c.byte(OP.localGet).u32(s.flag).byte(OP.if).byte(0x40);
        break;
      case "end":
        c.byte(OP.end);
        break;
      case "return":
        this.push(s.node);
        break;
    }
  }

  private alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.f64Locals + 1 > MAX_LOCALS - this.f.params) {
      throw new RangeError(`emitModule: function "${this.f.name}" needs more than ${MAX_LOCALS} locals (live values at once); split it into smaller functions`);
    }
    return this.f.params + this.f64Locals++;
  }

  private assign(n: Expr): void {
    const l = this.alloc();
    this.local.set(n.id, l);
    this.code.byte(OP.localSet).u32(l);
  }

  private release(used: readonly Expr[], step: number): void {
    for (const u of new Set(used)) {
      const l = this.local.get(u.id);
      if (l !== undefined && this.lastUse.get(u.id) === step) {
        this.local.delete(u.id);
        this.free.push(l);
      }
    }
  }

  /** push a computed node's value (or an inline constant) */
  private push(e: Expr): void {
    if (e.op === "const") {
      this.code.byte(OP.f64Const).f64(e.value);
      return;
    }
    const l = this.local.get(e.id);
    if (l === undefined) throw new Error(`emitModule: internal error, node ${e.id} (${e.op}) used before it was computed`);
    this.code.byte(OP.localGet).u32(l);
  }

  private getLocal(l: number): void { this.code.byte(OP.localGet).u32(l); }
  private setLocal(l: number): void { this.code.byte(OP.localSet).u32(l); }
  private call(name: MathName): void { this.code.byte(OP.call).u32(this.calls.get(name)!); }

  /** push the value of node n (operands are in locals or constants) */
  private op(n: Expr): void {
    const c = this.code;
    const [a, b] = n.args;
    const bin = BINARY[n.op], un = UNARY[n.op];
    if (bin !== undefined) {
      this.push(a);
      this.push(b);
      c.byte(bin);
    } else if (un !== undefined) {
      this.push(a);
      c.byte(un);
    } else if (CALLED.has(n.op)) {
      this.push(a);
      this.call(n.op as MathName);
    } else {
      switch (n.op) {
        case "powi": return this.powi(a, n.exponent);
        case "sign": return this.sign(a);
        case "softplus": return this.softplus(a);
        case "sigmoid": return this.sigmoid(a);
        case "selectGe":
          this.push(n.args[2]);
          this.push(n.args[3]);
          this.push(a);
          this.push(b);
          c.byte(OP.f64Ge).byte(OP.select);
          return;
        default:
          throw new Error(`emitModule: internal error, op ${n.op} cannot be emitted`);
      }
    }
  }

  /** (x > 0) - (x < 0) as f64 */
  private sign(x: Expr): void {
    const c = this.code;
    this.push(x);
    c.byte(OP.f64Const).f64(0).byte(OP.f64Gt);
    this.push(x);
    c.byte(OP.f64Const).f64(0).byte(OP.f64Lt).byte(OP.i32Sub).byte(OP.f64ConvertI32S);
  }

  /** max(x, 0) + log1p(exp(-|x|)) */
  private softplus(x: Expr): void {
    const c = this.code;
    this.push(x);
    c.byte(OP.f64Const).f64(0).byte(OP.f64Max);
    this.push(x);
    c.byte(OP.f64Abs).byte(OP.f64Neg);
    this.call("exp");
    this.call("log1p");
    c.byte(OP.f64Add);
  }

  /** e = exp(-|x|); (x >= 0 ? 1 : e) / (1 + e) */
  private sigmoid(x: Expr): void {
    const c = this.code;
    const e = this.alloc();
    this.push(x);
    c.byte(OP.f64Abs).byte(OP.f64Neg);
    this.call("exp");
    this.setLocal(e);
    c.byte(OP.f64Const).f64(1);
    this.getLocal(e);
    this.push(x);
    c.byte(OP.f64Const).f64(0).byte(OP.f64Ge).byte(OP.select);
    c.byte(OP.f64Const).f64(1);
    this.getLocal(e);
    c.byte(OP.f64Add).byte(OP.f64Div);
    this.free.push(e);
  }

  /** repeated squaring exactly as powiValue: bases b(j+1) = bj*bj, product of the set bits lowest first */
  private powi(x: Expr, k: number): void {
    const c = this.code;
    const setBits: number[] = [];
    for (let n = Math.abs(k), j = 0; n > 0; n = Math.floor(n / 2), j++) if (n % 2 === 1) setBits.push(j);
    const top = setBits[setBits.length - 1];
    if (k < 0) c.byte(OP.f64Const).f64(1);
    // bases 1 .. top-1 in scratch locals (base 0 is x itself); the top base is built on the stack last
    const base: (() => void)[] = [() => this.push(x)];
    const scratch: number[] = [];
    for (let j = 1; j < top; j++) {
      const l = this.alloc();
      scratch.push(l);
      base[j - 1]();
      base[j - 1]();
      c.byte(OP.f64Mul);
      this.setLocal(l);
      base.push(() => this.getLocal(l));
    }
    setBits.forEach((j, i) => {
      if (j === top && top > 0) {
        base[top - 1]();
        base[top - 1]();
        c.byte(OP.f64Mul);
      } else base[j]();
      if (i > 0) c.byte(OP.f64Mul);
    });
    if (k < 0) c.byte(OP.f64Div);
    this.free.push(...scratch);
  }
}

// ---------------------------------------------------------------------------------------------
// The module

function mathImportsOf(fns: readonly CheckedFunction[]): MathName[] {
  const used = new Set<MathName>();
  for (const f of fns) for (const n of reachable(rootsOf(f))) for (const m of mathUsedBy(n.op)) used.add(m);
  return MATH_NAMES.filter((m) => used.has(m));
}

function typeKey(params: number, result: "f64" | "i32" | null): string {
  return `${params}:${result}`;
}

function writeType(w: ByteWriter, params: number[], results: number[]): void {
  w.byte(0x60).u32(params.length).bytes(params).u32(results.length).bytes(results);
}

/**
 * The bytes of a WebAssembly module exporting the given functions (see the file header). Throws a
 * RangeError naming the offending field for an invalid description.
 */
export function emitModule(fns: readonly GenFunction[], options: EmitOptions = {}): Uint8Array<ArrayBuffer> {
  if (!Array.isArray(fns)) fail("fns", "an array of GenFunction", fns);
  const minPages = options.memoryMinPages ?? 0;
  if (!Number.isInteger(minPages) || minPages < 0 || minPages > 65536) fail("options.memoryMinPages", "an integer in [0, 65536]", minPages);
  const names = new Set<string>();
  const checked = fns.map((f, i) => checkFunction(f, i, names));
  const imports = mathImportsOf(checked);
  const calls = new Map(imports.map((m, i) => [m, i] as const));

  // types: (f64) -> f64 for the imports, then one per distinct function signature
  const typeIndex = new Map<string, number>();
  const types = new ByteWriter();
  let typeCount = 0;
  if (imports.length > 0) {
    writeType(types, [F64], [F64]);
    typeCount++;
  }
  for (const f of checked) {
    const key = typeKey(f.params, f.result);
    if (typeIndex.has(key)) continue;
    typeIndex.set(key, typeCount++);
    writeType(types, new Array<number>(f.params).fill(I32), f.result === null ? [] : [f.result === "f64" ? F64 : I32]);
  }

  const out = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const section = (id: number, count: number, body: ByteWriter | ((w: ByteWriter) => void)): void => {
    const w = new ByteWriter().u32(count);
    if (body instanceof ByteWriter) w.bytes(body.finish());
    else body(w);
    out.byte(id);
    w.sizedInto(out);
  };
  section(1, typeCount, types);
  section(2, imports.length + 1, (w) => {
    for (const m of imports) w.name("math").name(m).byte(0x00).u32(0);
    w.name("env").name("memory").byte(0x02).byte(0x00).u32(minPages);
  });
  section(3, checked.length, (w) => { for (const f of checked) w.u32(typeIndex.get(typeKey(f.params, f.result))!); });
  section(7, checked.length, (w) => { checked.forEach((f, i) => w.name(f.name).byte(0x00).u32(imports.length + i)); });
  section(10, checked.length, (w) => {
    for (const f of checked) {
      const coder = new FunctionCoder(f, calls);
      coder.run();
      const body = new ByteWriter();
      if (coder.f64Locals > 0) body.u32(1).u32(coder.f64Locals).byte(F64);
      else body.u32(0);
      body.bytes(coder.code.finish());
      body.sizedInto(w);
    }
  });
  return out.finish();
}

// ---------------------------------------------------------------------------------------------
// Compilation

function importObject(mod: WebAssembly.Module, imports: GenImports): WebAssembly.Imports {
  if (imports === null || typeof imports !== "object") throw new TypeError(`compileModule: imports must be { memory, math }, got ${String(imports)}`);
  if (!(imports.memory instanceof WebAssembly.Memory)) throw new TypeError("compileModule: imports.memory must be a WebAssembly.Memory");
  const math: Record<string, (x: number) => number> = {};
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.module !== "math") continue;
    const fn = imports.math?.[imp.name];
    if (typeof fn !== "function") throw new TypeError(`compileModule: imports.math.${imp.name} must be a function (the module uses it), got ${typeof fn}`);
    math[imp.name] = fn;
  }
  return { env: { memory: imports.memory }, math };
}

/** Emit, compile (asynchronously, as browsers' main threads require) and instantiate; the exports. */
export async function compileModule(fns: readonly GenFunction[], imports: GenImports, options?: EmitOptions): Promise<GenExports> {
  const mod = await WebAssembly.compile(emitModule(fns, options));
  const inst = await WebAssembly.instantiate(mod, importObject(mod, imports));
  return inst.exports as unknown as GenExports;
}

/** compileModule, synchronously (Node, workers; browsers' main threads refuse larger modules). */
export function compileModuleSync(fns: readonly GenFunction[], imports: GenImports, options?: EmitOptions): GenExports {
  const mod = new WebAssembly.Module(emitModule(fns, options));
  return new WebAssembly.Instance(mod, importObject(mod, imports)).exports as unknown as GenExports;
}
