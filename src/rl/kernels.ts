/**
 * Custom TensorFlow.js kernels for the networks' hot spots (issue 15), registered under names of our
 * own ("CactoSin", "CactoSinCos", "CactoBias*", "CactoLeakyReluGrad" for the wasm and cpu backends,
 * "CactoTranspose" and "CactoColSum" for wasm), so nothing
 * of tfjs's own kernels is replaced for other users of the same tfjs instance; and the float32 passes
 * of Adam and the soft target update (AdamMoments, lerpStep) over the same WASM.
 *
 * Why: the SIREN critic's sine layers. tfjs-backend-wasm 4.22's Sin and Cos take ~55 ns per element on
 * this machine (a 64x128 tensor: 450 us, against 22 us for a Multiply of the same size), so on the
 * car's reference preset the 12 Sin and 8 Cos calls of one update were a third of its time
 * (`cacto bench learn`, docs/benchmarks.md). Here sin and cos are evaluated in double precision
 * (Cody-Waite reduction by pi/2 in three parts, Taylor polynomials to degree 15/16 on |r| <= pi/4)
 * and rounded once to float32, by the engine's WASM (`sinCosF32`, assembly/nn.ts, f64x2 SIMD) once
 * `useWasmKernels()` has loaded it (initTf does), else by the same formula in plain JS: the result equals fround(Math.sin(x)) (test/kernels.test.ts) and is
 * the same in every JavaScript engine (only +, -, *, Math.round). tfjs's own Sin is accurate to
 * ~2.4e-7 absolute, so results differ from it in the last bits.
 *
 * Gradients are registered (d sin = cos dy; d(sin, cos) = cos ds - sin dc, from the saved input, so
 * they are differentiable again) so the kernels work under tf.grad / variableGrads, including the
 * Sobolev loss of CACTO-SL. On other backends (webgl, webgpu)
 * the functions fall back to tf.sin / tf.cos.
 */
import * as tf from "@tensorflow/tfjs";
import { Engine } from "../wasm/engine.js";

// pi/2 = P1 + P2 + P3: P1 has 33 significant bits (k * P1 is exact for |k| < 2^20), P2 and P3 the
// rest, from 60 decimal digits of pi
const P1 = 1.5707963267341256;
const P2 = 6.077100506506192e-11;
const P3 = 3.5215598651832e-27;
const TWO_OVER_PI = 0.6366197723675814;
/** beyond this |x| the reduction above loses accuracy; such inputs use Math.sin / Math.cos */
const REDUCE_MAX = 1e5;

// Taylor coefficients (-1)^n / (2n+1)! and (-1)^n / (2n)!, n = 1..7 / 1..8
const S1 = -1 / 6, S2 = 1 / 120, S3 = -1 / 5040, S4 = 1 / 362880, S5 = -1 / 39916800, S6 = 1 / 6227020800,
  S7 = -1 / 1307674368000;
const C1 = -1 / 2, C2 = 1 / 24, C3 = -1 / 720, C4 = 1 / 40320, C5 = -1 / 3628800, C6 = 1 / 479001600,
  C7 = -1 / 87178291200, C8 = 1 / 20922789888000;

/**
 * sin and cos of each x[i], rounded to float32, into s and c (either may be null). Plain JS, the
 * reference of the kernels and their implementation.
 */
export function sinCosInto(x: ArrayLike<number>, s: Float32Array | null, c: Float32Array | null): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (!(Math.abs(xi) <= REDUCE_MAX)) {
      if (s) s[i] = Math.sin(xi);
      if (c) c[i] = Math.cos(xi);
      continue;
    }
    const k = Math.floor(xi * TWO_OVER_PI + 0.5);
    const r = ((xi - k * P1) - k * P2) - k * P3;
    const z = r * r;
    const sr = r + r * z * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * (S6 + z * S7))))));
    const cr = 1 + z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * (C6 + z * (C7 + z * C8)))))));
    const q = k & 3;
    // sin(-0) = -0 (the polynomial would give +0)
    if (s) s[i] = xi === 0 ? xi : q === 0 ? sr : q === 1 ? cr : q === 2 ? -sr : -cr;
    if (c) c[i] = q === 0 ? cr : q === 1 ? -sr : q === 2 ? -cr : sr;
  }
}

