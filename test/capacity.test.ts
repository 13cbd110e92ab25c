// Horizon capacity: the bytes-per-node formula against the engine's own layout, the longest horizon
// each system accepts, a clear error past it, growth that reuses space, and NaN results not "feasible".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { SYSTEM_NAMES } from "../src/systems/layout.js";
import { ENGINE_MAX_BYTES, HORIZON_CAP, maxHorizonFor, workspaceBytesPerNode } from "../src/to/capacity.js";

const engine = await Engine.create();

test("workspaceBytesPerNode matches the engine's wsBytes slope for every system", () => {
  for (const name of SYSTEM_NAMES) {
    const { nx, nu } = SYSTEMS[name];
    const a = engine.exports.wsBytes(nx, nu, 10_000) >>> 0, b = engine.exports.wsBytes(nx, nu, 20_000) >>> 0;
    // each array is padded to 16 bytes, so the slope over 10,000 nodes is exact to within 16 bytes per array
    assert.ok(Math.abs((b - a) - 10_000 * workspaceBytesPerNode(nx, nu)) <= 16 * 40, name);
    const lim = maxHorizonFor(SYSTEMS[name]);
    assert.ok(lim <= HORIZON_CAP && lim >= 100_000, `${name}: ${lim}`);
    // the fixed part (header, scratch, history) fits in the reserve kept below the ceiling
    const fixed = a - 10_000 * workspaceBytesPerNode(nx, nu);
    assert.ok(lim * workspaceBytesPerNode(nx, nu) + fixed + (engine.exports.heapBase() >>> 0) < ENGINE_MAX_BYTES, name);
  }
  // the manipulator is the one whose memory, not the 1e6 cap, sets the limit
  assert.ok(maxHorizonFor(SYSTEMS.manipulator) < HORIZON_CAP);
});

test("a manipulator horizon past the memory limit is rejected by name, and the solver still works", () => {
  const s = new Solver(engine, "manipulator", { maxHorizon: 50 });
  const lim = maxHorizonFor(SYSTEMS.manipulator);
  const x0 = [0, 0, 0, 0, 0, 0].slice(0, s.nx);
  assert.throws(() => s.solve({ x0, horizon: lim + 1 }), (e: Error) =>
    e instanceof RangeError && e.message.startsWith(`problem.horizon: got ${lim + 1}, expected an integer in [1, ${lim}]`) && /GiB/.test(e.message));
  assert.throws(() => s.solveBatch([{ x0, horizon: 10 }, { x0, horizon: 1_000_001 }]), /problems\[1\]\.horizon: got 1000001/);
  assert.throws(() => new Solver(engine, "manipulator", { maxHorizon: lim + 1 }), /maxHorizon: got/);
  const r = s.solve({ x0, horizon: 20 });
  assert.ok(Number.isFinite(r.cost), "solver intact");
});

test("a solver that grows its workspace reuses the old space (no leak per growth)", () => {
  const e = engine;
  const s = new Solver(e, "double_integrator", { maxHorizon: 10 });
  const nx = s.nx;
  const x0 = new Array(nx).fill(0); x0[0] = 1;
  for (const N of [20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960]) s.solve({ x0, horizon: N, warmStart: "zeros" } as never);
  const ws = (s as unknown as { ws: { ptr: number; nmax: number } }).ws;
  const end = ws.ptr + (e.exports.wsBytes(nx, s.nu, ws.nmax) >>> 0);
  // all twelve growths happened in place: the memory is the last workspace's end, not the sum of all
  assert.ok(e.memoryBytes - end < 2 ** 20 + 65536, `memory ${e.memoryBytes}, last workspace ends at ${end}`);
});

test("a growth that does not fit (solvers sharing one engine's memory) fails clearly and leaves the solver's space its own", async () => {
  const e = await Engine.create();
  const x0 = [2, 0, 0, 0, 0];
  const big = new Solver(e, "car", { maxHorizon: 700_000 });   // about 1.1 GB of the 2 GiB
  const a = new Solver(e, "car");
  const before = a.solve({ x0 }, { maxIter: 50 });
  assert.throws(() => a.solve({ x0, horizon: 700_000 }, { maxIter: 1 }), /engine memory: a block of \d+ bytes/);
  const other = new Solver(e, "single_integrator");
  const pa = (a as unknown as { ws: { ptr: number } }).ws.ptr, po = (other as unknown as { ws: { ptr: number } }).ws.ptr;
  assert.ok(po > pa, "the next solver gets new space, not the failed solver's");
  assert.is(a.solve({ x0 }, { maxIter: 50 }).cost, before.cost, "the solver still solves, unchanged");
  assert.ok(Number.isFinite(other.solve({ x0: [10, 0] }).cost));
  assert.ok(Number.isFinite(big.solve({ x0, horizon: 50 }).cost));
});

test("non-finite results are never reported feasible", () => {
  for (const name of ["manipulator", "car", "double_integrator"] as const) {
    const s = new Solver(engine, name);
    const x0 = new Array(s.nx).fill(0); x0[0] = 1e300; x0[s.nx - 1] = 1e300;
    const r = s.solve({ x0 });
    assert.is(r.statusName, "non-finite", name);
    assert.is(r.feasible, false, name);
    const finiteX = r.X.every(Number.isFinite);
    assert.ok(finiteX ? r.maxGap === 0 : Number.isNaN(r.maxGap), `${name}: maxGap ${r.maxGap} with ${finiteX ? "finite" : "non-finite"} states`);
    const ok = s.solve({ x0: new Array(s.nx).fill(0.1) });
    assert.ok(ok.feasible && ok.maxGap === 0 && Number.isFinite(ok.cost), `${name} next solve`);
  }
});

test.run();
