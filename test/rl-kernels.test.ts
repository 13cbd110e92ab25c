// Issue 15's fast paths against independent references: the sin/cos kernels against fround(Math.sin)
// (JS and WASM, bit for bit), their registered gradients against tf.grad of tf.sin/tf.cos, Adam and the
// soft update against the tf-op formulas they replace (bit for bit), and the hand-written backward
// passes of the critic and the actor against tf.grad.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Scalar, Tensor, Tensor2D, Variable } from "@tensorflow/tfjs";
import { initTf } from "../src/rl/backend.js";
import { AdamMoments, adamStepJs, kernelImplementation, kernelMemoryBytes, biasLeaky, biasSinCos, colSum, leakyReluGrad, lerpStep, sin, sinCos, sinCosInto, transpose2d, type AdamConstants } from "../src/rl/kernels.js";
import { Actor, ActorCritic, Adam, Critic, matMulBT, matMulTA, matMulW, softUpdate } from "../src/rl/networks.js";
import { Rng } from "../src/rng.js";
import { SYSTEMS } from "../src/systems/specs.js";

const tf = await initTf("wasm");

function sample(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(n);
  const scales = [1, 10, 100, 1e4, 2e5];
  for (let i = 0; i < n; i++) x[i] = rng.uniform(-1, 1) * scales[i % scales.length];
  // edges: zeros, multiples of pi/4 and pi/2 rounded to float32, tiny values, the reduction limit, non-finite
  const edges = [0, -0, 1e-30, -1e-30, 1e-8, Math.PI / 4, Math.PI / 2, Math.PI, 3 * Math.PI / 2, 100 * Math.PI, -100 * Math.PI,
    1e5, -1e5, 100001, 3e38, NaN, Infinity, -Infinity];
  x.set(edges.map(Math.fround), 0);
  return x;
}

const sameBits = (a: Float32Array, b: Float32Array) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) d++;
  return d;
};

test("sin/cos: equal to fround(Math.sin), fround(Math.cos) at 200k points (edges, 1e-30 to 3e38, non-finite)", () => {
  const x = sample(200_000, 1);
  const s = new Float32Array(x.length), c = new Float32Array(x.length);
  sinCosInto(x, s, c);
  const rs = Float32Array.from(x, (v) => Math.sin(v));
  const rc = Float32Array.from(x, (v) => Math.cos(v));
  assert.is(sameBits(s, rs), 0);
  assert.is(sameBits(c, rc), 0);
});

test("sin/cos kernels: the engine's WASM is loaded and gives the JS reference's bits; shapes kept", () => {
  assert.is(kernelImplementation(), "wasm");
  const x = sample(50_001, 2); // odd length: the scalar tail runs too
  const s = new Float32Array(x.length), c = new Float32Array(x.length);
  sinCosInto(x, s, c);
  const xt = tf.tensor2d(x.subarray(0, 50_000), [500, 100]);
  const [ts, tc] = sinCos(xt);
  assert.equal(ts.shape, [500, 100]);
  assert.is(sameBits(ts.dataSync() as Float32Array, s.subarray(0, 50_000)), 0);
  assert.is(sameBits(tc.dataSync() as Float32Array, c.subarray(0, 50_000)), 0);
  const odd = tf.tensor1d(x);
  const so = sin(odd);
  assert.is(sameBits(so.dataSync() as Float32Array, s), 0);
  // and not tfjs's own Sin, which is accurate to ~2e-7 absolute only: the kernels differ from it somewhere
  const theirs = tf.sin(xt).dataSync() as Float32Array;
  assert.ok(sameBits(theirs, s.subarray(0, 50_000)) > 0);
  tf.dispose([xt, ts, tc, odd, so]);
});

