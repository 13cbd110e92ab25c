/**
 * `cacto <command>`: systems, solve, train, eval, bench, demo.
 * Returns the process exit code: 0 ok, 1 failure, 2 usage error.
 */
import os from "node:os";
import path from "node:path";
import { writeAtomic, WriteError } from "../cacto/checkpoint.js";
import { Engine } from "../wasm/engine.js";
import { Solver } from "../to/solver.js";
import { SYSTEMS } from "../systems/specs.js";
import { SYSTEM_NAMES, type SystemName } from "../systems/layout.js";
import type { SolveOptions, SolveResult, WarmStartKind } from "../to/types.js";
import { plotTrajectories } from "../eval/svg.js";
import { parseArgs, usage, UsageError, type FlagSpec } from "./args.js";
import { checkRunSystem, ensureRunSystem, recordSystemSource, resolveSystemFlag } from "./system-file.js";

const HELP = `cacto: reinforcement learning + trajectory optimisation (CACTO) with a WASM iLQR/FDDP engine

commands:
  systems                 list the benchmark systems
  solve --system S ...    solve one optimal-control problem (cacto solve --help)
  bench solver [--json]   solver benchmark: WASM SIMD vs WASM scalar vs plain TS, and worker throughput
  bench convergence       share converged within 100/200/500 iterations on seeded training problems
  train --system S ...    CACTO / CACTO-SL training with checkpoints (cacto train --help)
  eval --run DIR          the evaluation protocol on a trained run: table, report.md, SVG plots
  experiment <id>         the published comparisons: E1 (warm starts), E2 (CACTO vs CACTO-SL),
                          E3 (warm start vs terminal cost), E4 (CACTO vs TD3/DDPG) -> reports/<id>/;
                          S (the warm start over --seeds seeds on fresh starts) -> reports/S-<system>/
  sweep plan|run|status|report
                          experiment cells (system x method x seed) as jobs: locally with N
                          processes, or on a Redis queue (--queue redis://host:port)
  worker --queue Q --sweep DIR
                          take a sweep's jobs from the queue (any number of machines)
  demo                    TO from naive warm starts on the car (the local minima CACTO escapes)`;

const EXPERIMENT_FLAGS: Record<string, FlagSpec> = {
  system: { type: "string", help: `system (default single_integrator; E1 default: all five benchmark systems): ${SYSTEM_NAMES.join(", ")}; S also takes a module exporting a defineSystem system (./my-system.mjs)` },
  preset: { type: "string", help: "quick (default) or reference", choices: ["quick", "reference"] },
  seeds: { type: "int", help: "seeds per variant (E2, E4; default 3; S: default 10)" },
  sobolev: { type: "number", help: "CACTO-SL weight for E2 (default: the preset's if > 0, else 1e-3)" },
  smoke: { type: "boolean", help: "a tiny schedule that only checks the pipeline runs" },
  out: { type: "string", help: "report directory (default reports/<id>)" },
  set: { type: "string", help: "S: JSON of config fields replacing the preset's, e.g. '{\"to\":{\"maxIter\":200}}'" },
  help: { type: "boolean", help: "this help" },
};

const TRAIN_FLAGS: Record<string, FlagSpec> = {
  system: { type: "string", help: `${SYSTEM_NAMES.join(", ")}, or a module exporting a defineSystem system (./my-system.mjs; with --resume: where to find it)` },
  preset: { type: "string", help: "quick (default) or reference (the published schedule)", choices: ["quick", "reference"] },
  seed: { type: "int", help: "seed of every random draw (default 1)" },
  sobolev: { type: "number", help: "CACTO-SL weight w_S (default: the preset's, see README; 0 = plain CACTO; the papers use 1e-3 or 1e-2)" },
  "actor-output": { type: "string", help: "actor output layer: linear (reference default) or tanh (tanh*umax, quick default)", choices: ["linear", "tanh"] },
  out: { type: "string", help: "run directory (default runs/<system>-<preset>-s<seed>)" },
  resume: { type: "boolean", help: "continue from the run directory's last checkpoint" },
  fresh: { type: "boolean", help: "start over even if the run directory has a checkpoint" },
  loops: { type: "int", help: "train only this many loops of the schedule (then stop; resumable)" },
  workers: { type: "int", help: "TO worker threads (default 2; 0 = main thread)" },
  "actor-thread": { type: "string", help: "actor steps on a second thread, overlapped with the critic's (same results; default on when --workers > 0)", choices: ["on", "off"] },
  eval: { type: "boolean", help: "run the evaluation when training ends and print its table" },
  grid: { type: "int", help: "evaluation grid points per axis (with --eval; default 11)" },
  help: { type: "boolean", help: "this help" },
};

