// Single integrator p' = p + dt u, and double integrator p' = p + dt v, v' = v + dt u / m.
import { par, P_DT, P_DI_MASS } from "../params";
import { ld, st, zero } from "../mem";

export function singleStep(p: usize, x: usize, u: usize, out: usize): void {
  const dt = par(p, P_DT);
  st(out, 0, ld(x, 0) + dt * ld(u, 0));
  st(out, 1, ld(x, 1) + dt * ld(u, 1));
}

export function singleStepDiff(p: usize, A: usize, B: usize): void {
  const dt = par(p, P_DT);
  zero(A, 4); zero(B, 4);
  st(A, 0, 1.0); st(A, 3, 1.0);
  st(B, 0, dt); st(B, 3, dt);
}

export function doubleStep(p: usize, x: usize, u: usize, out: usize): void {
  const dt = par(p, P_DT);
  const im = 1.0 / par(p, P_DI_MASS);
  st(out, 0, ld(x, 0) + dt * ld(x, 2));
  st(out, 1, ld(x, 1) + dt * ld(x, 3));
  st(out, 2, ld(x, 2) + dt * im * ld(u, 0));
  st(out, 3, ld(x, 3) + dt * im * ld(u, 1));
}

export function doubleStepDiff(p: usize, A: usize, B: usize): void {
  const dt = par(p, P_DT);
  const im = 1.0 / par(p, P_DI_MASS);
  zero(A, 16); zero(B, 8);
  for (let i = 0; i < 4; i++) st(A, i * 4 + i, 1.0);
  st(A, 0 * 4 + 2, dt); st(A, 1 * 4 + 3, dt);
  st(B, 2 * 2 + 0, dt * im); st(B, 3 * 2 + 1, dt * im);
}
