/**
 * Plain-TypeScript trajectory-optimisation solver: Gauss-Newton DDP (iLQR) or exact second-order DDP
 * (options.hessian), with FDDP gaps and Box-DDP.
 *
 * It follows docs/algorithm.md step by step so that the WASM solver and this one produce the same
 * iterates up to rounding; when in doubt, the text wins. It is also the "plain JS" baseline of the
 * benchmarks, hence the style: every buffer is a Float64Array sized once for `maxHorizon` and reused by
 * every solve, per-node subarray views are created once, the inner kernels are hand-written loops over
 * offsets, and nothing is allocated inside the iteration loop (results are copied out at the end).
 */
import type { RefModel } from "./model.js";

export interface SolveOptions {
  maxIter?: number;
  tol?: number;
  timeLimitMs?: number;
  reg?: "quu" | "vxx";
  muInit?: number;
  muMin?: number;
  muMax?: number;
  muFactor?: number;
  lsSteps?: number;
  armijo?: number;
  /** largest step of the expanding line search (default 8; 1 = never above a full step) */
  alphaMax?: number;
  /** mu is divided by muFactor this many times after a very good full step (default 3; 1 = once) */
  goodStepMuDrops?: number;
  /** hybrid only: a failed exact pass continues as Gauss-Newton at muG from the failing node (default false) */
  hybridSplit?: boolean;
  /**
   * After a backward pass fails at node k, raise mu straight to the first value of its sequence
   * (mu -> max(muMin, mu muFactor)) at which node k's Quu~ of that pass is positive definite, instead
   * of one step per failed pass (default true; docs/algorithm.md)
   */
  muJump?: boolean;
  box?: { lower: ArrayLike<number>; upper: ArrayLike<number> } | null;
  computeVxx?: boolean;
  /**
   * Control-tracking running term 0.5 trackWeight ||u_k - uRef_k||^2 (docs/algorithm.md); uRef has N*nu
   * values and is required when trackWeight > 0. Default trackWeight 0: off.
   */
  trackWeight?: number;
  uRef?: ArrayLike<number> | null;
  /**
   * The local model (docs/algorithm.md): "gauss-newton" (iLQR, the default), "exact" (the dynamics'
   * curvature contracted with g = Vx' (+ Vxx' F) enters lxx, luu, lux; needs the model's stepHess,
   * models without one give the Gauss-Newton iterates) or "auto" (Gauss-Newton until AUTO_RUN
   * accepted steps in a row have alpha < AUTO_ALPHA, exact from the next iteration on) or "hybrid"
   * (each iteration the exact model at its own regularisation, Gauss-Newton at its own when the exact
   * Quu~ is not positive definite). The WASM front applies per-system defaults; this class does not.
   */
  hessian?: "gauss-newton" | "exact" | "auto" | "hybrid";
  /** also converged when feasible and max_k |Qu_k|_inf <= gradTol (default 0 = off) */
  gradTol?: number;
  /** acceptable level: feasible and stationarity <= acceptTol * max(1, |J|) (default 1e-6) */
  acceptTol?: number;
  /** stop with "acceptable" after this many consecutive new iterates at that level (default 0 = off) */
  acceptIter?: number;
  /** debugging/comparison hook, called once per iteration after its line search */
  onIteration?: ((info: IterationInfo) => void) | null;
}

export const Status = {
  Converged: 0,
  MaxIterations: 1,
  TimeLimit: 2,
  RegularisationLimit: 3,
  NonFinite: 4,
  Acceptable: 5,
} as const;

export const STATUS_NAMES: readonly string[] = [
  "converged",
  "max-iterations",
  "time-limit",
  "regularisation-limit",
  "non-finite",
  "acceptable",
];

export interface SolveResult {
  status: number;
  statusName: string;
  iterations: number;
  cost: number;
  /** (N+1)*nx */
  X: Float64Array;
  /** N*nu */
  U: Float64Array;
  /** N+1 per-node costs */
  costs: Float64Array;
  /** N*nu*nx */
  K: Float64Array;
  /** N*nu */
  k: Float64Array;
  /** (N+1)*nx */
  Vx: Float64Array;
  /** (N+1)*nx*nx, only with computeVxx */
  Vxx?: Float64Array;
  mu: number;
  feasible: boolean;
  maxGap: number;
  timeMs: number;
  /** J after initialisation and after each accepted step */
  costHistory: number[];
  /**
   * true when K, k, Vx, Vxx come from a backward pass at the returned (X, U); false when the final
   * backward pass failed and the gains of an earlier pass (or zeros, if none succeeded) are returned.
   */
  gainsValid: boolean;
  /**
   * max_k |lu_k + B_k^T lam_{k+1}|_inf at the returned trajectory (open-loop costate lam_N = lx_N,
   * lam_k = lx_k + A_k^T lam_{k+1}); NaN when the derivatives there are not finite or never computed.
   */
  stationarity: number;
  /** converged, acceptable, or feasible with stationarity <= acceptTol * max(1, |cost|) */
  acceptable: boolean;
  /** the first iteration that used the exact Hessian (-1: none; 0 with hessian "exact") */
  exactFrom: number;
  /** accepted steps taken with the exact Hessian */
  exactSteps: number;
  /** accepted steps whose pass was split (hybridSplit) */
  splitSteps: number;
  /** backward passes run, failed ones included (the WASM solver's profile.backwardPasses) */
  backwardPasses: number;
}

export interface IterationInfo {
  iteration: number;
  /** cost after the iteration's line search */
  cost: number;
  /** regularisation used by the iteration's successful backward pass */
  mu: number;
  dV1: number;
  dV2: number;
  /** linear-rollout model terms (0 when the iteration started feasible) */
  d1: number;
  d2: number;
  /** accepted step, 0 when none was accepted */
  alpha: number;
  feasible: boolean;
  /** whether the iteration's backward pass used the exact Hessian */
  exact: boolean;
  /** max_k |Qu_k|_inf of the iteration's backward pass (what gradTol tests) */
  quMax: number;
}

/** Quantities of one backward pass and its trial costs, for checking the predicted cost changes. */
export interface ProbeResult {
  cost: number;
  feasible: boolean;
  backwardOk: boolean;
  mu: number;
  dV1: number;
  dV2: number;
  d1: number;
  d2: number;
  /** J(alpha) of the forward pass at each requested alpha (nothing is accepted) */
  trialCosts: Float64Array;
}

interface ResolvedOptions {
  maxIter: number;
  tol: number;
  timeLimitMs: number;
  vxxReg: boolean;
  muInit: number;
  muMin: number;
  muMax: number;
  muFactor: number;
  lsSteps: number;
  armijo: number;
  alphaMax: number;
  goodStepMuDrops: number;
  hybridSplit: boolean;
  muJump: boolean;
  computeVxx: boolean;
  rho: number;
  /** 0 Gauss-Newton, 1 exact, 2 auto, 3 hybrid (the WASM option codes) */
  hessian: 0 | 1 | 2 | 3;
  gradTol: number;
  acceptTol: number;
  acceptIter: number;
  onIteration: ((info: IterationInfo) => void) | null;
}

/** "auto": exact from the iteration after AUTO_RUN accepted steps in a row with alpha < AUTO_ALPHA */
export const AUTO_ALPHA = 0.25;
export const AUTO_RUN = 3;
/**
 * A full step is very good when its actual decrease is at least GOOD_RATIO of the model's: the line
 * search then also tries alpha = 2, 4, ... <= alphaMax while the cost keeps falling, and mu drops
 * goodStepMuDrops times (docs/algorithm.md, measured in docs/convergence.md).
 */
export const GOOD_RATIO = 0.75;

const HESSIANS = ["gauss-newton", "exact", "auto", "hybrid"] as const;

