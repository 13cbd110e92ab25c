/**
 * The checkpoint file's packed format (browser-safe: the web page loads checkpoint files too).
 */
import type { CheckpointData } from "./trainer.js";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function toBase64(b: Uint8Array): string {
  const G = globalThis as { Buffer?: { from(b: Uint8Array): { toString(enc: string): string } } };
  if (G.Buffer) return G.Buffer.from(b).toString("base64");
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  const G = globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } };
  if (G.Buffer) return G.Buffer.from(s, "base64");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new RangeError(`not base64 (expected the characters ${B64} and = padding)`);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The file keeps the checkpoint's JSON shape, but its bulk (network tensors, Adam moments, the replay
 * buffer) is stored as packed binary in base64: { "$f32" | "$f64" | "$i32": "<base64>" }, the
 * narrowest type that holds every value exactly (so a reload is bit-identical). Smaller and faster to
 * read and write than decimal text (docs/training.md has the measurement); files with plain arrays
 * (older checkpoints, hand-edited ones) load as before.
 */
type Packed = { $f32: string } | { $f64: string } | { $i32: string };

function pack(a: unknown): unknown {
  if (!Array.isArray(a) || a.length < 16 || !a.every((v) => typeof v === "number")) return a;
  const v = a as number[];
  let typed: Int32Array | Float32Array | Float64Array;
  let tag: "$i32" | "$f32" | "$f64";
  if (v.every((x) => Number.isInteger(x) && x >= -2147483648 && x <= 2147483647 && !Object.is(x, -0))) { typed = Int32Array.from(v); tag = "$i32"; }
  else if (v.every((x) => Object.is(Math.fround(x), x))) { typed = Float32Array.from(v); tag = "$f32"; }
  else { typed = Float64Array.from(v); tag = "$f64"; }
  return { [tag]: toBase64(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength)) } as Packed;
}

function unpack(p: unknown, field: string): unknown {
  if (typeof p !== "object" || p === null || Array.isArray(p)) return p;
  const o = p as Record<string, unknown>;
  const tag = ["$f32", "$f64", "$i32"].find((t) => t in o);
  if (!tag) return p;
  if (typeof o[tag] !== "string") throw new RangeError(`${field}: got a packed array whose ${tag} is ${typeof o[tag]}, expected a base64 string`);
  const b = fromBase64(o[tag] as string);
  const size = tag === "$f64" ? 8 : 4;
  if (b.byteLength % size !== 0) throw new RangeError(`${field}: packed ${tag} data of ${b.byteLength} bytes, not a multiple of ${size}`);
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  const typed = tag === "$f64" ? new Float64Array(ab) : tag === "$f32" ? new Float32Array(ab) : new Int32Array(ab);
  return Array.from(typed);
}

const BUFFER_ARRAYS = ["x", "vx", "cost", "k", "episode", "index", "length"];

/** apply f to the checkpoint's bulk arrays (in a shallow copy; the caller's object is not changed) */
function mapBulk(d: unknown, f: (a: unknown, field: string) => unknown): unknown {
  if (typeof d !== "object" || d === null) return d;
  const o = { ...(d as Record<string, unknown>) };
  const tensors = (list: unknown, field: string) => Array.isArray(list)
    ? list.map((t, i) => (typeof t === "object" && t !== null ? { ...t, data: f((t as { data: unknown }).data, `${field}[${i}].data`) } : t))
    : list;
  if (typeof o.learner === "object" && o.learner !== null) {
    const l = { ...(o.learner as Record<string, unknown>) };
    for (const k of ["actor", "critic", "target"]) l[k] = tensors(l[k], `learner.${k}`);
    for (const k of ["actorOpt", "criticOpt"]) {
      if (typeof l[k] === "object" && l[k] !== null) {
        const a = { ...(l[k] as Record<string, unknown>) };
        a.m = tensors(a.m, `learner.${k}.m`);
        a.v = tensors(a.v, `learner.${k}.v`);
        l[k] = a;
      }
    }
    o.learner = l;
  }
  if (typeof o.buffer === "object" && o.buffer !== null) {
    const b = { ...(o.buffer as Record<string, unknown>) };
    for (const k of BUFFER_ARRAYS) b[k] = f(b[k], `buffer.${k}`);
    o.buffer = b;
  }
  return o;
}

/** the checkpoint as the file's text (bulk arrays packed) */
export function encodeCheckpoint(data: CheckpointData): string {
  return JSON.stringify(mapBulk(data, (a) => pack(a)));
}

/** the file's text back to checkpoint data (packed or plain arrays); not yet validated */
export function decodeCheckpoint(text: string): CheckpointData {
  return unpackCheckpoint(JSON.parse(text));
}

/** parsed file contents with packed arrays expanded (plain arrays pass through); not yet validated */
export function unpackCheckpoint(raw: unknown): CheckpointData {
  return mapBulk(raw, unpack) as CheckpointData;
}

