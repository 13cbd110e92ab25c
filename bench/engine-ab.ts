/**
 * A/B benchmark of two engine builds in one process: the same solves (every system, its evaluation
 * states, zero warm start, default options) on build A and build B, interleaved in rounds so that
 * machine drift hits both alike; reports ms per iteration of each and the ratio B / A, and checks
 * that both builds return the same costs and iteration counts.
 *
 *   node --import tsx bench/engine-ab.ts <dir-or-file of build A .wasm> [build B, default: this checkout's build/engine-simd.wasm] [--rounds 7] [--systems car,manipulator]
 *
 * Used for the model-interface change (issue 13): A = the engine built before it.
 */
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { SYSTEM_NAMES, type SystemName } from "../src/systems/layout.js";
import { machine } from "./solver.js";
import { median } from "../src/to/timing.js";

function wasmBytes(p: string): Uint8Array {
  const file = statSync(p).isDirectory() ? `${p}/engine-simd.wasm` : p;
  return readFileSync(file);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => { const i = args.indexOf(name); if (i < 0) return undefined; const v = args[i + 1]; args.splice(i, 2); return v; };
  const rounds = Number(flag("--rounds") ?? 7);
  const systems = (flag("--systems")?.split(",") ?? SYSTEM_NAMES) as SystemName[];
  if (args.length < 1) throw new Error("usage: bench/engine-ab.ts <build A dir or .wasm> [build B]");
  const a = wasmBytes(args[0]);
  const b = wasmBytes(args[1] ?? fileURLToPath(new URL("../build/engine-simd.wasm", import.meta.url)));
  const eng = { A: await Engine.create({ wasm: a }), B: await Engine.create({ wasm: b }) };
  console.log(JSON.stringify({ ...machine(), bytesA: a.length, bytesB: b.length }));
  for (const name of systems) {
    const spec = SYSTEMS[name];
    const solvers = { A: new Solver(eng.A, name), B: new Solver(eng.B, name) };
    const per: Record<"A" | "B", number[]> = { A: [], B: [] };
    let same = true, iters = 0;
    for (const s of Object.values(solvers)) for (const x0 of spec.evalStates) s.solve({ x0 }); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const k of (r % 2 ? ["B", "A"] : ["A", "B"]) as ("A" | "B")[]) {
        let ms = 0, it = 0;
        for (const x0 of spec.evalStates) {
          const t = performance.now();
          const res = solvers[k].solve({ x0 });
          ms += performance.now() - t;
          it += res.iterations;
        }
        per[k].push(ms / it);
        iters = it;
      }
    }
    for (const x0 of spec.evalStates) {
      const ra = solvers.A.solve({ x0 }), rb = solvers.B.solve({ x0 });
      if (ra.cost !== rb.cost || ra.iterations !== rb.iterations) same = false;
    }
    const ma = median(per.A), mb = median(per.B);
    console.log(JSON.stringify({ system: name, iterations: iters, msPerIterA: +ma.toFixed(5), msPerIterB: +mb.toFixed(5), ratioBoverA: +(mb / ma).toFixed(3), identical: same }));
  }
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
