/**
 * TensorFlow.js in a browser page or worker: the wasm backend needs to be told where its .wasm files
 * are (the app's build copies them into a `tfjs/` directory next to the bundles). The single-threaded
 * SIMD build is used, as in Node, so networks give the same numbers in both.
 */
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { initTf, tf } from "../rl/backend.js";

/** `dir`: URL of the directory holding tfjs-backend-wasm*.wasm (ending in "/") */
export async function initBrowserTf(dir: string | URL): Promise<typeof tf> {
  const href = new URL(dir, typeof location !== "undefined" ? location.href : undefined).href;
  setWasmPaths(href.endsWith("/") ? href : href + "/");
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  return initTf("wasm");
}
