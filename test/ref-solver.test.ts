import { test } from "uvu";
import * as assert from "uvu/assert";
import { Matrix, inverse } from "ml-matrix";
import { RefSolver, Status, type IterationInfo, type SolveResult } from "../src/ref/solver.js";
import {
  LQModel, PendulumModel, WrappedModel, randomLQ, rng, rolloutCost, rolloutGradient, type LQData,
} from "./helpers/lq.js";

// ---------------------------------------------------------------------------------------------
// oracle: finite-horizon affine LQR with ml-matrix, independent of the solver's kernels

interface Riccati {
  X: Float64Array;
  U: Float64Array;
  J: number;
  P: Matrix[];  // P_k, k = 0..N
  p: Matrix[];  // p_k (column vectors)
}

function riccati(model: LQModel, x0: number[], N: number): Riccati {
  const d = model.d, nx = d.nx, nu = d.nu;
  const A = Matrix.from1DArray(nx, nx, Array.from(d.A));
  const B = Matrix.from1DArray(nx, nu, Array.from(d.B));
  const Q = Matrix.from1DArray(nx, nx, Array.from(d.Q));
  const R = Matrix.from1DArray(nu, nu, Array.from(d.R));
  const S = Matrix.from1DArray(nu, nx, Array.from(d.S));
  const q = Matrix.columnVector(Array.from(d.q));
  const r = Matrix.columnVector(Array.from(d.r));
  const P: Matrix[] = new Array(N + 1);
  const p: Matrix[] = new Array(N + 1);
  const Ks: Matrix[] = new Array(N);
  const ks: Matrix[] = new Array(N);
  P[N] = Matrix.from1DArray(nx, nx, Array.from(d.Qf));
  p[N] = Matrix.columnVector(Array.from(d.qf));
  for (let k = N - 1; k >= 0; k--) {
    const Bt = B.transpose(), At = A.transpose();
    const H = Matrix.add(R, Bt.mmul(P[k + 1]).mmul(B));
    const G = Matrix.add(S, Bt.mmul(P[k + 1]).mmul(A));
    const h = Matrix.add(r, Bt.mmul(p[k + 1]));
    const Hi = inverse(H);
    const K = Hi.mmul(G).neg();
    const kf = Hi.mmul(h).neg();
    const Pk = Matrix.add(Q, At.mmul(P[k + 1]).mmul(A)).add(G.transpose().mmul(K));
    P[k] = Matrix.add(Pk, Pk.transpose()).mul(0.5);
    p[k] = Matrix.add(q, At.mmul(p[k + 1])).add(G.transpose().mmul(kf));
    Ks[k] = K;
    ks[k] = kf;
  }
  const X = new Float64Array((N + 1) * nx);
  const U = new Float64Array(N * nu);
  X.set(x0);
  for (let k = 0; k < N; k++) {
    const x = Matrix.columnVector(Array.from(X.subarray(k * nx, (k + 1) * nx)));
    const u = Ks[k].mmul(x).add(ks[k]);
    U.set(u.to1DArray(), k * nu);
    model.step(X.subarray((k + 1) * nx, (k + 2) * nx), X.subarray(k * nx, (k + 1) * nx), U.subarray(k * nu, (k + 1) * nu));
  }
  return { X, U, J: rolloutCost(model, x0, U, N), P, p };
}

// ---------------------------------------------------------------------------------------------

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.is(a.length, b.length);
  let scale = 1, err = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err / scale;
}

function close(a: number, b: number, rel: number, what: string): void {
  const e = Math.abs(a - b) / Math.max(1, Math.abs(b));
  assert.ok(e <= rel, `${what}: ${a} vs ${b} (rel err ${e})`);
}

function randomVector(seed: number, n: number, amp: number): Float64Array {
  const r = rng(seed);
  return new Float64Array(n).map(() => amp * (2 * r() - 1));
}