const EVAL_FLAGS: Record<string, FlagSpec> = {
  run: { type: "string", help: "run directory written by cacto train" },
  system: { type: "string", help: "a user-defined system's module, if the run directory's record of it is stale" },
  grid: { type: "int", help: "grid points per axis over the position domain (default 11)" },
  fresh: { type: "int", help: "fresh starts drawn like the training ones, fixed seed (default 100; 0 = none)" },
  workers: { type: "int", help: "TO worker threads (default 2)" },
  json: { type: "boolean", help: "print the evaluation as JSON" },
  help: { type: "boolean", help: "this help" },
};

const SOLVE_FLAGS: Record<string, FlagSpec> = {
  system: { type: "string", help: `${SYSTEM_NAMES.join(", ")}, or a module exporting a defineSystem system (./my-system.mjs)` },
  x0: { type: "list", help: "initial state, comma-separated" },
  horizon: { type: "int", help: "control steps N (default: the system's NSTEPS)" },
  warm: { type: "string", help: "warm start (default zeros)", choices: ["zeros", "ics", "random"] },
  seed: { type: "int", help: "seed of the random warm start (default 1)" },
  "max-iter": { type: "int", help: "iteration budget (default 200)" },
  tol: { type: "number", help: "convergence tolerance on the expected decrease (default 1e-9)" },
  "time-limit": { type: "number", help: "time budget in ms" },
  reg: { type: "string", help: "regularisation on Quu or Vxx (default quu)", choices: ["quu", "vxx"] },
  box: { type: "boolean", help: "hard control box [-umax, umax] (Box-DDP)" },
  flavour: { type: "string", help: "engine build (default simd)", choices: ["simd", "scalar"] },
  json: { type: "boolean", help: "print the result as JSON" },
  plot: { type: "string", help: "write an SVG of the trajectory over the obstacles" },
  help: { type: "boolean", help: "this help" },
};

const BENCH_FLAGS: Record<string, FlagSpec> = {
  json: { type: "boolean", help: "JSON lines" },
  systems: { type: "string", help: "comma-separated subset of systems" },
  reps: { type: "int", help: "timed repetitions per start (default 5)" },
  batch: { type: "int", help: "problems in the throughput batch (default 128)" },
  "no-ref": { type: "boolean", help: "skip the plain-TS reference rows" },
  problems: { type: "int", help: "convergence: training-distribution problems per system (default 200)" },
  seed: { type: "int", help: "convergence: seed of the problem draw (default 12345)" },
  long: { type: "int", help: "convergence: iterations of the long runs that define the best cost (default 3000)" },
  options: { type: "string", help: "convergence: solver options as JSON, e.g. '{\"hessian\":\"gauss-newton\",\"muFactor\":10}'" },
  engine: { type: "string", help: "convergence: an engine build (.wasm) to run instead of this package's, e.g. an older build to compare with" },
  updates: { type: "int", help: "learn: timed network updates per case (default 200)" },
  presets: { type: "string", help: "learn: comma-separated presets (default quick,reference)" },
  help: { type: "boolean", help: "this help" },
};

