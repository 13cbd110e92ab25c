// Kinematic car with acceleration state: x = [px, py, th, v, a], u = [w, j].
import { par, P_DT } from "../params";
import { ld, st, zero } from "../mem";

export function carStep(p: usize, x: usize, u: usize, out: usize): void {
  const dt = par(p, P_DT);
  const th = ld(x, 2), v = ld(x, 3), a = ld(x, 4);
  const r = dt * v + 0.5 * dt * dt * a;
  st(out, 0, ld(x, 0) + r * Math.cos(th));
  st(out, 1, ld(x, 1) + r * Math.sin(th));
  st(out, 2, th + dt * ld(u, 0));
  st(out, 3, v + dt * a);
  st(out, 4, a + dt * ld(u, 1));
}

export function carStepDiff(p: usize, x: usize, A: usize, B: usize): void {
  const dt = par(p, P_DT);
  const th = ld(x, 2), v = ld(x, 3), a = ld(x, 4);
  const c = Math.cos(th), s = Math.sin(th);
  const r = dt * v + 0.5 * dt * dt * a;
  const h = 0.5 * dt * dt;
  zero(A, 25); zero(B, 10);
  for (let i = 0; i < 5; i++) st(A, i * 5 + i, 1.0);
  st(A, 2, -r * s); st(A, 3, dt * c); st(A, 4, h * c);
  st(A, 7, r * c); st(A, 8, dt * s); st(A, 9, h * s);
  st(A, 3 * 5 + 4, dt);
  st(B, 2 * 2 + 0, dt);
  st(B, 4 * 2 + 1, dt);
}
