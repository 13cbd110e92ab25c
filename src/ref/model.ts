/**
 * The contract of an action model in the plain-TypeScript reference (the WASM kernels implement the
 * same contract in assembly/models). Output first, nothing allocates: every method writes into
 * caller-owned arrays, which may be subarray views of a larger workspace.
 *
 * Matrices are dense row-major:
 *   A[i*nx + j] = d f_i / d x_j            (nx x nx)
 *   B[i*nu + j] = d f_i / d u_j            (nx x nu)
 *   lxx[i*nx + j], luu[i*nu + j]           (symmetric)
 *   lux[i*nx + j] = d^2 l / (d u_i d x_j)  (nu x nx)
 */
export interface RefModel {
  readonly nx: number;
  readonly nu: number;
  /** next state: out = f(x, u) (out must not alias x) */
  step(out: Float64Array, x: Float64Array, u: Float64Array): void;
  /** Jacobians of f at (x, u) */
  stepDiff(A: Float64Array, B: Float64Array, x: Float64Array, u: Float64Array): void;
  /** running cost l(x, u) */
  runningCost(x: Float64Array, u: Float64Array): number;
  /** running cost and its exact gradient and Hessian blocks (outputs overwritten); returns l(x, u) */
  runningCostDiff(
    lx: Float64Array, lu: Float64Array, lxx: Float64Array, luu: Float64Array, lux: Float64Array,
    x: Float64Array, u: Float64Array,
  ): number;
  /** terminal cost l_N(x) */
  terminalCost(x: Float64Array): number;
  /** terminal cost, gradient and Hessian (outputs overwritten); returns l_N(x) */
  terminalCostDiff(lx: Float64Array, lxx: Float64Array, x: Float64Array): number;
  /**
   * Curvature of f at (x, u) contracted with a costate lam (exact DDP, docs/algorithm.md):
   *   Hxx[i*nx + j] = sum_r lam_r d^2 f_r / (dx_i dx_j)   (nx x nx, symmetric)
   *   Huu[i*nu + j] = sum_r lam_r d^2 f_r / (du_i du_j)   (nu x nu, symmetric)
   *   Hux[i*nx + j] = sum_r lam_r d^2 f_r / (du_i dx_j)   (nu x nx, the layout of lux)
   * Outputs overwritten. Returns false (writing nothing) when the dynamics are linear; models with
   * linear dynamics may leave the method out, which means the same. Mirrors stepHess of
   * the built-in models of assembly/models/ formula for formula.
   */
  stepHess?(
    Hxx: Float64Array, Huu: Float64Array, Hux: Float64Array, x: Float64Array, u: Float64Array, lam: Float64Array,
  ): boolean;
}
