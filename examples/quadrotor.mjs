// A planar quadrotor (x, z, pitch; two rotors) flying to the origin, written with defineSystem.
//   node examples/quadrotor.mjs
//   npx cacto train --system examples/quadrotor.mjs --eval
import { pathToFileURL } from "node:url";
import { createSolver, defineSystem, sym, costTerms } from "cacto-wasm";
const { sin, cos, square } = sym;

const dt = 0.05, g = 9.81, m = 0.5, arm = 0.2, inertia = 0.01;
const quadrotor = defineSystem({
  name: "planar_quadrotor", title: "Planar quadrotor to the origin", nx: 6, nu: 2, dt, nsteps: 80,
  stateNames: ["x", "z", "th", "vx", "vz", "w"], controlNames: ["du1", "du2"],
  // rotor thrusts are hover (m g / 2 each) plus the controls
  dynamics: ([x, z, th, vx, vz, w], [u1, u2]) => {
    const f = u1.add(u2).add(m * g), ax = sin(th).mul(f).mul(-1 / m), az = cos(th).mul(f).mul(1 / m).sub(g);
    const alpha = u1.sub(u2).mul(arm / inertia);
    return [x.add(vx.mul(dt)), z.add(vz.mul(dt)), th.add(w.mul(dt)), vx.add(ax.mul(dt)), vz.add(az.mul(dt)), w.add(alpha.mul(dt))];
  },
  running: ([x, z, th, vx, vz, w], u) => costTerms.targetDistance2(x, z, [0, 0])
    .add(square(th).mul(0.1)).add(costTerms.sumSquares([vx, vz, w]).mul(0.05))
    .add(costTerms.softControl(u, [2, 2], 1e-2).mul(0.05)).mul(dt),
  terminal: ([x, z, th, vx, vz, w]) => costTerms.targetDistance2(x, z, [0, 0]).mul(10).add(costTerms.sumSquares([th, vx, vz, w])),
  umax: [2, 2], sampleRanges: [[-3, 3], [-3, 3], [-0.5, 0.5], [-1, 1], [-1, 1], [-1, 1]],
  evalStates: [[-3, 0, 0, 0, 0, 0], [3, 0, 0, 0, 0, 0], [0, -3, 0, 0, 0, 0], [0, 3, 0, 0, 0, 0], [-3, -3, 0, 0, 0, 0], [3, 3, 0, 0, 0, 0], [-3, 3, 0, 0, 0, 0], [3, -3, 0, 0, 0, 0], [2, 1, 0.5, 0, 0, 0]],
  positionIndex: [0, 1],
  goal: { rule: "(x, z) within 0.25 of the origin at the final node", point: [0, 0], reached: ([x, z]) => Math.hypot(x, z) <= 0.25 },
});
export default quadrotor;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const solver = await createSolver(quadrotor);
  const r = solver.solve({ x0: [-3, 2, 0, 0, 0, 0] }, { maxIter: 200 });
  const xN = Array.from(r.X.slice(r.horizon * solver.nx), (v) => v.toFixed(3));
  console.log(`planar_quadrotor: ${r.statusName} in ${r.iterations} iterations: cost ${r.cost.toFixed(4)}, final state (${xN.join(", ")})`);
}
