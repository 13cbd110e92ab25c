// Smooth scalar building blocks shared by the cost terms.

/** log(1 + exp(z)) without overflow */
// @ts-ignore: decorator
@inline export function softplus(z: f64): f64 {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** logistic sigmoid 1/(1+exp(-z)), the derivative of softplus */
// @ts-ignore: decorator
@inline export function sigmoid(z: f64): f64 {
  if (z >= 0) return 1.0 / (1.0 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1.0 + e);
}