test("sin/cos kernels: gradients equal tf.grad of tf.sin / tf.cos (first and second order)", () => {
  const x = tf.tensor1d(sample(2000, 3).subarray(20, 2000).map((v) => v / 1e3));
  const w = tf.tensor1d(Float32Array.from({ length: 1980 }, (_, i) => Math.cos(i)));
  const ours = (z: Tensor) => { const [a, b] = sinCos(z); return tf.sum(tf.add(tf.mul(a, w), tf.mul(b, tf.square(w)))) as Scalar; };
  const ref = (z: Tensor) => tf.sum(tf.add(tf.mul(tf.sin(z), w), tf.mul(tf.cos(z), tf.square(w)))) as Scalar;
  const close = (a: Tensor, b: Tensor, tol: number) => {
    const p = a.dataSync(), q = b.dataSync();
    for (let i = 0; i < p.length; i++) assert.ok(Math.abs(p[i] - q[i]) <= tol * (1 + Math.abs(q[i])), `${i}: ${p[i]} vs ${q[i]}`);
  };
  close(tf.grad(ours)(x), tf.grad(ref)(x), 1e-5);
  close(tf.grad((z: Tensor) => tf.grad(ours)(z).sum() as Scalar)(x), tf.grad((z: Tensor) => tf.grad(ref)(z).sum() as Scalar)(x), 1e-5);
  close(tf.grad((z: Tensor) => tf.sum(tf.mul(sin(z), w)) as Scalar)(x), tf.grad((z: Tensor) => tf.sum(tf.mul(tf.sin(z), w)) as Scalar)(x), 1e-5);
  tf.dispose([x, w]);
});

test("sin/cos kernels on the cpu backend: same bits as on wasm", async () => {
  const x = sample(3000, 4);
  const s = new Float32Array(x.length);
  sinCosInto(x, s, null);
  await initTf("cpu");
  try {
      const t = tf.tensor1d(x);
      assert.is(sameBits(sin(t).dataSync() as Float32Array, s), 0);
      t.dispose();
  } finally {
    await initTf("wasm");
  }
});

test("transpose2d: tf.transpose's values for shapes with and without 4x4 blocks; its gradient transposes back", () => {
  const rng = new Rng(11);
  for (const [r, c] of [[1, 1], [3, 5], [4, 4], [6, 64], [64, 6], [7, 9], [256, 64], [130, 131]]) {
    const x = tf.tensor2d(Float32Array.from({ length: r * c }, () => rng.uniform(-1, 1)), [r, c]);
    const a = transpose2d(x), b = tf.transpose(x);
    assert.equal(a.shape, [c, r]);
    assert.equal(Array.from(a.dataSync()), Array.from(b.dataSync()), `${r}x${c}`);
    const w = tf.tensor2d(Float32Array.from({ length: r * c }, () => rng.uniform(-1, 1)), [c, r]);
    const g = tf.grad((z: Tensor) => tf.sum(tf.mul(transpose2d(z as Tensor2D), w)) as Scalar)(x);
    assert.equal(Array.from(g.dataSync()), Array.from(tf.transpose(w).dataSync()));
    tf.dispose([x, a, b, w, g]);
  }
});

test("leakyReluGrad: the bits of tf.where(tf.greater(z, 0), dy, tf.mul(dy, alpha)) on wasm and cpu (zeros, -0, NaN, Inf included)", async () => {
  const rng = new Rng(12);
  const n = 64 * 256;
  const z = Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  const dy = Float32Array.from({ length: n }, () => rng.uniform(-3, 3) * 1e3);
  z.set([0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45], 0);
  dy.set([1, 2, 3, NaN, Infinity, -Infinity, 3e38], 0);
  const results: Float32Array[] = [];
  try {
    for (const backend of ["wasm", "cpu"]) {
      await tf.setBackend(backend);
      for (const alpha of [0.01, 0.2, 1 / 3]) {
        const zt = tf.tensor2d(z, [64, 256]), dt = tf.tensor2d(dy, [64, 256]);
        const a = leakyReluGrad(dt, zt, alpha), b = tf.where(tf.greater(zt, 0), dt, tf.mul(dt, alpha));
        const av = a.dataSync() as Float32Array;
        assert.is(sameBits(av, b.dataSync() as Float32Array), 0, `${backend}, alpha ${alpha}`);
        assert.equal(a.shape, [64, 256]);
        results.push(av.slice());
        tf.dispose([zt, dt, a, b]);
      }
    }
  } finally {
    await tf.setBackend("wasm");
  }
  for (let i = 0; i < 3; i++) assert.is(sameBits(results[i], results[i + 3]), 0);
  // the kernel changes something: alpha applies where z <= 0
  assert.is(results[0][1], Math.fround(2 * Math.fround(0.01)));
  assert.throws(() => leakyReluGrad(tf.zeros([2, 3]) as Tensor2D, tf.zeros([3, 2]) as Tensor2D, 0.1), /shapes \[2,3\] and \[3,2\] differ/);
});

