/**
 * The solver benchmark's timing rule, shared by the Node bench (bench/solver.ts) and the browser bench
 * (src/web/bench.ts): per start one warm-up solve (V8 tiers WASM and JS up on first calls), then the
 * median of `reps` timed solves; summed over the starts.
 */
export type TimedSolve = (x0: number[]) => { cost: number; iterations: number; statusName?: string };

export function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

export function timeStarts(fn: TimedSolve, starts: number[][], reps: number) {
  let msTotal = 0, iterations = 0, cost = 0;
  const statuses: Record<string, number> = {};
  for (const x0 of starts) {
    fn(x0);
    const times: number[] = [];
    let r = fn(x0);
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      r = fn(x0);
      times.push(performance.now() - t);
    }
    msTotal += median(times);
    iterations += r.iterations;
    cost += r.cost;
    if (r.statusName) statuses[r.statusName] = (statuses[r.statusName] ?? 0) + 1;
  }
  return { msTotal, iterations, meanCost: cost / starts.length, statuses };
}

/**
 * A/B timing of two (or more) solvers on the same starts: one warm-up pass, then `rounds` rounds with
 * the order reversed every round; per solver the median over rounds of (ms / iterations) summed over
 * the starts.
 */
export function interleavedMsPerIteration<K extends string>(solve: Record<K, TimedSolve>, starts: number[][], rounds: number): Record<K, number> {
  const keys = Object.keys(solve) as K[];
  for (const k of keys) for (const x0 of starts) solve[k](x0);
  const per = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const k of r % 2 ? [...keys].reverse() : keys) {
      let ms = 0, it = 0;
      for (const x0 of starts) {
        const t = performance.now();
        const res = solve[k](x0);
        ms += performance.now() - t;
        it += res.iterations;
      }
      per[k].push(ms / it);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, median(per[k])])) as Record<K, number>;
}
