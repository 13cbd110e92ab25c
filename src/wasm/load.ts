/**
 * Finding and instantiating the engine's .wasm in Node and in browsers. Two builds come from the same
 * AssemblyScript source: "simd" (f64x2 kernels, the default) and "scalar" (no SIMD instructions).
 */
import type { EngineExports } from "./abi.js";

export type EngineFlavour = "simd" | "scalar";

export interface LoadOptions {
  /** which build to load (default "simd") */
  flavour?: EngineFlavour;
  /** the module's bytes or a compiled module, when the caller fetched it (browsers, bundlers) */
  wasm?: BufferSource | WebAssembly.Module;
  /** where the .wasm files live when they are fetched (default: ../../build/ next to this file) */
  baseUrl?: string | URL;
}

const isNode = typeof process !== "undefined" && !!process.versions?.node;
const compiled = new Map<string, Promise<WebAssembly.Module>>();

function wasmUrl(flavour: EngineFlavour, baseUrl?: string | URL): URL {
  const base = baseUrl ?? new URL("../../build/", import.meta.url);
  return new URL(`engine-${flavour}.wasm`, base);
}

async function compileFlavour(flavour: EngineFlavour, baseUrl?: string | URL): Promise<WebAssembly.Module> {
  const url = wasmUrl(flavour, baseUrl);
  const key = url.href;
  let p = compiled.get(key);
  if (!p) {
    p = (async () => {
      if (isNode && url.protocol === "file:") {
        const { readFile } = await import("node:fs/promises");
        let bytes: Uint8Array;
        try {
          bytes = await readFile(url);
        } catch (e) {
          throw new Error(`engine: cannot read ${url.pathname} (${(e as Error).message}); build it with "npm run build:wasm"`);
        }
        return WebAssembly.compile(bytes as unknown as BufferSource);
      }
      const res = await fetch(url);
      if (!res.ok) throw new Error(`engine: fetching ${url.href} gave HTTP ${res.status}`);
      return WebAssembly.compile(await res.arrayBuffer());
    })();
    compiled.set(key, p);
  }
  return p;
}

/** instantiate a fresh engine instance (its own memory) */
export async function instantiateEngine(opts: LoadOptions = {}): Promise<EngineExports> {
  const flavour = opts.flavour ?? "simd";
  if (flavour !== "simd" && flavour !== "scalar") {
    throw new RangeError(`flavour: got ${JSON.stringify(flavour)}, expected "simd" or "scalar"`);
  }
  let mod: WebAssembly.Module;
  if (opts.wasm instanceof WebAssembly.Module) mod = opts.wasm;
  else if (opts.wasm) mod = await WebAssembly.compile(opts.wasm);
  else mod = await compileFlavour(flavour, opts.baseUrl);
  const now = typeof performance !== "undefined" ? () => performance.now() : () => Date.now();
  const inst = await WebAssembly.instantiate(mod, {
    env: {
      now,
      abort: (_m: number, _f: number, line: number, col: number) => {
        throw new Error(`engine: abort at ${line}:${col}`);
      },
    },
  });
  return inst.exports as unknown as EngineExports;
}
