// One optimal-control problem with the WASM engine: the car from (10, 0), 500 steps, zero warm start.
//   node examples/solve.mjs            (in a project that installed cacto-wasm)
import { createSolver } from "cacto-wasm";

const solver = await createSolver("car");
const r = solver.solve({ x0: [10, 0, 0, 0, 0] }, { maxIter: 200 });
console.log(`${r.statusName} in ${r.iterations} iterations: cost ${r.cost.toFixed(4)}, stationarity ${r.stationarity.toExponential(1)}`);
const xN = r.X.slice(r.horizon * solver.nx);
console.log(`final state (${Array.from(xN, (v) => v.toFixed(3)).join(", ")})`);
