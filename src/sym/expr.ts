/**
 * Symbolic expression graph: immutable, hash-consed nodes with exact symbolic derivatives.
 *
 * Design
 * - Every node is interned in a module-level table keyed on its op, its children's ids and its
 *   attribute (a constant's Float64 bit pattern, a variable's kind and index, an integer exponent), so
 *   structurally identical nodes are one object (`===`) and common subexpressions are shared
 *   automatically. The table only grows (nodes are small; a process builds a few models).
 * - Constructors simplify as they build: constants fold, identities (x+0, x*1, x*0, x-x, neg(neg(x)),
 *   powi(x,0|1), ...) disappear, and commutative operands are ordered by id so a*b === b*a. Folding
 *   x*0 (and 0/x, x-x) to 0 is done even though NaN*0 and Inf*0 are NaN: models are smooth functions
 *   of finite inputs, and the rule keeps derivative graphs small.
 * - The numeric meaning of every op is `applyOp` below; the reference evaluator, constant folding and
 *   the WASM code generator (./wasm.ts) perform exactly the same IEEE operations in the same order, so
 *   compiled code and `evaluate` agree bit for bit when they use the same math functions.
 * - softplus and sigmoid are primitive ops with stable formulas (softplus z = max(z,0) +
 *   log1p(exp(-|z|)), sigmoid z = (z >= 0 ? 1 : e) / (1 + e) with e = exp(-|z|)); softplus' = sigmoid
 *   and sigmoid'(z) = sigmoid(z) * sigmoid(-z), so values and all derivatives stay finite for any z.
 * - Traversals (topological order, derivatives, evaluation) are iterative, so deep chains do not
 *   overflow the JS stack. Derivatives are memoised per (variable, node).
 */

/** Kinds of input variables: state, control, parameter, costate. */
export type VarKind = "x" | "u" | "p" | "lam";

/** The primitive operations of the graph. */
export type Op =
  | "const" | "var"
  | "add" | "sub" | "mul" | "div" | "min" | "max"
  | "neg" | "powi" | "sqrt" | "abs" | "sign"
  | "exp" | "expm1" | "log" | "log1p" | "sin" | "cos" | "tan" | "tanh" | "atan"
  | "softplus" | "sigmoid"
  | "selectGe";

/** An expression, or a number that is promoted to a constant. */
export type ExprLike = Expr | number;

/** Names of the math functions the evaluator and the generated WASM take from outside (each f64 -> f64). */
export const MATH_NAMES = ["sin", "cos", "tan", "exp", "expm1", "log", "log1p", "tanh", "atan"] as const;

/** One of the outside math functions. */
export type MathName = (typeof MATH_NAMES)[number];

/** A set of math functions (e.g. JS `Math`, or the engine's own implementations). */
export type MathFunctions = Readonly<Record<MathName, (x: number) => number>>;

const VAR_KINDS: readonly VarKind[] = ["x", "u", "p", "lam"];
/** an op's index in [0, 2^29): 8 * index must fit a u32 memory offset */
const MAX_VAR_INDEX = 2 ** 29 - 1;
const TOKEN: unique symbol = Symbol("Expr");

// ---------------------------------------------------------------------------------------------
// Nodes and the intern table

const table = new Map<string, Expr>();
let nextId = 0;

/**
 * A node of the expression graph. Make nodes with the factory functions (`constant`, `variable`,
 * `add`, ...) or the fluent methods; `new Expr` is not allowed.
 */
export class Expr {
  /** unique, increasing in creation order */
  readonly id: number;
  /** the operation */
  readonly op: Op;
  /** operands (empty for leaves) */
  readonly args: readonly Expr[];
  /** a constant's value (NaN for other nodes) */
  readonly value: number;
  /** a variable's kind (null for other nodes) */
  readonly kind: VarKind | null;
  /** a variable's index (-1 for other nodes) */
  readonly index: number;
  /** the integer exponent of a powi node (0 for other nodes) */
  readonly exponent: number;

  /** internal: use the factory functions */
  constructor(token: typeof TOKEN, op: Op, args: readonly Expr[], value: number, kind: VarKind | null, index: number, exponent: number) {
    if (token !== TOKEN) throw new TypeError("Expr: use the factory functions (constant, variable, add, ...), not new Expr");
    this.id = nextId++;
    this.op = op;
    this.args = Object.freeze(args.slice());
    this.value = value;
    this.kind = kind;
    this.index = index;
    this.exponent = exponent;
    Object.freeze(this);
  }