// ---------------------------------------------------------------------------------------------
// the WASM implementation (assembly/nn.ts): an engine instance of its own; a staging block for the
// kernels' inputs and outputs, and resident blocks for Adam's state (AdamMoments)

interface WasmKernels {
  engine: Engine;
  sinCosF32(x: number, s: number, c: number, n: number): number;
  adamF32(x: number, g: number, m: number, v: number, n: number, b1: number, ob1: number, b2: number, ob2: number, c1: number, c2: number, eps: number, nlr: number): void;
  lerpF32(t: number, s: number, n: number, a: number, b: number): void;
  transposeF32(src: number, dst: number, rows: number, cols: number): void;
  biasLeakyF32(x: number, b: number, z: number, h: number, rows: number, cols: number, alpha: number): void;
  leakyGradF32(dy: number, z: number, out: number, n: number, alpha: number): void;
  colSumF32(x: number, out: number, rows: number, cols: number): void;
  /** the staging block (regrown through the free list below when too small) */
  ptr: number;
  /** its size in float32 values */
  cap: number;
}

let wasm: WasmKernels | null = null;
let wasmLoading: Promise<boolean> | null = null;
let warned = false;

/**
 * Load the engine module that runs the kernels (idempotent; initTf calls it). Returns false, and the
 * kernels stay on their JS implementation (same results, slower), when the module cannot be loaded.
 */
export function useWasmKernels(): Promise<boolean> {
  if (wasm) return Promise.resolve(true);
  wasmLoading ??= (async () => {
    try {
      const engine = await Engine.create();
      const ex = engine.exports as unknown as Partial<WasmKernels>;
      const names = ["sinCosF32", "adamF32", "lerpF32", "transposeF32", "biasLeakyF32", "leakyGradF32", "colSumF32"] as const;
      if (names.some((k) => typeof ex[k] !== "function")) return false;
      wasm = {
        engine, sinCosF32: ex.sinCosF32!, adamF32: ex.adamF32!, lerpF32: ex.lerpF32!, transposeF32: ex.transposeF32!,
        biasLeakyF32: ex.biasLeakyF32!, leakyGradF32: ex.leakyGradF32!, colSumF32: ex.colSumF32!, ptr: 0, cap: 0,
      };
      return true;
    } catch (e) {
      wasmLoading = null;
      // the JS path gives the same bits, several times slower: say so once
      if (!warned) {
        warned = true;
        console.warn(`cacto-wasm: the network kernels run in plain JS (same results, slower): the engine's WASM did not load (${(e as Error).message})`);
      }
      return false;
    }
  })();
  return wasmLoading;
}

/** bytes of the kernel engine's memory (0 without it): it grows to the largest need, then stays */
export function kernelMemoryBytes(): number {
  return wasm ? wasm.engine.exports.memory.buffer.byteLength : 0;
}

/** which implementation the kernels use now */
export function kernelImplementation(): "wasm" | "js" {
  return wasm ? "wasm" : "js";
}

// Blocks of the kernel engine's memory: a free list per exact size (the sizes in use are few: one per
// network variable shape, and the staging block), so freed blocks are reused, never lost.
const freeBlocks = new Map<number, number[]>();

function allocBlock(w: WasmKernels, bytes: number): number {
  const list = freeBlocks.get(bytes);
  const ptr = list?.pop();
  if (ptr !== undefined) {
    new Uint8Array(w.engine.exports.memory.buffer, ptr, bytes).fill(0);
    return ptr;
  }
  return w.engine.alloc(bytes);
}

function freeBlock(bytes: number, ptr: number): void {
  let list = freeBlocks.get(bytes);
  if (!list) freeBlocks.set(bytes, list = []);
  list.push(ptr);
}

