// Actor/critic networks on the wasm backend: input gradients vs finite differences and tf.grad, the
// Sobolev loss by hand, the actor chain-rule step, soft target updates, fitting, bit-exact resume from a
// checkpoint, tensor leaks, seeding.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Scalar, Tensor, Tensor2D } from "@tensorflow/tfjs";
import { initTf } from "../src/rl/backend.js";
import { ActorCritic, Adam, slog, softUpdate, type ActorCriticOptions } from "../src/rl/networks.js";
import { normaliseStates, gradToState } from "../src/rl/normalise.js";
import { Rng } from "../src/rng.js";
import { SYSTEMS } from "../src/systems/specs.js";

const tf = await initTf("wasm");
const spec = SYSTEMS.double_integrator; // nx 4, nu 2
const SMALL: ActorCriticOptions = { actorHidden: [32, 32], criticHidden: [16, 16, 32, 32] };

function randomStates(rng: Rng, nb: number): { X: Float64Array; k: Int32Array; s: Float32Array } {
  const X = new Float64Array(nb * spec.nx);
  const k = new Int32Array(nb);
  for (let i = 0; i < nb; i++) {
    spec.sampleRanges.forEach(([lo, hi], j) => { X[i * spec.nx + j] = rng.uniform(lo, hi); });
    k[i] = rng.int(0, spec.nsteps);
  }
  return { X, k, s: normaliseStates(spec, X, k) };
}

function randomArray(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-scale, scale);
  return a;
}

const flat = (ac: ActorCritic) => {
  const d = ac.serialize();
  return [...d.actor, ...d.critic, ...d.target].flatMap((t) => t.data);
};

test("backend is wasm; initTf is idempotent", async () => {
  assert.is(tf.getBackend(), "wasm");
  const again = await initTf("wasm");
  assert.is(again, tf);
  assert.is(tf.getBackend(), "wasm");
});

test("reference sizes: parameter counts, init ranges, tanh variant bounded by umax", () => {
  const ac = new ActorCritic(spec, new Rng(1));
  try {
    assert.is(ac.actor.size, 5 * 256 + 256 + 256 * 256 + 256 + 256 * 2 + 2);
    assert.is(ac.critic.size, 5 * 64 + 64 + 64 * 64 + 64 + 64 * 128 + 128 + 128 * 128 + 128 + 128 + 1);
    const w = ac.serialize().critic;
    const lim0 = Math.sqrt(6 / 5);
    assert.ok(w[0].data.every((v) => Math.abs(v) <= lim0));
    assert.ok(Math.max(...w[0].data.map(Math.abs)) > 0.9 * lim0);
    const lim2 = Math.sqrt(6 / 64);
    assert.ok(w[2].data.every((v) => Math.abs(v) <= lim2));
    assert.equal(ac.serialize().actor[1].data, new Array(256).fill(0));
  } finally {
    ac.dispose();
  }
  const t = new ActorCritic(spec, new Rng(2), { ...SMALL, actorOutput: "tanh" });
  try {
    const { s } = randomStates(new Rng(3), 64);
    const u = t.act(s.map((v) => 50 * v)); // saturate
    assert.ok(u.every((v, i) => Math.abs(v) <= spec.umax[i % 2] + 1e-6));
    assert.ok(u.some((v, i) => Math.abs(v) > 0.9 * spec.umax[i % 2]));
  } finally {
    t.dispose();
  }
});

