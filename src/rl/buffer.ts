/**
 * FIFO replay buffer of CACTO (spec section 2): every state of every TO episode, with its step index,
 * episode id, index within the episode, the per-row cost c_i (running cost l(x_i, u_i), or the
 * terminal cost at the episode's last row) and the value-gradient target Vx_i (CACTO-SL).
 *
 * TD(n) returns, computed at training time (the spec's convention, taken literally): for row i of an
 * episode whose last row (the terminal state) has index T,
 *     L = min(i + n, T),   R_i = sum_{k=i..L} c_k   (c_i .. c_L inclusive: n+1 costs when L = i+n),
 *     done_i = (L == T),   y_i = R_i + (1 - done_i) V'(s_{L+1}),
 * so the bootstrap state is row L+1 of the same episode (x_{L+1}, k_{L+1}). n = "mc" (or any n >= T)
 * is the Monte-Carlo return: R_i = sum_{k=i..T} c_k, done_i = 1.
 *
 * Eviction: rows are overwritten oldest first, and an episode's rows are written in order 0..T, so an
 * old episode loses its *first* rows. Returns only look forward (rows i..L+1 with L+1 <= T), and every
 * row after a surviving row i of the same episode was written later, so it survives too. Hence every
 * row still in the buffer has a valid return: partially overwritten episodes stay sampleable, nothing
 * is excluded and nothing is evicted early. (Checked at lookup: a violated invariant throws.)
 */
import type { Rng } from "../rng.js";

export type NStep = number | "mc";

/** a sampled minibatch with everything the critic targets need */
export interface ReplayBatch {
  /** buffer positions of the sampled rows */
  rows: Int32Array;
  /** states (nb*nx) and step indices of the sampled rows */
  x: Float64Array;
  k: Int32Array;
  /** value-gradient targets (nb*nx) */
  vx: Float64Array;
  /** the value gradient stored with the next row of the same episode (nb*nx; zeros at a terminal row) */
  vxNext: Float64Array;
  /** partial returns R_i = sum c_i..c_L */
  R: Float64Array;
  /** 1 when the return reached the terminal row (no bootstrap) */
  done: Uint8Array;
  /** bootstrap states x_{L+1}, k_{L+1} (for done rows: the terminal row itself; its value is unused) */
  xBoot: Float64Array;
  kBoot: Int32Array;
  /** episode id, index within the episode and episode length T of each row */
  episode: Int32Array;
  index: Int32Array;
  length: Int32Array;
}

export interface ReplayBufferData {
  format: "cacto-replay-buffer";
  version: 1;
  nx: number;
  capacity: number;
  head: number;
  count: number;
  nextEpisode: number;
  /** per-row arrays over positions 0..size-1 */
  x: number[];
  vx: number[];
  cost: number[];
  k: number[];
  episode: number[];
  index: number[];
  length: number[];
}

export class ReplayBuffer {
  readonly nx: number;
  readonly capacity: number;
  private x: Float64Array;
  private vx: Float64Array;
  private cost: Float64Array;
  private k: Int32Array;
  private ep: Int32Array;
  private idx: Int32Array;
  private len: Int32Array;
  /** next write position */
  private head = 0;
  /** rows written since creation */
  private count = 0;
  private nextEpisode = 0;