/** the staging block with room for `floats` float32 values (regrown when too small) */
function stage(w: WasmKernels, floats: number): number {
  if (floats > w.cap) {
    if (w.cap) freeBlock(4 * w.cap, w.ptr);
    w.cap = Math.max(floats, 2 * w.cap, 16384);
    w.ptr = allocBlock(w, 4 * w.cap);
  }
  return w.ptr;
}

/** sin/cos of x into s, c through the WASM kernel (falls back to JS for out-of-range inputs) */
function sinCosWasm(w: WasmKernels, x: Float32Array, s: Float32Array | null, c: Float32Array | null): void {
  const n = x.length;
  const xp = stage(w, 3 * n), sp = xp + 4 * n, cp = xp + 8 * n;
  const buf = w.engine.exports.memory.buffer;
  new Float32Array(buf, xp, n).set(x);
  const bad = w.sinCosF32(xp, s ? sp : 0, c ? cp : 0, n);
  if (bad) {
    sinCosInto(x, s, c);
    return;
  }
  if (s) s.set(new Float32Array(buf, sp, n));
  if (c) c.set(new Float32Array(buf, cp, n));
}

function sinCosAny(x: Float32Array, s: Float32Array | null, c: Float32Array | null): void {
  if (wasm) sinCosWasm(wasm, x, s, c);
  else sinCosInto(x, s, c);
}

/** t_i = fround(x_i + b_(i mod b.length)): tf.add(x, b) of an (n, H) matrix and an (H) bias */
function addBiasInto(x: Float32Array, b: Float32Array, t: Float32Array): void {
  const h = b.length;
  for (let i = 0, j = 0; i < x.length; i++) {
    t[i] = x[i] + b[j];
    if (++j === h) j = 0;
  }
}

/** sin and cos of x + b (row-broadcast bias), as sinCosAny of tf.add(x, b)'s values */
function biasSinCosAny(x: Float32Array, b: Float32Array, s: Float32Array | null, c: Float32Array | null): void {
  const n = x.length;
  if (wasm) {
    const xp = stage(wasm, 3 * n), sp = xp + 4 * n, cp = xp + 8 * n;
    const buf = wasm.engine.exports.memory.buffer;
    const t = new Float32Array(buf, xp, n);
    addBiasInto(x, b, t);
    if (!wasm.sinCosF32(xp, s ? sp : 0, c ? cp : 0, n)) {
      if (s) s.set(new Float32Array(buf, sp, n));
      if (c) c.set(new Float32Array(buf, cp, n));
      return;
    }
    sinCosInto(t, s, c);
    return;
  }
  const t = new Float32Array(n);
  addBiasInto(x, b, t);
  sinCosInto(t, s, c);
}

// ---------------------------------------------------------------------------------------------
// Adam and the soft update over float32 arrays

/** Adam's per-step constants, as float32 values */
export interface AdamConstants {
  b1: number; ob1: number; b2: number; ob2: number; c1: number; c2: number; eps: number; nlr: number;
}

const fr = Math.fround;

/**
 * One Adam step in place on x, m, v (float32 arrays of one length) with gradient g: the operations of
 * the tf-op formula, each rounded to float32 (the JS reference and fallback; AdamMoments.step runs it in WASM)
 */
export function adamStepJs(x: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, k: AdamConstants): void {
  const { b1, ob1, b2, ob2, c1, c2, eps, nlr } = k;
  for (let j = 0; j < x.length; j++) {
    const gj = g[j];
    const mj = fr(fr(m[j] * b1) + fr(gj * ob1));
    const vj = fr(fr(v[j] * b2) + fr(fr(gj * gj) * ob2));
    m[j] = mj;
    v[j] = vj;
    const step = fr(fr(mj / c1) / fr(fr(Math.sqrt(fr(vj / c2))) + eps));
    x[j] = fr(step * nlr) + x[j];
  }
}

function checkLengths(what: string, n: number, arrays: Float32Array[]): void {
  for (const a of arrays) if (a.length !== n) throw new RangeError(`${what}: arrays of ${n} and ${a.length} values`);
}

const blockRegistry = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry<{ bytes: number; ptr: number }>((b) => freeBlock(b.bytes, b.ptr))
  : null;