test("critic dV/dx (analytic, through the normalisation) matches finite differences and tf.grad", () => {
  const ac = new ActorCritic(spec, new Rng(4));
  try {
    const rng = new Rng(5);
    const nb = 16;
    const { X, k, s } = randomStates(rng, nb);
    const { v, dVds } = ac.criticGradInput(s);
    const V = ac.criticValue(s);
    for (let i = 0; i < nb; i++) assert.ok(Math.abs(v[i] - V[i]) <= 1e-6 * (1 + Math.abs(V[i])));
    const dVdx = gradToState(spec, dVds);
    // central differences in state units, step h = 1e-2 in normalised units
    const h = 1e-2;
    let errMax = 0;
    let gMax = 0;
    for (let j = 0; j < spec.nx; j++) {
      const Xp = Float64Array.from(X);
      const Xm = Float64Array.from(X);
      for (let i = 0; i < nb; i++) {
        Xp[i * spec.nx + j] += h * spec.norm[j];
        Xm[i * spec.nx + j] -= h * spec.norm[j];
      }
      const Vp = ac.criticValue(normaliseStates(spec, Xp, k));
      const Vm = ac.criticValue(normaliseStates(spec, Xm, k));
      for (let i = 0; i < nb; i++) {
        const fd = (Vp[i] - Vm[i]) / (2 * h * spec.norm[j]);
        const g = dVdx[i * spec.nx + j];
        errMax = Math.max(errMax, Math.abs(fd - g));
        gMax = Math.max(gMax, Math.abs(g));
        assert.ok(Math.abs(fd - g) <= 1e-2 * Math.abs(g) + 2e-4 / spec.norm[j], `row ${i} comp ${j}: fd ${fd} vs ${g}`);
      }
    }
    assert.ok(gMax > 1e-2, "gradients are not trivially zero");
    // the same gradient by tf.grad of the plain forward pass
    const gt = tf.tidy(() => {
      const st = tf.tensor2d(s, [nb, spec.nx + 1]);
      return tf.grad((x: Tensor) => ac.critic.forward(x as Tensor2D).sum())(st).dataSync();
    });
    for (let i = 0; i < gt.length; i++) assert.ok(Math.abs(gt[i] - dVds[i]) <= 1e-5 * (1 + Math.abs(gt[i])));
  } finally {
    ac.dispose();
  }
});

test("Sobolev loss equals the hand computation; its weight gradient equals the nested-tf.grad one", () => {
  const ac = new ActorCritic(spec, new Rng(6), SMALL);
  try {
    const rng = new Rng(7);
    const nb = 5;
    const nx = spec.nx;
    const { s } = randomStates(rng, nb);
    const y = Array.from({ length: nb }, () => rng.uniform(-2, 2));
    const vx = Array.from({ length: nb * nx }, () => rng.uniform(-3, 3));
    const wS = 1e-2;
    const { v, dVds } = ac.criticGradInput(s);
    const dVdx = gradToState(spec, dVds);
    let eg = 0;
    let ev = 0;
    for (let i = 0; i < nb; i++) {
      ev += (y[i] - v[i]) ** 2 / nb;
      for (let j = 0; j < nx; j++) eg += (slog(dVdx[i * nx + j]) - slog(vx[i * nx + j])) ** 2 / (nb * nx);
    }
    const hand = eg + wS * ev;
    const st = tf.tensor2d(s, [nb, nx + 1]);
    const yt = tf.tensor2d(Float32Array.from(y), [nb, 1]);
    const sv = tf.tensor2d(ac.slogTargets(vx, nb), [nb, nx + 1]);
    try {
      const loss = tf.tidy(() => ac.criticLoss(st, yt, sv, wS).dataSync()[0]);
      assert.ok(Math.abs(loss - hand) <= 1e-5 * hand, `loss ${loss} vs hand ${hand}`);
      const plain = tf.tidy(() => ac.criticLoss(st, yt, null, 0).dataSync()[0]);
      assert.ok(Math.abs(plain - ev) <= 1e-5 * ev);

      // gradient of gradient with tf.grad inside the loss (works for sine layers on wasm)
      const vars = ac.critic.variables();
      const chain = tf.tensor2d([...spec.norm.map((n) => 1 / n), 0], [1, nx + 1]);
      const [ga, gb] = tf.tidy(() => {
        const a = tf.variableGrads(() => ac.criticLoss(st, yt, sv, wS), vars);
        const b = tf.variableGrads(() => {
          const g = tf.grad((x: Tensor) => ac.critic.forward(x as Tensor2D).sum())(st);
          const d = tf.mul(g, chain);
          const sl = tf.mul(tf.sign(d), tf.log1p(tf.abs(d)));
          const e1 = tf.div(tf.sum(tf.square(tf.sub(sl, sv))), nb * nx);
          const e2 = tf.mean(tf.square(tf.sub(yt, ac.critic.forward(st))));
          return tf.add(e1, tf.mul(e2, wS)) as Scalar;
        }, vars);
        return [vars.map((x) => a.grads[x.name].dataSync()), vars.map((x) => b.grads[x.name].dataSync())];
      });
      chain.dispose();
      ga.forEach((g, l) => {
        let d = 0;
        let n = 0;
        for (let i = 0; i < g.length; i++) { d = Math.max(d, Math.abs(g[i] - gb[l][i])); n = Math.max(n, Math.abs(gb[l][i])); }
        assert.ok(d <= 1e-4 * n + 1e-7, `variable ${l}: max diff ${d} (scale ${n})`);
      });
      // criticStep reports the loss before its update
      const before = ac.criticStep(s, y, { wS, vx });
      assert.ok(Math.abs(before - hand) <= 1e-5 * hand);
      const after = tf.tidy(() => ac.criticLoss(st, yt, sv, wS).dataSync()[0]);
      assert.ok(after < before, "one Sobolev step reduces the loss");
      // a value scale divides the value term only (wSScale "variance" passes var(y) here)
      const { v: v2, dVds: g2 } = ac.criticGradInput(s);
      const d2 = gradToState(spec, g2);
      let eg2 = 0, ev2 = 0;
      for (let i = 0; i < nb; i++) {
        ev2 += (y[i] - v2[i]) ** 2 / nb;
        for (let j = 0; j < nx; j++) eg2 += (slog(d2[i * nx + j]) - slog(vx[i * nx + j])) ** 2 / (nb * nx);
      }
      const scaled = tf.tidy(() => ac.criticLoss(st, yt, sv, wS, 40).dataSync()[0]);
      assert.ok(Math.abs(scaled - (eg2 + (wS / 40) * ev2)) <= 1e-5 * scaled, `${scaled} vs ${eg2 + (wS / 40) * ev2}`);
      assert.ok(Math.abs(ac.criticStep(s, y, { wS, vx, valueScale: 40 }) - scaled) <= 1e-5 * scaled);
      assert.throws(() => ac.criticStep(s, y, { wS, vx, valueScale: 0 }), /valueScale: got 0, expected a finite number > 0/);
    } finally {
      st.dispose(); yt.dispose(); sv.dispose();
    }
  } finally {
    ac.dispose();
  }
});