async function cmdExperiment(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, EXPERIMENT_FLAGS, "experiment");
  const ids = ["E1", "E2", "E3", "E4", "S"];
  if (flags.help) { out(usage("experiment <E1|E2|E3|E4|S> [flags]", "Run one of the published comparisons; writes reports/<id>/report.md and results.json.", EXPERIMENT_FLAGS)); return 0; }
  const id = (positional[0] ?? "").toUpperCase();
  if (!ids.includes(id)) throw new UsageError(`experiment: got ${JSON.stringify(positional[0] ?? "")}, expected one of ${ids.join(", ")}`);
  const seeds = flags.seeds as number | undefined;
  if (seeds !== undefined && (seeds < 1 || seeds > 100)) throw new UsageError(`--seeds: got ${seeds}, expected 1..100`);
  let set: Record<string, unknown> | undefined;
  if (flags.set !== undefined) {
    if (id !== "S") throw new UsageError(`--set: only experiment S takes config overrides (got ${id})`);
    try { set = JSON.parse(flags.set as string); } catch { throw new UsageError(`--set: got ${JSON.stringify(flags.set)}, expected a JSON object of config fields`); }
    if (typeof set !== "object" || set === null || Array.isArray(set)) throw new UsageError(`--set: got ${JSON.stringify(flags.set)}, expected a JSON object of config fields`);
  }
  let system = flags.system as string | undefined;
  if (system !== undefined && !(SYSTEM_NAMES as string[]).includes(system)) {
    if (id !== "S") throw new UsageError(`--system: got ${JSON.stringify(system)}, expected one of ${SYSTEM_NAMES.join(", ")} (only experiment S takes a user-defined system's module)`);
    system = (await resolveSystemFlag(system)).name;
  }
  const { runExperiment } = await import("../experiments/index.js");
  const file = await runExperiment(id, {
    set,
    system: system as SystemName | undefined, preset: flags.preset as "quick" | "reference" | undefined, seeds,
    wS: flags.sobolev as number | undefined, smoke: !!flags.smoke, out: flags.out as string | undefined,
    log: (s: string) => process.stderr.write(s + "\n"),
  });
  out(`report: ${file}`);
  return 0;
}

function out(s: string): void {
  process.stdout.write(s + "\n");
}

function cmdSystems(argv: string[]): number {
  const { flags } = parseArgs(argv, { json: { type: "boolean", help: "JSON" } }, "systems");
  const rows = SYSTEM_NAMES.map((n) => {
    const s = SYSTEMS[n];
    return { name: n, title: s.title, nx: s.nx, nu: s.nu, dt: s.dt, nsteps: s.nsteps, state: s.stateNames.join(","), control: s.controlNames.join(","), umax: s.umax };
  });
  if (flags.json) { out(JSON.stringify(rows, null, 2)); return 0; }
  out("system              nx  nu  dt    NSTEPS  state / control");
  for (const r of rows) {
    out(`${r.name.padEnd(20)}${String(r.nx).padEnd(4)}${String(r.nu).padEnd(4)}${String(r.dt).padEnd(6)}${String(r.nsteps).padEnd(8)}[${r.state}] / [${r.control}]  (${r.title})`);
  }
  return 0;
}

