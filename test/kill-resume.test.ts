// Fault injection (issue 11): a training killed with SIGKILL at 20 seeded random moments and resumed
// each time ends in exactly the state of an uninterrupted run (weights, optimiser moments, buffer,
// RNG, counters, per-loop numbers), and leaves no temporary file behind.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Rng } from "../src/rng.js";

const bin = new URL("../bin/cacto.js", import.meta.url).pathname;
const root = mkdtempSync(path.join(tmpdir(), "cacto-kill-"));
const args = ["--system", "toy1d", "--preset", "quick", "--seed", "3", "--workers", "0"];

function state(dir: string) {
  const d = JSON.parse(readFileSync(path.join(dir, "checkpoint.json"), "utf8"));
  // wall-clock fields differ between runs; everything else must be identical
  const metrics = d.metrics.map((m: Record<string, unknown>) => {
    const { rolloutSeconds: _a, toSeconds: _b, updateSeconds: _c, wallSeconds: _d, ...rest } = m;
    return rest;
  });
  return { ...d, metrics };
}

/** run a train command, killing it with SIGKILL after `ms` (resolves with true if it was killed) */
function runFor(argv: string[], ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...argv], { stdio: "ignore" });
    const t = setTimeout(() => p.kill("SIGKILL"), ms);
    p.on("exit", (_code, signal) => { clearTimeout(t); resolve(signal === "SIGKILL"); });
  });
}

test("20 kills at random moments, resumed each time: the final checkpoint equals an uninterrupted run's", async () => {
  const ref = path.join(root, "ref");
  const r = spawnSync(process.execPath, [bin, "train", ...args, "--out", ref], { encoding: "utf8", timeout: 300_000 });
  assert.is(r.status, 0, r.stderr);
  const run = path.join(root, "killed");
  const rng = new Rng(2026);
  let kills = 0, done = false, chains = 1;
  for (let attempt = 0; attempt < 200 && !done; attempt++) {
    const resume = existsSync(path.join(run, "checkpoint.json"));
    const argv = resume ? ["train", "--resume", "--out", run, "--workers", "0"] : ["train", ...args, "--out", run, "--fresh"];
    if (kills < 20) {
      if (await runFor(argv, rng.uniform(300, 2500))) kills++;
      else {
        // the run finished before its kill (a short schedule on a fast machine): the chain of kills
        // and resumes so far must have ended in the uninterrupted run's state; then start another
        // chain, so that 20 kills happen whatever the machine's speed
        assert.equal(state(run), state(ref), `chain ${chains} (after ${kills} kills in all)`);
        rmSync(run, { recursive: true, force: true });
        chains++;
      }
    } else {
      const f = spawnSync(process.execPath, [bin, ...argv], { encoding: "utf8", timeout: 300_000 });
      assert.is(f.status, 0, f.stderr);
      done = true;
    }
  }
  assert.ok(kills >= 20, `${kills} kills in ${chains} chains`);
  // the last runs may have finished the schedule already; make sure it is complete
  const last = JSON.parse(readFileSync(path.join(run, "checkpoint.json"), "utf8"));
  if (last.loop < last.config.updateLoops.length) {
    const f = spawnSync(process.execPath, [bin, "train", "--resume", "--out", run, "--workers", "0"], { encoding: "utf8", timeout: 300_000 });
    assert.is(f.status, 0, f.stderr);
  }
  assert.equal(state(run), state(ref));
  assert.equal(readdirSync(run).filter((f) => f.includes(".tmp-")), [], "no temporary file left behind");
});

test.run();
