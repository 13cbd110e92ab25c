/**
 * The benchmark systems of the CACTO papers (../shared/spec/systems.md), as plain data.
 * Everything a model kernel needs goes into the parameter block built by `buildParams`;
 * everything the learning side needs (sampling ranges, normalisation, evaluation states) stays here.
 */
import { P, SYSTEM_IDS, type SystemName } from "./layout.js";
import type { ModelModule } from "../wasm/engine.js";

export interface Ellipse {
  /** centre */
  xc: number;
  yc: number;
  /** full widths along x and y */
  a: number;
  b: number;
}

export interface Box {
  xc: number;
  yc: number;
  wx: number;
  wy: number;
}

export interface CostWeights {
  /** cost scale s */
  s: number;
  wd: number;
  wpeak: number;
  /** terminal velocity weight */
  wv: number;
  wob: number;
  wu: number;
  /** soft-bound weight, 1/w_u in the reference */
  wb: number;
  /** obstacle sharpness */
  aob: number;
  /** valley sharpness */
  a2: number;
}

/**
 * A benchmark system as plain data: dimensions, horizon, cost weights, obstacles, sampling ranges,
 * state normalisation and evaluation states (`buildParams` makes its parameter block).
 */
export interface SystemSpec {
  name: string;
  id: number;
  title: string;
  nx: number;
  nu: number;
  dt: number;
  /** episode length in steps (NSTEPS); default TO horizon from k0 = 0 */
  nsteps: number;
  stateNames: string[];
  controlNames: string[];
  /** soft control bounds |u_i| <= umax_i (the (u/umax)^10 term), also the default box of Box-DDP */
  umax: number[];
  weights: CostWeights;
  target: [number, number];
  obstacles: Ellipse[];
  boxes: Box[];
  /** uniform sampling ranges of the initial state, per component [lo, hi] */
  sampleRanges: [number, number][];
  /** range of the start step k0, inclusive */
  k0Range: [number, number];
  /** state normalisation for the networks: x_j / norm_j */
  norm: number[];
  /** evaluation initial states (at k = 0) */
  evalStates: number[][];
  /** TD(n) horizon of the reference configuration */
  nstepReturn: number;
  /** which state components are the workspace position plotted in 2-D (null: 1-D system) */
  positionIndex: [number, number] | null;
  /** system-specific constants written to the parameter block */
  extra: Record<string, number>;
  /**
   * Solver defaults of this system, used where a solve's options leave them unset (measured in
   * docs/convergence.md; absent: the global defaults, Gauss-Newton with muFactor 10 and reg "quu").
   */
  solverDefaults?: SolverDefaults;
  /**
   * A system defined by the user (`defineSystem`): its model compiled to WASM at run time, which an
   * engine adds to its model table on first use (`id` is then -1). Absent for the built-in systems.
   */
  model?: ModelModule;
  /**
   * A user-defined system's goal for the evaluation's "reach" column and the plots' target mark
   * (defineSystem's `goal`; absent: no reach rule, no mark). The built-in systems use `target`.
   */
  goal?: SystemGoal;
}

/**
 * The two state components plotted as a plane (grids, value maps, trajectories): `positionIndex`, or
 * the first two components; null for a 1-D system.
 */
export function planeIndices(spec: SystemSpec): [number, number] | null {
  return spec.positionIndex ?? (spec.nx >= 2 ? [0, 1] : null);
}

/** what "reached" means for a user-defined system (defineSystem) */
export interface SystemGoal {
  /** true when the final state counts as reaching the goal */
  reached(xN: number[]): boolean;
  /** the rule in words, printed with the evaluation */
  rule: string;
  /** the goal's point in the plotted plane (positionIndex), marked on the plots */
  point?: [number, number];
}

/** the solver options a system may set defaults for */
export interface SolverDefaults {
  hessian?: "gauss-newton" | "exact" | "auto" | "hybrid";
  muFactor?: number;
  reg?: "quu" | "vxx";
}

const THREE_ELLIPSES: Ellipse[] = [
  { xc: -2, yc: 0, a: 6, b: 10 },
  { xc: 3, yc: 4, a: 12, b: 4 },
  { xc: 3, yc: -4, a: 12, b: 4 },
];

const EVAL_POSITIONS: [number, number][] = [
  [2, 0], [10, 0], [10, -10], [10, 10], [-10, 10], [-10, -10], [12, 2], [12, -2], [15, 0],
];

const INTEGRATOR_WEIGHTS: CostWeights = {
  s: 1e-5, wd: 100, wpeak: 5e5, wv: 0, wob: 5e6, wu: 10, wb: 1 / 10, aob: 50, a2: 5,
};

const PI = Math.PI;

