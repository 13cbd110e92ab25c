// Pendulum swing-up written with defineSystem: torque-limited, so it must pump energy to get up.
//   node examples/pendulum.mjs                               solve one swing-up
//   npx cacto train --system examples/pendulum.mjs --eval    CACTO on it (the module's default export)
import { pathToFileURL } from "node:url";
import { createSolver, defineSystem, sym } from "cacto-wasm";
const { sin, cos, square } = sym;

const dt = 0.05;
const pendulum = defineSystem({
  name: "pendulum", title: "Pendulum swing-up", nx: 2, nu: 1, dt, nsteps: 100,
  stateNames: ["th", "w"], controlNames: ["tau"],
  params: [9.81, 1.0, 1.0, 0.1], // g, length, mass, damping
  // th = 0 hangs down, th = +-pi is upright; semi-implicit Euler
  dynamics: ([th, w], [tau], [g, l, m, b]) => {
    const w1 = w.add(tau.div(m.mul(square(l))).sub(g.div(l).mul(sin(th))).sub(b.mul(w)).mul(dt));
    return [th.add(w1.mul(dt)), w1];
  },
  running: ([th, w], [tau]) => square(cos(th).add(1)).add(square(w).mul(0.01)).add(square(tau).mul(0.01)).mul(dt),
  terminal: ([th, w]) => square(cos(th).add(1)).mul(100).add(square(w).mul(10)),
  umax: [2.5], sampleRanges: [[-Math.PI, Math.PI], [-2, 2]], norm: [Math.PI, 4],
  evalStates: [[0, 0], [0.5, 0], [-0.5, 0], [1.5, 0], [-1.5, 0], [0, 2], [0, -2], [2.5, 0], [-2.5, 0]],
  goal: { rule: "upright at the final node: cos th < -0.98 (within 0.2 rad of pi), |w| < 1", reached: ([th, w]) => Math.cos(th) < -0.98 && Math.abs(w) < 1 },
  solverDefaults: { hessian: "hybrid", muFactor: 2 },
});
export default pendulum;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const solver = await createSolver(pendulum);
  const r = solver.solve({ x0: [0.3, 0] }, { maxIter: 300 });
  const xN = r.X.slice(r.horizon * solver.nx);
  console.log(`pendulum: ${r.statusName} in ${r.iterations} iterations: cost ${r.cost.toFixed(4)}, final angle ${xN[0].toFixed(3)} (upright: +-3.142), speed ${xN[1].toFixed(3)}`);
}