function resolveOptions(o: SolveOptions): ResolvedOptions {
  const hi = HESSIANS.indexOf(o.hessian ?? "gauss-newton");
  if (hi < 0) throw new RangeError(`hessian ${JSON.stringify(o.hessian)}: expected "gauss-newton", "exact", "auto" or "hybrid"`);
  const gradTol = o.gradTol ?? 0;
  if (!(gradTol >= 0)) throw new RangeError(`gradTol ${gradTol}: expected a number >= 0`);
  if (!((o.acceptTol ?? 0) >= 0)) throw new RangeError(`acceptTol ${o.acceptTol}: expected a number >= 0`);
  if (!Number.isInteger(o.acceptIter ?? 0) || (o.acceptIter ?? 0) < 0) throw new RangeError(`acceptIter ${o.acceptIter}: expected an integer >= 0`);
  const alphaMax = o.alphaMax ?? 8, goodStepMuDrops = o.goodStepMuDrops ?? 3;
  if (!(alphaMax >= 1 && alphaMax <= 2 ** 30)) throw new RangeError(`alphaMax ${o.alphaMax}: expected a number in [1, 2^30]`);
  if (!(Number.isInteger(goodStepMuDrops) && goodStepMuDrops >= 1 && goodStepMuDrops <= 100)) throw new RangeError(`goodStepMuDrops ${o.goodStepMuDrops}: expected an integer in [1, 100]`);
  const hybridSplit = o.hybridSplit ?? false;
  if (typeof hybridSplit !== "boolean") throw new TypeError(`hybridSplit ${JSON.stringify(o.hybridSplit)}: expected a boolean`);
  const muJump = o.muJump ?? true;
  if (typeof muJump !== "boolean") throw new TypeError(`muJump ${JSON.stringify(o.muJump)}: expected a boolean`);
  return {
    maxIter: o.maxIter ?? 200,
    tol: o.tol ?? 1e-9,
    timeLimitMs: o.timeLimitMs ?? Infinity,
    vxxReg: (o.reg ?? "quu") === "vxx",
    muInit: o.muInit ?? 0,
    muMin: o.muMin ?? 1e-9,
    muMax: o.muMax ?? 1e20,
    muFactor: o.muFactor ?? 10,
    lsSteps: o.lsSteps ?? 10,
    armijo: o.armijo ?? 0.1,
    alphaMax,
    goodStepMuDrops,
    hybridSplit,
    muJump,
    computeVxx: o.computeVxx ?? false,
    rho: o.trackWeight ?? 0,
    hessian: hi as 0 | 1 | 2 | 3,
    gradTol,
    acceptTol: o.acceptTol ?? 1e-6,
    acceptIter: o.acceptIter ?? 0,
    onIteration: o.onIteration ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Small dense kernels (row-major, compact n x n unless an offset is given)

/**
 * Cholesky H = L L^T of the n x n block of H at offset oH into the compact L (lower triangle only is
 * written and read). Fails on a pivot that is not strictly positive or not finite, which is how both
 * indefiniteness and NaN/Inf propagate into "the pass fails".
 */
function cholesky(H: Float64Array, oH: number, L: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = H[oH + rj + j];
    for (let l = 0; l < j; l++) d -= L[rj + l] * L[rj + l];
    if (!(d > 0 && d < Infinity)) return false;
    const ljj = Math.sqrt(d);
    L[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = H[oH + ri + j];
      for (let l = 0; l < j; l++) s -= L[ri + l] * L[rj + l];
      L[ri + j] = s * inv;
    }
  }
  return true;
}

/** out[oo..] = -(L L^T)^-1 b[ob..] for the compact n x n factor L (in-place safe when out is b). */
function cholSolveNeg(
  L: Float64Array, n: number, b: Float64Array, ob: number, out: Float64Array, oo: number,
): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[ob + i];
    for (let l = 0; l < i; l++) s -= L[ri + l] * out[oo + l];
    out[oo + i] = s / L[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = out[oo + i];
    for (let l = i + 1; l < n; l++) s -= L[l * n + i] * out[oo + l];
    out[oo + i] = s / L[i * n + i];
  }
  for (let i = 0; i < n; i++) out[oo + i] = -out[oo + i];
}

/**
 * out = -(L L^T)^-1 R for an n x m right-hand side R (rows of length m at offset oR), written as n rows
 * of length m at offset oo. Row-wise substitution keeps every inner loop contiguous.
 */
function cholSolveRowsNeg(
  L: Float64Array, n: number, R: Float64Array, oR: number, m: number, out: Float64Array, oo: number,
): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n, oi = oo + i * m, bi = oR + i * m;
    for (let j = 0; j < m; j++) out[oi + j] = R[bi + j];
    for (let l = 0; l < i; l++) {
      const c = L[ri + l], ol = oo + l * m;
      for (let j = 0; j < m; j++) out[oi + j] -= c * out[ol + j];
    }
    const inv = 1 / L[ri + i];
    for (let j = 0; j < m; j++) out[oi + j] *= inv;
  }
  // back substitution producing -z directly: rows l > i already hold -z_l, hence the "+="
  for (let i = n - 1; i >= 0; i--) {
    const oi = oo + i * m;
    for (let l = i + 1; l < n; l++) {
      const c = L[l * n + i], ol = oo + l * m;
      for (let j = 0; j < m; j++) out[oi + j] += c * out[ol + j];
    }
    const inv = -1 / L[i * n + i];
    for (let j = 0; j < m; j++) out[oi + j] *= inv;
  }
}

function views(buf: Float64Array, count: number, size: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < count; i++) out.push(buf.subarray(i * size, (i + 1) * size));
  return out;
}

// ---------------------------------------------------------------------------------------------

export class RefSolver {
  readonly model: RefModel;
  readonly nx: number;
  readonly nu: number;
  readonly maxHorizon: number;

  // trajectories: current and trial, swapped on acceptance
  private X: Float64Array;
  private U: Float64Array;
  private c: Float64Array;
  private Xt: Float64Array;
  private Ut: Float64Array;
  private ct: Float64Array;
  private Xv: Float64Array[];
  private Uv: Float64Array[];
  private Xtv: Float64Array[];
  private Utv: Float64Array[];
  /** gaps F_k at offset k*nx, k = 0..N (F_0 = 0) */
  private F: Float64Array;

  // derivatives at (X, U)
  private A: Float64Array;
  private B: Float64Array;
  private lx: Float64Array;
  private lu: Float64Array;
  private lxx: Float64Array;
  private luu: Float64Array;
  private lux: Float64Array;
  private Av: Float64Array[];
  private Bv: Float64Array[];
  private lxv: Float64Array[];
  private luv: Float64Array[];
  private lxxv: Float64Array[];
  private luuv: Float64Array[];
  private luxv: Float64Array[];

  // stored gains and values of the last successful backward pass, and the scratch a pass writes to
  private Kc: Float64Array;
  private kc: Float64Array;
  private Vxc: Float64Array;
  private Vxxc: Float64Array;
  private Ks: Float64Array;
  private ks: Float64Array;
  private Vxs: Float64Array;
  private Vxxs: Float64Array;
  private dV1 = 0;
  private dV2 = 0;
  /** max_k |Qu_k|_inf of the last successful backward pass */
  private quMax = 0;
  /** node where the last exact pass continued as Gauss-Newton (hybridSplit), -1 if none */
  private splitAt = -1;
  /** node where the last backward pass failed its Cholesky factorisation (Quu, BT still hold it), -1 if none */
  private failNode = -1;
  private nBackward = 0;

  // per-node scratch
  private g: Float64Array;
  private Qx: Float64Array;
  private Qu: Float64Array;
  private Qxx: Float64Array;
  private Quu: Float64Array;
  private Qux: Float64Array;
  private Quut: Float64Array;
  private Quxt: Float64Array;
  private AT: Float64Array;
  private BT: Float64Array;
  private VAT: Float64Array;
  private VBT: Float64Array;
  private KT: Float64Array;
  private PT: Float64Array;
  private L: Float64Array;
  private m: Float64Array;
  private qk: Float64Array;
  private dx: Float64Array;
  private xi: Float64Array;
  private xin: Float64Array;
  private nuv: Float64Array;