/**
 * Adam's state for n parameters: the moments m and v and a copy of the parameters x, kept in the
 * kernel engine's memory when the WASM kernels are loaded (so a step copies only the gradient in and
 * uploads x from there), else in JS arrays. `step` is adamStepJs's update (the same bits either way).
 * The owner keeps x in sync: `setX` after the parameters changed elsewhere.
 */
export class AdamMoments {
  readonly n: number;
  private ptr = 0;
  private js: Float32Array | null = null;
  private token = {};

  constructor(n: number) {
    this.n = n;
    const w = wasm;
    if (w && n > 0) {
      this.ptr = allocBlock(w, 12 * n);
      blockRegistry?.register(this, { bytes: 12 * n, ptr: this.ptr }, this.token);
    } else {
      this.js = new Float32Array(3 * n);
    }
  }

  /** [m, v, x] as views (valid until the next kernel call) */
  private views(): [Float32Array, Float32Array, Float32Array] {
    const n = this.n;
    if (this.js) return [this.js.subarray(0, n), this.js.subarray(n, 2 * n), this.js.subarray(2 * n)];
    if (!this.ptr && n > 0) throw new Error("AdamMoments: used after dispose()");
    const buf = wasm!.engine.exports.memory.buffer;
    return [new Float32Array(buf, this.ptr, n), new Float32Array(buf, this.ptr + 4 * n, n), new Float32Array(buf, this.ptr + 8 * n, n)];
  }

  /** copies of m and v */
  get(): [Float32Array, Float32Array] {
    const [m, v] = this.views();
    return [Float32Array.from(m), Float32Array.from(v)];
  }

  set(m: ArrayLike<number>, v: ArrayLike<number>): void {
    if (m.length !== this.n || v.length !== this.n) throw new RangeError(`AdamMoments: ${m.length} and ${v.length} values for ${this.n}`);
    const [mv, vv] = this.views();
    mv.set(m);
    vv.set(v);
  }

  /** the parameters the next step starts from */
  setX(x: ArrayLike<number>): void {
    if (x.length !== this.n) throw new RangeError(`AdamMoments: ${x.length} parameters for ${this.n}`);
    this.views()[2].set(x);
  }

  /**
   * One Adam step of the kept x with gradient g; returns the new x: a view valid until the next kernel
   * call (upload or copy it at once)
   */
  step(g: Float32Array, k: AdamConstants): Float32Array {
    const n = this.n;
    checkLengths("AdamMoments.step", n, [g]);
    if (this.js) {
      const [m, v, x] = this.views();
      adamStepJs(x, g, m, v, k);
      return x;
    }
    const w = wasm!;
    if (!this.ptr && n > 0) throw new Error("AdamMoments: used after dispose()");
    const gp = stage(w, n);
    new Float32Array(w.engine.exports.memory.buffer, gp, n).set(g);
    const xp = this.ptr + 8 * n;
    w.adamF32(xp, gp, this.ptr, this.ptr + 4 * n, n, k.b1, k.ob1, k.b2, k.ob2, k.c1, k.c2, k.eps, k.nlr);
    return new Float32Array(w.engine.exports.memory.buffer, xp, n);
  }

  /** give the memory back (idempotent) */
  dispose(): void {
    if (this.ptr) {
      blockRegistry?.unregister(this.token);
      freeBlock(12 * this.n, this.ptr);
      this.ptr = 0;
    }
    this.js = null;
  }
}

/** t = fround(fround(s a) + fround(t b)) in place (a, b float32): the soft target update */
export function lerpStep(t: Float32Array, s: Float32Array, a: number, b: number): void {
  const n = t.length;
  checkLengths("lerpStep", n, [s]);
  const w = wasm;
  if (!w || n === 0) {
    for (let j = 0; j < n; j++) t[j] = fr(s[j] * a) + fr(t[j] * b);
    return;
  }
  const tp = stage(w, 2 * n), sp = tp + 4 * n;
  const buf = w.engine.exports.memory.buffer;
  new Float32Array(buf, tp, n).set(t);
  new Float32Array(buf, sp, n).set(s);
  w.lerpF32(tp, sp, n, a, b);
  t.set(new Float32Array(buf, tp, n));
}

