/**
 * The same sweep on a Redis-backed job queue (BullMQ): `enqueueSweep` adds one job per unfinished cell
 * (job id = cell id, so enqueueing twice adds nothing), `runWorker` takes jobs on any machine that sees
 * the sweep directory (shared storage). A job is the cell run of cell.ts: it resumes from the cell's
 * checkpoint, so a worker that dies mid-training costs at most the loop it was in: BullMQ notices the
 * lost lock (after `lockMs`), puts the job back, and another worker continues from the checkpoint.
 * Results are written once (cell.ts). BullMQ is an optional peer dependency: `npm install bullmq`.
 */
import { readPlan, type SweepPlan } from "./plan.js";
import { readResult, runCell } from "./cell.js";

type BullMQ = typeof import("bullmq");
type IORedis = import("ioredis").Redis;

const MISSING = "sweep --queue needs BullMQ and its Redis client: npm install bullmq ioredis (and a Redis server, e.g. Debian's redis-server)";

async function bullmq(): Promise<BullMQ> {
  try {
    return await import("bullmq");
  } catch {
    throw new Error(MISSING);
  }
}

/** a Redis client for BullMQ (made here: BullMQ's own loader uses require, which ESM lacks) */
async function redisClient(url: string): Promise<IORedis> {
  let Redis: typeof import("ioredis").Redis;
  try { ({ Redis } = await import("ioredis")); } catch { throw new Error(MISSING); }
  // BullMQ's workers need maxRetriesPerRequest: null (blocking commands)
  return new Redis({ ...connectionOf(url), maxRetriesPerRequest: null, lazyConnect: false });
}

/** redis://[user:password@]host:port[/db] as connection options */
export function connectionOf(url: string): { host: string; port: number; password?: string; username?: string; db?: number } {
  let u: URL;
  try { u = new URL(url); } catch { throw new RangeError(`--queue: got ${JSON.stringify(url)}, expected redis://host:port`); }
  if (u.protocol !== "redis:") throw new RangeError(`--queue: got ${JSON.stringify(url)}, expected a redis:// URL`);
  const port = u.port ? Number(u.port) : 6379;
  const db = u.pathname && u.pathname !== "/" ? Number(u.pathname.slice(1)) : undefined;
  if (db !== undefined && !Number.isInteger(db)) throw new RangeError(`--queue: database ${JSON.stringify(u.pathname.slice(1))} in ${url} is not a number`);
  return { host: u.hostname || "127.0.0.1", port, ...(u.password ? { password: decodeURIComponent(u.password) } : {}), ...(u.username ? { username: decodeURIComponent(u.username) } : {}), ...(db !== undefined ? { db } : {}) };
}

export function queueName(plan: SweepPlan): string {
  return `cacto-sweep-${plan.name}`;
}

export interface CellJobData {
  dir: string;
  cellId: string;
}

/** add the plan's unfinished cells as jobs (idempotent); returns how many were new */
export async function enqueueSweep(url: string, dir: string, opts: { attempts?: number } = {}): Promise<{ queued: number; finished: number; queue: string }> {
  const { Queue } = await bullmq();
  const plan = readPlan(dir);
  const conn = await redisClient(url);
  const q = new Queue<CellJobData>(queueName(plan), { connection: conn });
  try {
    const todo = plan.cells.filter((c) => !readResult(dir, c.id));
    const before = await q.getJobCounts();
    await q.addBulk(todo.map((c) => ({
      name: c.id, data: { dir, cellId: c.id },
      opts: { jobId: c.id, attempts: opts.attempts ?? 3, backoff: { type: "fixed", delay: 2000 }, removeOnComplete: false, removeOnFail: false },
    })));
    const after = await q.getJobCounts();
    const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    return { queued: total(after) - total(before), finished: plan.cells.length - todo.length, queue: queueName(plan) };
  } finally {
    await q.close();
    await conn.quit();
  }
}