  // exact DDP: the model's lam-contracted curvature and lxx/luu/lux plus it (scratch copies)
  private Hxx: Float64Array;
  private Huu: Float64Array;
  private Hux: Float64Array;
  private lxxS: Float64Array;
  private luuS: Float64Array;
  private luxS: Float64Array;
  // stationarity: open-loop costates
  private lam: Float64Array;
  private lam2: Float64Array;

  // box QP scratch
  private lb: Float64Array;
  private ub: Float64Array;
  private qlo: Float64Array;
  private qhi: Float64Array;
  private qx: Float64Array;
  private qxn: Float64Array;
  private qgrad: Float64Array;
  private qdx: Float64Array;
  private qHff: Float64Array;
  private qLf: Float64Array;
  private qrhs: Float64Array;
  private qsol: Float64Array;
  private qfree: Int32Array;
  private nfree = 0;

  private hist: Float64Array;
  private nhist = 0;

  // control-tracking term: reference controls and weight of the current solve (rho 0 = off)
  private uRef: Float64Array;
  private rho = 0;

  // state of the current solve
  private N = 0;
  private hasBox = false;
  private feasible = true;
  private J = 0;
  private o: ResolvedOptions = resolveOptions({});

  constructor(model: RefModel, maxHorizon: number) {
    if (!(Number.isInteger(maxHorizon) && maxHorizon >= 1)) throw new RangeError("maxHorizon must be a positive integer");
    const nx = model.nx, nu = model.nu, Nm = maxHorizon;
    this.model = model;
    this.nx = nx;
    this.nu = nu;
    this.maxHorizon = Nm;
    const f = (n: number) => new Float64Array(n);

    this.X = f((Nm + 1) * nx);
    this.U = f(Nm * nu);
    this.c = f(Nm + 1);
    this.Xt = f((Nm + 1) * nx);
    this.Ut = f(Nm * nu);
    this.ct = f(Nm + 1);
    this.Xv = views(this.X, Nm + 1, nx);
    this.Uv = views(this.U, Nm, nu);
    this.Xtv = views(this.Xt, Nm + 1, nx);
    this.Utv = views(this.Ut, Nm, nu);
    this.F = f((Nm + 1) * nx);

    this.A = f(Nm * nx * nx);
    this.B = f(Nm * nx * nu);
    this.lx = f((Nm + 1) * nx);
    this.lu = f(Nm * nu);
    this.lxx = f((Nm + 1) * nx * nx);
    this.luu = f(Nm * nu * nu);
    this.lux = f(Nm * nu * nx);
    this.Av = views(this.A, Nm, nx * nx);
    this.Bv = views(this.B, Nm, nx * nu);
    this.lxv = views(this.lx, Nm + 1, nx);
    this.luv = views(this.lu, Nm, nu);
    this.lxxv = views(this.lxx, Nm + 1, nx * nx);
    this.luuv = views(this.luu, Nm, nu * nu);
    this.luxv = views(this.lux, Nm, nu * nx);

    this.Kc = f(Nm * nu * nx);
    this.kc = f(Nm * nu);
    this.Vxc = f((Nm + 1) * nx);
    this.Vxxc = f((Nm + 1) * nx * nx);
    this.Ks = f(Nm * nu * nx);
    this.ks = f(Nm * nu);
    this.Vxs = f((Nm + 1) * nx);
    this.Vxxs = f((Nm + 1) * nx * nx);

    this.g = f(nx);
    this.Qx = f(nx);
    this.Qu = f(nu);
    this.Qxx = f(nx * nx);
    this.Quu = f(nu * nu);
    this.Qux = f(nu * nx);
    this.Quut = f(nu * nu);
    this.Quxt = f(nu * nx);
    this.AT = f(nx * nx);
    this.BT = f(nu * nx);
    this.VAT = f(nx * nx);
    this.VBT = f(nu * nx);
    this.KT = f(nx * nu);
    this.PT = f(nx * nu);
    this.L = f(nu * nu);
    this.m = f(nu);
    this.qk = f(nu);
    this.dx = f(nx);
    this.xi = f(nx);
    this.xin = f(nx);
    this.nuv = f(nu);

    this.Hxx = f(nx * nx);
    this.Huu = f(nu * nu);
    this.Hux = f(nu * nx);
    this.lxxS = f(nx * nx);
    this.luuS = f(nu * nu);
    this.luxS = f(nu * nx);
    this.lam = f(nx);
    this.lam2 = f(nx);

    this.lb = f(nu);
    this.ub = f(nu);
    this.qlo = f(nu);
    this.qhi = f(nu);
    this.qx = f(nu);
    this.qxn = f(nu);
    this.qgrad = f(nu);
    this.qdx = f(nu);
    this.qHff = f(nu * nu);
    this.qLf = f(nu * nu);
    this.qrhs = f(nu * nx);
    this.qsol = f(nu * nx);
    this.qfree = new Int32Array(nu);

    this.hist = f(256);
    this.uRef = f(Nm * nu);
  }

  /**
   * 0.5 rho ||u - uRef_k||^2 of node k; with lu/luu, adds rho (u - uRef_k) to lu and rho I to luu.
   * Only called when rho != 0, so a solve without tracking does exactly what it did before.
   */
  private tracking(k: number, u: Float64Array, lu?: Float64Array, luu?: Float64Array): number {
    const nu = this.nu, r = this.uRef, o = k * nu, rho = this.rho;
    let s = 0;
    for (let i = 0; i < nu; i++) {
      const d = u[i] - r[o + i];
      s += d * d;
      if (lu && luu) {
        lu[i] += rho * d;
        luu[i * nu + i] += rho;
      }
    }
    return 0.5 * rho * s;
  }

