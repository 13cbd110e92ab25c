/**
 * softplus(z) = log(1 + e^z) and its first two derivatives. Obstacle sharpness a = 50 puts z in the
 * hundreds far from an obstacle, so the naive formulas overflow (e^z) or lose everything to
 * cancellation; every branch below only ever exponentiates a non-positive number.
 */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** softplus'(z): the logistic sigmoid */
export function softplusD1(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** softplus''(z) = sigma(z) (1 - sigma(z)) = e^{-|z|} / (1 + e^{-|z|})^2 */
export function softplusD2(z: number): number {
  const e = Math.exp(-Math.abs(z));
  const d = 1 + e;
  return e / (d * d);
}
