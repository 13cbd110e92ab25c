/**
 * Training worker: CACTO runs here so the page stays responsive. Protocol (page -> worker):
 *   { cmd: "start", config, seed, dirs }        a fresh run
 *   { cmd: "resume", checkpoint, dirs, run }    restore a checkpoint; train on if `run`, else only draw it
 * worker -> page:
 *   { type: "checkpoint", checkpoint }          after creation and after every loop (the page keeps the last:
 *                                               stopping terminates this worker, resuming restores it)
 *   { type: "progress", progress }              during a loop
 *   { type: "loop", metrics, svgs }             after every loop: training curves, trajectories, value map
 *   { type: "done" } | { type: "error", message }
 */
import { CactoTrainer, type CheckpointData } from "../src/cacto/trainer.js";
import type { CactoConfig } from "../src/cacto/presets.js";
import { SYSTEMS, buildParams } from "../src/systems/specs.js";
import { Solver } from "../src/to/solver.js";
import { Engine } from "../src/wasm/engine.js";
import { plotTrajectories } from "../src/eval/svg.js";
import { trainingCurvesSvg, valueMapSvg } from "../src/eval/plots.js";
import { initBrowserTf } from "../src/web/tf.js";

export interface Dirs {
  /** directory of the tfjs backend's .wasm files */
  tfjs: string;
  /** directory of the engine's .wasm files */
  engine: string;
}

type Command =
  | { cmd: "start"; config: CactoConfig; seed: number; dirs: Dirs }
  | { cmd: "resume"; checkpoint: CheckpointData; dirs: Dirs; run: boolean };

const scope = globalThis as unknown as {
  onmessage: ((ev: MessageEvent<Command>) => void) | null;
  postMessage(msg: unknown): void;
};

const COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"];

/** TO from the actor's warm start at the evaluation states (what the policy + TO does now) */
function trajectoriesSvg(trainer: CactoTrainer, solver: Solver) {
  const spec = trainer.spec;
  const starts = spec.evalStates.map((x0) => ({ x0, k0: 0 }));
  const warm = trainer.loop > 0 ? trainer.actorRollout(starts) : null;
  const res = solver.solveBatch(starts.map((s, i) => ({ x0: s.x0, warmStart: warm ? { U: warm[i].U } : "zeros" as const })), trainer.config.to);
  // labels go into an HTML legend (nine labels do not fit the SVG's header)
  const trajs = res.map((r, i) => ({ label: "", X: r.X, color: COLORS[i % COLORS.length] }));
  const title = `${warm ? "TO from the actor" : "TO from zeros"} after ${trainer.loop} loop(s)`;
  const legend = res.map((r, i) => ({ x0: starts[i].x0, cost: r.cost, status: r.statusName, color: COLORS[i % COLORS.length] }));
  return { svg: plotTrajectories(spec, buildParams(spec), trajs, { title, width: 420 }), legend };
}

function visuals(trainer: CactoTrainer, solver: Solver) {
  const t = trajectoriesSvg(trainer, solver);
  return {
    curves: trainer.metrics.length ? trainingCurvesSvg(trainer.metrics) : "",
    trajectories: t.svg,
    legend: t.legend,
    value: valueMapSvg(trainer, { n: 36, width: 360 }),
  };
}

async function run(trainer: CactoTrainer, dirs: Dirs, train: boolean): Promise<void> {
  const solver = new Solver(await Engine.create({ baseUrl: dirs.engine }), trainer.spec.name);
  scope.postMessage({ type: "checkpoint", checkpoint: trainer.serialize() });
  scope.postMessage({ type: "loop", metrics: trainer.metrics, loop: trainer.loop, loops: trainer.loops, svgs: visuals(trainer, solver) });
  if (!train) return;
  let last = 0;
  while (!trainer.finished) {
    await trainer.runLoop((progress) => {
      const now = performance.now();
      // throttle: a message at most every 50 ms, and always at phase ends
      if (now - last > 50 || progress.phase === "done" || progress.done === progress.total) {
        last = now;
        scope.postMessage({ type: "progress", progress });
      }
    });
    scope.postMessage({ type: "checkpoint", checkpoint: trainer.serialize() });
    scope.postMessage({ type: "loop", metrics: trainer.metrics, loop: trainer.loop, loops: trainer.loops, svgs: visuals(trainer, solver) });
  }
  scope.postMessage({ type: "done" });
}

scope.onmessage = (ev) => {
  const m = ev.data;
  (async () => {
    await initBrowserTf(m.dirs.tfjs);
    if (m.cmd === "start") {
      if (!(m.config.system in SYSTEMS)) throw new RangeError(`unknown system ${m.config.system}`);
      const config = { ...m.config, workers: 0 };
      // the trainer's engine is fetched from its default location; the page serves it at /build/
      await run(await CactoTrainer.create(config, m.seed), m.dirs, true);
    } else {
      const ck = { ...m.checkpoint, config: { ...m.checkpoint.config, workers: 0 } };
      await run(await CactoTrainer.fromCheckpoint(ck), m.dirs, m.run);
    }
  })().catch((e: Error) => scope.postMessage({ type: "error", message: e?.stack ?? String(e) }));
};