  /** this + b */
  add(b: ExprLike): Expr { return add(this, b); }
  /** this - b */
  sub(b: ExprLike): Expr { return sub(this, b); }
  /** this * b */
  mul(b: ExprLike): Expr { return mul(this, b); }
  /** this / b */
  div(b: ExprLike): Expr { return div(this, b); }
  /** -this */
  neg(): Expr { return neg(this); }
  /** this^k for an integer k */
  pow(k: number): Expr { return powi(this, k); }
  /** this^2 */
  square(): Expr { return square(this); }
  /** sqrt(this) */
  sqrt(): Expr { return sqrt(this); }
  /** exp(this) */
  exp(): Expr { return exp(this); }
  /** log(this) */
  log(): Expr { return log(this); }
  /** log(1 + this) */
  log1p(): Expr { return log1p(this); }
  /** sin(this) */
  sin(): Expr { return sin(this); }
  /** cos(this) */
  cos(): Expr { return cos(this); }
  /** tan(this) */
  tan(): Expr { return tan(this); }
  /** tanh(this) */
  tanh(): Expr { return tanh(this); }
  /** |this| */
  abs(): Expr { return abs(this); }
  /** log(1 + exp(this)), stable */
  softplus(): Expr { return softplus(this); }
  /** 1 / (1 + exp(-this)), stable */
  sigmoid(): Expr { return sigmoid(this); }
  /** min(this, b) */
  min(b: ExprLike): Expr { return min(this, b); }
  /** max(this, b) */
  max(b: ExprLike): Expr { return max(this, b); }

  /** a readable rendering (long expressions are cut with "…") */
  toString(): string { return format(this, 400); }
}

function intern(key: string, op: Op, args: readonly Expr[], value = NaN, kind: VarKind | null = null, index = -1, exponent = 0): Expr {
  let e = table.get(key);
  if (!e) {
    e = new Expr(TOKEN, op, args, value, kind, index, exponent);
    table.set(key, e);
  }
  return e;
}

function node(op: Op, args: readonly Expr[], exponent = 0): Expr {
  let key = op;
  for (const a of args) key += "," + a.id;
  if (op === "powi") key += "^" + exponent;
  return intern(key, op, args, NaN, null, -1, exponent);
}

/** the commutative op with its operands ordered by id */
function commutative(op: Op, a: Expr, b: Expr): Expr {
  return a.id <= b.id ? node(op, [a, b]) : node(op, [b, a]);
}

const bits = new DataView(new ArrayBuffer(8));

/** A constant node; constants are told apart by their bit pattern (so -0 and 0, NaNs, stay distinct). */
export function constant(v: number): Expr {
  if (typeof v !== "number") throw new TypeError(`constant: v must be a number, got ${show(v)}`);
  bits.setFloat64(0, v);
  return intern(`c${bits.getUint32(0)}:${bits.getUint32(4)}`, "const", [], v);
}

/** The variable `kind[index]` (e.g. variable("x", 2) is the third state). */
export function variable(kind: VarKind, index: number): Expr {
  if (!VAR_KINDS.includes(kind)) throw new TypeError(`variable: kind must be one of "x", "u", "p", "lam", got ${show(kind)}`);
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`variable: index must be a non-negative integer, got ${show(index)}`);
  if (index > MAX_VAR_INDEX) throw new RangeError(`variable: index must be at most ${MAX_VAR_INDEX}, got ${index}`);
  return intern(`v${kind}${index}`, "var", [], NaN, kind, index);
}

/** The n variables kind[0] .. kind[n-1]. */
export function variables(kind: VarKind, n: number): Expr[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`variables: n must be a non-negative integer, got ${show(n)}`);
  return Array.from({ length: n }, (_, i) => variable(kind, i));
}

/** True for an Expr node. */
export function isExpr(v: unknown): v is Expr {
  return v instanceof Expr;
}

/** a number as a constant, an Expr as itself; anything else is a TypeError naming fn and param */
function lift(v: ExprLike, fn: string, param: string): Expr {
  if (v instanceof Expr) return v;
  if (typeof v === "number") return constant(v);
  throw new TypeError(`${fn}: ${param} must be an Expr or a number, got ${show(v)}`);
}

