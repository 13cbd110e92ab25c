// Convergence scan (issue 9, a first version of `cacto bench convergence`): seeded training-distribution problems per system, from zeros, 200 iterations vs a 3000-iteration run of the same options.
// Run: npx tsx bench/convergence-scan.ts car,car_park 60 '{"hessian":"exact","muFactor":2}'
import { createSolver, SYSTEMS, Rng } from "../src/index.js";
import { sampleStarts } from "../src/systems/sampling.js";
import { refModel } from "../src/ref/index.js";
function gradInf(sys: string, X: Float64Array, U: Float64Array, N: number) {
  const m = refModel(sys as any); const nx = m.nx, nu = m.nu;
  const A = new Float64Array(nx*nx), B = new Float64Array(nx*nu), lx = new Float64Array(nx), lu = new Float64Array(nu);
  const lxx = new Float64Array(nx*nx), luu = new Float64Array(nu*nu), lux = new Float64Array(nu*nx);
  let lam = new Float64Array(nx); m.terminalCostDiff(lam, lxx, X.subarray(N*nx,(N+1)*nx));
  let g = 0;
  for (let k = N-1; k >= 0; k--) {
    const x = X.subarray(k*nx,(k+1)*nx), u = U.subarray(k*nu,(k+1)*nu);
    m.stepDiff(A,B,x,u); m.runningCostDiff(lx,lu,lxx,luu,lux,x,u);
    const nl = new Float64Array(nx);
    for (let j=0;j<nu;j++){ let s=lu[j]; for(let i=0;i<nx;i++) s+=B[i*nu+j]*lam[i]; g=Math.max(g,Math.abs(s)); }
    for (let j=0;j<nx;j++){ let s=lx[j]; for(let i=0;i<nx;i++) s+=A[i*nx+j]*lam[i]; nl[j]=s; }
    lam = nl;
  }
  return g;
}
const systems = (process.argv[2] ?? "car").split(",");
const count = Number(process.argv[3] ?? 50);
const opts = JSON.parse(process.argv[4] ?? "{}");
for (const sys of systems) {
  const spec = SYSTEMS[sys as keyof typeof SYSTEMS];
  const solver = await createSolver(sys);
  const starts = sampleStarts(spec, new Rng(12345), count);
  let conv = 0, its = 0; const rows: any[] = [];
  const t0 = performance.now();
  for (const st of starts) {
    const N = spec.nsteps - st.k0;
    const r = solver.solve({ x0: st.x0, horizon: N }, { maxIter: 200, ...opts });
    const long = solver.solve({ x0: st.x0, horizon: N }, { maxIter: 3000, ...opts });
    const g = gradInf(sys, r.X, r.U, N);
    if (r.statusName === "converged") { conv++; its += r.iterations; } if (process.env.V) console.log(r.statusName, r.iterations, r.cost, r.stationarity, r.exactFrom);
    rows.push({ s: r.statusName, it: r.iterations, dV: r.costHistory.length, gap: r.cost - long.cost, g, lc: long.statusName, li: long.iterations });
  }
  const gaps = rows.map(r => r.gap).sort((a,b)=>a-b);
  const gs = rows.map(r => r.g).sort((a,b)=>a-b);
  console.log(`${sys}: converged ${conv}/${count}, mean it ${(its/Math.max(conv,1)).toFixed(1)}; long converged ${rows.filter(r=>r.lc==="converged").length}; gap median ${gaps[count>>1].toExponential(1)} p90 ${gaps[Math.floor(count*0.9)].toExponential(1)}; grad median ${gs[count>>1].toExponential(1)} p90 ${gs[Math.floor(count*.9)].toExponential(1)} (${((performance.now()-t0)/1000).toFixed(1)}s)`);
  const stat = new Map<string, number>(); rows.forEach(r=>stat.set(r.s,(stat.get(r.s)??0)+1)); console.log("  ", [...stat]);
}