test("colSum: the bits of tf.sum(x, 0) on wasm (the engine's kernel) and cpu (tf.sum), tails and special values included", async () => {
  const rng = new Rng(14);
  try {
    for (const backend of ["wasm", "cpu"]) {
      await tf.setBackend(backend);
      for (const [n, h] of [[1, 1], [3, 5], [63, 7], [64, 128], [64, 256], [256, 6]]) {
        const xv = Float32Array.from({ length: n * h }, (_, i) => rng.uniform(-1, 1) * [1, 30, 1e-3, 2e5][i % 4]);
        if (n * h > 8) xv.set([-0, NaN, Infinity, -3e38, 3e38], 1);
        const x = tf.tensor2d(xv, [n, h]);
        const a = colSum(x), b = tf.sum(x, 0);
        assert.equal(a.shape, [h], `${backend} ${n}x${h}`);
        assert.is(sameBits(a.dataSync() as Float32Array, b.dataSync() as Float32Array), 0, `${backend} ${n}x${h}`);
        // an independent sum on wasm: row order from 0, float32 (the cpu backend's tf.sum rounds otherwise)
        const av = a.dataSync();
        for (let j = 0; j < (backend === "wasm" ? h : 0); j++) {
          let acc = 0;
          for (let r = 0; r < n; r++) acc = Math.fround(acc + xv[r * h + j]);
          assert.ok(Object.is(acc, av[j]) || (Number.isNaN(acc) && Number.isNaN(av[j])), `${backend} ${n}x${h} column ${j}`);
        }
        tf.dispose([x, a, b]);
      }
    }
  } finally {
    await tf.setBackend("wasm");
  }
});

test("biasSinCos and biasLeaky: the bits of sinCos(tf.add(x, b)) and tf.leakyRelu(tf.add(x, b)) on wasm and cpu", async () => {
  const rng = new Rng(13);
  try {
    for (const backend of ["wasm", "cpu"]) {
      await tf.setBackend(backend);
      for (const [n, h] of [[1, 1], [3, 5], [64, 128], [64, 256]]) {
        const xv = Float32Array.from({ length: n * h }, (_, i) => rng.uniform(-1, 1) * [1, 30, 1e-3, 2e5][i % 4]);
        xv[0] = -0;
        if (n * h > 4) xv.set([NaN, Infinity, -3e38], 1);
        const x = tf.tensor2d(xv, [n, h]), b = tf.tensor1d(Float32Array.from({ length: h }, () => rng.uniform(-2, 2)));
        const z = tf.add(x, b);
        const tag = `${backend} ${n}x${h}`;
        const [s, c] = biasSinCos(x, b, true), [s1, c1] = biasSinCos(x, b, false), [rs, rc] = sinCos(z);
        assert.is(c1, null, tag);
        for (const [p, q] of [[s, rs], [c!, rc], [s1, rs]] as const) {
          assert.equal(p.shape, [n, h], tag);
          assert.is(sameBits(p.dataSync() as Float32Array, q.dataSync() as Float32Array), 0, tag);
        }
        for (const alpha of [0.01, 1 / 3]) {
          const [zz, a] = biasLeaky(x, b, alpha), ra = tf.leakyRelu(z, alpha);
          assert.is(sameBits(zz.dataSync() as Float32Array, z.dataSync() as Float32Array), 0, `${tag} z`);
          assert.is(sameBits(a.dataSync() as Float32Array, ra.dataSync() as Float32Array), 0, `${tag} alpha ${alpha}`);
          tf.dispose([zz, a, ra]);
        }
        tf.dispose([x, b, z, s, c!, s1, rs, rc]);
      }
    }
  } finally {
    await tf.setBackend("wasm");
  }
  const x = tf.zeros([2, 3]) as Tensor2D;
  assert.throws(() => biasSinCos(x, tf.zeros([2]) as never, true), /shapes \[2,3\] and \[2\], expected \(n, H\) and \(H\)/);
  assert.throws(() => biasLeaky(x, tf.zeros([4]) as never, 0.1), /CactoBiasLeaky: shapes/);
});