/** The "ICS" state warm start: every state equal to x0. */
function ics(x0: ArrayLike<number>, N: number): Float64Array {
  const nx = x0.length, X = new Float64Array((N + 1) * nx);
  for (let k = 0; k <= N; k++) X.set(Array.from(x0), k * nx);
  return X;
}

function checkFeasible(model: { step(o: Float64Array, x: Float64Array, u: Float64Array): void; nx: number; nu: number }, r: SolveResult, N: number): void {
  const { nx, nu } = model;
  const xn = new Float64Array(nx);
  for (let k = 0; k < N; k++) {
    model.step(xn, r.X.subarray(k * nx, (k + 1) * nx), r.U.subarray(k * nu, (k + 1) * nu));
    for (let i = 0; i < nx; i++) assert.is(xn[i], r.X[(k + 1) * nx + i], "returned trajectory is a rollout");
  }
}

const N_LQ = 30;
const X0_LQ = [1, -0.5, 0.3, 2];
const LQ_CASES: { name: string; data: LQData }[] = [
  { name: "stable", data: randomLQ(11, 4, 2, { scale: 0.8 }) },
  { name: "unstable", data: randomLQ(12, 4, 2, { scale: 1.15 }) },
  { name: "unstable, no linear/cross terms", data: randomLQ(13, 4, 2, { scale: 1.1, linear: false, cross: false }) },
];

function spectralRadiusAbove1(d: LQData): boolean {
  // power iteration on A is enough to tell the "unstable" cases apart
  const A = Matrix.from1DArray(d.nx, d.nx, Array.from(d.A));
  let M = A.clone();
  for (let i = 0; i < 6; i++) M = M.mmul(M);
  return M.norm("frobenius") > 1;
}

test("LQ: the first step lands on the Riccati solution, values match P_k x_k + p_k, then converged", () => {
  assert.ok(spectralRadiusAbove1(LQ_CASES[1].data), "case 'unstable' has an unstable A");
  assert.ok(!spectralRadiusAbove1(LQ_CASES[0].data), "case 'stable' has a stable A");
  for (const { name, data } of LQ_CASES) {
    const model = new LQModel(data);
    const nx = model.nx, nu = model.nu;
    const ref = riccati(model, X0_LQ, N_LQ);
    const solver = new RefSolver(model, 40);
    const r1 = solver.solve(X0_LQ, N_LQ, new Float64Array(N_LQ * nu), null, { maxIter: 1, computeVxx: true });
    assert.is(r1.status, Status.MaxIterations, name);
    assert.is(r1.statusName, "max-iterations");
    assert.is(r1.iterations, 1);
    assert.ok(r1.gainsValid);
    assert.is(r1.costHistory.length, 2);
    assert.ok(maxRelErr(r1.U, ref.U) < 1e-9, `${name}: U ${maxRelErr(r1.U, ref.U)}`);
    assert.ok(maxRelErr(r1.X, ref.X) < 1e-9, `${name}: X ${maxRelErr(r1.X, ref.X)}`);
    close(r1.cost, ref.J, 1e-9, `${name}: cost`);
    let sum = 0;
    for (const c of r1.costs) sum += c;
    close(sum, r1.cost, 1e-12, "per-node costs add up");
    const Vxx = r1.Vxx!;
    for (let k = 0; k <= N_LQ; k++) {
      const Pk = ref.P[k].to1DArray();
      assert.ok(maxRelErr(Vxx.subarray(k * nx * nx, (k + 1) * nx * nx), Pk) < 1e-9, `${name}: Vxx_${k} = P_${k}`);
      const xk = Matrix.columnVector(Array.from(r1.X.subarray(k * nx, (k + 1) * nx)));
      const vx = ref.P[k].mmul(xk).add(ref.p[k]).to1DArray();
      assert.ok(maxRelErr(r1.Vx.subarray(k * nx, (k + 1) * nx), vx) < 1e-9, `${name}: Vx_${k} = P x + p`);
    }
    // at the optimum the feedforward vanishes
    assert.ok(maxRelErr(r1.k, new Float64Array(N_LQ * nu)) < 1e-9);

    const r2 = solver.solve(X0_LQ, N_LQ, new Float64Array(N_LQ * nu));
    assert.is(r2.status, Status.Converged, name);
    assert.is(r2.iterations, 2);
    assert.ok(r2.gainsValid);
    assert.is(r2.Vxx, undefined);
    assert.ok(maxRelErr(r2.U, ref.U) < 1e-9);
    assert.ok(r2.feasible);
    assert.is(r2.maxGap, 0);
  }
});