async function cmdSolve(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SOLVE_FLAGS, "solve");
  if (flags.help) { out(usage("solve --system <name> --x0 <values> [flags]", "Solve one optimal-control problem with the WASM engine.", SOLVE_FLAGS)); return 0; }
  if (positional.length) throw new UsageError(`solve: unexpected argument ${JSON.stringify(positional[0])}`);
  if (!flags.system) throw new UsageError(`solve: --system is required (one of ${SYSTEM_NAMES.join(", ")})`);
  const spec = await resolveSystemFlag(flags.system as string);
  const x0 = (flags.x0 as number[] | undefined) ?? spec.evalStates[0] ?? new Array(spec.nx).fill(0);
  if (x0.length !== spec.nx) throw new UsageError(`--x0: got ${x0.length} values, expected ${spec.nx} for ${spec.name} [${spec.stateNames.join(", ")}]`);
  const options: SolveOptions = {};
  if (flags["max-iter"] !== undefined) options.maxIter = flags["max-iter"] as number;
  if (flags.tol !== undefined) options.tol = flags.tol as number;
  if (flags["time-limit"] !== undefined) options.timeLimitMs = flags["time-limit"] as number;
  if (flags.reg) options.reg = flags.reg as "quu" | "vxx";
  if (flags.box) options.box = true;
  const engine = await Engine.create({ flavour: (flags.flavour as "simd" | "scalar") ?? "simd" });
  if (spec.model) await engine.loadModel(spec.model);
  const solver = new Solver(engine, spec);
  const t = performance.now();
  let r: SolveResult;
  try {
    r = solver.solve({ x0, horizon: flags.horizon as number | undefined, warmStart: (flags.warm as WarmStartKind) ?? "zeros", seed: flags.seed as number | undefined }, options);
  } catch (e) {
    throw asFlagError(e, SOLVE_FIELD_FLAGS);
  }
  const wall = performance.now() - t;
  let plotError: Error | null = null;
  if (flags.plot) {
    const svg = plotTrajectories(spec, solver.params, [{ label: `${flags.warm ?? "zeros"} warm start: cost ${r.cost.toFixed(4)} (${r.statusName})`, X: r.X }], { title: `${spec.title}, x0 = (${x0.join(", ")})` });
    // a failed plot must not lose the solve: the result is printed first, the error after it
    try { writeAtomic(flags.plot as string, svg); } catch (e) { plotError = e as Error; }
  }
  if (flags.json) {
    out(JSON.stringify({
      system: spec.name, x0, horizon: r.horizon, status: r.statusName, cost: r.cost, iterations: r.iterations, timeMs: r.timeMs,
      feasible: r.feasible, stationarity: r.stationarity, acceptable: r.acceptable, profile: r.profile, X: Array.from(r.X), U: Array.from(r.U), costs: Array.from(r.costs),
    }));
  } else {
    out(`system     ${spec.name} (${spec.title})`);
    out(`x0         (${x0.join(", ")}), horizon ${r.horizon}, warm start ${flags.warm ?? "zeros"}`);
    out(`status     ${r.statusName}`);
    out(`cost       ${r.cost.toPrecision(10)}`);
    out(`iterations ${r.iterations}`);
    out(`gradient   max |dJ/du| ${r.stationarity.toExponential(2)} (${(r.stationarity / Math.max(1, Math.abs(r.cost))).toExponential(2)} of max(1, |cost|); acceptable level ${r.acceptable ? "met" : "not met"})`);
    out(`time       ${r.timeMs.toFixed(2)} ms in the engine (${wall.toFixed(2)} ms with the first-call warm-up), ${(r.timeMs / Math.max(1, r.iterations)).toFixed(3)} ms/iteration`);
    const xN = Array.from(r.X.subarray(r.horizon * spec.nx)).map((v) => v.toFixed(3));
    out(`final x    (${xN.join(", ")})`);
    if (flags.plot && !plotError) out(`plot       ${flags.plot}`);
  }
  if (plotError) throw plotError;
  return r.statusName === "non-finite" ? 1 : 0;
}