test("matMulBT: a b^T with the bits of tf.matMul(a, tf.transpose(b)) in both orientations", () => {
  const rng = new Rng(12);
  // [n, k, m]: b larger than a and the result (the swapped orientation), and the direct one
  for (const [n, k, m] of [[64, 256, 256], [32, 300, 200], [64, 128, 128], [64, 2, 256], [5, 7, 3]]) {
    const a = tf.tensor2d(Float32Array.from({ length: n * k }, () => rng.uniform(-1, 1)), [n, k]);
    const b = tf.tensor2d(Float32Array.from({ length: m * k }, () => rng.uniform(-1, 1)), [m, k]);
    const got = matMulBT(a, b), want = tf.matMul(a, tf.transpose(b));
    assert.equal(got.shape, [n, m]);
    assert.is(sameBits(got.dataSync() as Float32Array, want.dataSync() as Float32Array), 0, `${n}x${k} by (${m}x${k})^T`);
    tf.dispose([a, b, got, want]);
  }
});

test("matMulW: h W with tf.matMul's bits; the cached W^T follows W's data; predict equals forward", () => {
  const rng = new Rng(13);
  const a = new Actor({ nIn: 6, nu: 2, hidden: [256, 256], alpha: 0.3, output: "tanh", umax: [1, 2] }, rng);
  const layer = a.layers[1];
  for (const n of [64, 1, 300]) {
    const h = tf.tensor2d(Float32Array.from({ length: n * 256 }, () => rng.uniform(-1, 1)), [n, 256]);
    const got = matMulW(h, layer), want = tf.matMul(h, layer.W);
    assert.is(sameBits(got.dataSync() as Float32Array, want.dataSync() as Float32Array), 0, `batch ${n}`);
    tf.dispose([h, got, want]);
  }
  assert.ok(layer.wt, "W^T cached (batch 64 takes the swapped orientation)");
  // new weights: the cache must not be reused
  layer.W.assign(tf.randomUniform([256, 256], -1, 1, "float32", 5) as typeof layer.W);
  const h = tf.tensor2d(Float32Array.from({ length: 64 * 256 }, () => rng.uniform(-1, 1)), [64, 256]);
  const got = matMulW(h, layer), want = tf.matMul(h, layer.W);
  assert.is(sameBits(got.dataSync() as Float32Array, want.dataSync() as Float32Array), 0, "after W changed");
  const s = tf.tensor2d(Float32Array.from({ length: 64 * 6 }, () => rng.uniform(-1, 1)), [64, 6]);
  assert.is(sameBits(a.predict(s).dataSync() as Float32Array, a.forward(s).dataSync() as Float32Array), 0);
  const n0 = tf.memory().numTensors;
  a.dispose();
  assert.is(tf.memory().numTensors, n0 - 8, "dispose frees the 6 variables, the tanh scale and the cached W^T");
  tf.dispose([h, got, want, s]);
});

test("critic inference paths (predict, forwardWithGrad outside a tape) give the differentiable paths' bits", () => {
  const rng = new Rng(14);
  const c = new Critic({ nIn: 6, hidden: [64, 64, 128, 128], w0: 1 }, rng);
  const s = tf.tensor2d(Float32Array.from({ length: 64 * 6 }, () => rng.uniform(-1, 1)), [64, 6]);
  assert.is(sameBits(c.predict(s).dataSync() as Float32Array, c.forward(s).dataSync() as Float32Array), 0);
  const a = c.forwardWithGrad(s), b = c.forwardWithGrad(s, false);
  assert.is(sameBits(a.v.dataSync() as Float32Array, b.v.dataSync() as Float32Array), 0);
  assert.is(sameBits(a.g.dataSync() as Float32Array, b.g.dataSync() as Float32Array), 0);
  tf.dispose([s, a.v, a.g, b.v, b.g]);
  c.dispose();
});

