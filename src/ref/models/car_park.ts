import { P } from "../../systems/layout.js";
import { addBoxes } from "../costs/box.js";
import { addPeak } from "../costs/peak.js";
import { clearPoint, PT } from "../costs/point.js";
import { addTargetDistance } from "../costs/target.js";
import { BenchmarkModel } from "./base.js";

const NX = 5;
const NU = 2;

/**
 * Car outline in the body frame relative to the car centre, as multiples of (L, W): corners, the
 * thirds of the long sides and the mid-points of the short sides, in the order of the reference.
 */
const OUTLINE_FX = [-1 / 2, -1 / 6, 1 / 6, 1 / 2, 1 / 2, 1 / 2, 1 / 6, -1 / 6, -1 / 2, -1 / 2];
const OUTLINE_FY = [1 / 2, 1 / 2, 1 / 2, 1 / 2, 0, -1 / 2, -1 / 2, -1 / 2, -1 / 2, 0];

/**
 * Kinematic bicycle for perpendicular parking, x = [px, py, th, v, d] with p the rear-axle point,
 * u = [acc, steering rate]. Every point the cost looks at is rigidly attached to the car,
 * w = p + R(th) r, so its Jacobian w.r.t. (px, py, th) is [I | R'(th) r] and the only second
 * derivative is d^2 w / d th^2 = -(w - p).
 */
export class CarPark extends BenchmarkModel {
  private readonly pt = new Float64Array(PT.N);

  constructor(params: Float64Array) {
    super(params, NX, NU, 3, 1);
  }

  step(out: Float64Array, x: Float64Array, u: Float64Array): void {
    const p = this.params;
    const dt = p[P.DT];
    out[0] = x[0] + dt * x[3] * Math.cos(x[2]);
    out[1] = x[1] + dt * x[3] * Math.sin(x[2]);
    out[2] = x[2] + (dt * x[3] * Math.tan(x[4])) / p[P.CP_LD];
    out[3] = x[3] + dt * u[0];
    out[4] = x[4] + (dt * u[1]) / p[P.CP_TAU];
  }

  stepDiff(A: Float64Array, B: Float64Array, x: Float64Array): void {
    const p = this.params;
    const dt = p[P.DT];
    const ld = p[P.CP_LD];
    const c = Math.cos(x[2]);
    const s = Math.sin(x[2]);
    const t = Math.tan(x[4]);
    A.fill(0, 0, NX * NX);
    B.fill(0, 0, NX * NU);
    for (let i = 0; i < NX; i++) A[i * NX + i] = 1;
    A[0 * NX + 2] = -dt * x[3] * s;
    A[0 * NX + 3] = dt * c;
    A[1 * NX + 2] = dt * x[3] * c;
    A[1 * NX + 3] = dt * s;
    A[2 * NX + 3] = (dt * t) / ld;
    A[2 * NX + 4] = (dt * x[3] * (1 + t * t)) / ld;
    B[3 * NU + 0] = dt;
    B[4 * NU + 1] = dt / p[P.CP_TAU];
  }

  /**
   * lam-contracted curvature (exact DDP); as assembly/models/curvature.ts parkStepHess: px', py' are
   * nonlinear in (th, v), th' in (v, d); u enters linearly (Huu = Hux = 0).
   */
  stepHess(Hxx: Float64Array, Huu: Float64Array, Hux: Float64Array, x: Float64Array, _u: Float64Array, lam: Float64Array): boolean {
    const p = this.params;
    const dt = p[P.DT], ild = 1.0 / p[P.CP_LD];
    const th = x[2], v = x[3], d = x[4];
    const c = Math.cos(th), s = Math.sin(th), t = Math.tan(d), sec2 = 1.0 + t * t;
    const l0 = lam[0], l1 = lam[1], l2 = lam[2];
    const w = dt * (l1 * c - l0 * s);
    Hxx.fill(0, 0, NX * NX);
    Hxx[2 * NX + 2] = -dt * v * (l0 * c + l1 * s);
    Hxx[2 * NX + 3] = w; Hxx[3 * NX + 2] = w;
    const vd = l2 * dt * sec2 * ild;
    Hxx[3 * NX + 4] = vd; Hxx[4 * NX + 3] = vd;
    Hxx[4 * NX + 4] = l2 * dt * v * 2.0 * t * sec2 * ild;
    Huu.fill(0, 0, NU * NU);
    Hux.fill(0, 0, NU * NX);
    return true;
  }

  /**
   * Pushes the point cost in this.pt, evaluated at w = p + R(th) (rx, ry), through the rigid map into
   * the (px, py, th) block of lx / lxx.
   */
  private addRigidPoint(lx: Float64Array, lxx: Float64Array, rx: number, ry: number, c: number, s: number): void {
    const a = this.pt;
    const jx = -rx * s - ry * c; // d wx / d th
    const jy = rx * c - ry * s; // d wy / d th
    const gx = a[PT.GX], gy = a[PT.GY];
    const hxx = a[PT.HXX], hxy = a[PT.HXY], hyy = a[PT.HYY];
    lx[0] += gx;
    lx[1] += gy;
    lx[2] += gx * jx + gy * jy;
    const h0t = hxx * jx + hxy * jy;
    const h1t = hxy * jx + hyy * jy;
    lxx[0 * NX + 0] += hxx;
    lxx[0 * NX + 1] += hxy;
    lxx[1 * NX + 0] += hxy;
    lxx[1 * NX + 1] += hyy;
    lxx[0 * NX + 2] += h0t;
    lxx[2 * NX + 0] += h0t;
    lxx[1 * NX + 2] += h1t;
    lxx[2 * NX + 1] += h1t;
    // J^T H J in th plus the curvature of the circular path the point draws as th turns
    lxx[2 * NX + 2] += jx * h0t + jy * h1t - gx * (rx * c - ry * s) - gy * (rx * s + ry * c);
  }

  /** Target terms at the centre plus box penalties on the outline, added into lx / lxx (pre-cleared). */
  protected override positionCost(lx: Float64Array, lxx: Float64Array, x: Float64Array): number {
    const p = this.params;
    const sc = p[P.S];
    const c = Math.cos(x[2]);
    const s = Math.sin(x[2]);
    const len = p[P.CP_L];
    const wid = p[P.CP_W];
    const half = 0.5 * p[P.CP_LD];
    let total = 0;

    clearPoint(this.pt);
    const cx = x[0] + half * c;
    const cy = x[1] + half * s;
    addTargetDistance(this.pt, sc * p[P.WD], cx, cy, p);
    addPeak(this.pt, -sc * p[P.WPEAK], cx, cy, p);
    total += this.pt[PT.V];
    this.addRigidPoint(lx, lxx, half, 0, c, s);

    const wob = sc * p[P.WOB];
    for (let k = 0; k < OUTLINE_FX.length; k++) {
      const rx = half + len * OUTLINE_FX[k];
      const ry = wid * OUTLINE_FY[k];
      clearPoint(this.pt);
      addBoxes(this.pt, wob, x[0] + rx * c - ry * s, x[1] + rx * s + ry * c, p);
      total += this.pt[PT.V];
      this.addRigidPoint(lx, lxx, rx, ry, c, s);
    }
    return total;
  }
}
