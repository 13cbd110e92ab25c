// CACTO on toy1d with a tiny schedule (a few seconds), then the evaluation protocol and the trained
// actor exported in tfjs's LayersModel format. Pass "--full" for the quick preset's whole schedule.
//   node examples/train.mjs [--full]
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CactoTrainer, preset, evaluate, exportNetworks, saveCheckpoint } from "cacto-wasm/learn";

const full = process.argv.includes("--full");
const config = full ? preset("toy1d", "quick") : { ...preset("toy1d", "quick"), updateLoops: [100, 100], episodesPerLoop: 16 };
const t = await CactoTrainer.create({ ...config, workers: 0 }, /* seed */ 1);
try {
  while (!t.finished) {
    const m = await t.runLoop();
    console.log(`loop ${m.loop + 1}/${t.loops}: ${m.episodes} TO problems, mean cost ${m.meanToCost.toFixed(3)}, critic loss ${m.criticLoss.toExponential(2)}`);
  }
  const ev = await evaluate(t, { grid: 3, fresh: 20, workers: 0 });
  const s = ev.summaries.eval;
  console.log(`evaluation states: TO from zeros ${s.zeros.mean.toFixed(3)}, from the actor ${s.actor.mean.toFixed(3)} (mean cost)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "cacto-example-"));
  saveCheckpoint(dir, t.serialize());
  const nets = await exportNetworks(t.learner, t.spec, dir);
  console.log(`checkpoint and networks in ${dir} (actor: ${path.basename(nets.actor)}/model.json)`);
} finally {
  await t.close();
}