  solve(
    x0: ArrayLike<number>, N: number, U0: ArrayLike<number>, X0?: ArrayLike<number> | null,
    options: SolveOptions = {},
  ): SolveResult {
    const t0 = performance.now();
    const o = this.setup(x0, N, U0, X0, options);
    const { maxIter, tol, timeLimitMs, muMax, lsSteps, armijo, gradTol, onIteration } = o;

    this.nhist = 0;
    this.nBackward = 0;
    let status: number = Status.MaxIterations;
    let iterations = 0;
    let mu = o.muInit;
    let needDiff = true;
    let bwdValid = false;
    // the local model: exact from the start ("exact") or from the switch ("auto")
    let exact = o.hessian === 1;
    let exactFrom = exact ? 0 : -1;
    let shortRun = 0;
    // "hybrid": the exact model at its own regularisation muE first, Gauss-Newton at muG when the
    // exact Quu~ is not positive definite (docs/algorithm.md)
    const hybrid = o.hessian === 3;
    let exactOff = false;
    let muE = mu, muG = mu;
    let exactSteps = 0;
    let splitSteps = 0;
    let accRun = 0;

    this.J = this.initialise(x0, U0, X0);
    this.pushHistory(this.J);
    if (!Number.isFinite(this.J)) {
      return this.result(Status.NonFinite, 0, mu, false, NaN, exactFrom, 0, 0, t0);
    }

    main: for (let it = 0; it < maxIter; it++) {
      if (performance.now() - t0 > timeLimitMs) {
        status = Status.TimeLimit;
        break;
      }
      if (needDiff) {
        if (!this.derivatives()) {
          status = Status.NonFinite;
          break;
        }
        needDiff = false;
        if (o.acceptIter > 0) {
          // IPOPT-style acceptable level, counted over new iterates only
          accRun = this.feasible && this.stationarity() <= o.acceptTol * Math.max(1, Math.abs(this.J)) ? accRun + 1 : 0;
          if (accRun >= o.acceptIter) {
            status = Status.Acceptable;
            break;
          }
        }
      }
      let usedExact = exact;
      let usedSplit = false;
      let passOk = false;
      if (hybrid && !exactOff) {
        // with hybridSplit, the pass continues as Gauss-Newton at muG from the node where the exact
        // model fails (the nodes after it keep the exact model); the iteration then counts as Gauss-Newton
        mu = muE;
        passOk = this.backward(mu, true, o.hybridSplit ? muG : -1);
        usedExact = passOk && this.splitAt < 0;
        usedSplit = passOk && this.splitAt >= 0;
        if (!usedExact) {
          mu = this.increaseMu(mu);
          if (mu > muMax) exactOff = true;
          muE = mu;
        }
      }
      if (hybrid && !usedExact) mu = muG;
      if (!passOk) {
        mu = this.passUp(mu, usedExact);
        if (mu > muMax) {
          status = Status.RegularisationLimit;
          break main;
        }
      }
      bwdValid = true;
      iterations++;
      const dV1 = this.dV1, dV2 = this.dV2, quMax = this.quMax;
      const startFeasible = this.feasible;
      if (startFeasible && (Math.abs(dV1 + dV2) < tol || (gradTol > 0 && quMax <= gradTol))) {
        status = Status.Converged;
        if (onIteration) {
          onIteration({ iteration: it, cost: this.J, mu, dV1, dV2, d1: 0, d2: 0, alpha: 0, feasible: true, exact: usedExact, quMax });
        }
        break;
      }
      let d1 = 0, d2 = 0;
      if (!startFeasible) {
        this.linearRollout();
        d1 = this.d1;
        d2 = this.d2;
      }
      const muUsed = mu;
      let accepted = 0;
      for (let i = 0; i < lsSteps; i++) {
        const alpha = Math.pow(2, -i);
        const Jt = this.forward(alpha);
        if (!Number.isFinite(Jt)) continue;
        const actual = this.J - Jt;
        let ok: boolean;
        if (startFeasible) {
          const expected = -(alpha * dV1 + alpha * alpha * dV2);
          ok = actual >= armijo * expected;
        } else {
          const expected = -(alpha * d1 + 0.5 * alpha * alpha * d2);
          ok = expected > 0 ? actual >= armijo * expected : actual >= 2 * expected;
        }
        if (ok) {
          // a very good full step: try longer ones while the cost keeps falling, and drop mu faster
          const predicted = -(dV1 + dV2);
          const good = alpha === 1 && startFeasible && predicted > 0 && actual >= GOOD_RATIO * predicted;
          let aBest = alpha, JBest = Jt;
          if (good && o.alphaMax >= 2) {
            let last = alpha;
            // only where the model itself predicts a decrease from a / 2 to a: m(a) < m(a / 2), i.e.
            // dV1 + 1.5 a dV2 < 0 with m(alpha) = alpha dV1 + alpha^2 dV2
            for (let a = 2; a <= o.alphaMax && dV1 + 1.5 * a * dV2 < 0; a *= 2) {
              const Ja = this.forward(a);
              last = a;
              if (!(Ja < JBest)) break;
              aBest = a;
              JBest = Ja;
            }
            // the trial buffer must hold the kept step (the WASM engine keeps it in a spare buffer instead)
            if (last !== aBest) this.forward(aBest);
          }
          this.accept(aBest, JBest);
          this.pushHistory(JBest);
          needDiff = true;
          bwdValid = false;
          mu = this.decreaseMu(mu);
          if (good) for (let d = 1; d < o.goodStepMuDrops; d++) mu = this.decreaseMu(mu);
          accepted = aBest;
          if (o.hessian === 2 && !exact) {
            shortRun = alpha < AUTO_ALPHA ? shortRun + 1 : 0;
            if (shortRun >= AUTO_RUN) {
              exact = true;
              exactFrom = it + 1;
            }
          }
          break;
        }
      }
      if (onIteration) {
        onIteration({
          iteration: it, cost: this.J, mu: muUsed, dV1, dV2, d1, d2, alpha: accepted, feasible: this.feasible,
          exact: usedExact, quMax,
        });
      }
      if (accepted !== 0 && usedExact) exactSteps++;
      if (accepted !== 0 && usedSplit) splitSteps++;
      if (hybrid && usedExact) {
        if (exactFrom < 0) exactFrom = it;
        if (accepted === 0) {
          mu = this.increaseMu(mu);
          if (mu > muMax) exactOff = true;
        }
        muE = mu;
        continue;
      }
      if (accepted === 0) {
        mu = this.increaseMu(mu);
        if (mu > muMax) {
          status = Status.RegularisationLimit;
          break;
        }
      }
      if (hybrid) muG = mu;
    }
    if (hybrid) mu = muG;

    // Make the returned gains and values belong to the returned trajectory (pointless on NaN/Inf data:
    // the gains of the last successful pass are then returned, flagged). The stationarity needs the
    // derivatives at the returned trajectory: NaN when they are not finite (or were never computed).
    let gainsValid = bwdValid;
    let diffAtX = !needDiff && status !== Status.NonFinite;
    if (!bwdValid && status !== Status.NonFinite) {
      let ok = true;
      if (needDiff) {
        ok = this.derivatives();
        diffAtX = ok;
      }
      if (ok) {
        mu = this.passUp(mu, exact);
        gainsValid = mu <= muMax;
      }
    }
    const stat = diffAtX ? this.stationarity() : NaN;
    return this.result(status, iterations, mu, gainsValid, stat, exactFrom, exactSteps, splitSteps, t0);
  }

  /**
   * Initialises as `solve` does, computes derivatives and one backward pass (raising mu on failure as
   * the main loop does), then evaluates the forward pass at each alpha without accepting anything.
   * The pass is exact with hessian "exact" (Gauss-Newton otherwise: "auto" starts so).
   * Exists to check the predicted cost changes (dV1/dV2 when feasible, d1/d2 otherwise) against the
   * actual ones, and to compare intermediate quantities with the WASM solver.
   */
  probe(
    x0: ArrayLike<number>, N: number, U0: ArrayLike<number>, X0: ArrayLike<number> | null | undefined,
    options: SolveOptions, alphas: ArrayLike<number>,
  ): ProbeResult {
    const o = this.setup(x0, N, U0, X0, options);
    this.J = this.initialise(x0, U0, X0);
    const trialCosts = new Float64Array(alphas.length);
    let mu = o.muInit;
    let ok = Number.isFinite(this.J) && this.derivatives();
    if (ok) {
      mu = this.passUp(mu, o.hessian === 1);
      ok = mu <= o.muMax;
    }
    let d1 = 0, d2 = 0;
    if (ok) {
      if (!this.feasible) {
        this.linearRollout();
        d1 = this.d1;
        d2 = this.d2;
      }
      for (let i = 0; i < alphas.length; i++) trialCosts[i] = this.forward(alphas[i]);
    } else {
      trialCosts.fill(NaN);
    }
    return {
      cost: this.J, feasible: this.feasible, backwardOk: ok, mu, dV1: this.dV1, dV2: this.dV2, d1, d2, trialCosts,
    };
  }

  // -------------------------------------------------------------------------------------------

