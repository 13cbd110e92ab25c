// Checkpoint files: size and save/load time of plain JSON text vs the packed format (bulk arrays as
// base64 binary), on one trained state, side by side in one process. Run: node --import tsx
// bench/checkpoint.ts [system] (default single_integrator; quick preset, 2 loops of 50 updates).
import { CactoTrainer } from "../src/cacto/trainer.js";
import { preset } from "../src/cacto/presets.js";
import { encodeCheckpoint, decodeCheckpoint } from "../src/cacto/checkpoint.js";
const sys = (process.argv[2] ?? "single_integrator") as any;
const t = await CactoTrainer.create({ ...preset(sys, "quick"), updateLoops: [50, 50], workers: 2 }, 1);
while (!t.finished) await t.runLoop();
const d = t.serialize();
const time = (f: () => unknown, n = 5) => { f(); const t0 = performance.now(); for (let i = 0; i < n; i++) f(); return (performance.now() - t0) / n; };
const plain = JSON.stringify(d), packed = encodeCheckpoint(d);
const r = {
  system: sys, rows: d.buffer.count,
  plainBytes: plain.length, packedBytes: packed.length, ratio: +(plain.length / packed.length).toFixed(2),
  plainSaveMs: +time(() => JSON.stringify(d)).toFixed(1), packedSaveMs: +time(() => encodeCheckpoint(d)).toFixed(1),
  plainLoadMs: +time(() => JSON.parse(plain)).toFixed(1), packedLoadMs: +time(() => decodeCheckpoint(packed)).toFixed(1),
  identical: JSON.stringify(decodeCheckpoint(packed)) === plain,
};
console.log(JSON.stringify(r));
await t.close();
