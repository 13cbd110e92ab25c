/** Messages and the shared control block between the trainer and its actor thread (actor-thread.ts). */
import type { AdamData } from "../rl/networks.js";

/** layout of the SharedArrayBuffer: Int32 slots, then the last actor loss (f64), then an error text */
export const CTL = {
  /** steps finished (the trainer waits on it) */
  DONE: 0,
  /** 1 once a step failed; the thread then skips the rest */
  FAILED: 1,
  /** bytes of the error text */
  ERR_SIZE: 2,
  INTS: 4,
  LOSS_BYTE: 16,
  ERR_BYTE: 24,
  ERR_LEN: 2048,
  BYTES: 24 + 2048,
} as const;

export type ActorThreadMessage =
  | { type: "load"; actor: Float32Array[]; adam: AdamData }
  | { type: "step"; update: number; lr: number; xa: Float64Array; ka: Int32Array; critic: Float32Array[]; lam: Float64Array | null }
  | { type: "get"; id: number };