// ---------------------------------------------------------------------------------------------
// kernel registration

interface HeapBackend {
  // tfjs-backend-wasm's BackendWasm
  typedArrayFromHeap?(t: tf.TensorInfo): Float32Array;
  makeOutput?(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  // tfjs's MathBackendCPU
  data?: { get(id: object): { values: unknown } };
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

function run(backend: HeapBackend, x: tf.TensorInfo, wantSin: boolean, wantCos: boolean): tf.TensorInfo[] {
  if (x.dtype !== "float32") throw new TypeError(`CactoSinCos: dtype ${x.dtype}, expected float32`);
  const n = x.shape.reduce((a, b) => a * b, 1);
  if (backend.typedArrayFromHeap && backend.makeOutput) {
    const outs: tf.TensorInfo[] = [];
    const so = wantSin ? backend.makeOutput(x.shape, "float32") : null;
    const co = wantCos ? backend.makeOutput(x.shape, "float32") : null;
    // views after every allocation: makeOutput may grow (and so detach) the heap
    const xv = backend.typedArrayFromHeap(x);
    sinCosAny(xv, so ? backend.typedArrayFromHeap(so) : null, co ? backend.typedArrayFromHeap(co) : null);
    if (so) outs.push(so);
    if (co) outs.push(co);
    return outs;
  }
  if (backend.data && backend.makeTensorInfo) {
    const xv = backend.data.get(x.dataId).values as Float32Array;
    const s = wantSin ? new Float32Array(n) : null;
    const c = wantCos ? new Float32Array(n) : null;
    sinCosAny(xv, s, c);
    const outs: tf.TensorInfo[] = [];
    if (s) outs.push(backend.makeTensorInfo(x.shape, "float32", s));
    if (c) outs.push(backend.makeTensorInfo(x.shape, "float32", c));
    return outs;
  }
  throw new Error("CactoSinCos: unsupported backend");
}

/** a kernel `name` of an (n, H) float32 x and an (H) bias b with outputs shaped like x, on a heap backend */
function registerBiasKernel(
  name: string, backendName: string, nOut: (attrs: Record<string, unknown>) => number,
  body: (ins: Float32Array[], outs: Float32Array[], attrs: Record<string, unknown>) => void,
): void {
  tf.registerKernel({
    kernelName: name, backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = inputs.x as tf.TensorInfo, b = inputs.b as tf.TensorInfo;
      checkBias(name, x, b);
      const a = attrs as unknown as Record<string, unknown>;
      return heapOp(backend as HeapBackend, x.shape, nOut(a), [x, b], (ins, outs) => body(ins, outs, a));
    },
  });
}

function checkBias(name: string, x: tf.TensorInfo, b: tf.TensorInfo): void {
  if (x.dtype !== "float32" || b.dtype !== "float32") throw new TypeError(`${name}: dtypes ${x.dtype}, ${b.dtype}, expected float32`);
  if (x.shape.length !== 2 || b.shape.length !== 1 || b.shape[0] !== x.shape[1]) throw new RangeError(`${name}: shapes [${x.shape}] and [${b.shape}], expected (n, H) and (H)`);
}

/**
 * A float32 kernel body over heap views: `nOut` outputs of `shape`, filled by `f` from the inputs'
 * values (the wasm backend's heap, or the cpu backend's arrays).
 */
function heapOp(backend: HeapBackend, shape: number[], nOut: number, ins: tf.TensorInfo[], f: (xs: Float32Array[], outs: Float32Array[]) => void): tf.TensorInfo[] {
  if (backend.typedArrayFromHeap && backend.makeOutput) {
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < nOut; i++) outs.push(backend.makeOutput(shape, "float32"));
    // views after every allocation: makeOutput may grow (and so detach) the heap
    f(ins.map((t) => backend.typedArrayFromHeap!(t)), outs.map((t) => backend.typedArrayFromHeap!(t)));
    return outs;
  }
  if (backend.data && backend.makeTensorInfo) {
    const size = shape.reduce((a, b) => a * b, 1);
    const arrays = Array.from({ length: nOut }, () => new Float32Array(size));
    f(ins.map((t) => backend.data!.get(t.dataId).values as Float32Array), arrays);
    return arrays.map((a) => backend.makeTensorInfo!(shape, "float32", a));
  }
  throw new Error("unsupported backend for the cacto kernels");
}