function isConst(e: Expr, v?: number): boolean {
  return e.op === "const" && (v === undefined || e.value === v);
}

// ---------------------------------------------------------------------------------------------
// Arithmetic with simplification

/** a + b (x + 0 = x: exact except that -0 + 0 would be +0) */
export function add(a: ExprLike, b: ExprLike): Expr {
  const x = lift(a, "add", "a"), y = lift(b, "add", "b");
  if (isConst(x) && isConst(y)) return constant(x.value + y.value);
  if (isConst(x, 0)) return y;
  if (isConst(y, 0)) return x;
  if (x === y) return mul(2, x);
  if (y.op === "neg") return sub(x, y.args[0]);
  if (x.op === "neg") return sub(y, x.args[0]);
  return commutative("add", x, y);
}

/** a - b */
export function sub(a: ExprLike, b: ExprLike): Expr {
  const x = lift(a, "sub", "a"), y = lift(b, "sub", "b");
  if (isConst(x) && isConst(y)) return constant(x.value - y.value);
  if (isConst(y, 0)) return x;
  if (isConst(x, 0)) return neg(y);
  if (x === y) return constant(0);
  if (y.op === "neg") return add(x, y.args[0]);
  return node("sub", [x, y]);
}

/** a * b (x * 0 = 0 even for x = NaN or Inf, see the header) */
export function mul(a: ExprLike, b: ExprLike): Expr {
  const x = lift(a, "mul", "a"), y = lift(b, "mul", "b");
  if (isConst(x) && isConst(y)) return constant(x.value * y.value);
  if (isConst(x, 0) || isConst(y, 0)) return constant(0);
  if (isConst(x, 1)) return y;
  if (isConst(y, 1)) return x;
  if (isConst(x, -1)) return neg(y);
  if (isConst(y, -1)) return neg(x);
  if (x.op === "neg" && y.op === "neg") return mul(x.args[0], y.args[0]);
  if (x.op === "neg") return neg(mul(x.args[0], y));
  if (y.op === "neg") return neg(mul(x, y.args[0]));
  if (x === y) return powi(x, 2);
  return commutative("mul", x, y);
}

/** a / b (0 / x = 0, see the header) */
export function div(a: ExprLike, b: ExprLike): Expr {
  const x = lift(a, "div", "a"), y = lift(b, "div", "b");
  if (isConst(x) && isConst(y)) return constant(x.value / y.value);
  if (isConst(x, 0)) return constant(0);
  if (isConst(y, 1)) return x;
  if (isConst(y, -1)) return neg(x);
  if (x.op === "neg" && y.op === "neg") return div(x.args[0], y.args[0]);
  if (x.op === "neg") return neg(div(x.args[0], y));
  if (y.op === "neg") return neg(div(x, y.args[0]));
  return node("div", [x, y]);
}

/** -a */
export function neg(a: ExprLike): Expr {
  const x = lift(a, "neg", "a");
  if (isConst(x)) return constant(-x.value);
  if (x.op === "neg") return x.args[0];
  if (x.op === "sub") return sub(x.args[1], x.args[0]); // exact up to the sign of a zero result
  return node("neg", [x]);
}

/** a^k for any integer k (evaluated by repeated squaring; 1 / a^|k| for negative k) */
export function powi(a: ExprLike, k: number): Expr {
  const x = lift(a, "powi", "a");
  if (!Number.isSafeInteger(k)) throw new RangeError(`powi: k must be an integer, got ${show(k)}`);
  if (k === 0) return constant(1);
  if (k === 1) return x;
  if (isConst(x)) return constant(powiValue(x.value, k));
  if (x.op === "neg") return k % 2 === 0 ? powi(x.args[0], k) : neg(powi(x.args[0], k));
  return node("powi", [x], k);
}

/** a^2 */
export function square(a: ExprLike): Expr {
  return powi(lift(a, "square", "a"), 2);
}

function unary(op: Op, a: ExprLike): Expr {
  const x = lift(a, op, "a");
  if (isConst(x)) return constant(applyOp(op, [x.value], 0, JS_MATH));
  return node(op, [x]);
}

