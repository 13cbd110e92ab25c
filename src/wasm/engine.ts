/**
 * One engine instance: its WASM exports, a bump allocator over its linear memory, and views.
 * Memory only grows (workspaces are allocated once and reused), so views are re-made after growth.
 */
import type { EngineExports } from "./abi.js";
import { instantiateEngine, type LoadOptions, type EngineFlavour } from "./load.js";
import { ENGINE_MAX_BYTES } from "../to/capacity.js";

/** One WASM engine instance with its own linear memory; make one with `Engine.create`. */
export class Engine {
  readonly exports: EngineExports;
  readonly flavour: EngineFlavour;
  private top: number;
  /** start of the last block handed out (release() can take only that one back) */
  private last = -1;

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