test("actorStep descends the surrogate mean_i dQdu_i . pi(s_i); its gradient matches finite differences", () => {
  const ac = new ActorCritic(spec, new Rng(8), { ...SMALL, actorLr: 1e-4 });
  try {
    const rng = new Rng(9);
    const nb = 32;
    const { s } = randomStates(rng, nb);
    const dQdu = randomArray(rng, nb * spec.nu);
    const st = tf.tensor2d(s, [nb, spec.nx + 1]);
    const qt = tf.tensor2d(dQdu, [nb, spec.nu]);
    const surrogate = () => tf.tidy(() => ac.actorSurrogate(st, qt).dataSync()[0]);
    // surrogate by hand from the actor outputs
    const u = ac.act(s);
    let hand = 0;
    for (let i = 0; i < nb * spec.nu; i++) hand += u[i] * dQdu[i] / nb;
    const s0 = surrogate();
    assert.ok(Math.abs(s0 - hand) <= 1e-5 * (1 + Math.abs(hand)));
    // gradient w.r.t. one first-layer weight vs central differences
    const W0 = ac.actor.layers[0].W;
    const g = tf.tidy(() => tf.variableGrads(() => ac.actorSurrogate(st, qt), [W0]).grads[W0.name].dataSync());
    const vals = W0.dataSync().slice();
    const h = 1e-2;
    for (const idx of [3, 17, 40]) {
      const set = (d: number) => {
        const a = Float32Array.from(vals);
        a[idx] += d;
        tf.tidy(() => W0.assign(tf.tensor2d(a, W0.shape as [number, number])));
      };
      set(h); const fp = surrogate();
      set(-h); const fm = surrogate();
      set(0);
      const fd = (fp - fm) / (2 * h);
      assert.ok(Math.abs(fd - g[idx]) <= 2e-2 * Math.abs(g[idx]) + 1e-4, `weight ${idx}: fd ${fd} vs ${g[idx]}`);
    }
    // one step: the loss reported is the surrogate before the step, and it goes down
    const reported = ac.actorStep(s, dQdu);
    assert.ok(Math.abs(reported - s0) <= 1e-6 * (1 + Math.abs(s0)));
    const s1 = surrogate();
    assert.ok(s1 < s0, `surrogate ${s0} -> ${s1}`);
    st.dispose(); qt.dispose();
  } finally {
    ac.dispose();
  }
});