/** sqrt(a) */
export function sqrt(a: ExprLike): Expr { return unary("sqrt", a); }
/** exp(a) */
export function exp(a: ExprLike): Expr { return unary("exp", a); }
/** exp(a) - 1, accurate near 0 */
export function expm1(a: ExprLike): Expr { return unary("expm1", a); }
/** natural logarithm */
export function log(a: ExprLike): Expr { return unary("log", a); }
/** log(1 + a), accurate near 0 */
export function log1p(a: ExprLike): Expr { return unary("log1p", a); }
/** sin(a) */
export function sin(a: ExprLike): Expr { return unary("sin", a); }
/** cos(a) */
export function cos(a: ExprLike): Expr { return unary("cos", a); }
/** tan(a) */
export function tan(a: ExprLike): Expr { return unary("tan", a); }
/** tanh(a) */
export function tanh(a: ExprLike): Expr { return unary("tanh", a); }
/** atan(a) */
export function atan(a: ExprLike): Expr { return unary("atan", a); }
/** log(1 + exp(a)), evaluated stably as max(a, 0) + log1p(exp(-|a|)); its derivative is sigmoid(a) */
export function softplus(a: ExprLike): Expr { return unary("softplus", a); }
/** logistic 1 / (1 + exp(-a)), evaluated stably for any a */
export function sigmoid(a: ExprLike): Expr { return unary("sigmoid", a); }
/** sign: 1, -1, or 0 for 0 and NaN (the derivative of abs) */
export function sign(a: ExprLike): Expr { return unary("sign", a); }

/** |a| (non-smooth: its derivative is sign(a)) */
export function abs(a: ExprLike): Expr {
  const x = lift(a, "abs", "a");
  if (x.op === "neg" || x.op === "abs") return abs(x.args[0]);
  return unary("abs", x);
}

function minMax(op: "min" | "max", a: ExprLike, b: ExprLike): Expr {
  const x = lift(a, op, "a"), y = lift(b, op, "b");
  if (isConst(x) && isConst(y)) return constant(applyOp(op, [x.value, y.value], 0, JS_MATH));
  if (x === y) return x;
  return commutative(op, x, y);
}

/** min(a, b) (non-smooth: the derivative follows the smaller operand) */
export function min(a: ExprLike, b: ExprLike): Expr { return minMax("min", a, b); }
/** max(a, b) (non-smooth: the derivative follows the larger operand) */
export function max(a: ExprLike, b: ExprLike): Expr { return minMax("max", a, b); }

/** a >= b ? ifGe : otherwise (a piecewise definition; the derivative is that of the chosen branch) */
export function selectGe(a: ExprLike, b: ExprLike, ifGe: ExprLike, otherwise: ExprLike): Expr {
  const x = lift(a, "selectGe", "a"), y = lift(b, "selectGe", "b");
  const t = lift(ifGe, "selectGe", "ifGe"), f = lift(otherwise, "selectGe", "otherwise");
  if (isConst(x) && isConst(y)) return x.value >= y.value ? t : f;
  if (t === f) return t;
  return node("selectGe", [x, y, t, f]);
}

// ---------------------------------------------------------------------------------------------
// Composite helpers

function positive(v: ExprLike, fn: string, param: string): Expr {
  if (typeof v === "number" && !(Number.isFinite(v) && v > 0)) {
    throw new RangeError(`${fn}: ${param} must be a finite number > 0, got ${show(v)}`);
  }
  return lift(v, fn, param);
}

/** sqrt(a^2 + eps^2), a smooth |a| */
export function smoothAbs(a: ExprLike, eps: ExprLike): Expr {
  const e = positive(eps, "smoothAbs", "eps");
  return sqrt(add(square(lift(a, "smoothAbs", "a")), square(e)));
}

/** smooth max(a, b) with sharpness k: a + softplus(k (b - a)) / k (log-sum-exp) */
export function smoothMax(a: ExprLike, b: ExprLike, k: ExprLike): Expr {
  const x = lift(a, "smoothMax", "a"), y = lift(b, "smoothMax", "b"), s = positive(k, "smoothMax", "k");
  return add(x, div(softplus(mul(s, sub(y, x))), s));
}

/** smooth min(a, b) with sharpness k: a - softplus(k (a - b)) / k */
export function smoothMin(a: ExprLike, b: ExprLike, k: ExprLike): Expr {
  const x = lift(a, "smoothMin", "a"), y = lift(b, "smoothMin", "b"), s = positive(k, "smoothMin", "k");
  return sub(x, div(softplus(mul(s, sub(x, y))), s));
}

