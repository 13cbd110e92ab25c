/**
 * Direct access to a system's model kernels in WASM: single evaluations (tests, plotting, rollouts)
 * and the batched calls the learning side needs (the actor update: f, f_u, l, l_u for a minibatch).
 * Buffers are allocated once per capacity and reused; outputs are copied out (or written into
 * caller-provided arrays with the `*Into` variants).
 */
import { Engine } from "../wasm/engine.js";
import { buildParams, type SystemSpec } from "../systems/specs.js";
import { P } from "../systems/layout.js";
import { checkInt, checkSystem, checkVector, paramBlock, show } from "./validate.js";

export interface BatchEval {
  /** next states, nb*nx */
  f: Float64Array;
  /** control Jacobians f_u, nb*nx*nu (row-major per sample) */
  fu: Float64Array;
  /** running costs, nb */
  l: Float64Array;
  /** cost gradients l_u, nb*nu */
  lu: Float64Array;
}

/**
 * A system's dynamics and cost kernels on `engine`, with the system's parameter block or a full
 * block `params`. Bad inputs throw a RangeError or TypeError naming the argument; outputs are copies.
 */
export class ModelEvaluator {
  readonly spec: SystemSpec;
  readonly params: Float64Array;
  private pPtr: number;
  private cap = 0;
  private bx = 0; private bu = 0; private bf = 0; private bfu = 0; private bl = 0; private blu = 0; private bscr = 0; private bterm = 0;
  // single-point buffers: x, u, out(nx), A(nx*nx), B(nx*nu), lx, lu, lxx, luu, lux
  private s: number[];
  /** the engine's model id of the system */
  private sysId: number;

  constructor(readonly engine: Engine, system: string | SystemSpec, params?: ArrayLike<number>) {
    this.spec = checkSystem(system);
    this.sysId = engine.modelId(this.spec);
    this.params = params ? paramBlock(this.spec, params) : buildParams(this.spec);
    this.pPtr = engine.alloc(P.N * 8);
    engine.f64(this.pPtr, P.N).set(this.params);
    const { nx: n, nu: m } = this.spec;
    const sizes = [n, m, n, n * n, n * m, n, m, n * n, m * m, m * n];
    this.s = sizes.map((len) => engine.alloc(len * 8));
  }

  private x(x: ArrayLike<number>, name = "x"): void {
    this.engine.f64(this.s[0], this.spec.nx).set(checkVector(name, x, this.spec.nx));
  }

  private u(u: ArrayLike<number>, name = "u"): void {
    this.engine.f64(this.s[1], this.spec.nu).set(checkVector(name, u, this.spec.nu));
  }

  /** f(x, u) */
  step(x: ArrayLike<number>, u: ArrayLike<number>): Float64Array {
    this.x(x); this.u(u);
    this.engine.exports.modelStep(this.sysId, this.pPtr, this.s[0], this.s[1], this.s[2]);
    return this.engine.f64(this.s[2], this.spec.nx).slice();
  }

  /** A = f_x (nx*nx), B = f_u (nx*nu), row-major */
  stepDiff(x: ArrayLike<number>, u: ArrayLike<number>): { A: Float64Array; B: Float64Array } {
    const { nx: n, nu: m } = this.spec;
    this.x(x); this.u(u);
    this.engine.exports.modelStepDiff(this.sysId, this.pPtr, this.s[0], this.s[1], this.s[3], this.s[4]);
    return { A: this.engine.f64(this.s[3], n * n).slice(), B: this.engine.f64(this.s[4], n * m).slice() };
  }

  /** running cost l(x, u) */
  running(x: ArrayLike<number>, u: ArrayLike<number>): number {
    this.x(x); this.u(u);
    return this.engine.exports.modelRunning(this.sysId, this.pPtr, this.s[0], this.s[1]);
  }

  /** l(x, u) and its derivatives lx (nx), lu (nu), lxx (nx*nx), luu (nu*nu), lux (nu*nx), row-major */
  runningDiff(x: ArrayLike<number>, u: ArrayLike<number>) {
    const { nx: n, nu: m } = this.spec;
    this.x(x); this.u(u);
    const s = this.s;
    const l = this.engine.exports.modelRunningDiff(this.sysId, this.pPtr, s[0], s[1], s[5], s[6], s[7], s[8], s[9]);
    const e = this.engine;
    return { l, lx: e.f64(s[5], n).slice(), lu: e.f64(s[6], m).slice(), lxx: e.f64(s[7], n * n).slice(), luu: e.f64(s[8], m * m).slice(), lux: e.f64(s[9], m * n).slice() };
  }