async function cmdBench(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, BENCH_FLAGS, "bench");
  const kind = positional[0];
  if (flags.help || (kind !== "solver" && kind !== "convergence" && kind !== "learn")) {
    out(usage("bench solver|convergence|learn [flags]", "solver: the solver three ways (WASM SIMD, WASM scalar, plain TS) and the worker pool.\nconvergence: converged shares, iterations, time and cost gaps on seeded training-distribution problems.\nlearn: network updates per second and the time per phase of an update, per system and preset.", BENCH_FLAGS));
    return flags.help ? 0 : 2;
  }
  const systems = flags.systems ? (flags.systems as string).split(",") : undefined;
  for (const s of systems ?? []) {
    if (!(SYSTEM_NAMES as string[]).includes(s)) throw new UsageError(`--systems: got ${JSON.stringify(s)}, expected names from ${SYSTEM_NAMES.join(", ")}`);
  }
  if (kind === "learn") {
    if (flags.updates !== undefined && !((flags.updates as number) >= 1)) throw new UsageError(`--updates: got ${flags.updates}, expected an integer >= 1`);
    const presets = flags.presets ? (flags.presets as string).split(",") : undefined;
    for (const p of presets ?? []) if (p !== "quick" && p !== "reference") throw new UsageError(`--presets: got ${JSON.stringify(p)}, expected quick and/or reference`);
    const { runLearnBench, formatLearnRow } = await import("../../bench/learn.js");
    const { formatBenchRow } = await import("../../bench/format.js");
    await runLearnBench(
      { systems: systems as SystemName[] | undefined, presets: presets as ("quick" | "reference")[] | undefined, updates: flags.updates as number | undefined },
      (row) => out(flags.json ? JSON.stringify(row) : ((row as { kind: string }).kind === "machine" ? formatBenchRow(row) : formatLearnRow(row))),
    );
    return 0;
  }
  if (kind === "convergence") {
    let options: SolveOptions | undefined;
    if (flags.options !== undefined) {
      try { options = JSON.parse(flags.options as string); } catch { throw new UsageError(`--options: got ${JSON.stringify(flags.options)}, expected a JSON object of solver options`); }
      if (typeof options !== "object" || options === null || Array.isArray(options)) throw new UsageError(`--options: got ${JSON.stringify(flags.options)}, expected a JSON object of solver options`);
    }
    for (const f of ["problems", "long"] as const) {
      if (flags[f] !== undefined && !((flags[f] as number) >= 1)) throw new UsageError(`--${f}: got ${flags[f]}, expected an integer >= 1`);
    }
    let wasm: Uint8Array | undefined;
    if (flags.engine !== undefined) {
      const { readFileSync } = await import("node:fs");
      try { wasm = readFileSync(flags.engine as string); } catch (err) { throw new UsageError(`--engine: got ${JSON.stringify(flags.engine)}, expected a readable .wasm file (${(err as Error).message})`); }
    }
    const { runConvergenceBench, formatConvergenceRow } = await import("../../bench/convergence.js");
    const { machine } = await import("../../bench/solver.js");
    const { formatBenchRow } = await import("../../bench/format.js");
    out(flags.json ? JSON.stringify(machine()) : formatBenchRow(machine()));
    await runConvergenceBench(
      { systems: systems as SystemName[] | undefined, problems: flags.problems as number | undefined, seed: flags.seed as number | undefined, long: flags.long as number | undefined, options, wasm },
      (row) => out(flags.json ? JSON.stringify(row) : formatConvergenceRow(row)),
    );
    return 0;
  }
  for (const f of ["reps", "batch"] as const) {
    if (flags[f] !== undefined && !((flags[f] as number) >= 1)) throw new UsageError(`--${f}: got ${flags[f]}, expected an integer >= 1`);
  }
  const { runSolverBench } = await import("../../bench/solver.js");
  const { formatBenchRow } = await import("../../bench/format.js");
  await runSolverBench(
    { systems: systems as SystemName[] | undefined, reps: flags.reps as number | undefined, batch: flags.batch as number | undefined, noRef: !!flags["no-ref"] },
    (row) => out(flags.json ? JSON.stringify(row) : formatBenchRow(row)),
  );
  return 0;
}

async function cmdDemo(): Promise<number> {
  out("TO alone on the car from its evaluation states, with the naive warm starts CACTO is meant to beat.\n");
  const spec = SYSTEMS.car;
  const solver = new Solver(await Engine.create(), "car");
  out("x0                 zeros            ics              random           iterations  ms");
  for (const x0 of spec.evalStates) {
    const cells: string[] = [];
    let its = 0, ms = 0;
    for (const w of ["zeros", "ics", "random"] as const) {
      const r = solver.solve({ x0, warmStart: w, seed: 7 });
      cells.push(`${r.cost.toFixed(3).padEnd(8)} ${r.statusName.slice(0, 7).padEnd(8)}`);
      its += r.iterations; ms += r.timeMs;
    }
    out(`(${x0.slice(0, 2).join(", ")})`.padEnd(19) + cells.join(" ") + ` ${String(its).padEnd(11)} ${ms.toFixed(0)}`);
  }
  out("\nSolve one problem yourself: npx cacto solve --system car --x0 10,0,0,0,0 --plot car.svg");
  return 0;
}

