/**
 * Finding and instantiating the engine's .wasm in Node and in browsers. Two builds come from the same
 * AssemblyScript source: "simd" (f64x2 kernels, the default) and "scalar" (no SIMD instructions).
 */
import type { EngineExports } from "./abi.js";

/** The engine build: "simd" (f64x2 kernels, the default) or "scalar" (no SIMD instructions). */
export type EngineFlavour = "simd" | "scalar";

/** Which engine build to load and where its .wasm comes from (`Engine.create`, `createSolver`). */
export interface LoadOptions {
  /** which build to load (default "simd") */
  flavour?: EngineFlavour;
  /** the module's bytes or a compiled module, when the caller fetched it (browsers, bundlers) */
  wasm?: BufferSource | WebAssembly.Module;
  /** where the .wasm files live when they are fetched (default: ../../build/ next to this file) */
  baseUrl?: string | URL;
}

const isNode = typeof process !== "undefined" && !!process.versions?.node;
const NODE_FS = "node:fs/promises";
const compiled = new Map<string, Promise<WebAssembly.Module>>();

function wasmUrl(flavour: EngineFlavour, baseUrl?: string | URL): URL {
  if (baseUrl !== undefined) return new URL(`engine-${flavour}.wasm`, baseUrl);
  // literal `new URL("<file>", import.meta.url)` expressions: bundlers (Vite, webpack) recognise them
  // and emit the .wasm as an asset
  return flavour === "simd"
    ? new URL("../../build/engine-simd.wasm", import.meta.url)
    : new URL("../../build/engine-scalar.wasm", import.meta.url);
}

/** bytes that are not a WebAssembly module (e.g. a dev server's HTML fallback page) get a clear error */
export function checkMagic(bytes: ArrayBuffer | Uint8Array, where: string, contentType?: string | null): void {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (b.length >= 4 && b[0] === 0x00 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d) return;
  const head = Array.from(b.subarray(0, 16), (c) => (c >= 32 && c < 127 ? String.fromCharCode(c) : ".")).join("");
  throw new Error(
    `engine: ${where} is not a WebAssembly module (got ${contentType ? `${contentType}, ` : ""}${b.length} bytes starting ${JSON.stringify(head)}): ` +
    "serve the package's engine-*.wasm at that URL, or pass LoadOptions.baseUrl (the directory holding it) or LoadOptions.wasm (its bytes)",
  );
}

async function compileFlavour(flavour: EngineFlavour, baseUrl?: string | URL): Promise<WebAssembly.Module> {
  const url = wasmUrl(flavour, baseUrl);
  const key = url.href;
  let p = compiled.get(key);
  if (!p) {
    p = (async () => {
      if (isNode && url.protocol === "file:") {
        // hidden from bundlers (a browser never runs this branch): no bundler needs a setting for it
        const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS) as typeof import("node:fs/promises");
        let bytes: Uint8Array;
        try {
          bytes = await readFile(url);
        } catch (e) {
          throw new Error(`engine: cannot read ${url.pathname} (${(e as Error).message}); build it with "npm run build:wasm"`);
        }
        checkMagic(bytes, url.pathname);
        return WebAssembly.compile(bytes as unknown as BufferSource);
      }
      const res = await fetch(url);
      if (!res.ok) throw new Error(`engine: fetching ${url.href} gave HTTP ${res.status}`);
      const buf = await res.arrayBuffer();
      checkMagic(buf, url.href, res.headers.get("content-type"));
      return WebAssembly.compile(buf);
    })();
    compiled.set(key, p);
    // a failed load is not cached: the next call tries again (the file may be built or served by then)
    p.catch(() => { if (compiled.get(key) === p) compiled.delete(key); });
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
  else if (opts.wasm) {
    const w = opts.wasm;
    if (w instanceof ArrayBuffer || ArrayBuffer.isView(w)) checkMagic(w instanceof ArrayBuffer ? w : new Uint8Array(w.buffer, w.byteOffset, w.byteLength), "options.wasm");
    mod = await WebAssembly.compile(w);
  }
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
