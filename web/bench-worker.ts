/** Benchmark worker: runs the solver benchmark off the page's thread and posts each row. */
import { runBrowserBench, type BenchImpl } from "../src/web/bench.js";
import { Engine } from "../src/wasm/engine.js";
import type { SystemName } from "../src/systems/layout.js";

const scope = globalThis as unknown as {
  onmessage: ((ev: MessageEvent<{ systems: SystemName[]; reps: number; impls: BenchImpl[]; engineDir: string }>) => void) | null;
  postMessage(msg: unknown): void;
};

scope.onmessage = (ev) => {
  const { systems, reps, impls, engineDir } = ev.data;
  (async () => {
    const engines = {
      "wasm-simd": await Engine.create({ flavour: "simd", baseUrl: engineDir }),
      "wasm-scalar": await Engine.create({ flavour: "scalar", baseUrl: engineDir }),
    };
    await runBrowserBench({ systems, reps, impls, engines }, (row) => scope.postMessage({ type: "row", row }));
    scope.postMessage({ type: "done" });
  })().catch((e: Error) => scope.postMessage({ type: "error", message: e?.stack ?? String(e) }));
};