async function cmdTrain(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, TRAIN_FLAGS, "train");
  if (flags.help) { out(usage("train --system <name> [flags]", "Train CACTO (CACTO-SL with --sobolev) with a checkpoint after every loop.", TRAIN_FLAGS)); return 0; }
  if (positional.length) throw new UsageError(`train: unexpected argument ${JSON.stringify(positional[0])}`);
  const { preset } = await import("../cacto/presets.js");
  const { CactoTrainer } = await import("../cacto/trainer.js");
  const { saveCheckpoint, loadCheckpoint, hasCheckpoint, checkWritable, cleanStaleTemps, WriteError } = await import("../cacto/checkpoint.js");
  const { ProgressReporter } = await import("./progress.js");
  if (flags.resume && flags.fresh) throw new UsageError("train: --resume and --fresh exclude each other");
  if (flags.grid !== undefined && ((flags.grid as number) < 2 || (flags.grid as number) > 101)) throw new UsageError(`--grid: got ${flags.grid}, expected 2..101 (as for cacto eval)`);
  if (flags.loops !== undefined && !((flags.loops as number) >= 1)) throw new UsageError(`--loops: got ${flags.loops}, expected an integer >= 1 (loops to train in this call)`);
  let trainer;
  let runDir = flags.out as string | undefined;
  if (flags.resume) {
    if (!runDir) throw new UsageError("train --resume: --out <run directory> is required");
    const given = await ensureRunSystem(runDir, flags.system as string | undefined);
    const d = loadCheckpoint(runDir);
    checkRunSystem(runDir, d.config.system, flags.system as string | undefined, given);
    for (const f of ["preset", "seed", "sobolev", "actor-output"] as const) {
      if (flags[f] !== undefined) throw new UsageError(`train --resume: --${f} comes from the checkpoint; drop it`);
    }
    if (flags.workers !== undefined) {
      // results do not depend on the worker count (batches equal sequential solves)
      if ((flags.workers as number) < 0 || (flags.workers as number) > 64) throw new UsageError(`--workers: got ${flags.workers}, expected 0..64`);
      d.config = { ...d.config, workers: flags.workers as number };
    }
    // the actor thread does not change results either
    if (flags["actor-thread"] !== undefined) d.config = { ...d.config, actorThread: flags["actor-thread"] === "on" };
    trainer = await CactoTrainer.fromCheckpoint(d);
    process.stderr.write(`resuming ${runDir}: ${trainer.loop} of ${trainer.loops} loops done, ${trainer.updates} updates\n`);
  } else {
    if (!flags.system) throw new UsageError(`train: --system is required (one of ${SYSTEM_NAMES.join(", ")})`);
    const seed = (flags.seed as number | undefined) ?? 1;
    const spec = await resolveSystemFlag(flags.system as string);
    const cfg = preset(spec.model ? spec : spec.name as SystemName, (flags.preset as "quick" | "reference") ?? "quick");
    if (flags.sobolev !== undefined) {
      if (!((flags.sobolev as number) >= 0)) throw new UsageError(`--sobolev: got ${flags.sobolev}, expected a weight >= 0`);
      cfg.wS = flags.sobolev as number;
    }
    if (flags["actor-output"] !== undefined) cfg.actorOutput = flags["actor-output"] as "linear" | "tanh";
    if (flags.workers !== undefined) {
      if ((flags.workers as number) < 0 || (flags.workers as number) > 64) throw new UsageError(`--workers: got ${flags.workers}, expected 0..64`);
      cfg.workers = flags.workers as number;
    }
    if (flags["actor-thread"] !== undefined) cfg.actorThread = flags["actor-thread"] === "on";
    runDir ??= `runs/${cfg.system}-${cfg.preset}${cfg.wS > 0 ? `-sl${cfg.wS}` : ""}-s${seed}`;
    if (hasCheckpoint(runDir) && !flags.fresh) {
      throw new UsageError(`train: ${runDir} already holds a checkpoint; continue it with --resume --out ${runDir}, or start over with --fresh`);
    }
    checkWritable(runDir);
    trainer = await CactoTrainer.create(cfg, seed);
    recordSystemSource(runDir, trainer.spec);
    process.stderr.write(`training CACTO${cfg.wS > 0 ? `-SL (w_S = ${cfg.wS})` : ""} on ${cfg.system}, preset ${cfg.preset}, ${cfg.actorOutput ?? "linear"} actor output, seed ${seed}: ` +
      `${trainer.loops} loops x ${cfg.episodesPerLoop} TO problems, ${cfg.updateLoops.reduce((a, b) => a + b, 0)} updates, run directory ${runDir}\n`);
  }
  if (flags.resume) checkWritable(runDir);
  for (const f of cleanStaleTemps(runDir)) process.stderr.write(`removed a stale temporary file of a killed run: ${path.join(runDir, f)}\n`);
  const cfg = trainer.config;
  const stopAt = flags.loops !== undefined ? Math.min(trainer.loops, trainer.loop + (flags.loops as number)) : trainer.loops;
  const total = cfg.updateLoops.slice(0, stopAt).reduce((a, b) => a + b, 0);
  const rep = new ProgressReporter(total, trainer.loop, trainer.updates, cfg.episodesPerLoop, cfg.updateLoops.slice(0, stopAt));
  try {
    while (trainer.loop < stopAt) {
      await trainer.runLoop((p) => rep.update(p));
      try {
        saveCheckpoint(runDir, trainer.serialize());
      } catch (e) {
        if (!(e instanceof WriteError)) throw e;
        // the trained state is still in memory: put it somewhere writable before giving up
        const rescue = path.join(os.tmpdir(), `cacto-rescue-${path.basename(path.resolve(runDir))}-${process.pid}`);
        let where = "";
        try { saveCheckpoint(rescue, trainer.serialize()); where = rescue; } catch { /* nowhere to write */ }
        throw new WriteError(e.file, new Error(`${e.cause.message}. ${where
          ? `The ${trainer.loop} trained loops were saved to ${where}/checkpoint.json instead; continue with: cacto train --resume --out ${where}`
          : `No rescue copy could be written either (${rescue}); free space or fix permissions and rerun (the last good checkpoint in ${runDir}, if any, is intact)`}`));
      }
    }
  } finally {
    await trainer.close();
  }
  process.stderr.write(`checkpoint: ${runDir}/checkpoint.json (${trainer.loop}/${trainer.loops} loops)\n`);
  // the networks in tfjs's LayersModel format next to the checkpoint (the checkpoint is already safe)
  const { exportNetworks } = await import("../rl/export.js");
  const nets = await exportNetworks(trainer.learner, trainer.spec, runDir, { seed: trainer.seed, loop: trainer.loop, updates: trainer.updates, preset: cfg.preset });
  process.stderr.write(`networks: ${nets.actor}/model.json, ${nets.critic}/model.json (tfjs LayersModel on raw [x, k]; see docs/training.md)\n`);
  if (flags.eval) return runEval(trainer, runDir, (flags.grid as number | undefined) ?? 11, cfg.workers, false);
  return 0;
}