  private setup(
    x0: ArrayLike<number>, N: number, U0: ArrayLike<number>, X0: ArrayLike<number> | null | undefined,
    options: SolveOptions,
  ): ResolvedOptions {
    const nx = this.nx, nu = this.nu;
    if (!(Number.isInteger(N) && N >= 1 && N <= this.maxHorizon)) {
      throw new RangeError(`horizon ${N} outside 1..${this.maxHorizon}`);
    }
    if (x0.length < nx) throw new RangeError(`x0 needs ${nx} entries`);
    if (U0.length < N * nu) throw new RangeError(`U0 needs ${N * nu} entries`);
    if (X0 && X0.length < (N + 1) * nx) throw new RangeError(`X0 needs ${(N + 1) * nx} entries`);
    const o = resolveOptions(options);
    if (!(o.rho >= 0 && o.rho < Infinity)) throw new RangeError(`trackWeight ${o.rho}: expected a finite number >= 0`);
    if (o.rho > 0) {
      const r = options.uRef;
      if (!r || r.length < N * nu) throw new RangeError(`uRef needs ${N * nu} entries when trackWeight > 0`);
      for (let i = 0; i < N * nu; i++) this.uRef[i] = r[i];
    }
    this.rho = o.rho;
    this.o = o;
    this.N = N;
    const box = options.box;
    this.hasBox = !!box;
    if (box) {
      if (box.lower.length < nu || box.upper.length < nu) throw new RangeError(`box bounds need ${nu} entries`);
      for (let i = 0; i < nu; i++) {
        this.lb[i] = box.lower[i];
        this.ub[i] = box.upper[i];
      }
    }
    // the box-QP warm start of the first pass is zero (docs/algorithm.md)
    this.kc.fill(0, 0, N * nu);
    this.Kc.fill(0, 0, N * nu * nx);
    this.Vxc.fill(0, 0, (N + 1) * nx);
    this.Vxxc.fill(0, 0, (N + 1) * nx * nx);
    this.dV1 = 0;
    this.dV2 = 0;
    return o;
  }

  /** Sets X, U, F, feasible and the node costs; returns J. */
  private initialise(x0: ArrayLike<number>, U0: ArrayLike<number>, X0: ArrayLike<number> | null | undefined): number {
    const nx = this.nx, nu = this.nu, N = this.N, model = this.model;
    const X = this.X, U = this.U, F = this.F, Xt = this.Xt;
    for (let i = 0; i < N * nu; i++) U[i] = U0[i];
    if (this.hasBox) {
      const lb = this.lb, ub = this.ub;
      for (let k = 0; k < N; k++) {
        for (let i = 0; i < nu; i++) {
          const v = U[k * nu + i];
          U[k * nu + i] = v < lb[i] ? lb[i] : v > ub[i] ? ub[i] : v;
        }
      }
    }
    for (let i = 0; i < nx; i++) X[i] = x0[i];
    F.fill(0, 0, (N + 1) * nx);
    if (X0) {
      for (let i = nx; i < (N + 1) * nx; i++) X[i] = X0[i];
      let feasible = true;
      for (let k = 0; k < N; k++) {
        model.step(this.Xtv[k + 1], this.Xv[k], this.Uv[k]);
        const o = (k + 1) * nx;
        for (let i = 0; i < nx; i++) {
          const gap = Xt[o + i] - X[o + i];
          F[o + i] = gap;
          if (gap !== 0) feasible = false;
        }
      }
      this.feasible = feasible;
    } else {
      for (let k = 0; k < N; k++) model.step(this.Xv[k + 1], this.Xv[k], this.Uv[k]);
      this.feasible = true;
    }
    const c = this.c;
    let J = 0;
    for (let k = 0; k < N; k++) {
      c[k] = model.runningCost(this.Xv[k], this.Uv[k]);
      if (this.rho !== 0) c[k] += this.tracking(k, this.Uv[k]);
      J += c[k];
    }
    c[N] = model.terminalCost(this.Xv[N]);
    return J + c[N];
  }

  /** Derivatives at (X, U); returns false if any of them is not finite. */
  private derivatives(): boolean {
    const N = this.N, model = this.model;
    const Xv = this.Xv, Uv = this.Uv;
    for (let k = 0; k < N; k++) {
      model.stepDiff(this.Av[k], this.Bv[k], Xv[k], Uv[k]);
      model.runningCostDiff(this.lxv[k], this.luv[k], this.lxxv[k], this.luuv[k], this.luxv[k], Xv[k], Uv[k]);
      if (this.rho !== 0) this.tracking(k, Uv[k], this.luv[k], this.luuv[k]);
    }
    model.terminalCostDiff(this.lxv[N], this.lxxv[N], Xv[N]);
    const nx = this.nx, nu = this.nu;
    // v*0 is 0 for finite v and NaN for NaN/Inf, so the sum is 0 exactly when all entries are finite
    return (
      zeroIfFinite(this.A, N * nx * nx) + zeroIfFinite(this.B, N * nx * nu) +
      zeroIfFinite(this.lx, (N + 1) * nx) + zeroIfFinite(this.lu, N * nu) +
      zeroIfFinite(this.lxx, (N + 1) * nx * nx) + zeroIfFinite(this.luu, N * nu * nu) +
      zeroIfFinite(this.lux, N * nu * nx)
    ) === 0;
  }

  private increaseMu(mu: number): number {
    return Math.max(this.o.muMin, mu * this.o.muFactor);
  }

  /**
   * Backward passes from mu up its sequence mu -> max(muMin, mu muFactor) until one succeeds; returns
   * that mu, or the first value above muMax when none does. Without muJump one step per failed pass;
   * with it, from a failed pass straight to the first value at which the failing node's Quu~ (from that
   * pass) is positive definite and at least `stride` steps up (1, 2, 4, ...: doubling per failed jump),
   * until a pass succeeds, then bisection on the sequence between the last failure and that success
   * (the WASM solver's passUp).
   */
  private passUp(mu: number, exact: boolean): number {
    const muMax = this.o.muMax;
    if (this.backward(mu, exact)) return mu;
    if (!this.o.muJump || this.hasBox) {
      // with box, the box QP's warm start (the last published gains) would differ between the searches
      for (;;) {
        mu = this.increaseMu(mu);
        if (mu > muMax || this.backward(mu, exact)) return mu;
      }
    }
    let lo = mu;
    let steps = 0;
    let stride = 1;
    for (;;) {
      let c = lo;
      steps = 0;
      do {
        c = this.increaseMu(c);
        steps++;
        if (c > muMax) return c;
      } while (steps < stride || (this.failNode >= 0 && !this.pdAtFail(c)));
      mu = c;
      if (this.backward(mu, exact)) break;
      lo = c;
      stride *= 2;
    }
    // the last successful pass is the one at the final hi (each later success has a smaller mu)
    let hi = mu;
    while (steps > 1) {
      const h = steps >> 1;
      let c = lo;
      for (let i = 0; i < h; i++) c = this.increaseMu(c);
      if (this.backward(c, exact)) {
        hi = c;
        steps = h;
      } else {
        lo = c;
        steps -= h;
      }
    }
    return hi;
  }

  /** is node failNode's Quu~ at regularisation mu positive definite (the arithmetic of backward) */
  private pdAtFail(mu: number): boolean {
    const nu = this.nu, nx = this.nx, Quu = this.Quu, Quut = this.Quut, BT = this.BT;
    for (let i = 0; i < nu * nu; i++) Quut[i] = Quu[i];
    if (this.o.vxxReg) {
      for (let i = 0; i < nu; i++) {
        for (let j = 0; j < nu; j++) Quut[i * nu + j] += mu * dot(BT, i * nx, BT, j * nx, nx);
      }
    } else {
      for (let i = 0; i < nu; i++) Quut[i * nu + i] += mu;
    }
    return cholesky(Quut, 0, this.L, nu);
  }

  private decreaseMu(mu: number): number {
    const m = mu / this.o.muFactor;
    return m < this.o.muMin ? 0 : m;
  }

