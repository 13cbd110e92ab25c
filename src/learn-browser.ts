/**
 * `cacto-wasm/learn/browser`: CACTO training in a browser page or Web Worker (what the project's own
 * page does). No Node built-ins are imported statically; the Node-only worker pool is a lazy import
 * that a browser never runs (set `workers: 0`). Bundle with code splitting (Vite does by default;
 * esbuild: `--splitting --format=esm --external:'node:*'`). Needs TensorFlow.js (optional peer).
 *
 * ```ts
 * import { CactoTrainer, preset, initBrowserTf } from "cacto-wasm/learn/browser";
 * await initBrowserTf("/tfjs/");   // the directory serving tfjs-backend-wasm*.wasm
 * const t = await CactoTrainer.create({ ...preset("toy1d", "quick"), workers: 0 }, 1);
 * while (!t.finished) console.log(await t.runLoop());
 * const checkpoint = encodeCheckpoint(t.serialize());   // text to store or download
 * ```
 * @module learn/browser
 */
export { CactoTrainer, type LoopMetrics, type Progress, type CheckpointData } from "./cacto/trainer.js";
export { preset, type PresetName, type CactoConfig } from "./cacto/presets.js";
export { ActorCritic } from "./rl/networks.js";
export { initBrowserTf } from "./web/tf.js";
export { encodeCheckpoint, decodeCheckpoint, unpackCheckpoint } from "./cacto/packed.js";
