/**
 * Learning benchmark (`npx cacto bench learn`, issue 15): network updates per second and where an
 * update's time goes, per system and preset, in one process. Each case builds the preset's trainer
 * (the preset's networks, batch size, n-step and Sobolev weight), fills the replay buffer with one loop
 * of TO solves from zeros (the preset's episodes, capped by `episodes`), warms up, then times
 * `updates` calls of the trainer's own updateStep with its phase clock: sample (minibatch draw and
 * normalisation), targets (target critic and TD targets), critic (loss, gradient, Adam), actor
 * (forward, dQ/du through the engine and the critic's input gradient, Adam), target (soft update).
 * Also the tensors alive before and after (a leak shows as growth). The machine is the first row.
 */
import * as tf from "@tensorflow/tfjs";
import { CactoTrainer, type UpdatePhases } from "../src/cacto/trainer.js";
import { preset, type PresetName } from "../src/cacto/presets.js";
import type { SystemName } from "../src/systems/layout.js";
import { machine } from "./solver.js";

export interface LearnBenchOptions {
  systems?: SystemName[];
  presets?: PresetName[];
  /** timed updates per case (default 200) */
  updates?: number;
  /** TO problems that fill the buffer (default 64, at most the preset's episodes per loop) */
  episodes?: number;
}

export interface LearnBenchRow {
  kind: "learn";
  system: string;
  preset: string;
  actor: number[];
  critic: number[];
  batchSize: number;
  sobolev: number;
  bufferRows: number;
  updates: number;
  updatesPerSecond: number;
  msPerUpdate: number;
  /** ms per update in each phase, and their shares of the timed total */
  phases: UpdatePhases;
  shares: UpdatePhases;
  tensorsBefore: number;
  tensorsAfter: number;
}

const PHASES: (keyof UpdatePhases)[] = ["sample", "targets", "critic", "actor", "target"];

export async function runLearnBench(opts: LearnBenchOptions, emit: (row: object) => void): Promise<void> {
  const systems = opts.systems ?? ["single_integrator", "car"];
  const presets = opts.presets ?? ["quick", "reference"];
  const n = opts.updates ?? 200;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`updates: got ${n}, expected an integer >= 1`);
  emit(machine());
  for (const system of systems) {
    for (const name of presets) {
      const base = preset(system, name);
      const episodes = Math.min(opts.episodes ?? 64, base.episodesPerLoop);
      // one loop: the buffer is filled by TO from zeros, then a single update (no learning to speak of)
      const t = await CactoTrainer.create({ ...base, updateLoops: [1, n + 20], episodesPerLoop: episodes, workers: 2 }, 1);
      try {
        await t.runLoop();
        for (let i = 0; i < 20; i++) t.updateStep(); // warm-up: kernels compiled, buffers allocated
        const phases: UpdatePhases = { sample: 0, targets: 0, critic: 0, actor: 0, target: 0 };
        const before = tf.memory().numTensors;
        const t0 = performance.now();
        await t.beginUpdates();
        for (let i = 0; i < n; i++) t.updateStep(phases);
        await t.endUpdates();
        const ms = performance.now() - t0;
        const after = tf.memory().numTensors;
        const total = PHASES.reduce((a, k) => a + phases[k], 0);
        const per = Object.fromEntries(PHASES.map((k) => [k, phases[k] / n])) as unknown as UpdatePhases;
        const shares = Object.fromEntries(PHASES.map((k) => [k, phases[k] / total])) as unknown as UpdatePhases;
        const row: LearnBenchRow = {
          kind: "learn", system, preset: name, actor: base.actorHidden, critic: base.criticHidden, batchSize: base.batchSize,
          sobolev: base.wS, bufferRows: t.buffer.size, updates: n, updatesPerSecond: (1000 * n) / ms, msPerUpdate: ms / n,
          phases: per, shares, tensorsBefore: before, tensorsAfter: after,
        };
        emit(row);
      } finally {
        await t.close();
        t.dispose();
      }
    }
  }
}

/** one human-readable line per row */
export function formatLearnRow(input: object): string {
  const r = input as LearnBenchRow & { kind: string };
  if (r.kind !== "learn") return JSON.stringify(input);
  const ph = PHASES.map((k) => `${k} ${(100 * r.shares[k]).toFixed(0)}%`).join(", ");
  return `${r.system.padEnd(18)} ${r.preset.padEnd(9)} actor ${r.actor.join("-")} critic ${r.critic.join("-")} batch ${r.batchSize}${r.sobolev > 0 ? ` Sobolev ${r.sobolev}` : ""}: ` +
    `${r.updatesPerSecond.toFixed(1)} updates/s (${r.msPerUpdate.toFixed(2)} ms; ${ph}); tensors ${r.tensorsBefore} -> ${r.tensorsAfter}`;
}