/** the sum of the terms (arguments or arrays of them), added left to right; 0 when empty */
export function sum(...terms: (ExprLike | readonly ExprLike[])[]): Expr {
  let acc = constant(0);
  terms.flat().forEach((t, i) => { acc = add(acc, lift(t, "sum", `terms[${i}]`)); });
  return acc;
}

/** sum_i a[i] * b[i] */
export function dot(a: readonly ExprLike[], b: readonly ExprLike[]): Expr {
  if (!Array.isArray(a) || !Array.isArray(b)) throw new TypeError(`dot: a and b must be arrays, got ${show(a)} and ${show(b)}`);
  if (a.length !== b.length) throw new RangeError(`dot: a and b must have the same length, got ${a.length} and ${b.length}`);
  return sum(a.map((ai, i) => mul(lift(ai, "dot", `a[${i}]`), lift(b[i], "dot", `b[${i}]`))));
}

// ---------------------------------------------------------------------------------------------
// Numeric semantics (shared by folding, evaluate and, instruction for instruction, ./wasm.ts)

const JS_MATH: MathFunctions = Math;

/**
 * x^k by repeated squaring: bases b0 = x, b(j+1) = bj * bj; the product of the bases at the set bits
 * of |k|, lowest first; 1 / that for k < 0. The code generator emits the same sequence.
 */
export function powiValue(x: number, k: number): number {
  let n = Math.abs(k);
  let base = x;
  let acc = NaN;
  let first = true;
  for (;;) {
    if (n % 2 === 1) {
      acc = first ? base : acc * base;
      first = false;
    }
    n = Math.floor(n / 2);
    if (n === 0) break;
    base = base * base;
  }
  if (first) return 1;
  return k < 0 ? 1 / acc : acc;
}

/** The value of op applied to argument values (exponent: a powi node's k; m: the math functions). */
export function applyOp(op: Op, a: readonly number[], exponent: number, m: MathFunctions): number {
  const x = a[0];
  switch (op) {
    case "add": return x + a[1];
    case "sub": return x - a[1];
    case "mul": return x * a[1];
    case "div": return x / a[1];
    case "min": return Math.min(x, a[1]);
    case "max": return Math.max(x, a[1]);
    case "neg": return -x;
    case "powi": return powiValue(x, exponent);
    case "sqrt": return Math.sqrt(x);
    case "abs": return Math.abs(x);
    case "sign": return (x > 0 ? 1 : 0) - (x < 0 ? 1 : 0);
    case "softplus": return Math.max(x, 0) + m.log1p(m.exp(-Math.abs(x)));
    case "sigmoid": {
      const e = m.exp(-Math.abs(x));
      return (x >= 0 ? 1 : e) / (1 + e);
    }
    case "selectGe": return x >= a[1] ? a[2] : a[3];
    case "exp": case "expm1": case "log": case "log1p": case "sin": case "cos": case "tan": case "tanh": case "atan":
      return m[op](x);
    default:
      throw new Error(`applyOp: op ${op} has no arithmetic meaning`);
  }
}

