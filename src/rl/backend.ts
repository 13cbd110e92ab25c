/**
 * TensorFlow.js set-up for the learning side. `import * as tf from "@tensorflow/tfjs"` brings the
 * gradients; the wasm backend registers itself on import and, in Node, finds its .wasm files without
 * `setWasmPaths` (in the browser the bundler must copy them and the page must call `setWasmPaths`).
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { useWasmKernels } from "./kernels.js";

export type TfBackend = "wasm" | "cpu";

let pending: Promise<typeof tf> | null = null;
let pendingName: TfBackend | null = null;

/**
 * Select the backend (idempotent: repeated calls with the same name share one initialisation; a call
 * with another name switches backends). Returns the tf namespace.
 */
export async function initTf(backend: TfBackend = "wasm"): Promise<typeof tf> {
  if (pending && pendingName === backend && tf.getBackend() === backend) return pending;
  pendingName = backend;
  pending = (async () => {
    const ok = await tf.setBackend(backend);
    if (!ok || tf.getBackend() !== backend) {
      throw new Error(`tfjs: could not initialise the "${backend}" backend (active: ${tf.getBackend()})`);
    }
    await tf.ready();
    // the networks' sin/cos kernels (src/rl/kernels.ts) run in the engine's WASM when it loads
    await useWasmKernels();
    return tf;
  })();
  try {
    return await pending;
  } catch (e) {
    pending = null;
    pendingName = null;
    throw e;
  }
}

export { tf };