/** dx_i = z_i > 0 ? dy_i : fround(dy_i * fround(alpha)), float32 */
export function leakyGradValues(dy: Float32Array, z: Float32Array, alpha: number, out: Float32Array): void {
  const a = Math.fround(alpha);
  for (let i = 0; i < out.length; i++) out[i] = z[i] > 0 ? dy[i] : dy[i] * a;
}

function leakyGradKernel(backend: HeapBackend, dy: tf.TensorInfo, z: tf.TensorInfo, alpha: number, onWasm: boolean): tf.TensorInfo {
  if (dy.dtype !== "float32" || z.dtype !== "float32") throw new TypeError(`CactoLeakyReluGrad: dtypes ${dy.dtype}, ${z.dtype}, expected float32`);
  if (dy.shape.join() !== z.shape.join()) throw new RangeError(`CactoLeakyReluGrad: shapes [${dy.shape}] and [${z.shape}] differ`);
  return heapOp(backend, dy.shape, 1, [dy, z], ([d, zv], [out]) => {
    if (onWasm && wasm) leakyGradWasm(wasm, d, zv, out, alpha);
    else leakyGradValues(d, zv, alpha, out);
  })[0];
}

// The two leaky-ReLU kernels through the engine's WASM (f32x4; the JS loops above branch on the sign,
// which a random sign pattern makes several times slower): stage the inputs, run, copy the outputs.
// Same bits as the JS bodies with alpha rounded to float32 (the wasm backend's).

function biasLeakyWasm(w: WasmKernels, x: Float32Array, b: Float32Array, z: Float32Array, h: Float32Array, alpha: number): void {
  const n = x.length, cols = b.length;
  const xp = stage(w, 3 * n + cols), zp = xp + 4 * n, hp = zp + 4 * n, bp = hp + 4 * n;
  const buf = w.engine.exports.memory.buffer;
  new Float32Array(buf, xp, n).set(x);
  new Float32Array(buf, bp, cols).set(b);
  w.biasLeakyF32(xp, bp, zp, hp, n / cols, cols, alpha);
  z.set(new Float32Array(buf, zp, n));
  h.set(new Float32Array(buf, hp, n));
}

function leakyGradWasm(w: WasmKernels, dy: Float32Array, z: Float32Array, out: Float32Array, alpha: number): void {
  const n = dy.length;
  const dp = stage(w, 3 * n), zp = dp + 4 * n, op = zp + 4 * n;
  const buf = w.engine.exports.memory.buffer;
  new Float32Array(buf, dp, n).set(dy);
  new Float32Array(buf, zp, n).set(z);
  w.leakyGradF32(dp, zp, op, n, Math.fround(alpha));
  out.set(new Float32Array(buf, op, n));
}

/** the transpose of a rows x cols float32 matrix, through the WASM kernel */
function transposeWasm(w: WasmKernels, x: Float32Array, out: Float32Array, rows: number, cols: number): void {
  const n = x.length;
  const sp = stage(w, 2 * n), dp = sp + 4 * n;
  const buf = w.engine.exports.memory.buffer;
  new Float32Array(buf, sp, n).set(x);
  w.transposeF32(sp, dp, rows, cols);
  out.set(new Float32Array(buf, dp, n));
}

