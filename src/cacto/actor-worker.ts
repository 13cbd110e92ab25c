/**
 * Worker side of the actor thread (actor-thread.ts): its own tfjs (wasm backend), engine and learner.
 * It holds the actor and its Adam state for the duration of an update phase; the main thread sends the
 * critic's weights after each critic step with the update's rows, and this thread runs the actor step
 * (actor-step.ts, the function the trainer runs when there is no thread).
 */
import { parentPort, workerData } from "node:worker_threads";
import { initTf } from "../rl/backend.js";
import { ActorCritic, type ActorCriticConfig, type AdamData } from "../rl/networks.js";
import { Engine } from "../wasm/engine.js";
import { ModelEvaluator } from "../to/model.js";
import { checkSystem } from "../to/validate.js";
import type { WireSystem } from "../to/worker-jobs.js";
import type { SystemSpec } from "../systems/specs.js";
import { actorUpdate } from "./actor-step.js";
import { CTL, type ActorThreadMessage } from "./actor-protocol.js";

interface Init {
  system: string | WireSystem;
  learner: ActorCriticConfig;
  ctl: SharedArrayBuffer;
  /** config.actorGradQuirk */
  quirk: boolean;
  /** config.costateWeight (0: absent) */
  costateWeight: number;
  /** config.actorInvertGradients */
  invert: boolean;
}

const init = workerData as Init;
const ctl = new Int32Array(init.ctl, 0, CTL.INTS);
const loss = new Float64Array(init.ctl, CTL.LOSS_BYTE, 1);
const errText = new Uint8Array(init.ctl, CTL.ERR_BYTE, CTL.ERR_LEN);

function fail(e: unknown): void {
  if (Atomics.load(ctl, CTL.FAILED)) return;
  const bytes = new TextEncoder().encode(`actor thread: ${(e as Error)?.message ?? String(e)}`).subarray(0, CTL.ERR_LEN);
  errText.set(bytes);
  Atomics.store(ctl, CTL.ERR_SIZE, bytes.length);
  Atomics.store(ctl, CTL.FAILED, 1);
}

let learner: ActorCritic | null = null;
let model: ModelEvaluator | null = null;
let spec: SystemSpec | null = null;
try {
  await initTf("wasm");
  const sys = init.system;
  spec = checkSystem(typeof sys === "string" ? sys : { ...sys.spec });
  const c = init.learner;
  learner = new ActorCritic({ nx: c.nx, nu: c.nu, norm: c.norm, umax: c.umax }, null, c);
  model = new ModelEvaluator(await Engine.create(), spec);
} catch (e) {
  fail(e);
}

parentPort!.on("message", (msg: ActorThreadMessage) => {
  if (msg.type === "get") {
    // in order after every step posted before it
    const failed = Atomics.load(ctl, CTL.FAILED) === 1;
    parentPort!.postMessage(failed || !learner
      ? { type: "state", id: msg.id, error: "failed" }
      : { type: "state", id: msg.id, actor: learner.actor.weightArrays(), adam: learner.actorOpt.getState() satisfies AdamData, loss: loss[0] });
    return;
  }
  try {
    if (Atomics.load(ctl, CTL.FAILED) || !learner || !model || !spec) return;
    if (msg.type === "load") {
      learner.actor.setWeightArrays(msg.actor);
      learner.actorOpt.setState(msg.adam);
    } else {
      learner.critic.setWeightArrays(msg.critic);
      learner.actorOpt.learningRate = msg.lr;
      const c = init.costateWeight ?? 0;
      if (c > 0 && !msg.lam) throw new Error("a step without costates while costateWeight > 0");
      loss[0] = actorUpdate(spec, model, learner, msg.xa, msg.ka, msg.update, init.quirk, c > 0 ? { weight: c, lam: msg.lam! } : null, !!init.invert);
    }
  } catch (e) {
    fail(e);
  } finally {
    if (msg.type === "step") {
      Atomics.add(ctl, CTL.DONE, 1);
      Atomics.notify(ctl, CTL.DONE);
    }
  }
});
parentPort!.postMessage({ type: "ready" });
