/**
 * One engine instance: its WASM exports, a bump allocator over its linear memory, and views.
 * Memory only grows (workspaces are allocated once and reused), so views are re-made after growth.
 */
import { MATH_EXPORTS, MAX_MODELS, MODEL_ARITY, MODEL_FUNCTIONS, type EngineExports } from "./abi.js";
import { instantiateEngine, type LoadOptions, type EngineFlavour } from "./load.js";
import { ENGINE_MAX_BYTES } from "../to/capacity.js";

/**
 * A model compiled to WASM at run time (`defineSystem`): a module that imports `env.memory` and the
 * engine's math (module "math"), and exports the five functions of the engine's model interface
 * (step, stepDiff, stepHess, running, terminal; signatures in assembly/models/registry.ts). An
 * engine instantiates it against its own memory and adds it to its model table once.
 */
export interface ModelModule {
  readonly nx: number;
  readonly nu: number;
  /** the module's bytes */
  readonly bytes: Uint8Array;
}

const compiledModels = new WeakMap<ModelModule, WebAssembly.Module>();

/** compile a model module (cached per module object; async, as browsers' main threads require) */
export async function compileModelModule(m: ModelModule): Promise<WebAssembly.Module> {
  let c = compiledModels.get(m);
  if (!c) {
    c = await WebAssembly.compile(m.bytes as unknown as BufferSource);
    compiledModels.set(m, c);
  }
  return c;
}

/** One WASM engine instance with its own linear memory; make one with `Engine.create`. */
export class Engine {
  readonly exports: EngineExports;
  readonly flavour: EngineFlavour;
  private top: number;
  /** start of the last block handed out (release() can take only that one back) */
  private last = -1;
  /** run-time models added to this engine, by module */
  private models = new Map<ModelModule, number>();
  /** loads in flight, so concurrent loadModel calls for one model register it once */
  private loading = new Map<ModelModule, Promise<number>>();

  private constructor(exports: EngineExports, flavour: EngineFlavour) {
    this.exports = exports;
    this.flavour = flavour;
    this.top = align16(exports.heapBase());
  }

  /**
   * Instantiate a new engine with its own memory: `opts.wasm` when given, else the `opts.flavour` build
   * (default "simd") from `opts.baseUrl` (default: the package's build/). Compiled modules are cached
   * per URL; throws if the .wasm cannot be read or fetched, or is not a WebAssembly module.
   */
  static async create(opts: LoadOptions = {}): Promise<Engine> {
    return new Engine(await instantiateEngine(opts), opts.flavour ?? "simd");
  }

  /**
   * The engine's model id of a system: the built-in id, or (for a system with a run-time `model`) the
   * id this engine gave that model, instantiating and registering it on first use. The first use
   * compiles synchronously when `loadModel` was not awaited before (fine in Node and in workers;
   * a browser's main thread refuses to compile larger modules synchronously: await `loadModel`, as
   * `createSolver` does).
   */
  modelId(spec: { id: number; model?: ModelModule }): number {
    const m = spec.model;
    if (!m) return spec.id;
    const have = this.models.get(m);
    if (have !== undefined) return have;
    let mod = compiledModels.get(m);
    if (!mod) {
      mod = new WebAssembly.Module(m.bytes as unknown as BufferSource);
      compiledModels.set(m, mod);
    }
    return this.register(m, new WebAssembly.Instance(mod, this.modelImports()));
  }

  /** compile (asynchronously) and register a run-time model; returns its id on this engine */
  async loadModel(m: ModelModule): Promise<number> {
    const have = this.models.get(m);
    if (have !== undefined) return have;
    const inflight = this.loading.get(m);
    if (inflight) return inflight;
    const p = (async () => {
      const mod = await compileModelModule(m);
      const inst = await WebAssembly.instantiate(mod, this.modelImports());
      // a synchronous modelId() may have registered it meanwhile
      return this.models.get(m) ?? this.register(m, inst);
    })();
    this.loading.set(m, p);
    try {
      return await p;
    } finally {
      this.loading.delete(m);
    }
  }

  private modelImports(): WebAssembly.Imports {
    const e = this.exports as unknown as Record<string, WebAssembly.ExportValue>;
    const math: Record<string, WebAssembly.ExportValue> = {};
    for (const [name, exp] of Object.entries(MATH_EXPORTS)) math[name] = e[exp];
    return { env: { memory: this.exports.memory }, math };
  }

  private register(m: ModelModule, inst: WebAssembly.Instance): number {
    const ex = inst.exports as Record<string, WebAssembly.ExportValue>;
    const fns = MODEL_FUNCTIONS.map((name, i) => {
      const f = ex[name];
      if (typeof f !== "function") throw new TypeError(`model module: export "${name}" is ${typeof f}, expected a function`);
      // a wrong signature would trap at the first call_indirect: check what JS can see, the arity
      const want = MODEL_ARITY[i];
      if (f.length !== want) throw new TypeError(`model module: export "${name}" takes ${f.length} parameters, expected ${want}`);
      return f;
    });
    if (this.exports.modelCount() >= MAX_MODELS) {
      throw new RangeError(`engine: already holds ${MAX_MODELS} models (at most ${MAX_MODELS}); use a new engine for more systems`);
    }
    const table = this.exports.table;
    const base = table.grow(fns.length);
    fns.forEach((f, i) => table.set(base + i, f));
    // a signature mismatch would trap at the first call_indirect; registerModel checks the dimensions
    const id = this.exports.registerModel(m.nx, m.nu, base, base + 1, base + 2, base + 3, base + 4);
    if (id < 0) throw new RangeError(`engine: model with nx = ${m.nx}, nu = ${m.nu} was refused (expected positive dimensions)`);
    this.models.set(m, id);
    return id;
  }

  /** zeroed, 16-byte aligned block of `bytes` bytes; grows memory as needed */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`bytes: got ${bytes}, expected a non-negative integer`);
    const ptr = this.top;
    const end = align16(ptr + bytes);
    if (end > ENGINE_MAX_BYTES) {
      throw new RangeError(`engine memory: a block of ${bytes} bytes at ${ptr} would end past the engine's ${ENGINE_MAX_BYTES / 2 ** 30} GiB`);
    }
    const mem = this.exports.memory;
    const have = mem.buffer.byteLength;
    if (end > have) mem.grow(Math.ceil((end - have) / 65536));
    new Uint8Array(mem.buffer, ptr, end - ptr).fill(0);
    this.top = end;
    this.last = ptr;
    return ptr;
  }

  /**
   * Give back the block at ptr if it is the last one allocated (true), so the next alloc reuses its
   * space; otherwise nothing happens (false). WASM memory never shrinks: the space is reused, not
   * returned to the system (drop the engine for that).
   */
  release(ptr: number): boolean {
    if (ptr !== this.last) return false;
    this.top = ptr;
    this.last = -1;
    return true;
  }

  /** f64 view (valid until the next alloc that grows memory) */
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, ptr, length);
  }

  /** u32 view (valid until the next alloc that grows memory) */
  u32(ptr: number, length: number): Uint32Array {
    return new Uint32Array(this.exports.memory.buffer, ptr, length);
  }

  /** current memory size in bytes (grows when a larger workspace is made; never shrinks) */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }
}

/** rounds up to a multiple of 16 in double arithmetic (a bitwise & would wrap at 2^31) */
function align16(b: number): number {
  return Math.ceil(b / 16) * 16;
}
