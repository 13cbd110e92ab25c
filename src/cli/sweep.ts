/**
 * `cacto sweep plan|run|status|report|cell` and `cacto worker` (issue 14): experiment cells as jobs,
 * locally with N processes, or on a Redis queue (BullMQ) with workers on any number of machines.
 */
import { parseArgs, usage, UsageError, type FlagSpec } from "./args.js";

const SWEEP_FLAGS: Record<string, FlagSpec> = {
  out: { type: "string", help: "plan: the sweep directory to create (sweep.json; results under cells/)" },
  dir: { type: "string", help: "run, status, report, cell: the sweep directory" },
  name: { type: "string", help: "plan: the sweep's name (names its queue; default the directory's name)" },
  systems: { type: "string", help: "plan: comma-separated systems (e.g. toy1d,single_integrator)" },
  methods: { type: "string", help: "plan: comma-separated methods: preset (the preset as it is; default), cacto (w_S = 0), cacto-sl" },
  seeds: { type: "string", help: 'plan: "10" (1..10), "1-10" or "1,3,5"' },
  preset: { type: "string", help: "plan: quick (default) or reference", choices: ["quick", "reference"] },
  set: { type: "string", help: "plan: JSON of config fields replacing the preset's in every cell" },
  fresh: { type: "int", help: "plan: fresh evaluation starts per cell (default 100)" },
  grid: { type: "int", help: "plan: evaluation grid points per axis (default 2)" },
  parallel: { type: "int", help: "run: cells at a time on this machine (default 2)" },
  queue: { type: "string", help: "run: enqueue on this Redis queue (redis://host:port) instead of running here; status: also the queue's counts" },
  cell: { type: "string", help: "cell: the cell id to run (used by sweep run)" },
  json: { type: "boolean", help: "status: JSON" },
  help: { type: "boolean", help: "this help" },
};

const WORKER_FLAGS: Record<string, FlagSpec> = {
  queue: { type: "string", help: "the Redis queue, redis://host:port" },
  sweep: { type: "string", help: "the sweep directory (shared storage: its plan, checkpoints and results)" },
  "lock-ms": { type: "int", help: "a job whose worker goes silent this long is given to another worker (default 120000)" },
  "idle-exit": { type: "int", help: "exit after this many ms with nothing queued (default: run until stopped)" },
  help: { type: "boolean", help: "this help" },
};

function out(s: string): void {
  process.stdout.write(s + "\n");
}

const err = (s: string) => process.stderr.write(s + "\n");

