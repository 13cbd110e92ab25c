/**
 * The actor thread (Node only; loaded on demand): CACTO's critic updates never read the actor, and the
 * actor's update k reads the critic only as it is after critic update k. So the trainer runs the
 * critic's chain (minibatch, TD targets, critic step, soft target update) in its own thread and hands
 * each update's actor rows, with a copy of the critic's weights, to this thread, which runs the actor
 * steps in the same order with the same function (actor-step.ts). What is computed is unchanged, bit
 * for bit (test/actor-thread.test.ts); the two chains overlap on two cores.
 *
 * The trainer runs at most MAX_AHEAD updates ahead of the actor (bounded memory: one critic copy per
 * update in flight); at the end of an update phase it takes the actor and its Adam state back.
 * Waiting is synchronous (Atomics.wait on a shared counter), so the trainer's updateStep stays
 * synchronous; a thread that makes no progress for STALL_MS is reported as an error, never waited on
 * forever.
 */
import { Worker } from "node:worker_threads";
import type { ActorCritic } from "../rl/networks.js";
import type { AdamData } from "../rl/networks.js";
import type { SystemSpec } from "../systems/specs.js";
import { wireSystem } from "../to/worker-jobs.js";
import { CTL, type ActorThreadMessage } from "./actor-protocol.js";

const MAX_AHEAD = 4;
const STALL_MS = 120_000;

interface StateReply {
  type: "state";
  id: number;
  error?: string;
  actor?: Float32Array[];
  adam?: AdamData;
  loss?: number;
}

export class ActorThread {
  private posted = 0;
  private nextId = 0;
  private pending = new Map<number, { resolve: (r: StateReply) => void; reject: (e: Error) => void }>();
  private dead: Error | null = null;
  private readonly ctl: Int32Array;
  private readonly loss: Float64Array;
  private readonly errText: Uint8Array;

  private constructor(private readonly worker: Worker, sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab, 0, CTL.INTS);
    this.loss = new Float64Array(sab, CTL.LOSS_BYTE, 1);
    this.errText = new Uint8Array(sab, CTL.ERR_BYTE, CTL.ERR_LEN);
    worker.on("message", (m: StateReply | { type: "ready" }) => {
      if (m.type !== "state") return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      p.resolve(m);
    });
    const die = (why: string) => {
      this.dead ??= new Error(`actor thread: ${why}`);
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    };
    worker.on("error", (e) => die(`error: ${e.message}`));
    worker.on("exit", (code) => die(`exited (code ${code})`));
  }

  /** start the thread (its tfjs, engine and a learner shaped like `learner`); resolves once it is ready */
  static async create(spec: SystemSpec, learner: ActorCritic, quirk = false, costateWeight = 0, invert = false): Promise<ActorThread> {
    const fromSource = import.meta.url.endsWith(".ts");
    const url = new URL(fromSource ? "./actor-worker-boot.mjs" : "./actor-worker.js", import.meta.url);
    const sab = new SharedArrayBuffer(CTL.BYTES);
    const worker = new Worker(url, { workerData: { system: wireSystem(spec), learner: structuredClone(learner.config), ctl: sab, quirk, costateWeight, invert } });
    await new Promise<void>((resolve, reject) => {
      const onMsg = (m: { type: string }) => { if (m.type === "ready") { cleanup(); resolve(); } };
      const onErr = (e: Error) => { cleanup(); reject(new Error(`actor thread: failed to start: ${e.message}`)); };
      const onExit = (code: number) => { cleanup(); reject(new Error(`actor thread: failed to start (exit code ${code})`)); };
      const cleanup = () => { worker.off("message", onMsg); worker.off("error", onErr); worker.off("exit", onExit); };
      worker.on("message", onMsg);
      worker.on("error", onErr);
      worker.on("exit", onExit);
    });
    const t = new ActorThread(worker, sab);
    t.throwIfFailed();
    return t;
  }

  private failure(): Error | null {
    if (Atomics.load(this.ctl, CTL.FAILED)) {
      const n = Atomics.load(this.ctl, CTL.ERR_SIZE);
      return new Error(new TextDecoder().decode(this.errText.slice(0, n)));
    }
    return this.dead;
  }

  private throwIfFailed(): void {
    const e = this.failure();
    if (e) throw e;
  }

  private send(msg: ActorThreadMessage, transfer: ArrayBuffer[] = []): void {
    this.throwIfFailed();
    this.worker.postMessage(msg, transfer);
  }

  /** hand the thread the learner's actor and its Adam state (at the start of an update phase) */
  load(learner: ActorCritic): void {
    const actor = learner.actor.weightArrays();
    this.send({ type: "load", actor, adam: learner.actorOpt.getState() }, actor.map((a) => a.buffer as ArrayBuffer));
  }

  /**
   * Queue the actor step of update `update` at rows (xa, ka) with the critic as it is now and learning
   * rate lr (and, with config.costateWeight > 0, the rows' next-state costates lam). Blocks while MAX_AHEAD steps are still running; throws the thread's error if a step failed.
   */
  step(update: number, lr: number, xa: Float64Array, ka: Int32Array, learner: ActorCritic, lam: Float64Array | null = null): void {
    let done = Atomics.load(this.ctl, CTL.DONE);
    // time waited without any step finishing; one wait counts at most 2 s, so a suspended process
    // (SIGSTOP, a sleeping machine: the clock runs on, neither thread does) is not taken for a stall
    let stalled = 0;
    while (this.posted - done >= MAX_AHEAD) {
      this.throwIfFailed();
      const w0 = Date.now();
      Atomics.wait(this.ctl, CTL.DONE, done, 1000);
      const now = Atomics.load(this.ctl, CTL.DONE);
      if (now !== done) {
        stalled = 0;
        done = now;
        continue;
      }
      stalled += Math.min(Date.now() - w0, 2000);
      if (stalled > STALL_MS) throw new Error(`actor thread: no step finished for ${STALL_MS / 1000} s`);
    }
    const critic = learner.critic.weightArrays();
    const transfer = [xa.buffer as ArrayBuffer, ka.buffer as ArrayBuffer, ...critic.map((a) => a.buffer as ArrayBuffer)];
    if (lam) transfer.push(lam.buffer as ArrayBuffer);
    this.send({ type: "step", update, lr, xa, ka, critic, lam }, transfer);
    this.posted++;
  }

  /** the surrogate of the last finished actor step (NaN before the first) */
  get lastLoss(): number {
    return Atomics.load(this.ctl, CTL.DONE) > 0 ? this.loss[0] : NaN;
  }

  /**
   * Wait for every queued step, then copy the thread's actor and Adam state into `learner`; returns the
   * last step's surrogate. Throws the thread's error if a step failed.
   */
  async finish(learner: ActorCritic): Promise<number> {
    this.throwIfFailed();
    const id = this.nextId++;
    const reply = await new Promise<StateReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: "get", id } satisfies ActorThreadMessage);
    });
    this.throwIfFailed();
    if (reply.error || !reply.actor || !reply.adam) throw new Error(`actor thread: ${reply.error ?? "no state in its reply"}`);
    learner.actor.setWeightArrays(reply.actor);
    learner.actorOpt.setState(reply.adam);
    return reply.loss ?? NaN;
  }

  async close(): Promise<void> {
    this.dead ??= new Error("actor thread: closed");
    await this.worker.terminate();
  }
}