test("matMulTA: a^T b with the bits of tf.matMul(tf.transpose(a), b) in both orientations", () => {
  const rng = new Rng(15);
  // [n, k, m]: a first layer's weight gradient (swapped), hidden layers (direct)
  for (const [n, k, m] of [[64, 6, 256], [64, 6, 64], [128, 5, 64], [64, 256, 256], [64, 128, 1], [7, 3, 9]]) {
    const a = tf.tensor2d(Float32Array.from({ length: n * k }, () => rng.uniform(-1, 1)), [n, k]);
    const b = tf.tensor2d(Float32Array.from({ length: n * m }, () => rng.uniform(-1, 1)), [n, m]);
    const got = matMulTA(a, b), want = tf.matMul(tf.transpose(a), b);
    assert.equal(got.shape, [k, m]);
    assert.is(sameBits(got.dataSync() as Float32Array, want.dataSync() as Float32Array), 0, `(${n}x${k})^T by ${n}x${m}`);
    tf.dispose([a, b, got, want]);
  }
});

/** the update the Adam class used to run, in tf ops */
function adamTfOps(x: Tensor, g: Tensor, m: Tensor, v: Tensor, t: number, lr: number): [Tensor, Tensor, Tensor] {
  return tf.tidy(() => {
    const b1 = 0.9, b2 = 0.999, eps = 1e-7;
    const c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
    const m1 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
    const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
    const step = tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(v1, c2)), eps));
    return [tf.add(tf.mul(step, -lr), x), m1, v1];
  });
}

test("Adam: WASM, JS and the class give the bits of the tf-op formula, step after step (also after the variable is set elsewhere)", () => {
  const rng = new Rng(5);
  const n = 1003;
  let x: Tensor = tf.tensor1d(Float32Array.from({ length: n }, () => rng.uniform(-2, 2)));
  let m = tf.zeros([n]) as Tensor, v = tf.zeros([n]) as Tensor;
  const xw = Float32Array.from(x.dataSync());
  // the WASM path on its own: AdamMoments with its resident x, m, v
  const mo = new AdamMoments(n);
  mo.setX(xw);
  const xj = Float32Array.from(xw), mj = new Float32Array(n), vj = new Float32Array(n);
  const variable = tf.variable(x.clone());
  const opt = new Adam([variable], { lr: 3e-3 });
  const fr = Math.fround;
  for (let t = 1; t <= 30; t++) {
    if (t === 15) {
      // the variable set elsewhere (a restore, copyFrom): the optimiser must start from the new values
      const fresh = Float32Array.from({ length: n }, () => rng.uniform(-2, 2));
      variable.assign(tf.tensor1d(fresh));
      x.dispose();
      x = tf.tensor1d(fresh);
      mo.setX(fresh);
      xj.set(fresh);
    }
    const gv = Float32Array.from({ length: n }, () => rng.uniform(-1, 1) * 10 ** rng.uniform(-8, 2));
    const g = tf.tensor1d(gv);
    const [x1, m1, v1] = adamTfOps(x, g, m, v, t, 3e-3);
    tf.dispose([x, m, v]);
    x = x1; m = m1; v = v1;
    const k: AdamConstants = { b1: fr(0.9), ob1: fr(1 - 0.9), b2: fr(0.999), ob2: fr(1 - 0.999), c1: fr(1 - 0.9 ** t), c2: fr(1 - 0.999 ** t), eps: fr(1e-7), nlr: fr(-3e-3) };
    xw.set(mo.step(gv, k));
    adamStepJs(xj, gv, mj, vj, k);
    opt.apply([g]);
    g.dispose();
    const want = x.dataSync() as Float32Array;
    assert.is(sameBits(xw, want), 0, `wasm, step ${t}`);
    assert.is(sameBits(xj, want), 0, `js, step ${t}`);
    assert.is(sameBits(variable.dataSync() as Float32Array, want), 0, `class, step ${t}`);
    const [mw, vw] = mo.get();
    assert.is(sameBits(mw, m.dataSync() as Float32Array), 0);
    assert.is(sameBits(vw, v.dataSync() as Float32Array), 0);
  }
  assert.throws(() => new AdamMoments(3).step(new Float32Array(2), { b1: 0, ob1: 0, b2: 0, ob2: 0, c1: 1, c2: 1, eps: 1, nlr: 0 }), /arrays of 3 and 2 values/);
  assert.throws(() => opt.apply([tf.zeros([5])]), /gradient 0 has 5 values for a variable of 1003/);
  mo.dispose();
  tf.dispose([x, m, v, variable]);
});

