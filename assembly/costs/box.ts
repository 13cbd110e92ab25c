// Smooth box indicator box(x,y) = X(x) Y(y), X(x) = S(k(x-lo)) (1 - S(k(x-hi))),
// S(z) = 0.5 (1 + z / sqrt(1 + z^2)). Derivatives w.r.t. the point left in the globals.

export let bgx: f64 = 0;
export let bgy: f64 = 0;
export let bhxx: f64 = 0;
export let bhxy: f64 = 0;
export let bhyy: f64 = 0;

let w0: f64 = 0;
let w1: f64 = 0;
let w2: f64 = 0;

/** one axis: value, first and second derivative in w0, w1, w2 */
function window1(x: f64, lo: f64, hi: f64, k: f64): void {
  const z1 = k * (x - lo);
  const z2 = k * (x - hi);
  const q1 = 1.0 + z1 * z1;
  const q2 = 1.0 + z2 * z2;
  const r1 = 1.0 / Math.sqrt(q1);
  const r2 = 1.0 / Math.sqrt(q2);
  const s1 = 0.5 * (1.0 + z1 * r1);
  const t2 = 0.5 * (1.0 - z2 * r2); // 1 - S(z2)
  const d1 = 0.5 * r1 * r1 * r1 * k; // S'(z1) k
  const d2 = 0.5 * r2 * r2 * r2 * k;
  const e1 = -1.5 * z1 * r1 * r1 * r1 * r1 * r1 * k * k; // S''(z1) k^2
  const e2 = -1.5 * z2 * r2 * r2 * r2 * r2 * r2 * k * k;
  w0 = s1 * t2;
  w1 = d1 * t2 - s1 * d2;
  w2 = e1 * t2 - 2.0 * d1 * d2 - s1 * e2;
}

export function smoothBox(x: f64, y: f64, xc: f64, yc: f64, wx: f64, wy: f64, k: f64, diff: bool): f64 {
  window1(x, xc - 0.5 * wx, xc + 0.5 * wx, k);
  const X0 = w0, X1 = w1, X2 = w2;
  window1(y, yc - 0.5 * wy, yc + 0.5 * wy, k);
  const Y0 = w0, Y1 = w1, Y2 = w2;
  if (diff) {
    bgx = X1 * Y0;
    bgy = X0 * Y1;
    bhxx = X2 * Y0;
    bhyy = X0 * Y2;
    bhxy = X1 * Y1;
  }
  return X0 * Y0;
}