  /**
   * One backward pass with FDDP gaps at regularisation mu, into the scratch buffers; they become the
   * stored gains/values (and dV1, dV2, quMax) only if every node succeeds. Gauss-Newton, or with
   * `exact` the model's curvature contracted with g = Vx' (+ Vxx' F) added to scratch copies of lxx,
   * luu, lux before the Q blocks (models without stepHess, or whose stepHess returns false, have none).
   * splitMu >= 0 with exact: where the exact Quu~ is not positive definite, the pass continues from that
   * node down to 0 as Gauss-Newton at mu = splitMu instead of failing (this.splitAt = that node).
   */
  private backward(mu: number, exact: boolean, splitMu = -1): boolean {
    const nx = this.nx, nu = this.nu, N = this.N;
    const nxx = nx * nx, nxu = nx * nu, nuu = nu * nu;
    const A = this.A, B = this.B, lx = this.lx, lu = this.lu, lxx = this.lxx, luu = this.luu, lux = this.lux;
    const Vx = this.Vxs, Vxx = this.Vxxs, K = this.Ks, kk = this.ks;
    const F = this.F, feasible = this.feasible, vxxReg = this.o.vxxReg, hasBox = this.hasBox;
    const g = this.g, Qx = this.Qx, Qu = this.Qu, Qxx = this.Qxx, Quu = this.Quu, Qux = this.Qux;
    const Quut = this.Quut, L = this.L, qk = this.qk, m = this.m;
    const AT = this.AT, BT = this.BT, VAT = this.VAT, VBT = this.VBT, KT = this.KT, PT = this.PT;
    // with "quu" regularisation Qux~ is Qux itself
    const Quxt = vxxReg ? this.Quxt : Qux;
    const model = this.model;
    let curv = exact && !!model.stepHess;
    this.splitAt = -1;
    this.failNode = -1;
    this.nBackward++;
    const Hxx = this.Hxx, Huu = this.Huu, Hux = this.Hux, lxxS = this.lxxS, luuS = this.luuS, luxS = this.luxS;
    let qm = 0;

    for (let i = 0; i < nx; i++) Vx[N * nx + i] = lx[N * nx + i];
    for (let i = 0; i < nxx; i++) Vxx[N * nxx + i] = lxx[N * nxx + i];
    let dV1 = 0, dV2 = 0;

    for (let k = N - 1; k >= 0; k--) {
      const oA = k * nxx, oB = k * nxu, ox = k * nx, ou = k * nu, ouu = k * nuu, oK = k * nxu;
      const oV = (k + 1) * nx, oVV = (k + 1) * nxx;

      // Transposed copies of A and B make every product below a contiguous dot product, using the
      // symmetry of Vxx' (row j = column j): VAT = A^T Vxx' = (Vxx' A)^T, VBT = B^T Vxx'.
      for (let i = 0; i < nx; i++) {
        const ra = oA + i * nx, rb = oB + i * nu;
        for (let j = 0; j < nx; j++) AT[j * nx + i] = A[ra + j];
        for (let j = 0; j < nu; j++) BT[j * nx + i] = B[rb + j];
      }

      if (feasible) {
        for (let i = 0; i < nx; i++) g[i] = Vx[oV + i];
      } else {
        for (let i = 0; i < nx; i++) g[i] = Vx[oV + i] + dot(Vxx, oVV + i * nx, F, oV, nx);
      }

      // second-order blocks of the cost, plus the dynamics' curvature along g for exact DDP
      let Lxx = lxx, oLxx = oA, Luu = luu, oLuu = ouu, Lux = lux, oLux = oK;
      if (curv && model.stepHess!(Hxx, Huu, Hux, this.Xv[k], this.Uv[k], g)) {
        for (let i = 0; i < nxx; i++) lxxS[i] = lxx[oA + i] + Hxx[i];
        for (let i = 0; i < nuu; i++) luuS[i] = luu[ouu + i] + Huu[i];
        for (let i = 0; i < nxu; i++) luxS[i] = lux[oK + i] + Hux[i];
        Lxx = lxxS; oLxx = 0; Luu = luuS; oLuu = 0; Lux = luxS; oLux = 0;
      }

      for (let i = 0; i < nx; i++) Qx[i] = lx[ox + i] + dot(AT, i * nx, g, 0, nx);
      for (let i = 0; i < nu; i++) {
        const q = lu[ou + i] + dot(BT, i * nx, g, 0, nx);
        Qu[i] = q;
        const a = Math.abs(q);
        if (!(a <= qm)) qm = a; // NaN-propagating max
      }

      for (let i = 0; i < nx; i++) {
        for (let j = 0; j < nx; j++) VAT[i * nx + j] = dot(AT, i * nx, Vxx, oVV + j * nx, nx);
      }
      for (let i = 0; i < nu; i++) {
        for (let j = 0; j < nx; j++) VBT[i * nx + j] = dot(BT, i * nx, Vxx, oVV + j * nx, nx);
      }

      // Qxx = lxx + A^T Vxx' A, Quu = luu + B^T Vxx' B (upper triangles, mirrored), Qux = lux + B^T Vxx' A
      for (let i = 0; i < nx; i++) {
        for (let j = i; j < nx; j++) {
          const v = Lxx[oLxx + i * nx + j] + dot(AT, i * nx, VAT, j * nx, nx);
          Qxx[i * nx + j] = v;
          Qxx[j * nx + i] = v;
        }
      }
      for (let i = 0; i < nu; i++) {
        for (let j = i; j < nu; j++) {
          const v = Luu[oLuu + i * nu + j] + dot(BT, i * nx, VBT, j * nx, nx);
          Quu[i * nu + j] = v;
          Quu[j * nu + i] = v;
        }
        for (let j = 0; j < nx; j++) Qux[i * nx + j] = Lux[oLux + i * nx + j] + dot(BT, i * nx, VAT, j * nx, nx);
      }

      for (let i = 0; i < nuu; i++) Quut[i] = Quu[i];
      if (vxxReg) {
        // Quu~ = Quu + mu B^T B, Qux~ = Qux + mu B^T A
        for (let i = 0; i < nxu; i++) Quxt[i] = Qux[i];
        if (mu !== 0) {
          for (let i = 0; i < nu; i++) {
            for (let j = 0; j < nu; j++) Quut[i * nu + j] += mu * dot(BT, i * nx, BT, j * nx, nx);
            for (let j = 0; j < nx; j++) Quxt[i * nx + j] += mu * dot(BT, i * nx, AT, j * nx, nx);
          }
        }
      } else {
        for (let i = 0; i < nu; i++) Quut[i * nu + i] += mu;
      }

      if (!hasBox ? !cholesky(Quut, 0, L, nu) : !this.boxGains(k, Quxt)) {
        if (!exact || splitMu < 0) {
          if (!hasBox) this.failNode = k;
          return false;
        }
        // redo this node as Gauss-Newton at splitMu, and every earlier one
        exact = false;
        curv = false;
        mu = splitMu;
        this.splitAt = k;
        k++;
        continue;
      }
      if (!hasBox) {
        cholSolveNeg(L, nu, Qu, 0, kk, ou);
        cholSolveRowsNeg(L, nu, Quxt, 0, nx, K, oK);
      }

      // The value update uses the unregularised Quu, Qux (the long forms stay exact for any k, K):
      //   Vx  = Qx + K^T (Quu k + Qu) + Qux^T k
      //   Vxx = Qxx + K^T Quu K + K^T Qux + Qux^T K = Qxx + K^T P + P^T K,  P = Qux + 0.5 Quu K.
      // The second form is exactly symmetric in floating point (a+b = b+a), so computing the upper
      // triangle and mirroring it equals the symmetrisation (Vxx + Vxx^T)/2 of the text.
      for (let i = 0; i < nu; i++) {
        const s = dot(Quu, i * nu, kk, ou, nu);
        qk[i] = s;
        m[i] = s + Qu[i];
      }
      for (let i = 0; i < nx; i++) {
        let s = Qx[i];
        for (let l = 0; l < nu; l++) {
          const kli = K[oK + l * nx + i];
          KT[i * nu + l] = kli;
          s += kli * m[l] + Qux[l * nx + i] * kk[ou + l];
        }
        Vx[ox + i] = s;
      }
      for (let i = 0; i < nx; i++) {
        for (let l = 0; l < nu; l++) PT[i * nu + l] = Qux[l * nx + i] + 0.5 * dot(Quu, l * nu, KT, i * nu, nu);
      }
      for (let i = 0; i < nx; i++) {
        const ri = i * nu;
        for (let j = i; j < nx; j++) {
          const rj = j * nu;
          let s = Qxx[i * nx + j];
          for (let l = 0; l < nu; l++) s += KT[ri + l] * PT[rj + l] + PT[ri + l] * KT[rj + l];
          Vxx[oA + i * nx + j] = s;
          Vxx[oA + j * nx + i] = s;
        }
      }

      let s1 = 0, s2 = 0;
      for (let i = 0; i < nu; i++) {
        s1 += kk[ou + i] * Qu[i];
        s2 += kk[ou + i] * qk[i];
      }
      dV1 += s1;
      dV2 += 0.5 * s2;
    }

    // commit: swap scratch and stored buffers
    let t = this.Kc; this.Kc = this.Ks; this.Ks = t;
    t = this.kc; this.kc = this.ks; this.ks = t;
    t = this.Vxc; this.Vxc = this.Vxs; this.Vxs = t;
    t = this.Vxxc; this.Vxxc = this.Vxxs; this.Vxxs = t;
    this.dV1 = dV1;
    this.dV2 = dV2;
    this.quMax = qm;
    return true;
  }

