// Trained networks exported in tfjs's LayersModel format (issue 12): the exported actor and critic,
// on raw [x, k] inputs, give the library's own outputs on normalised inputs; saved as model.json +
// weights.bin and loaded back with tf.loadLayersModel, they give the same numbers again.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { createActorCritic } from "../src/rl/networks.js";
import { initTf } from "../src/rl/backend.js";
import { normaliseStates } from "../src/rl/normalise.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { Rng } from "../src/rng.js";
import { actorLayersModel, criticLayersModel, exportNetworks, loadLayersModelFromDir } from "../src/rl/export.js";

await initTf("wasm");

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string) {
  assert.is(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= 1e-4 * Math.max(1, Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

for (const [system, output] of [["car", "tanh"], ["car", "linear"], ["manipulator", "linear"]] as const) {
  test(`${system}, ${output} actor: the exported models equal the library's networks, before and after a save/load round trip`, async () => {
    const spec = SYSTEMS[system];
    const ac = await createActorCritic(spec, new Rng(5), { actorHidden: [32, 32], criticHidden: [16, 16, 16], actorOutput: output });
    const rng = new Rng(9);
    const n = 64;
    const X = new Float64Array(n * spec.nx);
    const k = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      spec.sampleRanges.forEach(([lo, hi], j) => { X[i * spec.nx + j] = rng.uniform(lo, hi); });
      k[i] = Math.floor(rng.uniform(0, spec.nsteps));
    }
    const raw = new Float32Array(n * (spec.nx + 1));
    for (let i = 0; i < n; i++) { for (let j = 0; j < spec.nx; j++) raw[i * (spec.nx + 1) + j] = X[i * spec.nx + j]; raw[i * (spec.nx + 1) + spec.nx] = k[i]; }
    const s = normaliseStates(spec, X, k);
    const wantU = ac.act(s);
    const wantV = ac.criticValue(s);
    const actor = actorLayersModel(ac, spec);
    const critic = criticLayersModel(ac, spec);
    const inp = tf.tensor2d(raw, [n, spec.nx + 1]);
    close((actor.predict(inp) as tf.Tensor).dataSync(), wantU, "actor");
    close((critic.predict(inp) as tf.Tensor).dataSync(), wantV, "critic");
    if (output === "tanh") {
      const u = (actor.predict(inp) as tf.Tensor).dataSync();
      for (let i = 0; i < u.length; i++) assert.ok(Math.abs(u[i]) <= spec.umax[i % spec.nu] + 1e-6, "tanh output within umax");
    }
    actor.dispose(); critic.dispose();
    const dir = mkdtempSync(path.join(os.tmpdir(), "cacto-export-"));
    const files = await exportNetworks(ac, spec, dir, { seed: 5 });
    const json = JSON.parse(readFileSync(path.join(files.actor, "model.json"), "utf8"));
    assert.is(json.format, "layers-model");
    assert.equal(json.weightsManifest[0].paths, ["weights.bin"]);
    assert.is(json.userDefinedMetadata.system, system);
    const nParams = ac.actor.size + (output === "tanh" ? spec.nu * spec.nu : 0);
    assert.is(statSync(path.join(files.actor, "weights.bin")).size, 4 * nParams, "float32 weights, one shard");
    const a2 = await loadLayersModelFromDir(files.actor);
    const c2 = await loadLayersModelFromDir(files.critic);
    close((a2.predict(inp) as tf.Tensor).dataSync(), wantU, "reloaded actor");
    close((c2.predict(inp) as tf.Tensor).dataSync(), wantV, "reloaded critic");
    a2.dispose(); c2.dispose(); inp.dispose(); ac.dispose();
  });
}

test.run();