test("AdamMoments: state round trip; freed blocks are reused (memory stays flat over 200 learners); use after dispose throws", () => {
  const k: AdamConstants = { b1: Math.fround(0.9), ob1: Math.fround(0.1), b2: Math.fround(0.999), ob2: Math.fround(0.001), c1: Math.fround(0.1), c2: Math.fround(0.001), eps: Math.fround(1e-7), nlr: Math.fround(-1e-3) };
  const a = new AdamMoments(10);
  const x = Float32Array.from({ length: 10 }, (_, i) => i);
  const g = Float32Array.from({ length: 10 }, (_, i) => 1 - i / 5);
  a.setX(x);
  const x1 = Float32Array.from(a.step(g, k));
  // the reference: adamStepJs on plain arrays
  const xr = Float32Array.from(x), mr = new Float32Array(10), vr = new Float32Array(10);
  adamStepJs(xr, g, mr, vr, k);
  assert.equal(Array.from(x1), Array.from(xr));
  const [m, v] = a.get();
  assert.equal(Array.from(m), Array.from(mr));
  const b = new AdamMoments(10);
  b.set(m, v);
  b.setX(x1);
  const [m2, v2] = b.get();
  assert.equal(Array.from(m2), Array.from(m));
  assert.equal(Array.from(v2), Array.from(v));
  assert.equal(Array.from(b.step(g, k)), Array.from(a.step(g, k)));
  a.dispose(); b.dispose();
  assert.throws(() => a.step(g, k), /after dispose/);
  const before = kernelMemoryBytes();
  for (let i = 0; i < 200; i++) {
    const ac = new ActorCritic(SYSTEMS.car, new Rng(i), { actorHidden: [64, 64], criticHidden: [32, 32] });
    ac.dispose();
  }
  assert.ok(kernelMemoryBytes() - before <= 1 << 20, `kernel memory grew by ${kernelMemoryBytes() - before} bytes`);
});

test("soft update: the bits of tf.add(tf.mul(s, tau), tf.mul(t, 1 - tau))", () => {
  const rng = new Rng(6);
  const n = 777;
  const sv = Float32Array.from({ length: n }, () => rng.uniform(-3, 3));
  const tv = Float32Array.from({ length: n }, () => rng.uniform(-3, 3));
  const tau = 1e-3;
  const want = tf.tidy(() => tf.add(tf.mul(tf.tensor1d(sv), tau), tf.mul(tf.tensor1d(tv), 1 - tau)).dataSync() as Float32Array);
  const got = Float32Array.from(tv);
  lerpStep(got, sv, Math.fround(tau), Math.fround(1 - tau));
  assert.is(sameBits(got, want), 0);
  // through the networks
  const a = new Critic({ nIn: 3, hidden: [8, 8], w0: 1 }, new Rng(1));
  const b = new Critic({ nIn: 3, hidden: [8, 8], w0: 1 }, new Rng(2));
  const before = b.getWeights();
  softUpdate(b, a, tau);
  const src = a.getWeights();
  b.getWeights().forEach((w, l) => {
    const e = tf.tidy(() => tf.add(tf.mul(tf.tensor(src[l].data), tau), tf.mul(tf.tensor(before[l].data), 1 - tau)).dataSync() as Float32Array);
    assert.is(sameBits(Float32Array.from(w.data), e), 0);
  });
  a.dispose(); b.dispose();
});