test("LQ: predicted cost change equals the actual one (infeasible: d1/d2, feasible: dV1/dV2)", () => {
  const alphas = [1, 0.5, 0.25, 0.125, 1 / 64];
  for (const { name, data } of LQ_CASES) {
    const model = new LQModel(data);
    const nu = model.nu;
    const solver = new RefSolver(model, N_LQ);
    const U0 = randomVector(5, N_LQ * nu, 0.7);

    // ICS warm start: infeasible
    const pi = solver.probe(X0_LQ, N_LQ, U0, ics(X0_LQ, N_LQ), {}, alphas);
    assert.ok(pi.backwardOk && !pi.feasible, name);
    for (let i = 0; i < alphas.length; i++) {
      const a = alphas[i];
      const predicted = a * pi.d1 + 0.5 * a * a * pi.d2;
      const actual = pi.trialCosts[i] - pi.cost;
      assert.ok(Math.abs(actual - predicted) <= 1e-10 * Math.max(1, Math.abs(pi.cost), Math.abs(pi.trialCosts[i])),
        `${name} infeasible alpha=${a}: actual ${actual} predicted ${predicted}`);
    }

    // feasible (rollout of U0)
    const pf = solver.probe(X0_LQ, N_LQ, U0, null, {}, alphas);
    assert.ok(pf.backwardOk && pf.feasible);
    for (let i = 0; i < alphas.length; i++) {
      const a = alphas[i];
      const predicted = a * pf.dV1 + a * a * pf.dV2;
      const actual = pf.trialCosts[i] - pf.cost;
      assert.ok(Math.abs(actual - predicted) <= 1e-10 * Math.max(1, Math.abs(pf.cost)),
        `${name} feasible alpha=${a}: actual ${actual} predicted ${predicted}`);
    }

    // FDDP on an LQ problem: the full step from the infeasible start is the optimum too
    const ref = riccati(model, X0_LQ, N_LQ);
    const r = solver.solve(X0_LQ, N_LQ, U0, ics(X0_LQ, N_LQ), { maxIter: 1 });
    assert.ok(r.feasible);
    assert.is(r.maxGap, 0);
    assert.ok(maxRelErr(r.U, ref.U) < 1e-9, `${name}: FDDP step ${maxRelErr(r.U, ref.U)}`);
  }
});

test("FDDP: from the ICS warm start the pendulum solve closes the gaps and converges to the rollout solve's minimum", () => {
  const model = new PendulumModel();
  const N = 60, x0 = [1.0, 0];
  const solver = new RefSolver(model, N);
  const U0 = new Float64Array(N);
  const rs = solver.solve(x0, N, U0, ics(x0, N));
  assert.is(rs.status, Status.Converged);
  assert.ok(rs.feasible);
  assert.is(rs.maxGap, 0);
  checkFeasible(model, rs, N);
  const rr = solver.solve(x0, N, U0, null);
  assert.is(rr.status, Status.Converged);
  close(rs.cost, rr.cost, 1e-9, "same minimum");
  assert.ok(maxRelErr(rs.U, rr.U) < 1e-4, `U ${maxRelErr(rs.U, rr.U)}`);
  // the returned cost is the cost of the returned trajectory
  close(rolloutCost(model, x0, rs.U, N), rs.cost, 1e-12, "cost of the returned U");

  // the warm start really was infeasible: with no iterations the gaps are reported open
  const r0 = solver.solve(x0, N, U0, ics(x0, N), { maxIter: 0 });
  assert.ok(!r0.feasible);
  assert.ok(r0.maxGap > 0.01, `initial gap ${r0.maxGap}`);
  // first iteration starts infeasible (d1, d2 in use), the last ones are feasible
  const infos: IterationInfo[] = [];
  solver.solve(x0, N, U0, ics(x0, N), { onIteration: (i) => { infos.push(i); } });
  assert.ok(infos[0].d2 !== 0);
  assert.ok(infos[infos.length - 1].feasible);
});

