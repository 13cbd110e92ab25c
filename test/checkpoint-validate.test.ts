// Checkpoints validated on load (issue 11): each corrupted field is rejected with its name, before
// any work (nothing is overwritten), and a good checkpoint still resumes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { CactoTrainer, type CheckpointData } from "../src/cacto/trainer.js";
import { preset } from "../src/cacto/presets.js";
import { saveCheckpoint, loadCheckpoint, encodeCheckpoint, decodeCheckpoint } from "../src/cacto/checkpoint.js";
import { validateCheckpoint } from "../src/cacto/validate-checkpoint.js";
import { evaluate } from "../src/eval/evaluate.js";
import { Td3Trainer, td3Preset } from "../src/baselines/td3.js";
import { ImitationTrainer, imitationPreset } from "../src/baselines/imitation.js";
import { GpsTrainer, gpsPreset } from "../src/baselines/gps.js";

const t = await CactoTrainer.create({ ...preset("toy1d", "quick"), updateLoops: [20, 20, 20], episodesPerLoop: 8, workers: 0 }, 2);
await t.runLoop();
const good = JSON.parse(JSON.stringify(t.serialize())) as CheckpointData;
const other = await CactoTrainer.create({ ...preset("single_integrator", "quick"), updateLoops: [10], episodesPerLoop: 4, workers: 0 }, 1);
const si = JSON.parse(JSON.stringify(other.serialize())) as CheckpointData;

type Mut = [string, (d: any) => void, RegExp];
const CASES: Mut[] = [
  ["format", (d) => { d.format = "x"; }, /format: got "x", expected "cacto-checkpoint"/],
  ["version", (d) => { d.version = 2; }, /version: got 2, expected 1/],
  ["rng all zeros", (d) => { d.rng = [0, 0, 0, 0]; }, /rng: got \[0,0,0,0\], expected a state with a non-zero word/],
  ["rng too short", (d) => { d.rng = [1, 2]; }, /rng: got \[1,2\], expected an array of at least 4 integers/],
  ["null weights", (d) => { d.learner.actor[0].data = null; }, /learner\.actor\[0\]\.data: got "object", expected an array of numbers/],
  ["NaN weight", (d) => { d.learner.critic[1].data[0] = "NaN"; }, /learner\.critic\[1\]\.data\[0\]: got "NaN", expected a finite number/],
  ["loop -1", (d) => { d.loop = -1; }, /loop: got -1, expected an integer in 0\.\.3/],
  ["loop \"2\"", (d) => { d.loop = "2"; }, /loop: got "2", expected an integer/],
  ["loop 99", (d) => { d.loop = 99; }, /loop: got 99, expected an integer in 0\.\.3/],
  ["updates abc", (d) => { d.updates = "abc"; }, /updates: got "abc", expected an integer/],
  ["seed one", (d) => { d.seed = "one"; }, /seed: got "one", expected an integer/],
  ["0 episodes per loop", (d) => { d.config.episodesPerLoop = 0; }, /config\.episodesPerLoop: got 0, expected an integer in 1\.\./],
  ["unknown system", (d) => { d.config.system = "truck"; }, /config\.system: got "truck", expected one of toy1d/],
  ["negative learning rate", (d) => { d.config.actorLr = -1; }, /config\.actorLr: got -1, expected a finite number in \(0, 10\]/],
  ["metrics missing", (d) => { d.metrics = []; }, /metrics\.length: got 0, expected 1/],
  ["buffer rows", (d) => { d.buffer.cost.pop(); }, /buffer\.cost\.length: got \d+, expected \d+/],
  ["layer shapes", (d) => { d.learner.actor[0].shape = [2, 16]; d.learner.actor[0].data = d.learner.actor[0].data.slice(0, 32); }, /learner\.actor shapes: got/],
  ["adam moments", (d) => { d.learner.criticOpt.m.pop(); }, /learner\.criticOpt\.m shapes/],
  ["another system's networks", (d) => { d.learner = si.learner; }, /learner\.config\.nx: got 2, expected 1 \(the state dimension of toy1d/],
  ["another system's buffer", (d) => { d.buffer = si.buffer; }, /buffer\.(nx|capacity): got/],
];

test("each corrupted field is rejected by name, by validateCheckpoint and by fromCheckpoint", async () => {
  validateCheckpoint(good);
  for (const [name, mut, re] of CASES) {
    const d = JSON.parse(JSON.stringify(good));
    mut(d);
    assert.throws(() => validateCheckpoint(d, "ck"), re, name);
    let msg = "";
    try { await CactoTrainer.fromCheckpoint(d); } catch (e) { msg = (e as Error).message; }
    assert.match(msg, re, `fromCheckpoint: ${name}`);
  }
});

test("the CLI refuses a corrupted checkpoint in one line (exit 2) and leaves the file untouched; a good one resumes", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cacto-badck-"));
  const bad = JSON.parse(JSON.stringify(good));
  bad.rng = [0, 0, 0, 0];
  saveCheckpoint(dir, bad);
  const before = readFileSync(path.join(dir, "checkpoint.json"), "utf8");
  const bin = new URL("../bin/cacto.js", import.meta.url).pathname;
  const r = spawnSync(process.execPath, [bin, "train", "--resume", "--out", dir, "--loops", "1"], { encoding: "utf8", timeout: 120_000 });
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /^cacto: checkpoint .*checkpoint\.json: rng: got \[0,0,0,0\]/);
  assert.is(r.stderr.trim().split("\n").length, 1);
  assert.is(readFileSync(path.join(dir, "checkpoint.json"), "utf8"), before, "the bad file is not overwritten");
  writeFileSync(path.join(dir, "checkpoint.json"), JSON.stringify(good));
  assert.is(loadCheckpoint(dir).loop, 1);
  const ok = spawnSync(process.execPath, [bin, "train", "--resume", "--out", dir, "--loops", "1"], { encoding: "utf8", timeout: 120_000 });
  assert.is(ok.status, 0, ok.stderr);
  assert.is(loadCheckpoint(dir).loop, 2);
});