async function runEval(trainer: import("../cacto/trainer.js").CactoTrainer, runDir: string, grid: number, workers: number, json: boolean, fresh?: number): Promise<number> {
  const { evaluate, DEFAULT_FRESH } = await import("../eval/evaluate.js");
  const { writeReport, formatTable } = await import("../eval/report.js");
  process.stderr.write(`evaluating: ${trainer.spec.evalStates.length} evaluation states, a ${grid}-point grid and ${fresh ?? DEFAULT_FRESH} fresh training-distribution starts, warm starts zeros / ics / random / actor, TO maxIter ${trainer.config.to.maxIter ?? 200}\n`);
  const ev = await evaluate(trainer, { grid, workers, fresh });
  let file = "";
  let writeError: Error | null = null;
  try { file = writeReport(runDir, ev, trainer); } catch (e) { writeError = e as Error; }
  // the evaluation is printed even when its report could not be written
  if (json) out(JSON.stringify(ev));
  else { out(formatTable(ev)); if (!writeError) out(`\nreport: ${file}`); }
  if (writeError) throw writeError;
  return 0;
}

async function cmdEval(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, EVAL_FLAGS, "eval");
  if (flags.help) { out(usage("eval --run <dir> [flags]", "Evaluate a trained run: TO cost from naive and learned warm starts, report.md and plots.", EVAL_FLAGS)); return 0; }
  if (positional.length) throw new UsageError(`eval: unexpected argument ${JSON.stringify(positional[0])}`);
  if (!flags.run) throw new UsageError("eval: --run <run directory> is required");
  const grid = (flags.grid as number | undefined) ?? 11;
  if (grid < 2 || grid > 101) throw new UsageError(`--grid: got ${grid}, expected 2..101`);
  const workers = (flags.workers as number | undefined) ?? 2;
  if (workers < 0 || workers > 64) throw new UsageError(`--workers: got ${workers}, expected 0..64`);
  const fresh = flags.fresh as number | undefined;
  if (fresh !== undefined && !(fresh >= 0 && fresh <= 100_000)) throw new UsageError(`--fresh: got ${fresh}, expected 0..100000`);
  const { CactoTrainer } = await import("../cacto/trainer.js");
  const { loadCheckpoint } = await import("../cacto/checkpoint.js");
  const given = await ensureRunSystem(flags.run as string, flags.system as string | undefined);
  const d = loadCheckpoint(flags.run as string);
  checkRunSystem(flags.run as string, d.config.system, flags.system as string | undefined, given);
  const trainer = await CactoTrainer.fromCheckpoint(d);
  try {
    return await runEval(trainer, flags.run as string, grid, workers, !!flags.json, fresh);
  } finally {
    await trainer.close();
  }
}

