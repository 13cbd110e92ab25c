/** Human-readable lines for the benchmark rows (JSON lines are the machine format). */
export function formatBenchRow(input: object): string {
  const row = input as Record<string, unknown>;
  if (row.kind === "machine") return `machine: ${row.cpu}, ${row.cores} cores, Node ${row.node}, ${row.platform}`;
  if (row.kind === "solve") {
    const r = row as { system: string; impl: string; starts: number; msPerSolve: number; msPerIter: number; iterations: number; meanCost: number; statuses: Record<string, number>; single?: { ms: number; iterations: number; msPerIter: number; cost: number } };
    const st = Object.entries(r.statuses).map(([k, v]) => `${k} ${v}`).join(", ");
    let s = `${r.system.padEnd(18)} ${r.impl.padEnd(13)} ${r.msPerSolve.toFixed(2).padStart(9)} ms/solve ${r.msPerIter.toFixed(4).padStart(8)} ms/iter  ${String(r.iterations).padStart(5)} iters over ${r.starts} starts  mean cost ${r.meanCost.toFixed(4)}  [${st}]`;
    if (r.single) s += `\n${"".padEnd(33)}car (10,0,0,0,0): ${r.single.ms.toFixed(2)} ms, ${r.single.iterations} iters, ${r.single.msPerIter.toFixed(4)} ms/iter, cost ${r.single.cost.toFixed(4)}`;
    return s;
  }
  if (row.kind === "batch") {
    const r = row as { system: string; workers: number; problems: number; problemsPerSecond: number; seconds: number; meanIterations: number; identicalToSequential: boolean };
    return `batch ${r.system}: ${r.workers} worker(s), ${r.problems} problems (<= 100 iterations, mean ${r.meanIterations.toFixed(1)}) in ${r.seconds.toFixed(2)} s = ${r.problemsPerSecond.toFixed(1)} problems/s${r.identicalToSequential ? "" : "  (RESULTS DIFFER FROM SEQUENTIAL)"}`;
  }
  return JSON.stringify(row);
}
