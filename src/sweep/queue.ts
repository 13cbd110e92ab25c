/**
 * The same sweep on a Redis-backed job queue (BullMQ): `enqueueSweep` adds one job per unfinished cell
 * (job id = cell id, so enqueueing twice adds nothing), `runWorker` takes jobs on any machine that sees
 * the sweep directory (shared storage). A job is the cell run of cell.ts: it resumes from the cell's
 * checkpoint, so a worker that dies mid-training costs at most the loop it was in: BullMQ notices the
 * lost lock (after `lockMs`), puts the job back, and another worker continues from the checkpoint.
 * Results are written once (cell.ts). BullMQ is an optional peer dependency: `npm install bullmq`.
 */
import { readPlan, type SweepPlan } from "./plan.js";
import { fnv1a } from "../hash.js";
import { readResult } from "./cell.js";
import { spawnCell } from "./local.js";

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

/**
 * A Redis client for BullMQ (made here: BullMQ's own loader uses require, which ESM lacks). A worker's
 * connection waits out Redis restarts (maxRetriesPerRequest: null, as BullMQ requires for workers);
 * the others (enqueue, status) fail within seconds with an error naming the URL.
 */
async function redisClient(url: string, worker = false): Promise<IORedis> {
  let Redis: typeof import("ioredis").Redis;
  try { ({ Redis } = await import("ioredis")); } catch { throw new Error(MISSING); }
  const opts = connectionOf(url);
  if (worker) return new Redis({ ...opts, maxRetriesPerRequest: null });
  const r = new Redis({ ...opts, maxRetriesPerRequest: 1, connectTimeout: 5000, lazyConnect: true, retryStrategy: (n) => (n > 3 ? null : 300) });
  r.on("error", () => { /* reported by connect() below */ });
  try {
    await r.connect();
  } catch (e) {
    r.disconnect();
    throw new Error(`--queue: cannot reach Redis at ${url}: ${(e as Error).message}`);
  }
  return r;
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

/** the sweep's queue: its name and its plan's fingerprint */
export function queueName(plan: SweepPlan): string {
  return `cacto-sweep-${plan.name}-${fnv1a(JSON.stringify(plan))}`;
}

export interface CellJobData {
  dir: string;
  cellId: string;
}

/**
 * Add the plan's unfinished cells as jobs (idempotent: a job already waiting or running is left
 * alone); a cell whose job failed for good, or completed without leaving a result, is queued again.
 */
export async function enqueueSweep(url: string, dir: string, opts: { attempts?: number } = {}): Promise<{ queued: number; requeued: number; finished: number; queue: string }> {
  const { Queue } = await bullmq();
  const plan = readPlan(dir);
  const conn = await redisClient(url);
  const q = new Queue<CellJobData>(queueName(plan), { connection: conn });
  try {
    const todo = plan.cells.filter((c) => !readResult(dir, c.id));
    const fresh: typeof todo = [];
    let queued = 0, requeued = 0;
    for (const c of todo) {
      const job = await q.getJob(c.id);
      if (!job) { fresh.push(c); queued++; continue; }
      const state = await job.getState();
      if (state === "failed") { await job.retry("failed"); requeued++; }
      else if (state === "completed") { await job.remove(); fresh.push(c); requeued++; }
    }
    await q.addBulk(fresh.map((c) => ({
      name: c.id, data: { dir, cellId: c.id },
      opts: { jobId: c.id, attempts: opts.attempts ?? 3, backoff: { type: "fixed", delay: 2000 }, removeOnComplete: false, removeOnFail: false },
    })));
    return { queued, requeued, finished: plan.cells.length - todo.length, queue: queueName(plan) };
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
  const workerConn = await redisClient(url, true), queueConn = await redisClient(url);
  const worker = new Worker<CellJobData>(queueName(plan), async (job) => {
    const dir = o.dir ?? job.data.dir;
    const cell = plan.cells.find((c) => c.id === job.data.cellId);
    if (!cell) throw new Error(`sweep ${plan.name}: job ${job.id}: no cell ${JSON.stringify(job.data.cellId)} in the plan`);
    log(`job ${job.id} (start ${job.attemptsStarted}): taking it`);
    if (readResult(dir, cell.id)) return { skipped: true };
    // the cell runs in a child process, so this process's event loop stays free to renew the job's lock
    // however long a training loop computes; the child exits if this process dies
    const code = await spawnCell(dir, cell.id, { forwardSignals: false });
    const r = readResult(dir, cell.id);
    if (code !== 0 || !r) throw new Error(`cell ${cell.id} exited with ${code === null ? "a signal" : `code ${code}`} without a result; see ${dir}/cells/${cell.id}/log.txt`);
    ran++;
    return { skipped: false, resumedFromLoop: r.resumedFromLoop, host: r.host };
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
  retried: { id: string; attemptsStarted: number; stalled: number }[];
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
    // started more than once: a failed attempt that was retried, or a lost worker's job taken back
    const retried = jobs.filter((j) => j && ((j.attemptsStarted ?? 0) > 1 || (j.stalledCounter ?? 0) > 0))
      .map((j) => ({ id: String(j.id), attemptsStarted: j.attemptsStarted ?? 0, stalled: j.stalledCounter ?? 0 }));
    const failed = (await q.getFailed()).filter(Boolean).map((j) => ({ id: String(j.id), reason: j.failedReason }));
    return { counts, retried, failed };
  } finally {
    await q.close();
    await conn.quit();
  }
}
