/**
 * Cost terms defined on a planar point (end effector, car centre, outline corner) report their value,
 * gradient and Hessian w.r.t. that point in a 6-slot Float64Array with this layout. The terms *add*
 * `weight * term` into the slots, so a model sums several terms on the same point without scratch
 * copies and then pushes the total through its point map once.
 */
export const PT = { V: 0, GX: 1, GY: 2, HXX: 3, HXY: 4, HYY: 5, N: 6 } as const;

export function clearPoint(acc: Float64Array): void {
  acc.fill(0, 0, PT.N);
}