/** The outside math functions an op calls (e.g. softplus needs exp and log1p). */
export function mathUsedBy(op: Op): readonly MathName[] {
  switch (op) {
    case "softplus": return ["exp", "log1p"];
    case "sigmoid": return ["exp"];
    case "exp": case "expm1": case "log": case "log1p": case "sin": case "cos": case "tan": case "tanh": case "atan":
      return [op];
    default: return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Traversal

/**
 * The nodes reachable from roots, each once, children before parents (iterative post-order).
 * Nodes for which `stop` is true are neither entered nor listed.
 */
export function topoOrder(roots: readonly Expr[], stop?: (e: Expr) => boolean): Expr[] {
  const order: Expr[] = [];
  const seen = new Set<number>();
  const stack: Expr[] = [];
  const next: number[] = [];
  for (const root of roots) {
    if (seen.has(root.id) || stop?.(root)) continue;
    seen.add(root.id);
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const e = stack[top];
      const i = next[top];
      if (i < e.args.length) {
        next[top] = i + 1;
        const c = e.args[i];
        if (!seen.has(c.id) && !stop?.(c)) {
          seen.add(c.id);
          stack.push(c);
          next.push(0);
        }
      } else {
        order.push(e);
        stack.pop();
        next.pop();
      }
    }
  }
  return order;
}

/** 53-bit string hash (cyrb53), as 14 hex digits */
function hash53(str: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed, h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
}

/**
 * A hash of the expressions' structure that does not depend on the order in which nodes were created
 * (node ids order the operands of commutative operations; here those operands' hashes are sorted), so
 * the same definition gives the same fingerprint in any process. Constants by their bit pattern.
 */
export function structuralHash(exprs: readonly Expr[]): string {
  const h = new Map<number, string>();
  for (const e of topoOrder(exprs)) {
    let key: string;
    if (e.op === "const") { bits.setFloat64(0, e.value); key = `c${bits.getUint32(0).toString(16)}.${bits.getUint32(4).toString(16)}`; }
    else if (e.op === "var") key = `v${e.kind}${e.index}`;
    else {
      const kids = e.args.map((a) => h.get(a.id)!);
      if (e.op === "add" || e.op === "mul" || e.op === "min" || e.op === "max") kids.sort();
      key = `${e.op}${e.op === "powi" ? "^" + e.exponent : ""}(${kids.join(",")})`;
    }
    h.set(e.id, hash53(key));
  }
  return hash53(exprs.map((e) => h.get(e.id)!).join(";"), 1);
}

function rootsOf(exprs: ExprLike | readonly ExprLike[], fn: string): Expr[] {
  if (Array.isArray(exprs)) return exprs.map((e, i) => lift(e, fn, `exprs[${i}]`));
  return [lift(exprs as ExprLike, fn, "exprs")];
}

/** Number of distinct nodes (constants and variables included) reachable from the expressions. */
export function count(exprs: ExprLike | readonly ExprLike[]): number {
  return topoOrder(rootsOf(exprs, "count")).length;
}

// ---------------------------------------------------------------------------------------------
// Derivatives

const derivatives = new Map<number, Map<number, Expr>>();

function checkVariable(v: unknown, fn: string, param: string): Expr {
  if (!(v instanceof Expr) || v.op !== "var") {
    const got = v instanceof Expr ? `an expression with op "${v.op}"` : show(v);
    throw new TypeError(`${fn}: ${param} must be a variable node (from variable()), got ${got}`);
  }
  return v;
}

/** d e / d v, exact and simplified; memoised per (node, variable). */
export function diff(e: ExprLike, v: Expr): Expr {
  const root = lift(e, "diff", "e");
  const x = checkVariable(v, "diff", "v");
  let memo = derivatives.get(x.id);
  if (!memo) derivatives.set(x.id, (memo = new Map()));
  const known = memo;
  for (const n of topoOrder([root], (c) => known.has(c.id))) {
    known.set(n.id, derivativeOf(n, x, (c) => known.get(c.id)!));
  }
  return known.get(root.id)!;
}

/** the chain rule for one node, given its operands' derivatives d(arg) */
function derivativeOf(n: Expr, v: Expr, d: (arg: Expr) => Expr): Expr {
  const [a, b] = n.args;
  switch (n.op) {
    case "const": return constant(0);
    case "var": return constant(n === v ? 1 : 0);
    case "add": return add(d(a), d(b));
    case "sub": return sub(d(a), d(b));
    case "mul": return add(mul(d(a), b), mul(a, d(b)));
    case "div": return div(sub(d(a), mul(n, d(b))), b); // (a' - (a/b) b') / b
    case "min": return selectGe(b, a, d(a), d(b));
    case "max": return selectGe(a, b, d(a), d(b));
    case "selectGe": return selectGe(a, b, d(n.args[2]), d(n.args[3]));
    case "neg": return neg(d(a));
    case "powi": return mul(mul(n.exponent, powi(a, n.exponent - 1)), d(a));
    case "sqrt": return div(d(a), mul(2, n));
    case "abs": return mul(sign(a), d(a));
    case "sign": return constant(0);
    case "exp": return mul(n, d(a));
    case "expm1": return mul(exp(a), d(a));
    case "log": return div(d(a), a);
    case "log1p": return div(d(a), add(1, a));
    case "sin": return mul(cos(a), d(a));
    case "cos": return neg(mul(sin(a), d(a)));
    case "tan": return mul(add(1, square(n)), d(a));
    case "tanh": return mul(sub(1, square(n)), d(a));
    case "atan": return div(d(a), add(1, square(a)));
    case "softplus": return mul(sigmoid(a), d(a));
    case "sigmoid": return mul(mul(n, sigmoid(neg(a))), d(a));
  }
}

/** [d e / d v for v of vars] */
export function gradient(e: ExprLike, vars: readonly Expr[]): Expr[] {
  const root = lift(e, "gradient", "e");
  return vars.map((v, i) => diff(root, checkVariable(v, "gradient", `vars[${i}]`)));
}

/** J[i][j] = d es[i] / d vars[j] */
export function jacobian(es: readonly ExprLike[], vars: readonly Expr[]): Expr[][] {
  return es.map((e, i) => gradient(lift(e, "jacobian", `es[${i}]`), vars));
}

/** H[i][j] = d2 e / d vars[i] d vars[j]; the upper triangle is differentiated, the lower mirrors it */
export function hessian(e: ExprLike, vars: readonly Expr[]): Expr[][] {
  const g = gradient(e, vars);
  const h: Expr[][] = vars.map(() => []);
  for (let i = 0; i < vars.length; i++) {
    for (let j = i; j < vars.length; j++) {
      h[i][j] = diff(g[i], vars[j]);
      h[j][i] = h[i][j];
    }
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// Reference evaluation

/** Values of the variables by kind: env.x[i] is variable("x", i). */
export type Env = Partial<Record<VarKind, ArrayLike<number>>>;

function variableValue(e: Expr, env: Env): number {
  const kind = e.kind!;
  const arr = env[kind];
  if (arr === undefined || arr === null) throw new RangeError(`evaluate: ${kind}[${e.index}] is used but env.${kind} is missing`);
  if (e.index >= arr.length) throw new RangeError(`evaluate: ${kind}[${e.index}] is used but env.${kind} has length ${arr.length}`);
  return Number(arr[e.index]);
}

/**
 * The value(s) of an expression or array of expressions with JS Math (or the given math functions),
 * each shared node evaluated once. Throws a RangeError when a variable is missing from env.
 */
export function evaluate(e: ExprLike, env: Env, math?: MathFunctions): number;
export function evaluate(e: readonly ExprLike[], env: Env, math?: MathFunctions): number[];
export function evaluate(e: ExprLike | readonly ExprLike[], env: Env, math?: MathFunctions): number | number[];
export function evaluate(e: ExprLike | readonly ExprLike[], env: Env, math: MathFunctions = JS_MATH): number | number[] {
  const roots = rootsOf(e, "evaluate");
  if (env === null || typeof env !== "object") throw new TypeError(`evaluate: env must be an object like { x: [...], u: [...] }, got ${show(env)}`);
  const values = new Map<number, number>();
  const args: number[] = [];
  for (const n of topoOrder(roots)) {
    let v: number;
    if (n.op === "const") v = n.value;
    else if (n.op === "var") v = variableValue(n, env);
    else {
      args.length = 0;
      for (const c of n.args) args.push(values.get(c.id)!);
      v = applyOp(n.op, args, n.exponent, math);
    }
    values.set(n.id, v);
  }
  const out = roots.map((r) => values.get(r.id)!);
  return Array.isArray(e) ? out : out[0];
}

// ---------------------------------------------------------------------------------------------
// Formatting

const INFIX: Partial<Record<Op, string>> = { add: " + ", sub: " - ", mul: " * ", div: " / " };

/** A readable rendering of e, at most about maxChars characters (deeper parts become "…"). */
export function format(e: Expr, maxChars = 400): string {
  let budget = maxChars;
  let depth = 0;
  const go = (n: Expr): string => {
    if (budget <= 0 || depth > 40) return "…";
    depth++;
    let s: string;
    if (n.op === "const") s = Object.is(n.value, -0) ? "-0" : String(n.value);
    else if (n.op === "var") s = `${n.kind}[${n.index}]`;
    else if (INFIX[n.op]) s = `(${go(n.args[0])}${INFIX[n.op]}${go(n.args[1])})`;
    else if (n.op === "neg") s = `-${go(n.args[0])}`;
    else if (n.op === "powi") s = `${go(n.args[0])}^${n.exponent}`;
    else s = `${n.op}(${n.args.map(go).join(", ")})`;
    depth--;
    budget -= s.length;
    return s;
  };
  return go(e);
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v instanceof Expr) return `the expression ${format(v, 60)}`;
  return typeof v === "object" ? "an object" : typeof v;
}
