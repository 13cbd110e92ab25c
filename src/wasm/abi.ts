/**
 * Mirror of assembly/solver/workspace.ts: header slots, option and output indices, status codes.
 * test/engine.test.ts checks the header layout against the module's own wsInit.
 */
export const H = {
  SYS: 0, NX: 1, NU: 2, NMAX: 3, N: 4, PARAMS: 5, X: 6, U: 7, XT: 8, UT: 9, F: 10, A: 11, B: 12,
  LX: 13, LU: 14, LXX: 15, LUU: 16, LUX: 17, C: 18, CT: 19, K: 20, KFF: 21, VX: 22, VXX: 23, XI: 24,
  X0: 25, LB: 26, UB: 27, OPT: 28, OUT: 29, HIST: 30, SCR: 31, K2: 32, KFF2: 33, VX2: 34, VXX2: 35, TQ: 36, UREF: 37, XS: 38, US: 39, CS: 40,
  /** slots in the header */
  SIZE: 41,
} as const;

export const O = {
  MAXITER: 0, TOL: 1, TIME: 2, REG: 3, MUINIT: 4, MUMIN: 5, MUMAX: 6, MUFACTOR: 7, LSSTEPS: 8,
  ARMIJO: 9, BOX: 10, HASX: 11, TERM: 12, TRACK: 13, HESS: 14, GRADTOL: 15, ACCTOL: 16, ACCITER: 17, ALPHAMAX: 18, MUDROPS: 19, SPLIT: 20, MUJUMP: 21, LEN: 22,
} as const;

export const R = {
  STATUS: 0, ITER: 1, COST: 2, MU: 3, FEAS: 4, MAXGAP: 5, TIME: 6, NHIST: 7, BWDOK: 8, DV1: 9, DV2: 10,
  TDIFF: 11, TBWD: 12, TFWD: 13, NFWD: 14, STAT: 15, SWITCH: 16, QUMAX: 17, NEXACT: 18, NSPLIT: 19, NBWD: 20, LEN: 21,
} as const;

export const HIST_CAP = 1024;

/** Raw exports of the engine module (pointers are byte offsets into `memory`). */
export interface EngineExports {
  memory: WebAssembly.Memory;
  /** the function table: the models' functions, called by index (assembly/models/registry.ts) */
  table: WebAssembly.Table;
  registerModel(nx: number, nu: number, iStep: number, iDiff: number, iHess: number, iRun: number, iTerm: number): number;
  modelCount(): number;
  heapBase(): number;
  nx(sys: number): number;
  nu(sys: number): number;
  wsBytes(n: number, m: number, nmax: number): number;
  wsInit(ws: number, sys: number, n: number, m: number, nmax: number): void;
  solve(ws: number): number;
  modelStep(sys: number, p: number, x: number, u: number, out: number): void;
  modelStepDiff(sys: number, p: number, x: number, u: number, A: number, B: number): void;
  modelStepHess(sys: number, p: number, x: number, u: number, lam: number, Hxx: number, Huu: number, Hux: number): number;
  modelRunning(sys: number, p: number, x: number, u: number): number;
  modelRunningDiff(sys: number, p: number, x: number, u: number, lx: number, lu: number, lxx: number, luu: number, lux: number): number;
  modelTerminal(sys: number, p: number, x: number): number;
  modelTerminalDiff(sys: number, p: number, x: number, lx: number, lxx: number): number;
  stepBatch(sys: number, p: number, nb: number, X: number, U: number, out: number): void;
  evalBatch(sys: number, p: number, nb: number, X: number, U: number, F: number, FU: number, L: number, LU: number, scratch: number): void;
  costBatch(sys: number, p: number, nb: number, X: number, U: number, isTerminal: number, out: number): void;
}

/** The engine's math exports a run-time model imports as module "math" (name -> export). */
export const MATH_EXPORTS = {
  sin: "mathSin", cos: "mathCos", tan: "mathTan", exp: "mathExp", log: "mathLog", log1p: "mathLog1p",
  expm1: "mathExpm1", tanh: "mathTanh", atan: "mathAtan", atan2: "mathAtan2", pow: "mathPow",
} as const;

/** The five functions a model module exports, in the order registerModel takes their table indices. */
export const MODEL_FUNCTIONS = ["step", "stepDiff", "stepHess", "running", "terminal"] as const;

/** their parameter counts (all i32 pointers, plus the derivative flag of running and terminal) */
export const MODEL_ARITY = [4, 5, 7, 9, 5] as const;

/** most models one engine holds (assembly/models/registry.ts MAX_MODELS; six are built in) */
export const MAX_MODELS = 256;
