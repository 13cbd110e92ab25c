// The solver and the Web Worker pool in a page bundled by Vite, with no configuration: Vite emits the
// engine's .wasm and bundles the pool's worker from the package's literal new URL(...) forms.
//   cp -r node_modules/cacto-wasm/examples/vite app && cd app && npx vite build && npx vite preview
import { createSolver } from "cacto-wasm";
import { WebSolverPool } from "cacto-wasm/web";

const solver = await createSolver("car");
const r = solver.solve({ x0: [10, 0, 0, 0, 0] });
const pool = await WebSolverPool.create({ workers: 2 });
const b = await pool.solveBatch("car", [{ x0: [10, 0, 0, 0, 0] }, { x0: [2, 0, 0, 0, 0] }], {}, { timeoutMs: 60000 });
await pool.close();
globalThis.poolCosts = b.map((x) => x.cost);
document.body.textContent = `${r.statusName}: cost ${r.cost.toFixed(4)} in ${r.iterations} iterations`;