test("feasible mode: the cost never increases across accepted iterations (pendulum swing-up)", () => {
  const model = new PendulumModel({ target: Math.PI, wU: 0.01, wfTheta: 100, wfOmega: 10 });
  const N = 100;
  const solver = new RefSolver(model, N);
  const r = solver.solve([0, 0], N, new Float64Array(N));
  assert.is(r.status, Status.Converged);
  assert.ok(r.costHistory.length >= 5, `history ${r.costHistory.length}`);
  for (let i = 1; i < r.costHistory.length; i++) {
    assert.ok(r.costHistory[i] <= r.costHistory[i - 1], `J went up at ${i}`);
  }
  assert.is(r.costHistory[r.costHistory.length - 1], r.cost);
  checkFeasible(model, r, N);
});

test("box: controls within bounds, converged, KKT conditions at the solution", () => {
  const model = new PendulumModel();
  const N = 60, x0 = [1.0, 0];
  const solver = new RefSolver(model, N);
  const free = solver.solve(x0, N, new Float64Array(N));
  const umax = Math.max(...Array.from(free.U, Math.abs));
  const lo = -0.2 * umax, hi = 0.6 * umax;
  // an out-of-box warm start is clamped
  const U0 = new Float64Array(N).fill(5 * umax);
  const r = solver.solve(x0, N, U0, null, { box: { lower: [lo], upper: [hi] }, tol: 1e-14 });
  assert.is(r.status, Status.Converged, r.statusName);
  assert.ok(r.cost > free.cost);
  let nHi = 0, nLo = 0, nFree = 0;
  const grad = rolloutGradient(model, r.X, r.U, N);
  for (let k = 0; k < N; k++) {
    const u = r.U[k], gk = grad[k];
    assert.ok(u >= lo && u <= hi, `u_${k} = ${u} outside the box`);
    if (u === hi) {
      nHi++;
      assert.ok(gk <= 1e-7, `u_${k} at the upper bound, gradient ${gk} must not be positive`);
      // clamped: no feedback
      assert.is(r.K[k * 2] , 0);
      assert.is(r.K[k * 2 + 1], 0);
    } else if (u === lo) {
      nLo++;
      assert.ok(gk >= -1e-7, `u_${k} at the lower bound, gradient ${gk} must not be negative`);
    } else {
      nFree++;
      assert.ok(Math.abs(gk) < 1e-6, `free u_${k}: gradient ${gk}`);
    }
  }
  assert.ok(nHi > 0 && nFree > 0, `clamped ${nHi}+${nLo}, free ${nFree}`);
  // the adjoint gradient is the finite-difference gradient (checks the oracle itself)
  const k = 30, h = 1e-6;
  const Up = Float64Array.from(r.U), Um = Float64Array.from(r.U);
  Up[k] += h;
  Um[k] -= h;
  const fd = (rolloutCost(model, x0, Up, N) - rolloutCost(model, x0, Um, N)) / (2 * h);
  assert.ok(Math.abs(fd - grad[k]) < 1e-6, `fd ${fd} adjoint ${grad[k]}`);

  // a box that is never active gives the unconstrained solution
  const loose = solver.solve(x0, N, new Float64Array(N), null, { box: { lower: [-100], upper: [100] } });
  assert.is(loose.status, Status.Converged);
  assert.ok(maxRelErr(loose.U, free.U) < 1e-7);
  close(loose.cost, free.cost, 1e-12, "loose box");
});