const HEAP_BACKENDS = ["wasm", "cpu"];
let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  for (const backendName of HEAP_BACKENDS) {
    tf.registerKernel({
      kernelName: "CactoSin", backendName,
      kernelFunc: ({ inputs, backend }) => run(backend as HeapBackend, inputs.x as tf.TensorInfo, true, false)[0],
    });
    tf.registerKernel({
      kernelName: "CactoSinCos", backendName,
      kernelFunc: ({ inputs, backend }) => run(backend as HeapBackend, inputs.x as tf.TensorInfo, true, true),
    });
  }
  for (const backendName of HEAP_BACKENDS) {
    // as each backend's LeakyRelu: the wasm one multiplies by alpha in float32, the cpu one in double
    const leakyAlpha = (alpha: number) => (backendName === "wasm" ? Math.fround(alpha) : alpha);
    registerBiasKernel("CactoBiasSinCos", backendName, (a) => (a.wantCos ? 2 : 1), ([xv, bv], [so, co]) => biasSinCosAny(xv, bv, so, co ?? null));
    registerBiasKernel("CactoBiasLeaky", backendName, () => 2, ([xv, bv], [z, h], a) => {
      const al = leakyAlpha(a.alpha as number);
      if (backendName === "wasm" && wasm) return biasLeakyWasm(wasm, xv, bv, z, h, al);
      addBiasInto(xv, bv, z);
      for (let i = 0; i < z.length; i++) { const v = z[i]; h[i] = v < 0 ? v * al : v; }
    });
    tf.registerKernel({
      kernelName: "CactoLeakyReluGrad", backendName,
      kernelFunc: ({ inputs, backend, attrs }) => leakyGradKernel(backend as HeapBackend, inputs.dy as tf.TensorInfo, inputs.z as tf.TensorInfo, (attrs as { alpha: number }).alpha, backendName === "wasm"),
    });
  }
  // the wasm backend only (its Transpose costs ~4 ns per element here; this one, with the copies, ~1)
  tf.registerKernel({
    kernelName: "CactoTranspose", backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as HeapBackend;
      const x = inputs.x as tf.TensorInfo;
      const [rows, cols] = x.shape;
      const out = b.makeOutput!([cols, rows], "float32");
      transposeWasm(wasm!, b.typedArrayFromHeap!(x), b.typedArrayFromHeap!(out), rows, cols);
      return out;
    },
  });
  // the wasm backend only: its Sum over axis 0 takes ~36 us on a 64 x 256 tensor here, this one ~5
  tf.registerKernel({
    kernelName: "CactoColSum", backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as HeapBackend;
      const x = inputs.x as tf.TensorInfo;
      if (x.dtype !== "float32" || x.shape.length !== 2) throw new TypeError(`CactoColSum: dtype ${x.dtype}, shape [${x.shape}], expected float32 (rows, cols)`);
      const [rows, cols] = x.shape;
      const out = b.makeOutput!([cols], "float32");
      const xv = b.typedArrayFromHeap!(x), ov = b.typedArrayFromHeap!(out);
      const w = wasm!, n = rows * cols;
      const xp = stage(w, n + cols), op = xp + 4 * n;
      const buf = w.engine.exports.memory.buffer;
      new Float32Array(buf, xp, n).set(xv);
      w.colSumF32(xp, op, rows, cols);
      ov.set(new Float32Array(buf, op, cols));
      return out;
    },
  });
  tf.registerGradient({ kernelName: "CactoTranspose", gradFunc: (dy) => ({ x: () => transpose2d(dy as tf.Tensor2D) }) });
  tf.registerGradient({
    kernelName: "CactoSin", inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tf.Tensor, sinCos(saved[0])[1]) }),
  });
  // from the saved input, not the outputs, so that the gradient is itself differentiable
  tf.registerGradient({
    kernelName: "CactoSinCos", inputsToSave: ["x"],
    gradFunc: (dys, saved) => {
      const [ds, dc] = dys as tf.Tensor[];
      return {
        x: () => {
          const [s, c] = sinCos(saved[0]);
          return tf.sub(tf.mul(ds, c), tf.mul(dc, s));
        },
      };
    },
  });
}

function heapBackend(): boolean {
  return HEAP_BACKENDS.includes(tf.getBackend());
}

