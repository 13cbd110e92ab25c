// The six benchmark systems as models of the registry's interface (./registry.ts): thin wrappers
// that give every system's functions the interface's uniform signatures, registered in the order of
// their ids (SYS_* in ../params.ts, mirrored in src/systems/layout.ts). Nothing else in the engine
// names a system.
import { SYS_TOY1D, SYS_SINGLE_INTEGRATOR, SYS_DOUBLE_INTEGRATOR, SYS_CAR, SYS_CAR_PARK, SYS_MANIPULATOR } from "../params";
import { registerModel } from "./registry";
import { toyStep, toyStepDiff, toyRunning, toyTerminal } from "./toy1d";
import { singleStep, singleStepDiff, doubleStep, doubleStepDiff } from "./integrators";
import { carStep, carStepDiff } from "./car";
import { parkStep, parkStepDiff, parkRunning, parkTerminal } from "./carpark";
import { armStep, armStepDiff, armRunning, armTerminal } from "./manipulator";
import { planarRunning, planarTerminal } from "./planar";
import { carStepHess, parkStepHess, armStepHess } from "./curvature";
import { zero } from "../mem";

type StepFn = (p: usize, x: usize, u: usize, out: usize) => void;
type DiffFn = (p: usize, x: usize, u: usize, A: usize, B: usize) => void;
type HessFn = (p: usize, x: usize, u: usize, lam: usize, Hxx: usize, Huu: usize, Hux: usize) => i32;
type RunFn = (p: usize, x: usize, u: usize, diff: i32, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize) => f64;
type TermFn = (p: usize, x: usize, diff: i32, lx: usize, lxx: usize) => f64;

function linearHess(p: usize, x: usize, u: usize, lam: usize, Hxx: usize, Huu: usize, Hux: usize): i32 { return 0; }

function toyDiffW(p: usize, x: usize, u: usize, A: usize, B: usize): void { toyStepDiff(p, A, B); }
function toyRunW(p: usize, x: usize, u: usize, diff: i32, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  return toyRunning(p, x, u, diff != 0, lx, lu, lxx, luu, lux);
}
function toyTermW(p: usize, x: usize, diff: i32, lx: usize, lxx: usize): f64 { return toyTerminal(p, x, diff != 0, lx, lxx); }

function singleDiffW(p: usize, x: usize, u: usize, A: usize, B: usize): void { singleStepDiff(p, A, B); }
function singleRunW(p: usize, x: usize, u: usize, diff: i32, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  return planarRunning(p, x, u, 2, 2, diff != 0, lx, lu, lxx, luu, lux);
}
function singleTermW(p: usize, x: usize, diff: i32, lx: usize, lxx: usize): f64 { return planarTerminal(p, x, 2, 2, 2, diff != 0, lx, lxx); }

function doubleDiffW(p: usize, x: usize, u: usize, A: usize, B: usize): void { doubleStepDiff(p, A, B); }
function doubleRunW(p: usize, x: usize, u: usize, diff: i32, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  return planarRunning(p, x, u, 4, 2, diff != 0, lx, lu, lxx, luu, lux);
}
function doubleTermW(p: usize, x: usize, diff: i32, lx: usize, lxx: usize): f64 { return planarTerminal(p, x, 4, 2, 4, diff != 0, lx, lxx); }

function carDiffW(p: usize, x: usize, u: usize, A: usize, B: usize): void { carStepDiff(p, x, A, B); }
function carHessW(p: usize, x: usize, u: usize, lam: usize, Hxx: usize, Huu: usize, Hux: usize): i32 {
  carStepHess(p, x, lam, Hxx); zero(Huu, 4); zero(Hux, 10); return 1;
}
function carRunW(p: usize, x: usize, u: usize, diff: i32, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  return planarRunning(p, x, u, 5, 2, diff != 0, lx, lu, lxx, luu, lux);
}
function carTermW(p: usize, x: usize, diff: i32, lx: usize, lxx: usize): f64 { return planarTerminal(p, x, 5, 3, 4, diff != 0, lx, lxx); }

function parkDiffW(p: usize, x: usize, u: usize, A: usize, B: usize): void { parkStepDiff(p, x, A, B); }
function parkHessW(p: usize, x: usize, u: usize, lam: usize, Hxx: usize, Huu: usize, Hux: usize): i32 {
  parkStepHess(p, x, lam, Hxx); zero(Huu, 4); zero(Hux, 10); return 1;
}
function parkRunW(p: usize, x: usize, u: usize, diff: i32, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  return parkRunning(p, x, u, diff != 0, lx, lu, lxx, luu, lux);
}
function parkTermW(p: usize, x: usize, diff: i32, lx: usize, lxx: usize): f64 { return parkTerminal(p, x, diff != 0, lx, lxx); }

function armHessW(p: usize, x: usize, u: usize, lam: usize, Hxx: usize, Huu: usize, Hux: usize): i32 {
  armStepHess(p, x, u, lam, Hxx, Hux); zero(Huu, 9); return 1;
}
function armRunW(p: usize, x: usize, u: usize, diff: i32, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  return armRunning(p, x, u, diff != 0, lx, lu, lxx, luu, lux);
}
function armTermW(p: usize, x: usize, diff: i32, lx: usize, lxx: usize): f64 { return armTerminal(p, x, diff != 0, lx, lxx); }

function add(id: i32, nx: i32, nu: i32, s: StepFn, d: DiffFn, h: HessFn, r: RunFn, t: TermFn): void {
  const got = registerModel(nx, nu, s.index, d.index, h.index, r.index, t.index);
  if (got != id) unreachable(); // the ids are part of the ABI (src/systems/layout.ts)
}

/** registers the six systems at ids 0..5; runs once, at instantiation (the module's start function) */
export function registerBuiltins(): void {
  add(SYS_TOY1D, 1, 1, toyStep, toyDiffW, linearHess, toyRunW, toyTermW);
  add(SYS_SINGLE_INTEGRATOR, 2, 2, singleStep, singleDiffW, linearHess, singleRunW, singleTermW);
  add(SYS_DOUBLE_INTEGRATOR, 4, 2, doubleStep, doubleDiffW, linearHess, doubleRunW, doubleTermW);
  add(SYS_CAR, 5, 2, carStep, carDiffW, carHessW, carRunW, carTermW);
  add(SYS_CAR_PARK, 5, 2, parkStep, parkDiffW, parkHessW, parkRunW, parkTermW);
  add(SYS_MANIPULATOR, 6, 3, armStep, armStepDiff, armHessW, armRunW, armTermW);
}