test("box on a two-control LQ problem, from an infeasible and a feasible start", () => {
  const model = new LQModel(LQ_CASES[1].data);
  const N = N_LQ;
  const solver = new RefSolver(model, N);
  const free = solver.solve(X0_LQ, N, new Float64Array(2 * N));
  // half the range of the unconstrained controls, per control
  const lower = [Infinity, Infinity], upper = [-Infinity, -Infinity];
  for (let k = 0; k < N; k++) {
    for (let i = 0; i < 2; i++) {
      lower[i] = Math.min(lower[i], 0.5 * free.U[2 * k + i]);
      upper[i] = Math.max(upper[i], 0.5 * free.U[2 * k + i]);
    }
  }
  const opts = { box: { lower, upper }, tol: 1e-12 };
  const r = solver.solve(X0_LQ, N, new Float64Array(2 * N), ics(X0_LQ, N), opts);
  assert.is(r.status, Status.Converged, r.statusName);
  assert.ok(r.feasible);
  checkFeasible(model, r, N);
  const grad = rolloutGradient(model, r.X, r.U, N);
  let clamped = 0;
  for (let k = 0; k < N; k++) {
    for (let i = 0; i < 2; i++) {
      const u = r.U[2 * k + i], g = grad[2 * k + i];
      assert.ok(u >= lower[i] && u <= upper[i]);
      if (u === upper[i]) { clamped++; assert.ok(g <= 1e-6, `upper ${k},${i}: ${g}`); }
      else if (u === lower[i]) { clamped++; assert.ok(g >= -1e-6, `lower ${k},${i}: ${g}`); }
      else assert.ok(Math.abs(g) < 1e-5, `free ${k},${i}: ${g}`);
    }
  }
  assert.ok(clamped > 0);
  const rf = solver.solve(X0_LQ, N, new Float64Array(2 * N), null, opts);
  assert.is(rf.status, Status.Converged);
  close(rf.cost, r.cost, 1e-10, "same constrained minimum from both starts");
  assert.ok(maxRelErr(rf.U, r.U) < 1e-5);
});

test('"vxx" regularisation converges to the same solution as "quu" on the LQ problem', () => {
  for (const { name, data } of LQ_CASES) {
    const model = new LQModel(data);
    const ref = riccati(model, X0_LQ, N_LQ);
    const solver = new RefSolver(model, N_LQ);
    const U0 = new Float64Array(N_LQ * 2);
    for (const reg of ["quu", "vxx"] as const) {
      // a tight tol, since the steps taken with mu > 0 are inexact
      const r = solver.solve(X0_LQ, N_LQ, U0, null, { reg, muInit: 1e-2, tol: 1e-18 });
      assert.is(r.status, Status.Converged, `${name} ${reg}`);
      assert.ok(r.iterations > 2, "the regularisation did act");
      assert.ok(maxRelErr(r.U, ref.U) < 1e-7, `${name} ${reg}: ${maxRelErr(r.U, ref.U)}`);
      close(r.cost, ref.J, 1e-10, `${name} ${reg}`);
    }
    // with mu = 0 the two are the same pass
    const a = solver.solve(X0_LQ, N_LQ, U0, null, { reg: "vxx", maxIter: 1 });
    assert.ok(maxRelErr(a.U, ref.U) < 1e-9);
  }
});