test("the packed file format: bulk arrays as base64 binary, a bit-identical round trip, plain-array files still load, a bad packed field is named", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cacto-packed-"));
  saveCheckpoint(dir, good);
  const text = readFileSync(path.join(dir, "checkpoint.json"), "utf8");
  assert.ok(text.length < JSON.stringify(good).length / 1.5, "smaller than decimal text");
  const file = JSON.parse(text);
  assert.type(file.buffer.x.$f64, "string", "the replay buffer's states are packed float64");
  assert.type(file.learner.actor[0].data.$f32, "string", "network weights are packed float32");
  assert.type(file.buffer.k.$i32, "string", "step indices are packed int32");
  assert.equal(loadCheckpoint(dir), good, "the round trip is exact");
  assert.equal(decodeCheckpoint(encodeCheckpoint(good)), good);
  // the browser path (no Buffer: btoa/atob) writes and reads the same text
  const G = globalThis as { Buffer?: unknown };
  const saved = G.Buffer;
  let browserText = "", browserBack: unknown = null;
  try { delete G.Buffer; browserText = encodeCheckpoint(good); browserBack = decodeCheckpoint(text); } finally { G.Buffer = saved; }
  assert.is(browserText, text, "btoa encoding equals Buffer's");
  assert.equal(browserBack, good, "atob decoding equals Buffer's");
  writeFileSync(path.join(dir, "checkpoint.json"), JSON.stringify(good));
  assert.equal(loadCheckpoint(dir), good, "a plain-array file loads too");
  const bad = JSON.parse(text);
  bad.buffer.x = { $f64: Buffer.from(new Float64Array(3).buffer).toString("base64") };
  writeFileSync(path.join(dir, "checkpoint.json"), JSON.stringify(bad));
  assert.throws(() => loadCheckpoint(dir), /buffer\.x\.length: got 3, expected \d+/);
  bad.buffer.x = { $f64: 17 };
  writeFileSync(path.join(dir, "checkpoint.json"), JSON.stringify(bad));
  assert.throws(() => loadCheckpoint(dir), /buffer\.x: got a packed array whose \$f64 is number, expected a base64 string/);
  bad.buffer.x = { $f64: Buffer.from(new Uint8Array(12)).toString("base64") };
  writeFileSync(path.join(dir, "checkpoint.json"), JSON.stringify(bad));
  assert.throws(() => loadCheckpoint(dir), /buffer\.x: packed \$f64 data of 12 bytes, not a multiple of 8/);
});