/** sin(x), float32, with the accuracy described above (tf.sin on other backends) */
export function sin<T extends tf.Tensor>(x: T): T {
  if (!heapBackend()) return tf.sin(x);
  register();
  return tf.engine().runKernel("CactoSin", { x }, {}) as T;
}

/** the transpose of a float32 matrix (tf.transpose unless the WASM kernels are loaded on the wasm backend) */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  if (!wasm || tf.getBackend() !== "wasm" || x.dtype !== "float32") return tf.transpose(x);
  register();
  return tf.engine().runKernel("CactoTranspose", { x }, {}) as tf.Tensor2D;
}

/**
 * The LeakyReLU's backward pass in one kernel: dy where z > 0, else dy * alpha, the same float32 values
 * as tf.where(tf.greater(z, 0), dy, tf.mul(dy, alpha)) (three kernels; test/rl-kernels.test.ts). Not
 * differentiable itself (the actor's hand-written backward pass does not need it); tf ops on backends
 * without the heap kernels.
 */
export function leakyReluGrad(dy: tf.Tensor2D, z: tf.Tensor2D, alpha: number): tf.Tensor2D {
  if (!heapBackend() || dy.dtype !== "float32") return tf.where(tf.greater(z, 0), dy, tf.mul(dy, alpha)) as tf.Tensor2D;
  register();
  return tf.engine().runKernel("CactoLeakyReluGrad", { dy, z }, { alpha } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/**
 * [sin(x + b), cos(x + b)] (cos only with wantCos) for an (n, H) x and an (H) bias in one kernel: the
 * bits of sinCos(tf.add(x, b)) (test/rl-kernels.test.ts). Not differentiable (for the critic's
 * inference and hand-written backward passes); tf ops on other backends.
 */
export function biasSinCos(x: tf.Tensor2D, b: tf.Tensor1D, wantCos: boolean): [tf.Tensor2D, tf.Tensor2D | null] {
  if (!heapBackend()) {
    const z = tf.add(x, b) as tf.Tensor2D;
    return wantCos ? sinCos(z) : [sin(z), null];
  }
  register();
  const out = tf.engine().runKernel("CactoBiasSinCos", { x, b }, { wantCos } as unknown as tf.NamedAttrMap) as unknown as tf.Tensor2D[];
  return [out[0], wantCos ? out[1] : null];
}

/**
 * [z, h] = [x + b, LeakyReLU(x + b)] for an (n, H) x and an (H) bias in one kernel: the bits of
 * tf.add(x, b) and tf.leakyRelu of it (test/rl-kernels.test.ts). Not differentiable; tf ops on other
 * backends.
 */
export function biasLeaky(x: tf.Tensor2D, b: tf.Tensor1D, alpha: number): [tf.Tensor2D, tf.Tensor2D] {
  if (!heapBackend()) {
    const z = tf.add(x, b) as tf.Tensor2D;
    return [z, tf.leakyRelu(z, alpha)];
  }
  register();
  const out = tf.engine().runKernel("CactoBiasLeaky", { x, b }, { alpha } as unknown as tf.NamedAttrMap) as unknown as tf.Tensor2D[];
  return [out[0], out[1]];
}

/**
 * The column sums of a 2-D float32 tensor (tf.sum(x, 0)), bit for bit, through the engine's WASM on
 * the wasm backend; tf.sum elsewhere. Not differentiable (for hand-written backward passes).
 */
export function colSum(x: tf.Tensor2D): tf.Tensor1D {
  if (tf.getBackend() !== "wasm" || !wasm || x.dtype !== "float32") return tf.sum(x, 0) as tf.Tensor1D;
  register();
  return tf.engine().runKernel("CactoColSum", { x }, {}) as tf.Tensor1D;
}

/** [sin(x), cos(x)] from one range reduction (tf.sin, tf.cos on other backends) */
export function sinCos<T extends tf.Tensor>(x: T): [T, T] {
  if (!heapBackend()) return [tf.sin(x), tf.cos(x)];
  register();
  const out = tf.engine().runKernel("CactoSinCos", { x }, {}) as unknown as T[];
  return [out[0], out[1]];
}