  /** terminal cost l_N(x) */
  terminal(x: ArrayLike<number>): number {
    this.x(x);
    return this.engine.exports.modelTerminal(this.sysId, this.pPtr, this.s[0]);
  }

  /** l_N(x) and its derivatives lx (nx), lxx (nx*nx, row-major) */
  terminalDiff(x: ArrayLike<number>) {
    const n = this.spec.nx;
    this.x(x);
    const s = this.s;
    const l = this.engine.exports.modelTerminalDiff(this.sysId, this.pPtr, s[0], s[5], s[7]);
    return { l, lx: this.engine.f64(s[5], n).slice(), lxx: this.engine.f64(s[7], n * n).slice() };
  }

  private ensure(nb: number): void {
    if (nb <= this.cap) return;
    const { nx: n, nu: m } = this.spec;
    const cap = Math.max(nb, 2 * this.cap, 64);
    const e = this.engine;
    this.bx = e.alloc(cap * n * 8); this.bu = e.alloc(cap * m * 8); this.bf = e.alloc(cap * n * 8);
    this.bfu = e.alloc(cap * n * m * 8); this.bl = e.alloc(cap * 8); this.blu = e.alloc(cap * m * 8);
    this.bterm = e.alloc(cap * 8);
    this.bscr = e.alloc((2 * n * n + n + m * m + m * n) * 8);
    this.cap = cap;
  }

  private loadBatch(X: ArrayLike<number>, U: ArrayLike<number> | null, nb: number): void {
    const { nx: n, nu: m } = this.spec;
    checkInt("batch size", nb, 0, 1 << 24);
    if (X.length !== nb * n) throw new RangeError(`X: got ${X.length} values, expected batch size ${nb} x nx ${n} = ${nb * n}`);
    if (U && U.length !== nb * m) throw new RangeError(`U: got ${U.length} values, expected batch size ${nb} x nu ${m} = ${nb * m}`);
    this.ensure(nb);
    const xv = this.engine.f64(this.bx, nb * n);
    xv.set(X);
    if (!xv.every(Number.isFinite)) throw new RangeError(`X: contains ${show(xv.find((v) => !Number.isFinite(v)))}, expected finite numbers`);
    if (U) {
      const uv = this.engine.f64(this.bu, nb * m);
      uv.set(U);
      if (!uv.every(Number.isFinite)) throw new RangeError(`U: contains ${show(uv.find((v) => !Number.isFinite(v)))}, expected finite numbers`);
    }
  }

  /** next states of nb rows (X: nb*nx, U: nb*nu, row per sample) */
  stepBatch(X: ArrayLike<number>, U: ArrayLike<number>, nb = X.length / this.spec.nx): Float64Array {
    this.loadBatch(X, U, nb);
    this.engine.exports.stepBatch(this.sysId, this.pPtr, nb, this.bx, this.bu, this.bf);
    return this.engine.f64(this.bf, nb * this.spec.nx).slice();
  }

  /** f, f_u, l, l_u for nb rows: one WASM call for the whole minibatch */
  evalBatch(X: ArrayLike<number>, U: ArrayLike<number>, nb = X.length / this.spec.nx): BatchEval {
    const { nx: n, nu: m } = this.spec;
    this.loadBatch(X, U, nb);
    this.engine.exports.evalBatch(this.sysId, this.pPtr, nb, this.bx, this.bu, this.bf, this.bfu, this.bl, this.blu, this.bscr);
    const e = this.engine;
    return { f: e.f64(this.bf, nb * n).slice(), fu: e.f64(this.bfu, nb * n * m).slice(), l: e.f64(this.bl, nb).slice(), lu: e.f64(this.blu, nb * m).slice() };
  }

  /** running cost of each row, or the terminal cost where terminal[i] is true */
  costBatch(X: ArrayLike<number>, U: ArrayLike<number>, terminal: ArrayLike<boolean | number>, nb = X.length / this.spec.nx): Float64Array {
    this.loadBatch(X, U, nb);
    if (terminal.length !== nb) throw new RangeError(`terminal: got ${terminal.length} flags, expected ${nb}`);
    const t = this.engine.f64(this.bterm, nb);
    for (let i = 0; i < nb; i++) t[i] = terminal[i] ? 1 : 0;
    this.engine.exports.costBatch(this.sysId, this.pPtr, nb, this.bx, this.bu, this.bterm, this.bl);
    return this.engine.f64(this.bl, nb).slice();
  }
}