/** The six benchmark systems, by name. */
export const SYSTEMS: Record<SystemName, SystemSpec> = {
  toy1d: {
    name: "toy1d", id: SYSTEM_IDS.toy1d, title: "1-D three-minima toy",
    nx: 1, nu: 1, dt: 0.1, nsteps: 10,
    stateNames: ["x"], controlNames: ["u"],
    // no soft bound in this system's cost (w_b = 0); umax only scales random warm starts and the box
    umax: [5],
    // w_d etc. unused; WU and TOY_WX carry the cost; s = 1
    weights: { s: 1, wd: 0, wpeak: 0, wv: 0, wob: 0, wu: 0.1, wb: 0, aob: 1, a2: 1 },
    target: [0, 0], obstacles: [], boxes: [],
    sampleRanges: [[-2.2, 2.0]], k0Range: [0, 9],
    norm: [2.2], evalStates: [[-2.0], [-1.0], [0.0], [1.0], [1.5], [2.0]],
    nstepReturn: 10, positionIndex: null,
    extra: { wx: 1 },
  },
  single_integrator: {
    name: "single_integrator", id: SYSTEM_IDS.single_integrator, title: "Single integrator",
    nx: 2, nu: 2, dt: 0.05, nsteps: 100,
    stateNames: ["px", "py"], controlNames: ["vx", "vy"],
    umax: [6, 6], weights: INTEGRATOR_WEIGHTS, target: [-7, 0],
    obstacles: THREE_ELLIPSES, boxes: [],
    sampleRanges: [[-15, 15], [-15, 15]], k0Range: [0, 99],
    norm: [15, 15], evalStates: EVAL_POSITIONS.map(([x, y]) => [x, y]),
    nstepReturn: 25, positionIndex: [0, 1], extra: {},
  },
  double_integrator: {
    name: "double_integrator", id: SYSTEM_IDS.double_integrator, title: "Double integrator",
    nx: 4, nu: 2, dt: 0.05, nsteps: 200,
    stateNames: ["px", "py", "vx", "vy"], controlNames: ["Fx", "Fy"],
    umax: [2, 2], weights: INTEGRATOR_WEIGHTS, target: [-7, 0],
    obstacles: THREE_ELLIPSES, boxes: [],
    sampleRanges: [[-15, 15], [-15, 15], [-6, 6], [-6, 6]], k0Range: [1, 199],
    norm: [15, 15, 6, 6], evalStates: EVAL_POSITIONS.map(([x, y]) => [x, y, 0, 0]),
    nstepReturn: 50, positionIndex: [0, 1], extra: { mass: 1 },
  },
  car: {
    name: "car", id: SYSTEM_IDS.car, title: "Kinematic car with acceleration state",
    nx: 5, nu: 2, dt: 0.05, nsteps: 500,
    stateNames: ["px", "py", "th", "v", "a"], controlNames: ["w", "j"],
    umax: [2, 1], weights: INTEGRATOR_WEIGHTS, target: [-7, 0],
    obstacles: THREE_ELLIPSES, boxes: [],
    sampleRanges: [[-15, 15], [-15, 15], [-PI, PI], [-10, 10], [-3, 3]], k0Range: [0, 499],
    norm: [15, 15, PI, 10, 3], evalStates: EVAL_POSITIONS.map(([x, y]) => [x, y, 0, 0, 0]),
    nstepReturn: 125, positionIndex: [0, 1], extra: {},
    solverDefaults: { hessian: "hybrid", muFactor: 2, reg: "quu" },
  },
  car_park: {
    name: "car_park", id: SYSTEM_IDS.car_park, title: "Car park (kinematic bicycle, perpendicular parking)",
    nx: 5, nu: 2, dt: 0.05, nsteps: 100,
    stateNames: ["px", "py", "th", "v", "d"], controlNames: ["acc", "d_dot"],
    umax: [3, 1],
    weights: { s: 1e-5, wd: 100, wpeak: 1e6, wv: 100, wob: 5e4, wu: 10, wb: 1 / 10, aob: 50, a2: 1 },
    target: [0, 6.75], obstacles: [],
    boxes: [
      { xc: -10, yc: 6.75, wx: 17, wy: 4.5 },
      { xc: 10, yc: 6.75, wx: 17, wy: 4.5 },
      { xc: 0, yc: -2, wx: 40, wy: 4 },
    ],
    sampleRanges: [[-10, 10], [1.5, 3], [-PI / 6, PI / 6], [0, 0], [0, 0]], k0Range: [0, 99],
    norm: [10, 3, PI, 10, PI / 6],
    evalStates: [-9, -5, -2.5, 0, 2.5, 5, 9].map((px) => [px - 2.63, 2, 0, 0, 0]),
    nstepReturn: 50, positionIndex: [0, 1],
    extra: { L: 4.35, W: 2, Ld: 2.63, tau: 1, kbox: 50 },
    solverDefaults: { hessian: "hybrid", muFactor: 2, reg: "vxx" },
  },
  manipulator: {
    name: "manipulator", id: SYSTEM_IDS.manipulator, title: "Planar 3-DoF manipulator",
    nx: 6, nu: 3, dt: 0.05, nsteps: 100,
    stateNames: ["q0", "q1", "q2", "dq0", "dq1", "dq2"], controlNames: ["tau0", "tau1", "tau2"],
    umax: [200, 200, 200],
    weights: { s: 1e-5, wd: 100, wpeak: 5e5, wv: 1e4, wob: 5e6, wu: 1, wb: 1, aob: 50, a2: 50 },
    target: [-20, 0], obstacles: THREE_ELLIPSES, boxes: [],
    sampleRanges: [[-PI, PI], [-PI, PI], [-PI, PI], [-PI / 4, PI / 4], [-PI / 4, PI / 4], [-PI / 4, PI / 4]],
    k0Range: [0, 99],
    norm: [15, 15, 15, 10, 10, 10],
    evalStates: [
      [PI / 4, -PI / 8, -PI / 8], [-PI / 4, PI / 8, PI / 8], [PI / 2, 0, 0], [-PI / 2, 0, 0],
      [3 * PI / 4, 0, 0], [-3 * PI / 4, 0, 0], [PI / 4, 0, 0], [-PI / 4, 0, 0], [PI, 0, 0],
    ].map((q) => [...q, 0, 0, 0]),
    nstepReturn: 50, positionIndex: null,
    extra: { link: 10, mass: 0.5, iz: (0.5 * 100) / 3, baseX: -7, baseY: 0 },
    // hybrid converges more often than Gauss-Newton and, with the analytic curvature, costs less per
    // converged solve (docs/convergence.md)
    solverDefaults: { hessian: "hybrid", muFactor: 2, reg: "quu" },
  },
};