/** the API fields `cacto solve` fills from its flags, so a rejected value is reported by its flag */
const SOLVE_FIELD_FLAGS: [RegExp, string][] = [
  [/^problem\.x0\[(\d+)\]/, "--x0 item $1 (counting from 0)"],
  [/^problem\.x0/, "--x0"],
  [/^problem\.horizon/, "--horizon"],
  [/^problem\.seed/, "--seed"],
  [/^options\.maxIter/, "--max-iter"],
  [/^options\.tol/, "--tol"],
  [/^options\.timeLimitMs/, "--time-limit"],
  [/^options\.reg/, "--reg"],
];

/** a validation error whose message starts with an API field is re-worded to name the flag */
function asFlagError(e: unknown, map: [RegExp, string][]): unknown {
  if (!(e instanceof RangeError || e instanceof TypeError)) return e;
  for (const [re, flag] of map) {
    if (re.test(e.message)) return new UsageError(e.message.replace(re, flag));
  }
  return e;
}

/** the documented exit codes of the cacto command (README, "Exit codes") */
export const EXIT_CODES = {
  ok: 0,
  /** a run failed (e.g. a solve returned non-finite values, a training diverged) */
  failure: 1,
  /** bad command line or input: the message names the flag or field, the value and what was expected */
  usage: 2,
  /** a file could not be written; the message says where the work was kept instead, if anywhere */
  write: 4,
} as const;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "systems": return cmdSystems(rest);
      case "solve": return await cmdSolve(rest);
      case "bench": return await cmdBench(rest);
      case "experiment": return await cmdExperiment(rest);
      case "demo": return await cmdDemo();
      case "train": return await cmdTrain(rest);
      case "eval": return await cmdEval(rest);
      case "sweep": return await (await import("./sweep.js")).cmdSweep(rest);
      case "worker": return await (await import("./sweep.js")).cmdWorker(rest);
      case undefined: case "help": case "--help": case "-h": out(HELP); return cmd ? 0 : 2;
      default: throw new UsageError(`unknown command ${JSON.stringify(cmd)}; expected systems, solve, train, eval, experiment, sweep, worker, bench or demo`);
    }
  } catch (e) {
    // one line per error, no stack traces (CACTO_DEBUG=1 adds them); exit codes: EXIT_CODES
    const err = e instanceof Error ? e : new Error(String(e));
    if ((err as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" && /@tensorflow\/tfjs/.test(err.message)) {
      // TensorFlow.js is an optional peer dependency: only training, evaluation and experiments need it
      process.stderr.write(`cacto: ${cmd} needs TensorFlow.js, which is not installed: npm install @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0\n`);
      return EXIT_CODES.usage;
    }
    const first = (err.message.split("\n")[0] ?? "").slice(0, 1000);
    if (process.env.CACTO_DEBUG === "1") process.stderr.write(`${err.stack}\n`);
    if (err instanceof UsageError || err instanceof RangeError || err instanceof TypeError) {
      process.stderr.write(`cacto: ${first}\n`);
      return EXIT_CODES.usage;
    }
    if (err instanceof WriteError) {
      process.stderr.write(`cacto: ${first}\n`);
      return EXIT_CODES.write;
    }
    process.stderr.write(`cacto: ${err.name && err.name !== "Error" ? `${err.name}: ` : ""}${first}\n`);
    return EXIT_CODES.failure;
  }
}
