// The DDP / FDDP / Box-DDP loop of docs/algorithm.md, one call per solve.
import { ld, st, copy, zero } from "../mem";
import {
  bind, publishGains, swapTrial, n, m, N, X, U, XT, UT, F, C, CT, X0, LB, UB, OPT, OUT, HIST, KFF,
} from "./state";
import { costs, rollout, computeGaps, derivatives, backward, linearRollout, forward, stationarity, dV1, dV2, d1, d2, quMax, splitAt, failNode, pdAtFail, backwardCount, resetBackwardCount } from "./passes";
import {
  O_MAXITER, O_TOL, O_TIME, O_REG, O_MUINIT, O_MUMIN, O_MUMAX, O_MUFACTOR, O_LSSTEPS, O_ARMIJO, O_BOX, O_HASX,
  O_HESS, O_GRADTOL, R_STAT, R_SWITCH, R_QUMAX, R_NEXACT,
  R_STATUS, R_ITER, R_COST, R_MU, R_FEAS, R_MAXGAP, R_TIME, R_NHIST, R_BWDOK, R_DV1, R_DV2, HIST_CAP,
  R_TDIFF, R_TBWD, R_TFWD, R_NFWD, R_NSPLIT, R_NBWD,
  ST_CONVERGED, ST_MAXITER, ST_TIMELIMIT, ST_REGLIMIT, ST_NONFINITE, ST_ACCEPTABLE, O_ACCTOL, O_ACCITER, O_ALPHAMAX, O_MUDROPS, O_SPLIT, O_MUJUMP,
} from "./workspace";

// @ts-ignore: decorator
@external("env", "now")
declare function now(): f64;

let mu: f64 = 0;
let muMin: f64 = 0;
let muMax: f64 = 0;
let muFactor: f64 = 0;
let muJump = false;
let nHist: i32 = 0;

function increaseMu(): bool {
  mu = Math.max(muMin, mu * muFactor);
  return mu <= muMax;
}

function nextMu(v: f64): f64 {
  return Math.max(muMin, v * muFactor);
}

/**
 * Backward passes from the current mu up its sequence mu -> max(muMin, mu muFactor) until one
 * succeeds; mu is then that value. False when the sequence passes muMax (mu is then above it).
 * Without muJump: one step per failed pass. With muJump (docs/convergence.md, "Regularisation jumps"):
 * from a failed pass, straight to the first value at which the failing node's Quu~ (from that pass) is
 * positive definite and at least `stride` steps up (stride 1, 2, 4, ... doubling per failed jump, so
 * estimates that stop short still take O(log) passes), until a pass succeeds; then bisection on the
 * sequence between the last failure and that success - the value the one-step search finds wherever
 * success is monotone in mu, in about log2 of its passes.
 */
function passUp(reg: i32, box: bool, feasible: bool, exact: bool): bool {
  if (backward(mu, reg, box, feasible, exact)) return true;
  if (!muJump || box) {
    // with box, the box QP's warm start (the last published gains) would differ between the searches
    for (;;) {
      if (!increaseMu()) return false;
      if (backward(mu, reg, box, feasible, exact)) return true;
    }
  }
  let lo = mu;
  let steps = 0;
  let stride = 1;
  for (;;) {
    let c = lo;
    steps = 0;
    do {
      c = nextMu(c);
      steps++;
      if (c > muMax) { mu = c; return false; }
    } while (steps < stride || (failNode >= 0 && !pdAtFail(c, reg)));
    mu = c;
    if (backward(mu, reg, box, feasible, exact)) break;
    lo = c;
    stride *= 2;
  }
  // the last successful pass is the one at the final hi (each later success has a smaller mu)
  let hi = mu;
  while (steps > 1) {
    const h = steps >> 1;
    let c = lo;
    for (let i = 0; i < h; i++) c = nextMu(c);
    if (backward(c, reg, box, feasible, exact)) { hi = c; steps = h; }
    else { lo = c; steps -= h; }
  }
  mu = hi;
  return true;
}

function decreaseMu(): void {
  mu = mu / muFactor;
  if (mu < muMin) mu = 0;
}

// "hybrid" Hessian: every iteration tries the exact model first (its own mu, muE) and falls back to
// Gauss-Newton (mu = muG) when Quu~ of the exact model is not positive definite (measured in
// docs/convergence.md: far from a minimum the exact model is indefinite, near one Gauss-Newton creeps).
// "auto" Hessian: Gauss-Newton until the line search struggles (AUTO_RUN accepted steps in a row with
// alpha < AUTO_ALPHA), then exact DDP for the rest of the solve (docs/algorithm.md, measured in
// docs/convergence.md)
const AUTO_ALPHA: f64 = 0.25;
const AUTO_RUN: i32 = 3;
// a full step is very good when its actual decrease is at least GOOD_RATIO of the model's: the line
// search then also tries alpha = 2, 4, ... <= alphaMax while the cost keeps falling, and mu drops
// muDropsGood times (docs/algorithm.md; the TS reference's GOOD_RATIO)
const GOOD_RATIO: f64 = 0.75;