test("the learning API validates at its boundary: create, actorRollout, preset name the field, value and expectation", async () => {
  const base = { ...preset("toy1d", "quick"), updateLoops: [5], episodesPerLoop: 4, workers: 0 };
  const bad: [string, object, RegExp][] = [
    ["batchSize 0", { batchSize: 0 }, /CactoTrainer\.create: config\.batchSize: got 0, expected an integer in 1\.\./],
    ["negative learning rate", { criticLr: -1e-3 }, /config\.criticLr: got -0\.001, expected a finite number in \(0, 10\]/],
    ["negative workers", { workers: -1 }, /config\.workers: got -1, expected an integer in 0\.\.64/],
    ["no loops", { updateLoops: [] }, /config\.updateLoops: got \[\], expected an array of at least 1 integers/],
    ["bad TO option", { to: { maxIter: -3 } }, /options\.maxIter/],
  ];
  for (const [name, patch, re] of bad) {
    let msg = "";
    try { await CactoTrainer.create({ ...base, ...patch } as never, 1); } catch (e) { msg = (e as Error).message; }
    assert.match(msg, re, name);
  }
  let seedMsg = "";
  try { await CactoTrainer.create(base, 1.5); } catch (e) { seedMsg = (e as Error).message; }
  assert.match(seedMsg, /seed: got 1\.5, expected an integer/);
  assert.throws(() => preset("truck" as never, "quick"), /preset: system: got "truck", expected one of toy1d/);
  assert.throws(() => preset("car", "fast" as never), /preset: name: got "fast", expected "quick" or "reference"/);
  assert.throws(() => t.actorRollout([{ x0: [0.1, 0.2], k0: 0 }]), /starts\[0\]\.x0: got 2 values, expected 1 \(the state of toy1d\)/);
  assert.throws(() => t.actorRollout([{ x0: [0.1], k0: 0 }, { x0: [NaN], k0: 0 }]), /starts\[1\]\.x0\[0\]: got NaN, expected a finite number/);
  assert.throws(() => t.actorRollout([{ x0: [0.1], k0: 99 }]), /starts\[0\]\.k0: got 99, expected an integer in 0\.\.10/);
  // and the next call works
  assert.is(t.actorRollout([{ x0: [0.1], k0: 0 }])[0].U.length, 10);
});

async function message(f: () => Promise<unknown>): Promise<string> {
  try { await f(); } catch (e) { return (e as Error).message; }
  return "(no error)";
}

test("evaluate() and the baselines' trainers validate at their boundary, and the next call works", async () => {
  const ev: [string, object, RegExp][] = [
    ["grid 1", { grid: 1 }, /evaluate: opts\.grid: got 1, expected an integer in \[2, 101\]/],
    ["workers -2", { workers: -2 }, /evaluate: opts\.workers: got -2, expected an integer in \[0, 64\]/],
    ["fresh 1.5", { fresh: 1.5 }, /evaluate: opts\.fresh: got 1\.5, expected an integer/],
    ["unknown key", { gird: 5 }, /evaluate: opts: unknown option "gird", expected one of grid/],
    ["bad TO option", { to: { maxIter: "many" } }, /options\.maxIter: got "many"/],
    ["seed + i past the seed range", { seed: 4294967295, grid: 2, fresh: 2, workers: 0 }, /evaluate: opts\.seed: got 4294967295, expected at most \d+ \(start i uses seed \+ i/],
  ];
  for (const [name, o, re] of ev) assert.match(await message(() => evaluate(t, o as never)), re, name);
  assert.match(await message(() => evaluate({} as never)), /evaluate: trainer: got \{\}, expected a CactoTrainer/);
  const okEval = await evaluate(t, { grid: 2, fresh: 2, workers: 0 });
  assert.is(okEval.fresh.length, 2, "evaluate works after the rejected calls");

  const td3 = td3Preset("toy1d", "quick");
  const td3Bad: [string, object, RegExp][] = [
    ["negative lr", { actorLr: -1 }, /td3: actorLr = -1, expected a finite number > 0/],
    ["gamma 2", { gamma: 2 }, /td3: gamma = 2, expected a number in \(0, 1\]/],
    ["batch 0", { batchSize: 0 }, /td3: batchSize = 0, expected an integer >= 1/],
    ["hidden", { criticHidden: [] }, /td3: criticHidden = \[\], expected a non-empty array/],
    ["output", { actorOutput: "relu" }, /td3: actorOutput = "relu", expected "linear" or "tanh"/],
  ];
  for (const [name, patch, re] of td3Bad) assert.match(await message(() => Td3Trainer.create("toy1d", { ...td3, ...patch } as never, 1)), re, name);
  assert.match(await message(() => Td3Trainer.create("toy1d", td3, 0.5)), /td3: seed = 0\.5, expected an integer/);
  assert.throws(() => td3Preset("truck" as never), /td3Preset: system = "truck", expected one of/);
  assert.throws(() => td3Preset("toy1d", "quick", "sac" as never), /td3Preset: mode = "sac"/);
  const im = imitationPreset("toy1d", "quick");
  assert.match(await message(() => ImitationTrainer.create({ ...im, lr: Number.NaN }, 1)), /imitation: lr = NaN, expected a finite number > 0/);
  assert.match(await message(() => ImitationTrainer.create(im, Number.NaN)), /imitation: seed = null, expected an integer/);
  assert.match(await message(() => ImitationTrainer.create({ ...im, to: { tol: -1 } }, 1)), /options\.tol/);
  const gp = gpsPreset("toy1d", "quick");
  assert.match(await message(() => GpsTrainer.create({ ...gp, workers: -1 }, 1)), /gps: workers = -1, expected an integer >= 0/);
  // and the trainers build after the rejected calls
  const ok = await Td3Trainer.create("toy1d", td3, 1);
  ok.dispose?.();
});

test.after(() => { t.dispose(); other.dispose(); });
test.run();
