/**
 * Symbolic modelling: write dynamics and costs as expressions, get exact first and second derivatives
 * symbolically, and compile them at run time to a WebAssembly module (bytes emitted by ./wasm.ts; works
 * in Node and browsers). ./expr.ts holds the expression graph, ./wasm.ts the emitter and code generator.
 */
export {
  /** An expression node (hash-consed: structurally equal expressions are the same object). */
  Expr,
  /** A constant expression. */
  constant,
  /** The variable kind[index] (state, control, parameter or costate). */
  variable,
  /** The variables kind[0 .. n-1]. */
  variables,
  /** True for an expression node. */
  isExpr,
  /** a + b */
  add,
  /** a - b */
  sub,
  /** a * b */
  mul,
  /** a / b */
  div,
  /** -a */
  neg,
  /** a^k for an integer k */
  powi,
  /** a^2 */
  square,
  /** square root */
  sqrt,
  /** exponential */
  exp,
  /** exp(a) - 1 */
  expm1,
  /** natural logarithm */
  log,
  /** log(1 + a) */
  log1p,
  /** sine */
  sin,
  /** cosine */
  cos,
  /** tangent */
  tan,
  /** hyperbolic tangent */
  tanh,
  /** arctangent */
  atan,
  /** stable log(1 + exp(a)) */
  softplus,
  /** stable logistic sigmoid */
  sigmoid,
  /** sign (1, -1, or 0) */
  sign,
  /** absolute value (non-smooth) */
  abs,
  /** minimum (non-smooth) */
  min,
  /** maximum (non-smooth) */
  max,
  /** a >= b ? ifGe : otherwise */
  selectGe,
  /** sqrt(a^2 + eps^2) */
  smoothAbs,
  /** log-sum-exp maximum with sharpness k */
  smoothMax,
  /** log-sum-exp minimum with sharpness k */
  smoothMin,
  /** sum of terms */
  sum,
  /** inner product */
  dot,
  /** symbolic derivative d e / d v */
  diff,
  /** vector of first derivatives */
  gradient,
  /** matrix of first derivatives of several expressions */
  jacobian,
  /** symmetric matrix of second derivatives */
  hessian,
  /** reference evaluator (JS Math by default) */
  evaluate,
  /** number of distinct nodes */
  count,
  /** nodes in topological order */
  topoOrder,
  /** a hash of the expressions' structure, independent of node creation order */
  structuralHash,
  /** readable rendering of an expression */
  format,
  /** names of the outside math functions, in import order */
  MATH_NAMES,
} from "./expr.js";
export type {
  /** Variable kinds: "x" state, "u" control, "p" parameter, "lam" costate. */
  VarKind,
  /** Primitive operations. */
  Op,
  /** An expression or a number. */
  ExprLike,
  /** One outside math function name. */
  MathName,
  /** A set of outside math functions. */
  MathFunctions,
  /** Variable values by kind. */
  Env,
} from "./expr.js";
export {
  /** WebAssembly module bytes for a list of generated functions. */
  emitModule,
  /** emit, compile asynchronously and instantiate */
  compileModule,
  /** emit, compile synchronously and instantiate */
  compileModuleSync,
  /** largest local count per function engines accept */
  MAX_LOCALS,
} from "./wasm.js";
export type {
  /** A function to generate. */
  GenFunction,
  /** One f64 store of a generated function. */
  GenStore,
  /** Options of emitModule. */
  EmitOptions,
  /** Imports of a generated module. */
  GenImports,
  /** Exports of a generated module. */
  GenExports,
} from "./wasm.js";
