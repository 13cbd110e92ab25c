/**
 * Issue 13, item 2: our own WASM emission (src/sym/wasm.ts) vs binaryen (the optimiser AssemblyScript
 * uses; here as binaryen.js from node_modules, a dev dependency of the AssemblyScript build only).
 * For the car and the manipulator written through defineSystem: module size, time to produce the
 * module, and solver ms/iteration with our module and with binaryen's -O3 output of the same module,
 * side by side on one engine (rounds interleaved).
 *
 *   node --import tsx bench/sym-binaryen.ts [--rounds 5]
 */
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { definedCar, definedManipulator } from "../src/systems/defined.js";
import type { UserSystem } from "../src/systems/define.js";
import { interleavedMsPerIteration } from "../src/to/timing.js";
import { machine } from "./solver.js";

type Binaryen = {
  readBinary(b: Uint8Array): { optimize(): void; emitBinary(): Uint8Array; validate(): number; dispose(): void };
  setOptimizeLevel(n: number): void;
  setShrinkLevel(n: number): void;
  setFeatures?(f: number): void;
};

async function main(): Promise<void> {
  const i = process.argv.indexOf("--rounds");
  const rounds = i > 0 ? Number(process.argv[i + 1]) : 5;
  console.log(JSON.stringify(machine()));
  const tb = performance.now();
  const binaryen = (await import("binaryen")).default as unknown as Binaryen;
  const loadMs = performance.now() - tb;
  console.log(JSON.stringify({ binaryenLoadMs: +loadMs.toFixed(1) }));
  for (const [name, define] of [["car", definedCar], ["manipulator", definedManipulator]] as [string, () => UserSystem][]) {
    const t0 = performance.now();
    const ours = define();
    const emitMs = performance.now() - t0;
    binaryen.setOptimizeLevel(3);
    binaryen.setShrinkLevel(0);
    const t1 = performance.now();
    const mod = binaryen.readBinary(ours.model.bytes);
    if (!mod.validate()) throw new Error(`${name}: binaryen says our module is invalid`);
    mod.optimize();
    const opt = mod.emitBinary();
    mod.dispose();
    const optMs = performance.now() - t1;
    const theirs: UserSystem = { ...ours, name: `${ours.name} (binaryen -O3)`, model: { ...ours.model, bytes: opt } };
    const engine = await Engine.create();
    const solvers = { ours: new Solver(engine, ours), binaryen: new Solver(engine, theirs) };
    const starts = ours.evalStates;
    const ms = interleavedMsPerIteration({ ours: (x0) => solvers.ours.solve({ x0 }), binaryen: (x0) => solvers.binaryen.solve({ x0 }) }, starts, rounds);
    let sameCosts = true;
    for (const x0 of starts) if (solvers.ours.solve({ x0 }).cost !== solvers.binaryen.solve({ x0 }).cost) sameCosts = false;
    const a = ms.ours, b = ms.binaryen;
    console.log(JSON.stringify({
      system: name, oursBytes: ours.model.bytes.length, binaryenBytes: opt.length, emitMsOurs: +emitMs.toFixed(1), binaryenOptimizeMs: +optMs.toFixed(1),
      msPerIterOurs: +a.toFixed(4), msPerIterBinaryen: +b.toFixed(4), ratioBinaryenOverOurs: +(b / a).toFixed(3), identicalCosts: sameCosts,
    }));
  }
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
