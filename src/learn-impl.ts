/**
 * `cacto-wasm/learn`: CACTO / CACTO-SL training, evaluation, checkpoints, the tfjs export, the
 * baselines and the experiments (Node; needs TensorFlow.js). The entry module (learn.ts) loads this
 * one after checking that TensorFlow.js is installed and re-exports everything here.
 * @module learn
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
