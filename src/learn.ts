/**
 * cacto-wasm/learn: the learning side as a library (Node). Separate from the root entry so that a
 * user who only needs the TO engine does not load TensorFlow.js. TensorFlow.js is an optional peer
 * dependency: without it this entry throws one clear error saying what to install.
 *
 * ```ts
 * import { CactoTrainer, preset, evaluate } from "cacto-wasm/learn";
 * const t = await CactoTrainer.create({ ...preset("single_integrator", "quick"), wS: 1e-2 }, 1);
 * while (!t.finished) console.log(await t.runLoop());
 * const ev = await evaluate(t, { grid: 5 });
 * await t.close();
 * ```
 */

type Impl = typeof import("./learn-impl.js");

/** the TF.js packages this entry needs (optional peer dependencies of the package) */
export const TFJS_PACKAGES = ["@tensorflow/tfjs@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0"] as const;

let impl: Impl;
try {
  impl = await import("./learn-impl.js");
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  const missing = /@tensorflow\/tfjs/.test(String(err?.message)) && (err?.code === "ERR_MODULE_NOT_FOUND" || /Cannot find|Failed to resolve|not found/i.test(String(err?.message)));
  if (!missing) throw e;
  throw new Error(`cacto-wasm/learn needs TensorFlow.js, which is not installed: npm install ${TFJS_PACKAGES.join(" ")} (the solver entry "cacto-wasm" does not need it)`);
}

export const {
  CactoTrainer,
  preset,
  saveCheckpoint,
  loadCheckpoint,
  hasCheckpoint,
  checkpointPath,
  evaluate,
  gridStates,
  writeReport,
  reportMarkdown,
  formatTable,
  ImitationTrainer,
  imitationPreset,
  GpsTrainer,
  gpsPreset,
  Td3Trainer,
  td3Preset,
  criticValueModel,
  solveWithCriticTerminal,
  mpcEpisode,
  runExperiment,
  ActorCritic,
  actorLayersModel,
  criticLayersModel,
  saveLayersModel,
  loadLayersModelFromDir,
  exportNetworks,
  registerCactoLayers,
  SineLayer,
  initTf,
} = impl;
export type CactoTrainer = Impl["CactoTrainer"]["prototype"];
export type ImitationTrainer = Impl["ImitationTrainer"]["prototype"];
export type GpsTrainer = Impl["GpsTrainer"]["prototype"];
export type Td3Trainer = Impl["Td3Trainer"]["prototype"];
export type ActorCritic = Impl["ActorCritic"]["prototype"];
export type SineLayer = Impl["SineLayer"]["prototype"];
export type {
  LoopMetrics,
  Progress,
  CheckpointData,
  PresetName,
  CactoConfig,
  Evaluation,
  EvaluateOptions,
  ImitationConfig,
  GpsConfig,
  Td3Config,
  ExperimentOptions,
} from "./learn-impl.js";
