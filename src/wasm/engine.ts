/**
 * One engine instance: its WASM exports, a bump allocator over its linear memory, and views.
 * Memory only grows (workspaces are allocated once and reused), so views are re-made after growth.
 */
import type { EngineExports } from "./abi.js";
import { instantiateEngine, type LoadOptions, type EngineFlavour } from "./load.js";

export class Engine {
  readonly exports: EngineExports;
  readonly flavour: EngineFlavour;
  private top: number;

  private constructor(exports: EngineExports, flavour: EngineFlavour) {
    this.exports = exports;
    this.flavour = flavour;
    this.top = align16(exports.heapBase());
  }

  static async create(opts: LoadOptions = {}): Promise<Engine> {
    return new Engine(await instantiateEngine(opts), opts.flavour ?? "simd");
  }

  /** zeroed, 16-byte aligned block of `bytes` bytes; grows memory as needed */
  alloc(bytes: number): number {
    const ptr = this.top;
    const end = align16(ptr + bytes);
    const mem = this.exports.memory;
    const have = mem.buffer.byteLength;
    if (end > have) mem.grow(Math.ceil((end - have) / 65536));
    new Uint8Array(mem.buffer, ptr, end - ptr).fill(0);
    this.top = end;
    return ptr;
  }

  /** f64 view (valid until the next alloc that grows memory) */
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, ptr, length);
  }

  u32(ptr: number, length: number): Uint32Array {
    return new Uint32Array(this.exports.memory.buffer, ptr, length);
  }

  /** current memory size in bytes (grows only when new workspaces are made) */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }
}

function align16(b: number): number {
  return (b + 15) & ~15;
}