function gradsByTape(f: () => Scalar, vars: Variable[]): Float32Array[] {
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(f, vars);
    return vars.map((x) => grads[x.name].dataSync() as Float32Array);
  });
}

function closeArrays(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.is(a.length, b.length, what);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * scale, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test("critic: the hand-written backward pass equals tf.grad of mean (y - V)^2 (w0 = 1 and w0 = 30)", () => {
  for (const w0 of [1, 30]) {
    const rng = new Rng(7);
    const c = new Critic({ nIn: 5, hidden: [16, 16, 32], w0 }, rng);
    const nb = 40;
    const s = tf.tensor2d(Float32Array.from({ length: nb * 5 }, () => rng.uniform(-1, 1)), [nb, 5]);
    const y = tf.tensor2d(Float32Array.from({ length: nb }, () => rng.uniform(-5, 5)), [nb, 1]);
    const vars = c.variables();
    const want = gradsByTape(() => tf.mean(tf.square(tf.sub(y, c.forward(s)))) as Scalar, vars);
    const { v, grads } = c.valueAndGrads(s, (vv) => tf.mul(tf.sub(vv, y), 2 / nb) as Tensor2D);
    closeArrays(v.dataSync(), c.forward(s).dataSync(), 1e-6, `w0 ${w0} value`);
    grads.forEach((g, i) => closeArrays(g.dataSync(), want[i], 1e-5, `w0 ${w0} grad ${i}`));
    tf.dispose([s, y, v, ...grads]);
    c.dispose();
  }
});

test("actor: the hand-written backward pass equals tf.grad of the surrogate (linear and tanh outputs)", () => {
  for (const output of ["linear", "tanh"] as const) {
    const rng = new Rng(8);
    const a = new Actor({ nIn: 5, nu: 2, hidden: [16, 24], alpha: 0.3, output, umax: [2, 0.5] }, rng);
    const nb = 33;
    const s = tf.tensor2d(Float32Array.from({ length: nb * 5 }, () => rng.uniform(-1, 1)), [nb, 5]);
    const q = tf.tensor2d(Float32Array.from({ length: nb * 2 }, () => rng.uniform(-3, 3)), [nb, 2]);
    const vars = a.variables();
    const want = gradsByTape(() => tf.div(tf.sum(tf.mul(a.forward(s), q)), nb) as Scalar, vars);
    const pass = a.forwardKeep(s);
    closeArrays(pass.out.dataSync(), a.forward(s).dataSync(), 0, `${output} forward`);
    const grads = a.backward(pass, tf.mul(q, 1 / nb) as Tensor2D);
    grads.forEach((g, i) => closeArrays(g.dataSync(), want[i], 1e-5, `${output} grad ${i}`));
    tf.dispose([s, q, pass.out, ...pass.keep, ...grads]);
    a.dispose();
  }
});

test("actorForward + actorStepFrom == actorStep (same weights after, same surrogate); a pass is used once; no leaks", () => {
  const spec = SYSTEMS.car;
  const mk = () => new ActorCritic(spec, new Rng(3), { actorHidden: [32, 32], criticHidden: [16, 16] });
  const a = mk(), b = mk();
  try {
      const rng = new Rng(4);
      const nb = 20;
      const s = Float32Array.from({ length: nb * (spec.nx + 1) }, () => rng.uniform(-1, 1));
      const q = Float32Array.from({ length: nb * spec.nu }, () => rng.uniform(-1, 1));
      const n0 = tf.memory().numTensors;
      const u0 = Array.from(a.act(s));
      const ra = a.actorStep(s, q);
      assert.not.equal(Array.from(a.act(s)), u0);
      const pass = b.actorForward(s);
      assert.equal(Array.from(pass.u), Array.from(b.act(s)));
      const rb = b.actorStepFrom(pass, q);
      assert.is(ra, rb);
      assert.equal(a.serialize().actor, b.serialize().actor);
      assert.throws(() => b.actorStepFrom(pass, q), /already used/);
      assert.is(tf.memory().numTensors, n0);
  } finally {
    a.dispose(); b.dispose();
  }
});

test.run();