test("statuses: non-finite (cost, derivatives), regularisation limit, max-iterations, time limit", () => {
  const pend = new PendulumModel();
  const N = 40, x0 = [1.0, 0], U0 = new Float64Array(N);

  const nanCost = new WrappedModel(pend, { cost: () => NaN });
  const r1 = new RefSolver(nanCost, N).solve(x0, N, U0);
  assert.is(r1.status, Status.NonFinite);
  assert.is(r1.statusName, "non-finite");
  assert.is(r1.iterations, 0);

  const nanDiff = new WrappedModel(pend, { diff: (_lx, _lu, lxx) => { lxx[0] = NaN; } });
  const r2 = new RefSolver(nanDiff, N).solve(x0, N, U0);
  assert.is(r2.status, Status.NonFinite);
  assert.is(r2.iterations, 0);
  assert.ok(!r2.gainsValid, "no final pass on non-finite derivatives");
  assert.is(r2.mu, 0);

  // a very negative luu cannot be regularised below muMax
  const concave = new WrappedModel(pend, { diff: (_lx, _lu, _lxx, luu) => { luu[0] = -1e25; } });
  const r3 = new RefSolver(concave, N).solve(x0, N, U0);
  assert.is(r3.status, Status.RegularisationLimit);
  assert.is(r3.iterations, 0);
  assert.ok(!r3.gainsValid);
  assert.ok(r3.mu > 1e20);
  assert.ok(r3.K.every((v) => v === 0));

  // NaN only for large controls: the line search skips non-finite trials and shorter steps succeed
  const edgy = new WrappedModel(pend, { cost: (c) => (c > 2 ? NaN : c) });
  const r4 = new RefSolver(edgy, N).solve([0.2, 0], N, U0);
  assert.ok(Number.isFinite(r4.cost));

  const swing = new PendulumModel({ target: Math.PI, wU: 0.01, wfTheta: 100, wfOmega: 10 });
  const r5 = new RefSolver(swing, 100).solve([0, 0], 100, new Float64Array(100), null, { maxIter: 3 });
  assert.is(r5.status, Status.MaxIterations);
  assert.is(r5.iterations, 3);
  assert.ok(r5.gainsValid);

  const r6 = new RefSolver(swing, 100).solve([0, 0], 100, new Float64Array(100), null, { maxIter: 0 });
  assert.is(r6.status, Status.MaxIterations);
  assert.is(r6.iterations, 0);
  assert.ok(r6.gainsValid, "the final backward pass gives gains at the warm start");
  assert.ok(r6.Vx.some((v) => v !== 0));

  // each step() call takes >= 20 us, so a 3 ms budget ends long before convergence
  const slow = new WrappedModel(swing, {
    beforeStep: () => { const t = performance.now(); while (performance.now() - t < 0.02); },
  });
  const r7 = new RefSolver(slow, 100).solve([0, 0], 100, new Float64Array(100), null, { timeLimitMs: 3 });
  assert.is(r7.status, Status.TimeLimit);
  assert.ok(r7.timeMs >= 3);
  assert.ok(r7.iterations < 7);
});

test("the workspace is reused across solves of different horizons; results are copies", () => {
  const model = new PendulumModel();
  const shared = new RefSolver(model, 80);
  const a1 = shared.solve([1.0, 0], 60, new Float64Array(60), null, { computeVxx: true });
  const b = shared.solve([-0.5, 1], 80, new Float64Array(80), ics([-0.5, 1], 80), { box: { lower: [-2], upper: [2] } });
  const bFresh = new RefSolver(model, 80).solve([-0.5, 1], 80, new Float64Array(80), ics([-0.5, 1], 80), { box: { lower: [-2], upper: [2] } });
  const a2 = shared.solve([1.0, 0], 60, new Float64Array(60), null, { computeVxx: true });
  const aFresh = new RefSolver(model, 60).solve([1.0, 0], 60, new Float64Array(60), null, { computeVxx: true });
  for (const [x, y] of [[a1, a2], [a2, aFresh], [b, bFresh]] as const) {
    assert.equal(Array.from(x.U), Array.from(y.U));
    assert.equal(Array.from(x.X), Array.from(y.X));
    assert.equal(Array.from(x.Vx), Array.from(y.Vx));
    assert.equal(Array.from(x.K), Array.from(y.K));
    assert.is(x.cost, y.cost);
    assert.is(x.iterations, y.iterations);
  }
  assert.is(a1.X.length, 61 * 2);
  assert.is(a1.U.length, 60);
  assert.is(a1.K.length, 60 * 2);
  assert.is(a1.Vxx!.length, 61 * 4);
  assert.throws(() => shared.solve([0, 0], 81, new Float64Array(81)));
});

test.run();