  constructor(nx: number, capacity: number = 1 << 16) {
    if (!Number.isInteger(nx) || nx < 1) throw new RangeError(`nx = ${nx}: expected a positive integer`);
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity = ${capacity}: expected a positive integer`);
    this.nx = nx;
    this.capacity = capacity;
    this.x = new Float64Array(capacity * nx);
    this.vx = new Float64Array(capacity * nx);
    this.cost = new Float64Array(capacity);
    this.k = new Int32Array(capacity);
    this.ep = new Int32Array(capacity);
    this.idx = new Int32Array(capacity);
    this.len = new Int32Array(capacity);
  }

  /** rows currently stored */
  get size(): number {
    return Math.min(this.count, this.capacity);
  }

  /** rows written since creation (including overwritten ones) */
  get totalRows(): number {
    return this.count;
  }

  /** episodes added since creation */
  get episodes(): number {
    return this.nextEpisode;
  }

  /**
   * Store a whole TO episode: X ((T+1)*nx) states x_0..x_T, costs (T+1) c_0..c_T (c_T the terminal
   * cost), Vx ((T+1)*nx, or null for zeros) and the start step k0 (row j has k = k0 + j).
   * Returns the episode id.
   */
  addEpisode(X: ArrayLike<number>, costs: ArrayLike<number>, Vx: ArrayLike<number> | null, k0: number): number {
    const nx = this.nx;
    const n = costs.length;
    if (n < 1) throw new RangeError("addEpisode: an episode needs at least one row");
    if (X.length !== n * nx) throw new RangeError(`addEpisode: X has ${X.length} values, expected (T+1)*nx = ${n * nx}`);
    if (Vx && Vx.length !== n * nx) throw new RangeError(`addEpisode: Vx has ${Vx.length} values, expected ${n * nx}`);
    if (!Number.isInteger(k0) || k0 < 0) throw new RangeError(`addEpisode: k0 = ${k0}`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(costs[i])) throw new RangeError(`addEpisode: cost ${i} is ${costs[i]}`);
    }
    for (let i = 0; i < n * nx; i++) {
      if (!Number.isFinite(X[i]) || (Vx && !Number.isFinite(Vx[i]))) throw new RangeError(`addEpisode: non-finite state or Vx at value ${i}`);
    }
    const e = this.nextEpisode++;
    const T = n - 1;
    for (let i = 0; i < n; i++) {
      const p = this.head;
      for (let j = 0; j < nx; j++) {
        this.x[p * nx + j] = X[i * nx + j];
        this.vx[p * nx + j] = Vx ? Vx[i * nx + j] : 0;
      }
      this.cost[p] = costs[i];
      this.k[p] = k0 + i;
      this.ep[p] = e;
      this.idx[p] = i;
      this.len[p] = T;
      this.head = (p + 1) % this.capacity;
      this.count++;
    }
    return e;
  }

  /**
   * nb buffer positions drawn uniformly with the seeded rng: distinct (default; nb larger than the
   * number of stored rows throws) or with replacement.
   */
  sampleRows(nb: number, rng: Rng, replace = false): Int32Array {
    const size = this.size;
    if (size === 0) throw new RangeError("sampleRows: the buffer is empty");
    if (!Number.isInteger(nb) || nb < 1) throw new RangeError(`sampleRows: nb = ${nb}`);
    const out = new Int32Array(nb);
    if (replace) {
      for (let i = 0; i < nb; i++) out[i] = rng.int(0, size - 1);
      return out;
    }
    if (nb > size) throw new RangeError(`sampleRows: ${nb} rows requested without replacement, ${size} stored`);
    if (2 * nb <= size) {
      const seen = new Set<number>();
      let i = 0;
      while (i < nb) {
        const r = rng.int(0, size - 1);
        if (seen.has(r)) continue;
        seen.add(r);
        out[i++] = r;
      }
    } else {
      // partial Fisher-Yates
      const perm = new Int32Array(size);
      for (let i = 0; i < size; i++) perm[i] = i;
      for (let i = 0; i < nb; i++) {
        const j = rng.int(i, size - 1);
        const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        out[i] = perm[i];
      }
    }
    return out;
  }

  /** buffer position of row j of the episode that holds row `p` */
  private sibling(p: number, j: number): number {
    const q = (((p + j - this.idx[p]) % this.capacity) + this.capacity) % this.capacity;
    if (this.ep[q] !== this.ep[p] || this.idx[q] !== j) {
      throw new Error(`replay buffer: row ${j} of episode ${this.ep[p]} is missing (invariant violated)`);
    }
    return q;
  }

  /** TD(n) data (see the file comment) for given buffer positions */
  gather(rows: Int32Array, nstep: NStep): ReplayBatch {
    const n = nstep === "mc" ? Infinity : nstep;
    if (!(n >= 0) || (Number.isFinite(n) && !Number.isInteger(n))) throw new RangeError(`nstep = ${nstep}: expected an integer >= 0 or "mc"`);
    const nx = this.nx;
    const nb = rows.length;
    const b: ReplayBatch = {
      rows: Int32Array.from(rows),
      x: new Float64Array(nb * nx), k: new Int32Array(nb), vx: new Float64Array(nb * nx), vxNext: new Float64Array(nb * nx),
      R: new Float64Array(nb), done: new Uint8Array(nb),
      xBoot: new Float64Array(nb * nx), kBoot: new Int32Array(nb),
      episode: new Int32Array(nb), index: new Int32Array(nb), length: new Int32Array(nb),
    };
    const size = this.size;
    for (let r = 0; r < nb; r++) {
      const p = rows[r];
      if (!Number.isInteger(p) || p < 0 || p >= size) throw new RangeError(`gather: row ${p} outside 0..${size - 1}`);
      const i = this.idx[p];
      const T = this.len[p];
      const L = Math.min(i + n, T);
      let R = 0;
      for (let j = i; j <= L; j++) R += this.cost[j === i ? p : this.sibling(p, j)];
      const done = L === T;
      const q = done ? this.sibling(p, T) : this.sibling(p, L + 1);
      const nxt = i < T ? this.sibling(p, i + 1) : -1;
      for (let j = 0; j < nx; j++) {
        b.x[r * nx + j] = this.x[p * nx + j];
        b.vx[r * nx + j] = this.vx[p * nx + j];
        b.xBoot[r * nx + j] = this.x[q * nx + j];
        if (nxt >= 0) b.vxNext[r * nx + j] = this.vx[nxt * nx + j];
      }
      b.k[r] = this.k[p];
      b.kBoot[r] = this.k[q];
      b.R[r] = R;
      b.done[r] = done ? 1 : 0;
      b.episode[r] = this.ep[p];
      b.index[r] = i;
      b.length[r] = T;
    }
    return b;
  }

  /** sampleRows + gather */
  sample(nb: number, rng: Rng, nstep: NStep, replace = false): ReplayBatch {
    return this.gather(this.sampleRows(nb, rng, replace), nstep);
  }

  serialize(): ReplayBufferData {
    const size = this.size;
    const nx = this.nx;
    return {
      format: "cacto-replay-buffer", version: 1,
      nx, capacity: this.capacity, head: this.head, count: this.count, nextEpisode: this.nextEpisode,
      x: Array.from(this.x.subarray(0, size * nx)),
      vx: Array.from(this.vx.subarray(0, size * nx)),
      cost: Array.from(this.cost.subarray(0, size)),
      k: Array.from(this.k.subarray(0, size)),
      episode: Array.from(this.ep.subarray(0, size)),
      index: Array.from(this.idx.subarray(0, size)),
      length: Array.from(this.len.subarray(0, size)),
    };
  }

  static deserialize(d: ReplayBufferData): ReplayBuffer {
    if (d.format !== "cacto-replay-buffer" || d.version !== 1) throw new RangeError("not a cacto-replay-buffer v1 checkpoint");
    const buf = new ReplayBuffer(d.nx, d.capacity);
    const size = Math.min(d.count, d.capacity);
    const lens = [d.x.length / d.nx, d.vx.length / d.nx, d.cost.length, d.k.length, d.episode.length, d.index.length, d.length.length];
    if (lens.some((n) => n !== size)) throw new RangeError("replay buffer checkpoint: array lengths do not match the row count");
    buf.x.set(d.x);
    buf.vx.set(d.vx);
    buf.cost.set(d.cost);
    buf.k.set(d.k);
    buf.ep.set(d.episode);
    buf.idx.set(d.index);
    buf.len.set(d.length);
    buf.head = d.head;
    buf.count = d.count;
    buf.nextEpisode = d.nextEpisode;
    return buf;
  }
}

/** y_i = R_i + (1 - done_i) vBoot_i (vBoot: target-critic values of the bootstrap states) */
export function tdTargets(batch: Pick<ReplayBatch, "R" | "done">, vBoot: ArrayLike<number>): Float32Array {
  const nb = batch.R.length;
  if (vBoot.length !== nb) throw new RangeError(`tdTargets: ${vBoot.length} bootstrap values for ${nb} rows`);
  const y = new Float32Array(nb);
  for (let i = 0; i < nb; i++) y[i] = batch.R[i] + (batch.done[i] ? 0 : vBoot[i]);
  return y;
}