function record(J: f64): void {
  if (nHist < HIST_CAP) { st(HIST, nHist, J); nHist++; }
}

/** swap trial and current trajectories by copying (arrays keep their header addresses) */
function acceptTrial(): void {
  copy(X, XT, (N + 1) * n);
  copy(U, UT, N * m);
  copy(C, CT, N + 1);
}

/** solve the problem bound in workspace ws; returns the status code (also in the outputs block) */
export function solve(ws: usize): i32 {
  bind(ws);
  const t0 = now();
  const maxIter = <i32>ld(OPT, O_MAXITER);
  const tol = ld(OPT, O_TOL);
  const timeLimit = ld(OPT, O_TIME);
  const reg = <i32>ld(OPT, O_REG);
  mu = ld(OPT, O_MUINIT);
  muMin = ld(OPT, O_MUMIN);
  muMax = ld(OPT, O_MUMAX);
  muFactor = ld(OPT, O_MUFACTOR);
  muJump = ld(OPT, O_MUJUMP) != 0;
  const lsSteps = <i32>ld(OPT, O_LSSTEPS);
  const armijo = ld(OPT, O_ARMIJO);
  const alphaMax = ld(OPT, O_ALPHAMAX);
  const muDropsGood = <i32>ld(OPT, O_MUDROPS);
  const box = ld(OPT, O_BOX) != 0;
  const hasX = ld(OPT, O_HASX) != 0;
  const hess = <i32>ld(OPT, O_HESS);
  const gradTol = ld(OPT, O_GRADTOL);
  const accTol = ld(OPT, O_ACCTOL);
  const accIter = <i32>ld(OPT, O_ACCITER);
  let accRun = 0;
  let exact = hess == 1;
  let switchIt = exact ? 0 : -1;
  let shortRun = 0;
  const hybrid = hess == 3;
  const split = ld(OPT, O_SPLIT) != 0;
  let exactOff = false;
  let nExact = 0;
  let nSplit = 0;
  let muE: f64 = mu, muG: f64 = mu;
  nHist = 0;
  resetBackwardCount();
  let tDiff: f64 = 0, tBwd: f64 = 0, tFwd: f64 = 0;
  let nFwd = 0;

  if (box) {
    for (let k = 0; k < N; k++) {
      for (let i = 0; i < m; i++) {
        const v = ld(U, k * m + i), lo = ld(LB, i), hi = ld(UB, i);
        st(U, k * m + i, v < lo ? lo : v > hi ? hi : v);
      }
    }
  }
  copy(X, X0, n);
  let feasible = true;
  let maxGap: f64 = 0;
  if (hasX) {
    maxGap = computeGaps();
    feasible = maxGap == 0;
  } else {
    rollout();
    zero(F, (N + 1) * n);
  }
  zero(KFF, N * m);
  let J = costs();
  record(J);
  let status = ST_MAXITER;
  let iterations = 0;
  let bwdValid = false;
  let needDiff = true;
  if (!isFinite(J)) {
    status = ST_NONFINITE;
  } else {
    for (let it = 0; it < maxIter; it++) {
      if (now() - t0 > timeLimit) { status = ST_TIMELIMIT; break; }
      if (needDiff) {
        const ta = now();
        const fin = derivatives();
        tDiff += now() - ta;
        if (!fin) { status = ST_NONFINITE; break; }
        needDiff = false;
        if (accIter > 0) {
          // IPOPT-style acceptable level, counted over new iterates only
          accRun = feasible && stationarity() <= accTol * Math.max(1.0, Math.abs(J)) ? accRun + 1 : 0;
          if (accRun >= accIter) { status = ST_ACCEPTABLE; break; }
        }
      }
      let ok = false;
      const tb = now();
      let usedExact = exact;
      let usedSplit = false;
      if (hybrid && !exactOff) {
        // the exact model at its own regularisation muE when Quu~ is positive definite there; otherwise
        // raise muE for the next iteration and take a Gauss-Newton step at muG this time
        // with split, the pass continues as Gauss-Newton at muG from the node where the exact model
        // fails (the nodes after it keep the exact model); the iteration then counts as Gauss-Newton
        mu = muE;
        ok = backward(mu, reg, box, feasible, true, split ? muG : -1.0);
        usedExact = ok && splitAt < 0;
        usedSplit = ok && splitAt >= 0;
        if (!usedExact) {
          if (!increaseMu()) exactOff = true;
          muE = mu;
        }
      }
      if (hybrid && !usedExact) mu = muG;
      if (!ok) ok = passUp(reg, box, feasible, usedExact);
      tBwd += now() - tb;
      if (!ok) { status = ST_REGLIMIT; break; }
      bwdValid = true;
      iterations++;
      if (feasible && (Math.abs(dV1 + dV2) < tol || (gradTol > 0 && quMax <= gradTol))) { status = ST_CONVERGED; break; }
      if (!feasible) linearRollout();
      let accepted = false;
      let alpha: f64 = 1;
      const tf = now();
      for (let i = 0; i < lsSteps; i++) {
        let Jt = forward(alpha, box, feasible);
        nFwd++;
        if (isFinite(Jt)) {
          const actual = J - Jt;
          let acc = false;
          if (feasible) {
            const expected = -(alpha * dV1 + alpha * alpha * dV2);
            acc = actual >= armijo * expected;
          } else {
            const expected = -(alpha * d1 + 0.5 * alpha * alpha * d2);
            acc = expected > 0 ? actual >= armijo * expected : actual >= 2.0 * expected;
          }
          if (acc) {
            // a very good full step: try longer ones while the cost keeps falling, and drop mu faster
            const model = -(dV1 + dV2);
            const good = alpha == 1 && feasible && model > 0 && actual >= GOOD_RATIO * model;
            if (good && alphaMax >= 2) {
              // the best trial so far sits in the spare buffers while the next one is computed
              // only where the model itself predicts a decrease from a / 2 to a: m(a) < m(a / 2), i.e.
              // dV1 + 1.5 a dV2 < 0 with m(alpha) = alpha dV1 + alpha^2 dV2
              for (let a: f64 = 2; a <= alphaMax && dV1 + 1.5 * a * dV2 < 0; a *= 2) {
                swapTrial();
                const Ja = forward(a, box, feasible);
                nFwd++;
                if (!(Ja < Jt)) { swapTrial(); break; }
                Jt = Ja;
              }
            }
            acceptTrial();
            J = Jt;
            record(J);
            if (!feasible) {
              if (alpha == 1) { zero(F, (N + 1) * n); feasible = true; maxGap = 0; }
              else {
                const s = 1.0 - alpha;
                maxGap = 0;
                for (let j = 0; j < (N + 1) * n; j++) {
                  const g = s * ld(F, j);
                  st(F, j, g);
                  maxGap = Math.max(maxGap, Math.abs(g));
                }
              }
            }
            needDiff = true;
            bwdValid = false;
            decreaseMu();
            if (good) for (let d = 1; d < muDropsGood; d++) decreaseMu();
            accepted = true;
            if (hess == 2 && !exact) {
              shortRun = alpha < AUTO_ALPHA ? shortRun + 1 : 0;
              if (shortRun >= AUTO_RUN) { exact = true; switchIt = it + 1; }
            }
            break;
          }
        }
        alpha *= 0.5;
      }
      tFwd += now() - tf;
      if (accepted && usedExact) nExact++;
      if (accepted && usedSplit) nSplit++;
      if (hybrid && usedExact) {
        if (switchIt < 0) switchIt = it;
        if (!accepted && !increaseMu()) exactOff = true;
        muE = mu;
        continue;
      }
      if (!accepted && !increaseMu()) { status = ST_REGLIMIT; break; }
      if (hybrid) muG = mu;
    }
  }
  // gains and value derivatives of the returned trajectory
  if (hybrid) mu = muG;
  let diffAtX = !needDiff && status != ST_NONFINITE;
  if (!bwdValid && status != ST_NONFINITE) {
    let ok = true;
    if (needDiff) { ok = derivatives(); diffAtX = ok; }
    if (ok) ok = passUp(reg, box, feasible, exact);
    bwdValid = ok;
  }
  const stat = diffAtX ? stationarity() : NaN;
  publishGains();
  st(OUT, R_TDIFF, tDiff);
  st(OUT, R_TBWD, tBwd);
  st(OUT, R_TFWD, tFwd);
  st(OUT, R_NFWD, <f64>nFwd);
  st(OUT, R_STATUS, <f64>status);
  st(OUT, R_ITER, <f64>iterations);
  st(OUT, R_COST, J);
  st(OUT, R_MU, mu);
  st(OUT, R_FEAS, feasible ? 1.0 : 0.0);
  st(OUT, R_MAXGAP, maxGap);
  st(OUT, R_TIME, now() - t0);
  st(OUT, R_NHIST, <f64>nHist);
  st(OUT, R_BWDOK, bwdValid ? 1.0 : 0.0);
  st(OUT, R_DV1, dV1);
  st(OUT, R_DV2, dV2);
  st(OUT, R_STAT, stat);
  st(OUT, R_SWITCH, <f64>switchIt);
  st(OUT, R_QUMAX, quMax);
  st(OUT, R_NEXACT, <f64>nExact);
  st(OUT, R_NSPLIT, <f64>nSplit);
  st(OUT, R_NBWD, <f64>backwardCount);
  return status;
}