export async function cmdSweep(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SWEEP_FLAGS, "sweep");
  const verb = positional[0];
  if (flags.help || !verb) {
    out(usage("sweep plan|run|status|report [flags]", "plan: write the cells (system x method x seed); run: run them here (--parallel N) or enqueue them (--queue redis://...); status: done / running / pending (and the queue's counts); report: the report from the results so far.", SWEEP_FLAGS));
    return flags.help ? 0 : 2;
  }
  const plan = await import("../sweep/plan.js");
  const need = (f: string) => { if (flags[f] === undefined) throw new UsageError(`sweep ${verb}: --${f} is required`); return flags[f] as string; };
  switch (verb) {
    case "plan": {
      const dir = need("out");
      let set: Record<string, unknown> | null = null;
      if (flags.set !== undefined) {
        try { set = JSON.parse(flags.set as string); } catch { throw new UsageError(`--set: got ${JSON.stringify(flags.set)}, expected a JSON object of config fields`); }
      }
      const { basename } = await import("node:path");
      let p;
      try {
        p = plan.planSweep({
          name: (flags.name as string | undefined) ?? basename(dir).replace(/[^A-Za-z0-9_-]/g, "_"),
          systems: need("systems").split(","), methods: flags.methods ? (flags.methods as string).split(",") as never : undefined,
          seeds: plan.parseSeeds(need("seeds")), preset: flags.preset as never, set, fresh: flags.fresh as number | undefined, grid: flags.grid as number | undefined,
        });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const file = plan.writePlan(dir, p);
      out(`sweep ${p.name}: ${p.cells.length} cells written to ${file}`);
      return 0;
    }
    case "run": {
      const dir = need("dir");
      if (flags.queue !== undefined) {
        if (flags.parallel !== undefined) throw new UsageError("sweep run: --parallel is for a local run; with --queue, start workers (cacto worker) instead");
        const { enqueueSweep } = await import("../sweep/queue.js");
        const r = await enqueueSweep(flags.queue as string, dir);
        out(`sweep: ${r.queued} new job(s) on ${r.queue}, ${r.requeued} failed or lost job(s) queued again (${r.finished} cells already done); start workers: cacto worker --queue ${flags.queue} --sweep ${dir}`);
        return 0;
      }
      const { runLocal } = await import("../sweep/local.js");
      const s = await runLocal(dir, (flags.parallel as number | undefined) ?? 2, err);
      out(`sweep: ${s.done} cell(s) run, ${s.skipped} already done, ${s.failed.length} failed, ${s.wallSeconds.toFixed(1)} s`);
      return s.failed.length ? 1 : 0;
    }
    case "status": {
      const dir = need("dir");
      const { sweepProgress } = await import("../sweep/report.js");
      const p = sweepProgress(dir);
      const q = flags.queue !== undefined ? await (await import("../sweep/queue.js")).queueStatus(flags.queue as string, dir) : null;
      if (flags.json) { out(JSON.stringify({ name: p.plan.name, cells: p.plan.cells.length, done: p.done, failed: p.failed, started: p.started, pending: p.pending, queue: q })); return 0; }
      const running = p.started.filter((s) => s.state === "running").length;
      out(`sweep ${p.plan.name}: ${p.done.length} done, ${running} running here, ${p.started.length - running} started and stopped or elsewhere, ${p.failed.length} failed, ${p.pending.length} not started (of ${p.plan.cells.length})`);
      for (const s of p.started) out(`  ${s.id}: loop ${s.loop}/${s.loops} (checkpoint ${s.at}), ${s.state}${s.host ? ` (${s.host} pid ${s.pid})` : ""}`);
      for (const f of p.failed) out(`  failed: ${f.id}: ${f.reason || `exit ${f.code}`} (${f.log})`);
      if (q) {
        out(`queue: ${Object.entries(q.counts).map(([k, v]) => `${k} ${v}`).join(", ")}`);
        for (const r of q.retried) out(`  retried: ${r.id} (started ${r.attemptsStarted} times, lost workers ${r.stalled})`);
        for (const f of q.failed) out(`  failed: ${f.id}: ${f.reason}`);
      }
      return 0;
    }
    case "report": {
      const { sweepReport } = await import("../sweep/report.js");
      const r = sweepReport(need("dir"));
      out(`report: ${r.file} (${r.results.length} cells)`);
      return 0;
    }
    case "cell": {
      const dir = need("dir"), id = need("cell");
      const p = plan.readPlan(dir);
      const cell = p.cells.find((c) => c.id === id);
      if (!cell) throw new UsageError(`--cell: got ${JSON.stringify(id)}, expected a cell of ${dir}/sweep.json (e.g. ${p.cells[0]?.id})`);
      const { runCell } = await import("../sweep/cell.js");
      // started by sweep run or a worker (an IPC channel): stop when that process is gone
      const gone = () => { err(`${id}: the process that started this cell is gone; stopping (the last checkpoint stays)`); process.exit(130); };
      if (process.send) process.on("disconnect", gone);
      let r;
      try {
        r = await runCell(dir, p, cell, { log: err });
      } finally {
        process.off("disconnect", gone);
        if (process.connected) process.disconnect();
      }
      out(r.skipped ? `${id}: already done` : `${id}: done${r.written ? "" : " (another run's result kept)"}`);
      return 0;
    }
    default:
      throw new UsageError(`sweep: got ${JSON.stringify(verb)}, expected plan, run, status or report`);
  }
}

export async function cmdWorker(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, WORKER_FLAGS, "worker");
  if (flags.help) { out(usage("worker --queue redis://host:port --sweep <dir> [flags]", "Take a sweep's jobs from the Redis queue and run them (resuming any cell from its checkpoint) until stopped.", WORKER_FLAGS)); return 0; }
  if (positional.length) throw new UsageError(`worker: unexpected argument ${JSON.stringify(positional[0])}`);
  if (!flags.queue) throw new UsageError("worker: --queue redis://host:port is required");
  if (!flags.sweep) throw new UsageError("worker: --sweep <sweep directory> is required");
  const lock = flags["lock-ms"] as number | undefined, idle = flags["idle-exit"] as number | undefined;
  if (lock !== undefined && !(lock >= 1000 && lock <= 86_400_000)) throw new UsageError(`--lock-ms: got ${lock}, expected 1000..86400000 (ms)`);
  if (idle !== undefined && !(idle >= 0 && idle <= 86_400_000)) throw new UsageError(`--idle-exit: got ${idle}, expected 0..86400000 (ms)`);
  const { runWorker } = await import("../sweep/queue.js");
  const r = await runWorker(flags.queue as string, flags.sweep as string, {
    dir: flags.sweep as string, lockMs: flags["lock-ms"] as number | undefined, idleExitMs: flags["idle-exit"] as number | undefined, log: err,
  });
  out(`worker: ${r.ran} job(s) run`);
  return 0;
}
