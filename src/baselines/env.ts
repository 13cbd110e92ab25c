/**
 * A batched episodic environment over a benchmark system for the model-free baselines (DDPG / TD3):
 * E parallel copies, dynamics and costs from the engine's WASM kernels (ModelEvaluator), one
 * `stepBatch` and one `costBatch` call per vector step for all E copies.
 *
 * The task is exactly CACTO's optimal-control problem:
 * - reset: x0 uniform over SystemSpec.sampleRanges and a start step k0 uniform (inclusive) over
 *   SystemSpec.k0Range, as CACTO samples its TO problems (option `randomStartStep: false` starts every
 *   episode at k0 = 0); all draws from the caller's seeded Rng, in env order, x0 components then k0.
 * - step(u): x' = f(x, u), k' = k + 1; cost c = l(x, u) (running cost) and, when k' = nsteps, the
 *   episode ends and the terminal cost l_N(x') is added to c. reward = -c. The observation is the
 *   CACTO network input s = [x / norm, 2k/nsteps - 1] (normalise.ts), so the problem is time-indexed
 *   and finite-horizon: the sum of an episode's costs is the TO objective from (x0, k0).
 * - Controls are NOT clipped by default: the systems' bounds are soft (the (u/umax)^10 cost term), as in
 *   the reference and in CACTO's TO. `clipActions: true` clips to +-umax before stepping (the cost is
 *   then that of the clipped control, which is what the step reports in `u`).
 * - A finished copy is reset at once (auto-reset); the step result carries the pre-reset next state.
 */
import { Engine } from "../wasm/engine.js";
import { ModelEvaluator } from "../to/model.js";
import { SYSTEMS, type SystemSpec } from "../systems/specs.js";
import type { SystemName } from "../systems/layout.js";
import type { Rng } from "../rng.js";
import { normaliseStates } from "../rl/normalise.js";

/** the cost charged for a step whose next state or cost is not finite (the episode ends there) */
export const DIVERGED_COST = 1e4;
/** states beyond this many normalisation units count as diverged */
export const DIVERGED_RANGE = 1e3;

export interface EnvOptions {
  /** number of parallel copies E (default 1) */
  envs?: number;
  /** clip controls to +-umax before stepping (default false: soft bounds, as the reference) */
  clipActions?: boolean;
  /** sample the start step k0 over k0Range (default true, as CACTO); false: k0 = 0 */
  randomStartStep?: boolean;
}

export interface EnvStep {
  /** controls actually applied (after clipping, if enabled), E*nu */
  u: Float64Array;
  /** cost of the transition: running cost, plus the terminal cost if the episode ended, E */
  cost: Float64Array;
  /** -cost */
  reward: Float64Array;
  /** 1 where the episode ended with this step (k' = nsteps) */
  done: Uint8Array;
  /** observations before and after the step, E*(nx+1) float32 (nextObs: pre-reset) */
  obs: Float32Array;
  nextObs: Float32Array;
  /** states after the step (pre-reset), E*nx */
  nextX: Float64Array;
  /** episodes that ended with this step */
  finished: FinishedEpisode[];
}

export interface FinishedEpisode {
  env: number;
  x0: number[];
  k0: number;
  /** total cost: running costs plus terminal cost */
  cost: number;
  length: number;
}

export interface EnvState {
  x: number[];
  k: number[];
  x0: number[];
  k0: number[];
  epCost: number[];
}

export class BatchedEnv {
  readonly spec: SystemSpec;
  readonly model: ModelEvaluator;
  readonly envs: number;
  readonly clipActions: boolean;
  readonly randomStartStep: boolean;
  /** current states (E*nx), step indices, episode starts and running episode costs */
  readonly x: Float64Array;
  readonly k: Int32Array;
  readonly x0: Float64Array;
  readonly k0: Int32Array;
  readonly epCost: Float64Array;
  private readonly rng: Rng;

  constructor(model: ModelEvaluator, rng: Rng, opts: EnvOptions = {}) {
    const E = opts.envs ?? 1;
    if (!Number.isInteger(E) || E < 1) throw new RangeError(`envs: got ${E}, expected an integer >= 1`);
    this.model = model;
    this.spec = model.spec;
    this.envs = E;
    this.clipActions = opts.clipActions ?? false;
    this.randomStartStep = opts.randomStartStep ?? true;
    this.rng = rng;
    const nx = this.spec.nx;
    this.x = new Float64Array(E * nx);
    this.k = new Int32Array(E);
    this.x0 = new Float64Array(E * nx);
    this.k0 = new Int32Array(E);
    this.epCost = new Float64Array(E);
    for (let i = 0; i < E; i++) this.reset(i);
  }

  /** an environment with its own engine instance */
  static async create(system: SystemName | SystemSpec, rng: Rng, opts: EnvOptions = {}): Promise<BatchedEnv> {
    const spec = typeof system === "string" ? SYSTEMS[system] : system;
    return new BatchedEnv(new ModelEvaluator(await Engine.create(), spec), rng, opts);
  }