  /**
   * Stationarity of the current (X, U) with the derivatives in place: the open-loop costate
   * lam_N = lx_N, lam_k = lx_k + A_k^T lam_{k+1}, and max_k |lu_k + B_k^T lam_{k+1}|_inf (dJ/dU for a
   * feasible trajectory; with gaps, the Lagrangian's control gradient). Summation order as in WASM.
   */
  private stationarity(): number {
    const nx = this.nx, nu = this.nu, N = this.N;
    const A = this.A, B = this.B, lx = this.lx, lu = this.lu;
    let lam = this.lam, nxt = this.lam2;
    for (let i = 0; i < nx; i++) lam[i] = lx[N * nx + i];
    let mx = 0;
    for (let k = N - 1; k >= 0; k--) {
      const oA = k * nx * nx, oB = k * nx * nu;
      for (let j = 0; j < nu; j++) {
        let s = lu[k * nu + j];
        for (let r = 0; r < nx; r++) s += B[oB + r * nu + j] * lam[r];
        const a = Math.abs(s);
        if (!(a <= mx)) mx = a;
      }
      for (let j = 0; j < nx; j++) {
        let s = lx[k * nx + j];
        for (let r = 0; r < nx; r++) s += A[oA + r * nx + j] * lam[r];
        nxt[j] = s;
      }
      const t = lam; lam = nxt; nxt = t;
    }
    return mx;
  }

  /**
   * Box-DDP gains at node k from Quu~ (this.Quut), Qu and Qux~: k_k by the projected-Newton box QP
   * warm-started from the stored k_k, K rows of free controls from the free block's factor, clamped
   * rows zero. Writes into the scratch gains. Returns false when a free-block factorisation fails.
   */
  private boxGains(k: number, Quxt: Float64Array): boolean {
    const nu = this.nu, nx = this.nx, ou = k * nu, oK = k * nu * nx;
    const U = this.U, lb = this.lb, ub = this.ub, lo = this.qlo, hi = this.qhi, x = this.qx, kc = this.kc;
    for (let i = 0; i < nu; i++) {
      lo[i] = lb[i] - U[ou + i];
      hi[i] = ub[i] - U[ou + i];
      x[i] = kc[ou + i];
    }
    if (!this.boxQP()) return false;
    const kk = this.ks, K = this.Ks;
    for (let i = 0; i < nu; i++) kk[ou + i] = x[i];
    K.fill(0, oK, oK + nu * nx);
    const nf = this.nfree;
    if (nf > 0) {
      const free = this.qfree, rhs = this.qrhs, sol = this.qsol;
      for (let a = 0; a < nf; a++) {
        const r = free[a] * nx;
        for (let j = 0; j < nx; j++) rhs[a * nx + j] = Quxt[r + j];
      }
      cholSolveRowsNeg(this.qLf, nf, rhs, 0, nx, sol, 0);
      for (let a = 0; a < nf; a++) {
        const r = oK + free[a] * nx;
        for (let j = 0; j < nx; j++) K[r + j] = sol[a * nx + j];
      }
    }
    return true;
  }

  /**
   * Projected-Newton box QP  min 0.5 x^T H x + q^T x, lo <= x <= hi  with H = this.Quut, q = this.Qu,
   * bounds this.qlo/qhi, warm start and result in this.qx. Leaves the final free set in qfree/nfree and
   * the factor of its block in qLf.
   */
  private boxQP(): boolean {
    const n = this.nu, H = this.Quut, q = this.Qu, lo = this.qlo, hi = this.qhi;
    const x = this.qx, xn = this.qxn, grad = this.qgrad, dx = this.qdx, free = this.qfree;
    const Hff = this.qHff, Lf = this.qLf;

    for (let i = 0; i < n; i++) {
      const v = x[i];
      x[i] = v < lo[i] ? lo[i] : v > hi[i] ? hi[i] : v;
    }
    let f = quadValue(H, q, x, n);

    for (let iter = 0; iter < 100; iter++) {
      const nf = this.freeSet(x, grad);
      if (nf === 0) break;
      gatherBlock(H, n, free, nf, Hff);
      if (!cholesky(Hff, 0, Lf, nf)) return false;
      let gn = 0;
      for (let a = 0; a < nf; a++) {
        const gv = grad[free[a]];
        gn += gv * gv;
      }
      if (Math.sqrt(gn) < 1e-8) break;
      // dx_free = -H_ff^-1 grad_free, scattered into the full-length direction
      for (let a = 0; a < nf; a++) xn[a] = grad[free[a]];
      cholSolveNeg(Lf, nf, xn, 0, xn, 0);
      dx.fill(0);
      for (let a = 0; a < nf; a++) dx[free[a]] = xn[a];

      let step = 1;
      let fn = 0;
      let found = false;
      for (;;) {
        let gdx = 0;
        for (let i = 0; i < n; i++) {
          const v = x[i] + step * dx[i];
          const c = v < lo[i] ? lo[i] : v > hi[i] ? hi[i] : v;
          xn[i] = c;
          gdx += grad[i] * (c - x[i]);
        }
        fn = quadValue(H, q, xn, n);
        if (fn - f <= 0.1 * gdx) {
          found = true;
          break;
        }
        step *= 0.6;
        if (step < 1e-10) break;
      }
      if (!found) break;
      const converged = f - fn < 1e-12 * (1 + Math.abs(f));
      for (let i = 0; i < n; i++) x[i] = xn[i];
      if (converged) break;
      f = fn;
    }

    const nf = this.freeSet(x, grad);
    if (nf > 0) {
      gatherBlock(H, n, free, nf, Hff);
      if (!cholesky(Hff, 0, Lf, nf)) return false;
    }
    return true;
  }

  /** grad = q + H x; writes the free indices (not clamped at an active bound) to qfree; returns their count. */
  private freeSet(x: Float64Array, grad: Float64Array): number {
    const n = this.nu, H = this.Quut, q = this.Qu, lo = this.qlo, hi = this.qhi, free = this.qfree;
    let nf = 0;
    for (let i = 0; i < n; i++) {
      let s = q[i];
      const r = i * n;
      for (let j = 0; j < n; j++) s += H[r + j] * x[j];
      grad[i] = s;
      const clamped = (x[i] <= lo[i] && s > 0) || (x[i] >= hi[i] && s < 0);
      if (!clamped) free[nf++] = i;
    }
    this.nfree = nf;
    return nf;
  }

  private d1 = 0;
  private d2 = 0;