/** Roots of the toy1d sextic: the state cost is w_x * prod (x - r_i). */
export const TOY_ROOTS = [1.9, 1.0, 0.6, -0.5, -1.2, -2.1];

/** Build the f64 parameter block of a system (see layout.ts). */
export function buildParams(spec: SystemSpec): Float64Array {
  const p = new Float64Array(P.N);
  // a user-defined system (defineSystem): its own parameter values from index 0
  if (spec.model) { p.set((spec as { modelParams?: number[] }).modelParams ?? []); return p; }
  const w = spec.weights;
  p[P.DT] = spec.dt;
  p[P.S] = w.s; p[P.WD] = w.wd; p[P.WPEAK] = w.wpeak; p[P.WV] = w.wv; p[P.WOB] = w.wob;
  p[P.WU] = w.wu; p[P.WB] = w.wb; p[P.AOB] = w.aob; p[P.A2] = w.a2;
  p[P.XD] = spec.target[0]; p[P.YD] = spec.target[1];
  if (spec.obstacles.length > P.MAX_OBS) throw new RangeError(`obstacles: at most ${P.MAX_OBS} ellipses`);
  p[P.NOBS] = spec.obstacles.length;
  spec.obstacles.forEach((o, j) => {
    p[P.OBS + 4 * j] = o.xc; p[P.OBS + 4 * j + 1] = o.yc; p[P.OBS + 4 * j + 2] = o.a; p[P.OBS + 4 * j + 3] = o.b;
  });
  spec.umax.forEach((u, i) => { p[P.UMAX + i] = u; });
  const e = spec.extra;
  switch (spec.name) {
    case "car_park":
      p[P.CP_L] = e.L; p[P.CP_W] = e.W; p[P.CP_LD] = e.Ld; p[P.CP_TAU] = e.tau; p[P.CP_KBOX] = e.kbox;
      if (spec.boxes.length > P.CP_MAX_BOX) throw new RangeError(`boxes: at most ${P.CP_MAX_BOX}`);
      p[P.CP_NBOX] = spec.boxes.length;
      spec.boxes.forEach((b, j) => {
        p[P.CP_BOX + 4 * j] = b.xc; p[P.CP_BOX + 4 * j + 1] = b.yc; p[P.CP_BOX + 4 * j + 2] = b.wx; p[P.CP_BOX + 4 * j + 3] = b.wy;
      });
      break;
    case "manipulator":
      p[P.MA_LINK] = e.link; p[P.MA_MASS] = e.mass; p[P.MA_IZ] = e.iz; p[P.MA_BASEX] = e.baseX; p[P.MA_BASEY] = e.baseY;
      break;
    case "double_integrator":
      p[P.DI_MASS] = e.mass;
      break;
    case "toy1d":
      p[P.TOY_WX] = e.wx;
      TOY_ROOTS.forEach((r, i) => { p[P.TOY_ROOTS + i] = r; });
      break;
    default:
      break;
  }
  return p;
}
