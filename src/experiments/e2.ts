/**
 * E2: CACTO vs CACTO-SL. Both train with the same preset and seeds; after every loop the actor's warm
 * start is scored (TO from the evaluation states). Reported: TO episodes and wall time until the
 * evaluation reaches the target from a given fraction of the states, final cost, spread across seeds.
 */
import { CactoTrainer } from "../cacto/trainer.js";
import { preset, type CactoConfig, type PresetName } from "../cacto/presets.js";
import { Solver } from "../to/solver.js";
import { Engine } from "../wasm/engine.js";
import { SYSTEMS } from "../systems/specs.js";
import type { SystemName } from "../systems/layout.js";
import { scoreWarmStart, mdTable, fmt, pct, median, writeExperiment } from "./common.js";

export interface E2Options {
  system?: SystemName;
  preset?: PresetName;
  seeds?: number;
  /** Sobolev weight of the CACTO-SL runs (default: the preset's if > 0, else 1e-3) */
  wS?: number;
  /** success: evaluation states reaching the target (default 0.9) */
  reachGoal?: number;
  /** tiny schedule for tests */
  smoke?: boolean;
  out?: string;
  log?: (s: string) => void;
}

interface CurvePoint { loop: number; episodes: number; wall: number; mean: number; reach: number }

export interface E2Run {
  variant: string; seed: number; wS: number; curve: CurvePoint[];
  episodesToGoal: number | null; wallToGoal: number | null; finalMean: number; finalReach: number; wall: number;
}

export async function runE2(o: E2Options = {}) {
  const system = o.system ?? "single_integrator";
  const presetName = o.preset ?? "quick";
  const seeds = o.seeds ?? 3;
  // the CACTO-SL arm: the given weight, else the preset's (quick: 1e-2 beyond the single integrator), else 1e-3
  const wS = o.wS ?? (preset(system, presetName).wS || 1e-3);
  const goal = o.reachGoal ?? 0.9;
  const log = o.log ?? (() => {});
  const spec = SYSTEMS[system];
  const solver = new Solver(await Engine.create(), system);
  const runs: E2Run[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    for (const [variant, w] of [["CACTO", 0], ["CACTO-SL", wS]] as const) {
      const cfg: CactoConfig = { ...preset(system, presetName), wS: w };
      if (o.smoke) Object.assign(cfg, { updateLoops: [20, 20], episodesPerLoop: 8, workers: 0 });
      const t = await CactoTrainer.create(cfg, seed);
      const curve: CurvePoint[] = [];
      try {
        while (!t.finished) {
          const m = await t.runLoop();
          const sc = scoreWarmStart(solver, spec.evalStates, (s) => t.actorRollout(s), cfg.to);
          curve.push({ loop: m.loop, episodes: m.totalEpisodes, wall: m.wallSeconds, mean: sc.mean, reach: sc.reach });
          log(`E2 ${variant} seed ${seed} loop ${m.loop + 1}/${t.loops}: ${m.totalEpisodes} episodes, eval mean ${fmt(sc.mean)}, reach ${pct(sc.reach)}`);
        }
      } finally {
        await t.close();
        t.dispose();
      }
      const hit = curve.find((c) => c.reach >= goal) ?? null;
      const last = curve[curve.length - 1];
      runs.push({ variant, seed, wS: w, curve, episodesToGoal: hit?.episodes ?? null, wallToGoal: hit?.wall ?? null, finalMean: last.mean, finalReach: last.reach, wall: last.wall });
    }
  }
  const byVariant = (v: string) => runs.filter((r) => r.variant === v);
  const summary = ["CACTO", "CACTO-SL"].map((v) => {
    const rs = byVariant(v);
    const hits = rs.filter((r) => r.episodesToGoal !== null);
    return {
      variant: v, runs: rs.length, reachedGoal: hits.length,
      medianEpisodesToGoal: median(hits.map((r) => r.episodesToGoal!)),
      medianWallToGoal: median(hits.map((r) => r.wallToGoal!)),
      medianFinalMean: median(rs.map((r) => r.finalMean)),
      finalMeanRange: [Math.min(...rs.map((r) => r.finalMean)), Math.max(...rs.map((r) => r.finalMean))],
      medianWall: median(rs.map((r) => r.wall)),
    };
  });
  const md = [
    `# E2: CACTO vs CACTO-SL on ${system}`, "",
    `Preset ${presetName}${o.smoke ? " (smoke schedule)" : ""}, seeds 1-${seeds}, CACTO-SL weight w_S = ${wS}. After every loop the actor warm-starts TO from the ${spec.evalStates.length} evaluation states; goal: the target reached from at least ${pct(goal)} of them.`, "",
    mdTable(["variant", "runs reaching the goal", "median TO episodes to goal", "median wall s to goal", "median final mean cost", "final mean cost range", "median wall s"],
      summary.map((s) => [s.variant, `${s.reachedGoal}/${s.runs}`, fmt(s.medianEpisodesToGoal, 0), fmt(s.medianWallToGoal, 1), fmt(s.medianFinalMean), `${fmt(s.finalMeanRange[0])} .. ${fmt(s.finalMeanRange[1])}`, fmt(s.medianWall, 1)])), "",
    "## Per run", "",
    mdTable(["variant", "seed", "episodes to goal", "wall s to goal", "final mean cost", "final reach", "curve (episodes: mean cost / reach)"],
      runs.map((r) => [r.variant, r.seed, r.episodesToGoal ?? "not reached", r.wallToGoal === null ? "-" : fmt(r.wallToGoal, 1), fmt(r.finalMean), pct(r.finalReach), r.curve.map((c) => `${c.episodes}: ${fmt(c.mean, 1)}/${pct(c.reach)}`).join("; ")])), "",
    "The paper's claim is 3-10x fewer TO episodes for the same quality with Sobolev learning; compare the medians above (few seeds and a short schedule give a noisy estimate).",
  ].join("\n");
  const json = { experiment: "E2", system, preset: presetName, seeds, wS, goal, smoke: !!o.smoke, summary, runs };
  const file = writeExperiment(o.out ?? "reports/E2", md, json);
  return { file, summary, runs };
}
