/**
 * Terminal velocity penalty vel2 = sum of x_i^2 over the `count` state components starting at `first`.
 * Adds weight * vel2 into lx and the diagonal of the row-major nx x nx lxx; returns the unweighted vel2.
 */
export function addVelocityCost(
  lx: Float64Array, lxx: Float64Array, weight: number, x: Float64Array, nx: number, first: number, count: number,
): number {
  let v2 = 0;
  for (let i = first; i < first + count; i++) {
    v2 += x[i] * x[i];
    lx[i] += 2 * weight * x[i];
    lxx[i * nx + i] += 2 * weight;
  }
  return v2;
}