test("softUpdate: target <- tau source + (1 - tau) target", () => {
  const ac = new ActorCritic(spec, new Rng(10), SMALL);
  try {
    const rng = new Rng(11);
    const { s } = randomStates(rng, 16);
    for (let i = 0; i < 3; i++) ac.criticStep(s, randomArray(rng, 16));
    const before = ac.serialize();
    const n0 = tf.memory().numTensors;
    const tau = 0.25;
    ac.updateTarget(tau);
    assert.is(tf.memory().numTensors, n0);
    const after = ac.serialize();
    after.target.forEach((t, l) => {
      t.data.forEach((v, i) => {
        const e = tau * before.critic[l].data[i] + (1 - tau) * before.target[l].data[i];
        assert.ok(Math.abs(v - e) <= 1e-6 * (1 + Math.abs(e)));
      });
    });
    assert.equal(after.critic, before.critic);
    // the free function on any pair of equal-shaped networks; tau = 1 copies
    softUpdate(ac.target, ac.critic, 1);
    assert.equal(ac.serialize().target, before.critic);
  } finally {
    ac.dispose();
  }
});

test("the critic fits a simple value function over a few hundred steps", () => {
  const ac = new ActorCritic(spec, new Rng(12), SMALL);
  try {
    const rng = new Rng(13);
    const f = (s: Float32Array, i: number) => Math.sin(2 * s[i * 5]) + 0.5 * s[i * 5 + 1] ** 2 - 0.3 * s[i * 5 + 4];
    const batch = () => {
      const { s } = randomStates(rng, 64);
      return { s, y: Array.from({ length: 64 }, (_, i) => f(s, i)) };
    };
    const first: number[] = [];
    const last: number[] = [];
    for (let it = 0; it < 400; it++) {
      const { s, y } = batch();
      const l = ac.criticStep(s, y);
      if (it < 20) first.push(l);
      if (it >= 380) last.push(l);
    }
    const m0 = first.reduce((a, b) => a + b) / first.length;
    const m1 = last.reduce((a, b) => a + b) / last.length;
    assert.ok(m1 < 0.1 * m0, `loss ${m0} -> ${m1}`);
  } finally {
    ac.dispose();
  }
});

/** one training step of the full learner: TD-like critic step (with Sobolev), actor step, target update */
function trainStep(ac: ActorCritic, rng: Rng, nb: number, wS: number): [number, number] {
  const { s } = randomStates(rng, nb);
  const y = randomArray(rng, nb, 2);
  const vx = randomArray(rng, nb * spec.nx, 3);
  const boot = ac.targetValue(s);
  for (let i = 0; i < nb; i++) y[i] += 0.1 * boot[i];
  const lc = ac.criticStep(s, y, wS > 0 ? { wS, vx } : {});
  const la = ac.actorStep(s, randomArray(rng, nb * spec.nu));
  ac.updateTarget();
  return [lc, la];
}

