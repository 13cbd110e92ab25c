/**
 * E4: CACTO vs plain model-free RL (TD3; DDPG as its single-critic variant): final cost of the actor's
 * warm start for TO and of the actor alone at the evaluation states, and wall time, over seeds.
 */
import { CactoTrainer } from "../cacto/trainer.js";
import { preset, type PresetName } from "../cacto/presets.js";
import { Td3Trainer, td3Preset } from "../baselines/td3.js";
import { Solver } from "../to/solver.js";
import { Engine } from "../wasm/engine.js";
import { SYSTEMS } from "../systems/specs.js";
import type { SystemName } from "../systems/layout.js";
import { scoreWarmStart, scoreRollout, mdTable, fmt, pct, median, writeExperiment, type Rollout } from "./common.js";

export interface E4Options {
  system?: SystemName;
  preset?: PresetName;
  seeds?: number;
  smoke?: boolean;
  out?: string;
  log?: (s: string) => void;
}

interface E4Run { method: string; seed: number; seconds: number; toMean: number; toReach: number; aloneMean: number; aloneReach: number; samples: string }

export async function runE4(o: E4Options = {}) {
  const system = o.system ?? "single_integrator";
  const presetName = o.preset ?? "quick";
  const seeds = o.seeds ?? 3;
  const log = o.log ?? (() => {});
  const spec = SYSTEMS[system];
  const solver = new Solver(await Engine.create(), system);
  const to = { maxIter: 100 };
  const runs: E4Run[] = [];
  const score = (method: string, seed: number, seconds: number, ro: Rollout, samples: string) => {
    const w = scoreWarmStart(solver, spec.evalStates, ro, to);
    const a = scoreRollout(solver, spec.evalStates, ro);
    runs.push({ method, seed, seconds, toMean: w.mean, toReach: w.reach, aloneMean: a.mean, aloneReach: a.reach, samples });
    log(`E4 ${method} seed ${seed}: ${fmt(seconds, 1)} s, TO from actor ${fmt(w.mean)} (${pct(w.reach)}), actor alone ${fmt(a.mean)} (${pct(a.reach)})`);
  };
  for (let seed = 1; seed <= seeds; seed++) {
    const cc = preset(system, presetName);
    if (o.smoke) Object.assign(cc, { updateLoops: [20, 20], episodesPerLoop: 8, workers: 0 });
    let t0 = performance.now();
    const c = await CactoTrainer.create(cc, seed);
    while (!c.finished) await c.runLoop();
    await c.close();
    const rows = c.buffer.totalRows;
    score("CACTO", seed, (performance.now() - t0) / 1000, (s) => c.actorRollout(s), `${c.metrics.at(-1)?.totalEpisodes} TO episodes (${rows} states)`);
    c.dispose();
    for (const mode of ["td3", "ddpg"] as const) {
      const tc = td3Preset(system, presetName, mode);
      if (o.smoke) Object.assign(tc, { totalSteps: 400, startSteps: 100, updateAfter: 100, evalEvery: 0 });
      t0 = performance.now();
      const t = await Td3Trainer.create(system, tc, seed);
      t.runAll();
      score(mode.toUpperCase(), seed, (performance.now() - t0) / 1000, (s) => t.actorRollout(s), `${t.steps} transitions`);
      t.dispose();
    }
  }
  const methods = ["CACTO", "TD3", "DDPG"];
  const summary = methods.map((m) => {
    const rs = runs.filter((r) => r.method === m);
    return { method: m, seconds: median(rs.map((r) => r.seconds)), toMean: median(rs.map((r) => r.toMean)), toReach: median(rs.map((r) => r.toReach)), aloneMean: median(rs.map((r) => r.aloneMean)), aloneReach: median(rs.map((r) => r.aloneReach)) };
  });
  const md = [
    `# E4: CACTO vs TD3 / DDPG on ${system}`, "",
    `Preset ${presetName}${o.smoke ? " (smoke schedule)" : ""}, seeds 1-${seeds}; medians over seeds. Evaluation: the ${spec.evalStates.length} evaluation states; "TO from actor": TO (100 iterations) warm-started by the actor's rollout; "actor alone": the rollout's own cost. The papers report that CACTO trains faster than DDPG/PPO and reaches lower cost.`, "",
    mdTable(["method", "median wall s", "TO from actor: mean cost", "reach", "actor alone: mean cost", "reach"],
      summary.map((s) => [s.method, fmt(s.seconds, 1), fmt(s.toMean), pct(s.toReach), fmt(s.aloneMean), pct(s.aloneReach)])), "",
    "## Per run", "",
    mdTable(["method", "seed", "wall s", "data", "TO from actor", "reach", "actor alone", "reach"],
      runs.map((r) => [r.method, r.seed, fmt(r.seconds, 1), r.samples, fmt(r.toMean), pct(r.toReach), fmt(r.aloneMean), pct(r.aloneReach)])),
  ].join("\n");
  return { file: writeExperiment(o.out ?? "reports/E4", md, { experiment: "E4", system, preset: presetName, seeds, smoke: !!o.smoke, summary, runs }), summary, runs };
}
