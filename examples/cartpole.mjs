// Your own system: a cart-pole swing-up written with defineSystem (exact derivatives are taken
// symbolically and compiled to WASM at run time), solved by the same engine as the built-in systems.
//   node examples/cartpole.mjs            (in a project that installed cacto-wasm)
//   npx cacto train --system examples/cartpole.mjs --eval   (CACTO on it: the module's default export)
import { pathToFileURL } from "node:url";
import { createSolver, defineSystem, sym } from "cacto-wasm";
const { sin, cos, square } = sym;

const dt = 0.05, g = 9.81;
const cartpole = defineSystem({
  name: "cartpole", nx: 4, nu: 1, dt, nsteps: 100,
  stateNames: ["p", "th", "v", "w"], controlNames: ["F"],
  params: [1.0, 0.1, 0.5], // cart mass, pole mass, pole length (change per solver without recompiling)
  dynamics: ([p, th, v, w], [F], [mc, mp, l]) => {
    const s = sin(th), c = cos(th), den = mc.add(mp.mul(square(s)));   // th = 0: hanging down
    const acc = F.add(mp.mul(s).mul(l.mul(square(w)).add(c.mul(g)))).div(den);
    const alpha = F.mul(c).add(mp.mul(l).mul(square(w)).mul(c).mul(s)).add(mc.add(mp).mul(g).mul(s)).neg().div(l.mul(den));
    return [p.add(v.mul(dt)), th.add(w.mul(dt)), v.add(acc.mul(dt)), w.add(alpha.mul(dt))];
  },
  running: ([p, th, v, w], [F]) => square(p).add(square(cos(th).add(1)).mul(10)).add(square(v).add(square(w)).mul(0.1)).add(square(F).mul(0.01)).mul(dt),
  terminal: ([p, th, v, w]) => square(cos(th).add(1)).mul(100).add(square(p).mul(10)).add(square(v)).add(square(w)),
  umax: [20], sampleRanges: [[-1, 1], [-Math.PI, Math.PI], [-1, 1], [-1, 1]],
  goal: { rule: "pole upright (cos th < -0.98) with the cart within 0.5 of 0 at the final node", reached: ([p, th]) => Math.cos(th) < -0.98 && Math.abs(p) < 0.5 },
  solverDefaults: { hessian: "hybrid", muFactor: 2 },
});

export default cartpole;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const solver = await createSolver(cartpole);
  const r = solver.solve({ x0: [0, 0.1, 0, 0] }, { maxIter: 300 });
  const xN = r.X.slice(r.horizon * solver.nx);
  const up = Math.cos(xN[1]) < -0.98 && Math.abs(xN[0]) < 0.5; // the goal rule above
  console.log(`cartpole: ${r.statusName} in ${r.iterations} iterations: cost ${r.cost.toFixed(4)}, final angle ${xN[1].toFixed(3)} (upright: +-3.142), cart at ${xN[0].toFixed(3)}: ${up ? "upright" : "not upright"}`);
}