  /** draw a new start for copy i (x0 components in order, then k0) */
  reset(i: number): void {
    const s = this.spec;
    const nx = s.nx;
    for (let j = 0; j < nx; j++) {
      const [lo, hi] = s.sampleRanges[j];
      const v = lo === hi ? lo : this.rng.uniform(lo, hi);
      this.x[i * nx + j] = v;
      this.x0[i * nx + j] = v;
    }
    const k0 = this.randomStartStep ? this.rng.int(s.k0Range[0], s.k0Range[1]) : 0;
    this.k[i] = k0;
    this.k0[i] = k0;
    this.epCost[i] = 0;
  }

  /** current observations, E*(nx+1) float32 */
  observe(): Float32Array {
    return normaliseStates(this.spec, this.x, this.k);
  }

  /** apply controls U (E*nu) to every copy */
  step(U: ArrayLike<number>): EnvStep {
    const { nx, nu, nsteps, umax } = this.spec;
    const E = this.envs;
    if (U.length !== E * nu) throw new RangeError(`step: got ${U.length} control values, expected envs ${E} x nu ${nu} = ${E * nu}`);
    const u = Float64Array.from(U);
    for (let i = 0; i < u.length; i++) {
      if (!Number.isFinite(u[i])) throw new RangeError(`step: control ${i} is ${u[i]}, expected a finite number`);
      if (this.clipActions) {
        const m = umax[i % nu];
        u[i] = Math.min(m, Math.max(-m, u[i]));
      }
    }
    const obs = this.observe();
    const nextX = this.model.stepBatch(this.x, u, E);
    const kn = Int32Array.from(this.k, (k) => k + 1);
    const done = Uint8Array.from(kn, (k) => (k >= nsteps ? 1 : 0));
    // unstable dynamics under a bad policy (the manipulator at high speed): a copy whose next state is
    // not finite, or beyond DIVERGED_RANGE normalisation units (float32 network inputs would overflow
    // soon after), ends its episode there with DIVERGED_COST and restarts; its next observation is
    // its episode's start (a terminal transition never bootstraps from it, but it must stay finite)
    const diverged = new Uint8Array(E);
    const norm = this.spec.norm;
    for (let i = 0; i < E; i++) {
      let bad = false;
      for (let j = 0; j < nx; j++) {
        const v = nextX[i * nx + j];
        if (!(Math.abs(v) <= DIVERGED_RANGE * norm[j])) { bad = true; break; }
      }
      if (bad) {
        diverged[i] = 1;
        done[i] = 1;
        nextX.set(this.x0.subarray(i * nx, (i + 1) * nx), i * nx);
      }
    }
    // one cost call: E running rows, then one terminal row per finished copy
    const ends: number[] = [];
    for (let i = 0; i < E; i++) if (done[i] && !diverged[i]) ends.push(i);
    const rows = E + ends.length;
    const X = new Float64Array(rows * nx);
    const Uc = new Float64Array(rows * nu);
    const term = new Uint8Array(rows);
    X.set(this.x);
    Uc.set(u);
    ends.forEach((i, a) => { X.set(nextX.subarray(i * nx, (i + 1) * nx), (E + a) * nx); term[E + a] = 1; });
    const c = this.model.costBatch(X, Uc, term, rows);
    const cost = c.slice(0, E);
    ends.forEach((i, a) => { cost[i] += c[E + a]; });
    for (let i = 0; i < E; i++) if (diverged[i] || !Number.isFinite(cost[i])) { cost[i] = DIVERGED_COST; done[i] = 1; }
    const nextObs = normaliseStates(this.spec, nextX, kn);
    const finished: FinishedEpisode[] = [];
    for (let i = 0; i < E; i++) {
      this.epCost[i] += cost[i];
      if (done[i]) {
        finished.push({
          env: i, x0: Array.from(this.x0.subarray(i * nx, (i + 1) * nx)), k0: this.k0[i],
          cost: this.epCost[i], length: nsteps - this.k0[i],
        });
      }
    }
    this.x.set(nextX);
    this.k.set(kn);
    for (let i = 0; i < E; i++) if (done[i]) this.reset(i);
    return { u, cost, reward: cost.map((v) => -v), done, obs, nextObs, nextX, finished };
  }

  getState(): EnvState {
    return { x: Array.from(this.x), k: Array.from(this.k), x0: Array.from(this.x0), k0: Array.from(this.k0), epCost: Array.from(this.epCost) };
  }

  setState(d: EnvState): void {
    const { nx } = this.spec;
    const E = this.envs;
    if (d.x.length !== E * nx || d.k.length !== E || d.x0.length !== E * nx || d.k0.length !== E || d.epCost.length !== E) {
      throw new RangeError(`env state: sizes do not match ${E} copies of nx = ${nx}`);
    }
    this.x.set(d.x); this.k.set(d.k); this.x0.set(d.x0); this.k0.set(d.k0); this.epCost.set(d.epCost);
  }
}