  /** d1, d2 of the linearised step at alpha = 1 with the gaps (docs/algorithm.md, infeasible case). */
  private linearRollout(): void {
    const nx = this.nx, nu = this.nu, N = this.N;
    const A = this.A, B = this.B, lx = this.lx, lu = this.lu, lxx = this.lxx, luu = this.luu, lux = this.lux;
    const K = this.Kc, kk = this.kc, F = this.F;
    let xi = this.xi, xin = this.xin;
    const nv = this.nuv;
    xi.fill(0);
    let d1 = 0, d2 = 0;
    for (let k = 0; k < N; k++) {
      const ox = k * nx, ou = k * nu, oK = k * nu * nx, oA = k * nx * nx, oB = k * nx * nu, ouu = k * nu * nu;
      for (let i = 0; i < nu; i++) {
        let s = kk[ou + i];
        const r = oK + i * nx;
        for (let j = 0; j < nx; j++) s += K[r + j] * xi[j];
        nv[i] = s;
      }
      for (let i = 0; i < nx; i++) {
        d1 += lx[ox + i] * xi[i];
        let s = 0;
        const r = oA + i * nx;
        for (let j = 0; j < nx; j++) s += lxx[r + j] * xi[j];
        d2 += xi[i] * s;
      }
      for (let i = 0; i < nu; i++) {
        d1 += lu[ou + i] * nv[i];
        let s = 0, t = 0;
        const r = oK + i * nx, ru = ouu + i * nu;
        for (let j = 0; j < nx; j++) s += lux[r + j] * xi[j];
        for (let j = 0; j < nu; j++) t += luu[ru + j] * nv[j];
        d2 += nv[i] * (2 * s + t);
      }
      const oF = (k + 1) * nx;
      for (let i = 0; i < nx; i++) {
        let s = F[oF + i];
        const ra = oA + i * nx, rb = oB + i * nu;
        for (let j = 0; j < nx; j++) s += A[ra + j] * xi[j];
        for (let j = 0; j < nu; j++) s += B[rb + j] * nv[j];
        xin[i] = s;
      }
      const t = xi; xi = xin; xin = t;
    }
    const oN = N * nx, oNN = N * nx * nx;
    for (let i = 0; i < nx; i++) {
      d1 += lx[oN + i] * xi[i];
      let s = 0;
      const r = oNN + i * nx;
      for (let j = 0; j < nx; j++) s += lxx[r + j] * xi[j];
      d2 += xi[i] * s;
    }
    this.d1 = d1;
    this.d2 = d2;
  }

  /** Trial trajectory at step alpha into Xt, Ut, ct; returns its cost (non-finite stops it early). */
  private forward(alpha: number): number {
    const nx = this.nx, nu = this.nu, N = this.N, model = this.model;
    const X = this.X, U = this.U, Xt = this.Xt, Ut = this.Ut, ct = this.ct, F = this.F;
    const K = this.Kc, kk = this.kc, dx = this.dx, lb = this.lb, ub = this.ub;
    const Xtv = this.Xtv, Utv = this.Utv, hasBox = this.hasBox;
    const gapScale = this.feasible ? 0 : 1 - alpha;
    for (let i = 0; i < nx; i++) Xt[i] = X[i];
    let Jt = 0;
    for (let k = 0; k < N; k++) {
      const ox = k * nx, ou = k * nu, oK = k * nu * nx;
      for (let j = 0; j < nx; j++) dx[j] = Xt[ox + j] - X[ox + j];
      for (let i = 0; i < nu; i++) {
        let s = U[ou + i] + alpha * kk[ou + i];
        const r = oK + i * nx;
        for (let j = 0; j < nx; j++) s += K[r + j] * dx[j];
        if (hasBox) s = s < lb[i] ? lb[i] : s > ub[i] ? ub[i] : s;
        Ut[ou + i] = s;
      }
      let c = model.runningCost(Xtv[k], Utv[k]);
      if (this.rho !== 0) c += this.tracking(k, Utv[k]);
      ct[k] = c;
      Jt += c;
      if (!Number.isFinite(Jt)) return Jt;
      model.step(Xtv[k + 1], Xtv[k], Utv[k]);
      if (gapScale !== 0) {
        const oF = ox + nx;
        for (let i = 0; i < nx; i++) Xt[oF + i] -= gapScale * F[oF + i];
      }
    }
    const cN = model.terminalCost(Xtv[N]);
    ct[N] = cN;
    return Jt + cN;
  }

  private accept(alpha: number, Jt: number): void {
    let t = this.X; this.X = this.Xt; this.Xt = t;
    t = this.U; this.U = this.Ut; this.Ut = t;
    t = this.c; this.c = this.ct; this.ct = t;
    let v = this.Xv; this.Xv = this.Xtv; this.Xtv = v;
    v = this.Uv; this.Uv = this.Utv; this.Utv = v;
    this.J = Jt;
    if (!this.feasible) {
      const len = (this.N + 1) * this.nx, F = this.F;
      if (alpha === 1) {
        F.fill(0, 0, len);
        this.feasible = true;
      } else {
        const s = 1 - alpha;
        for (let i = 0; i < len; i++) F[i] *= s;
      }
    }
  }

  private pushHistory(J: number): void {
    if (this.nhist === this.hist.length) {
      // rare doubling, outside the steady state
      const h = new Float64Array(this.hist.length * 2);
      h.set(this.hist);
      this.hist = h;
    }
    this.hist[this.nhist++] = J;
  }

  private result(
    status: number, iterations: number, mu: number, gainsValid: boolean, stationarity: number, exactFrom: number,
    exactSteps: number, splitSteps: number, t0: number,
  ): SolveResult {
    const nx = this.nx, nu = this.nu, N = this.N;
    let maxGap = 0;
    const F = this.F;
    for (let i = 0; i < (N + 1) * nx; i++) {
      const a = Math.abs(F[i]);
      if (a > maxGap) maxGap = a;
    }
    const costHistory: number[] = new Array(this.nhist);
    for (let i = 0; i < this.nhist; i++) costHistory[i] = this.hist[i];
    const res: SolveResult = {
      status,
      statusName: STATUS_NAMES[status],
      iterations,
      cost: this.J,
      X: this.X.slice(0, (N + 1) * nx),
      U: this.U.slice(0, N * nu),
      costs: this.c.slice(0, N + 1),
      K: this.Kc.slice(0, N * nu * nx),
      k: this.kc.slice(0, N * nu),
      Vx: this.Vxc.slice(0, (N + 1) * nx),
      mu,
      feasible: this.feasible,
      maxGap,
      timeMs: 0,
      costHistory,
      gainsValid,
      stationarity,
      acceptable: status === Status.Converged || status === Status.Acceptable ||
        (this.feasible && Number.isFinite(this.J) && stationarity <= this.o.acceptTol * Math.max(1, Math.abs(this.J))),
      exactFrom,
      exactSteps,
      splitSteps,
      backwardPasses: this.nBackward,
    };
    if (this.o.computeVxx) res.Vxx = this.Vxxc.slice(0, (N + 1) * nx * nx);
    res.timeMs = performance.now() - t0;
    return res;
  }
}

/** Two accumulators: a single one makes the add latency chain the bottleneck of the whole pass. */
function dot(a: Float64Array, oa: number, b: Float64Array, ob: number, n: number): number {
  let s0 = 0, s1 = 0, i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += a[oa + i] * b[ob + i];
    s1 += a[oa + i + 1] * b[ob + i + 1];
  }
  if (i < n) s0 += a[oa + i] * b[ob + i];
  return s0 + s1;
}

function zeroIfFinite(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * 0;
  return s;
}

function quadValue(H: Float64Array, q: Float64Array, x: Float64Array, n: number): number {
  let f = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const r = i * n;
    for (let j = 0; j < n; j++) s += H[r + j] * x[j];
    f += x[i] * (0.5 * s + q[i]);
  }
  return f;
}

function gatherBlock(H: Float64Array, n: number, idx: Int32Array, nf: number, out: Float64Array): void {
  for (let a = 0; a < nf; a++) {
    const r = idx[a] * n;
    for (let b = 0; b < nf; b++) out[a * nf + b] = H[r + idx[b]];
  }
}