export interface WorkerOptions {
  /** the sweep directory as this machine sees it (default: the one in each job) */
  dir?: string;
  /** a job whose worker stops renewing its lock for this long is taken back (default 120000) */
  lockMs?: number;
  /** how often this worker looks for such jobs (default lockMs / 2) */
  stalledMs?: number;
  /** stop when the queue has had nothing to do for this long (default: run until stopped) */
  idleExitMs?: number;
  log?: (s: string) => void;
}

/** take the sweep's jobs until stopped (SIGINT / SIGTERM finish the current job first) or idle */
export async function runWorker(url: string, sweepDir: string, o: WorkerOptions = {}): Promise<{ ran: number }> {
  const { Worker, Queue } = await bullmq();
  const log = o.log ?? (() => {});
  const plan = readPlan(sweepDir);
  const lockDuration = o.lockMs ?? 120_000;
  let ran = 0;
  const workerConn = await redisClient(url), queueConn = await redisClient(url);
  const worker = new Worker<CellJobData>(queueName(plan), async (job) => {
    const dir = o.dir ?? job.data.dir;
    const cell = plan.cells.find((c) => c.id === job.data.cellId);
    if (!cell) throw new Error(`sweep ${plan.name}: job ${job.id}: no cell ${JSON.stringify(job.data.cellId)} in the plan`);
    log(`job ${job.id} (attempt ${job.attemptsMade + 1}): taking it`);
    const r = await runCell(dir, plan, cell, { log, onLoop: (loop, loops) => job.updateProgress({ loop, loops }) });
    ran++;
    return { written: r.written, skipped: r.skipped, resumedFromLoop: r.result.resumedFromLoop };
  }, {
    connection: workerConn, concurrency: 1, lockDuration,
    stalledInterval: o.stalledMs ?? Math.max(1000, Math.floor(lockDuration / 2)), maxStalledCount: 5,
  });
  worker.on("failed", (job, err) => log(`job ${job?.id} failed: ${err.message}`));
  worker.on("error", (err) => log(`worker error: ${err.message}`));
  const stop = () => { log("stopping: finishing the current job"); void worker.close(); };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const q = new Queue(queueName(plan), { connection: queueConn });
  try {
    if (o.idleExitMs !== undefined) {
      let idleSince = Date.now();
      while (!worker.closing) {
        await new Promise((r) => setTimeout(r, 500));
        const c = await q.getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children");
        if (Object.values(c).some((v) => v > 0)) idleSince = Date.now();
        else if (Date.now() - idleSince >= o.idleExitMs) break;
      }
      await worker.close();
    } else {
      await new Promise<void>((resolve) => worker.on("closed", () => resolve()));
    }
  } finally {
    await q.close();
    await queueConn.quit();
    await workerConn.quit().catch(() => {});
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  return { ran };
}

export interface QueueStatus {
  counts: Record<string, number>;
  /** jobs that were taken more than once (failed attempts or a lost worker) */
  retried: { id: string; attemptsMade: number; stalled: number }[];
  failed: { id: string; reason: string }[];
}

export async function queueStatus(url: string, dir: string): Promise<QueueStatus> {
  const { Queue } = await bullmq();
  const plan = readPlan(dir);
  const conn = await redisClient(url);
  const q = new Queue(queueName(plan), { connection: conn });
  try {
    const counts = await q.getJobCounts("waiting", "active", "completed", "failed", "delayed", "prioritized");
    const jobs = await q.getJobs(["waiting", "active", "completed", "failed", "delayed"]);
    const retried = jobs.filter((j) => j && (j.attemptsMade > 1 || (j.stalledCounter ?? 0) > 0))
      .map((j) => ({ id: String(j.id), attemptsMade: j.attemptsMade, stalled: j.stalledCounter ?? 0 }));
    const failed = jobs.filter((j) => j && j.failedReason && (j.finishedOn ?? 0) > 0 && !j.returnvalue).map((j) => ({ id: String(j.id), reason: j.failedReason }));
    return { counts, retried, failed };
  } finally {
    await q.close();
    await conn.quit();
  }
}