test("serialize -> JSON -> deserialize: the next steps give identical losses and weights", () => {
  const seedRun = () => {
    const ac = new ActorCritic(spec, new Rng(14), SMALL);
    const rng = new Rng(15);
    for (let i = 0; i < 7; i++) trainStep(ac, rng, 32, 1e-2);
    return { ac, rng };
  };
  const A = seedRun();
  const ckpt = JSON.stringify({ learner: A.ac.serialize(), rng: A.rng.getState() });
  const lossesA: number[] = [];
  for (let i = 0; i < 6; i++) lossesA.push(...trainStep(A.ac, A.rng, 32, 1e-2));
  const wA = flat(A.ac);
  const optA = A.ac.serialize().criticOpt;

  const parsed = JSON.parse(ckpt);
  const B = ActorCritic.fromData(parsed.learner);
  const rngB = new Rng(0);
  rngB.setState(parsed.rng);
  const lossesB: number[] = [];
  for (let i = 0; i < 6; i++) lossesB.push(...trainStep(B, rngB, 32, 1e-2));
  assert.equal(lossesB, lossesA);
  assert.equal(flat(B), wA);
  assert.equal(B.serialize().criticOpt, optA);
  assert.is(B.criticOpt.iterations, 13);

  // restoring into an existing learner in place works the same way
  const C = new ActorCritic(spec, new Rng(99), SMALL);
  C.deserialize(parsed.learner);
  const rngC = new Rng(0);
  rngC.setState(parsed.rng);
  const lossesC: number[] = [];
  for (let i = 0; i < 6; i++) lossesC.push(...trainStep(C, rngC, 32, 1e-2));
  assert.equal(lossesC, lossesA);
  assert.equal(flat(C), wA);
  const D = new ActorCritic(spec, null, { criticHidden: [8] });
  assert.throws(() => D.deserialize(parsed.learner), /architecture/);
  D.dispose();
  A.ac.dispose(); B.dispose(); C.dispose();
});

test("tf.memory().numTensors stays flat over 200 critic + actor steps (reference sizes)", () => {
  const ac = new ActorCritic(spec, new Rng(16));
  try {
    const rng = new Rng(17);
    trainStep(ac, rng, 64, 1e-3);
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) trainStep(ac, rng, 64, 0);
    for (let i = 0; i < 100; i++) trainStep(ac, rng, 64, 1e-3);
    ac.criticGradInput(randomStates(rng, 8).s);
    ac.act(randomStates(rng, 8).s);
    ac.serialize();
    assert.is(tf.memory().numTensors, n0);
  } finally {
    ac.dispose();
  }
});

test("every draw is seeded: same seed -> identical weights and training; other seed differs", () => {
  const run = (seed: number) => {
    const ac = new ActorCritic(spec, new Rng(seed), SMALL);
    const rng = new Rng(seed + 1);
    for (let i = 0; i < 3; i++) trainStep(ac, rng, 16, 1e-2);
    const w = flat(ac);
    ac.dispose();
    return w;
  };
  const a = run(20);
  assert.equal(run(20), a);
  assert.not.equal(run(21), a);
});

test("our Adam follows tf.train.adam's update", () => {
  const init = [Float32Array.from([0.5, -1.5, 2, 0.1]), Float32Array.from([3, -0.2])];
  const make = () => init.map((a) => tf.variable(tf.tensor1d(a)));
  const loss = (vs: ReturnType<typeof make>) => () =>
    tf.add(tf.sum(tf.square(tf.sub(vs[0], 0.3))), tf.sum(tf.pow(vs[1], 4))) as Scalar;
  const a = make();
  const b = make();
  const ours = new Adam(a, { lr: 0.05 });
  const ref = tf.train.adam(0.05, 0.9, 0.999, 1e-7);
  for (let t = 0; t < 25; t++) {
    tf.tidy(() => {
      const g = tf.variableGrads(loss(a), a);
      ours.apply(a.map((x) => g.grads[x.name]));
      ref.minimize(loss(b), false, b);
    });
  }
  assert.is(ours.iterations, 25);
  a.forEach((x, i) => {
    const p = x.dataSync();
    const q = b[i].dataSync();
    for (let j = 0; j < p.length; j++) assert.ok(Math.abs(p[j] - q[j]) <= 1e-5 * (1 + Math.abs(q[j])), `${p[j]} vs ${q[j]}`);
  });
  ours.dispose();
  ref.dispose();
  [...a, ...b].forEach((x) => x.dispose());
});

test("bad input is rejected with a clear message", () => {
  const ac = new ActorCritic(spec, new Rng(1), SMALL);
  try {
    assert.throws(() => ac.criticValue(new Float32Array(7)), /multiple of nx\+1/);
    assert.throws(() => ac.criticStep(new Float32Array(10), [1]), /1 targets for 2 rows/);
    assert.throws(() => ac.criticStep(new Float32Array(5), [1], { wS: 1e-2 }), /needs vx/);
    assert.throws(() => ac.actorStep(new Float32Array(5), [1]), /dQdu has 1 values/);
  } finally {
    ac.dispose();
  }
});

test.run();
