/**
 * cacto-wasm/learn: the learning side as a library (Node). Separate from the root entry so that a
 * user who only needs the TO engine does not load TensorFlow.js.
 *
 * ```ts
 * import { CactoTrainer, preset, evaluate } from "cacto-wasm/learn";
 * const t = await CactoTrainer.create({ ...preset("single_integrator", "quick"), wS: 1e-2 }, 1);
 * while (!t.finished) console.log(await t.runLoop());
 * const ev = await evaluate(t, { grid: 5 });
 * await t.close();
 * ```
 */
export { CactoTrainer, type LoopMetrics, type Progress, type CheckpointData } from "./cacto/trainer.js";
export { preset, type PresetName, type CactoConfig } from "./cacto/presets.js";
export { saveCheckpoint, loadCheckpoint, hasCheckpoint, checkpointPath } from "./cacto/checkpoint.js";
export { evaluate, gridStates, type Evaluation, type EvaluateOptions } from "./eval/evaluate.js";
export { writeReport, reportMarkdown, formatTable } from "./eval/report.js";
export { ImitationTrainer, imitationPreset, type ImitationConfig } from "./baselines/imitation.js";
export { GpsTrainer, gpsPreset, type GpsConfig } from "./baselines/gps.js";
export { Td3Trainer, td3Preset, type Td3Config } from "./baselines/td3.js";
export { criticValueModel, solveWithCriticTerminal, mpcEpisode } from "./baselines/rlto.js";
export { runExperiment, type ExperimentOptions } from "./experiments/index.js";
export { ActorCritic } from "./rl/networks.js";
export { actorLayersModel, criticLayersModel, saveLayersModel, loadLayersModelFromDir, exportNetworks, registerCactoLayers, SineLayer } from "./rl/export.js";
export { initTf } from "./rl/backend.js";
