#!/usr/bin/env node
// Generates assembly/linalg/generated.ts: fully unrolled, straight-line backward-pass kernels for the
// (nx, nu) sizes of the benchmark systems. Regenerate with
//
//   node scripts/gen-kernels.mjs            (writes assembly/linalg/generated.ts)
//
// then rebuild the engine. The kernels reproduce the generic loops of dense.ts / passes.ts operation by
// operation: every output element is the same left-to-right chain `init + a0*b0 + a1*b1 + ...` (the order
// the generic gemm/gemmTN/gemvT use in both builds), and every dot product uses the order dense.ts `dot`
// has in that build (two interleaved lanes with SIMD, sequential without). So results are bit-identical to
// the generic path; the speed comes from independent chains, no loop overhead and constant offsets.
// Sizes without a kernel (any other (n, m)) fall back to the generic loops (has() returns false).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

/** (nx, nu) pairs that get a kernel */
const SIZES = [[1, 1], [2, 2], [4, 2], [5, 2], [6, 3]];

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "assembly", "linalg", "generated.ts");

// ---------------------------------------------------------------------------------------------------
// emission helpers. An address is { p: pointer name, o: offset in doubles }.

const ad = (p, o) => ({ p, o });
const ldS = (a) => `load<f64>(${a.p}, ${a.o * 8})`;
const stS = (a, v) => `store<f64>(${a.p}, ${v}, ${a.o * 8});`;
const same = (a, b) => a.p === b.p && a.o === b.o;
const next = (a, b) => a.p === b.p && b.o === a.o + 1;
/** f64x2 of the doubles at a0, a1: one load, a load-splat, or a two-part gather */
function ldV(a0, a1) {
  if (next(a0, a1)) return `v128.load(${a0.p}, ${a0.o * 8})`;
  if (same(a0, a1)) return `v128.load64_splat(${a0.p}, ${a0.o * 8})`;
  return `v128.load64_lane(${a1.p}, v128.load64_zero(${a0.p}, ${a0.o * 8}), 1, ${a1.o * 8})`;
}
const gathers = (a0, a1) => !next(a0, a1) && !same(a0, a1);
function stV(a0, a1, v) {
  if (next(a0, a1)) return [`v128.store(${a0.p}, ${v}, ${a0.o * 8});`];
  return [`v128.store64_lane(${a0.p}, ${v}, 0, ${a0.o * 8});`, `v128.store64_lane(${a1.p}, ${v}, 1, ${a1.o * 8});`];
}

let uid = 0;

/**
 * out(R x C) = init + sum over segments s, r < s.K of a_s(i, r) * b_s(r, j): every element one chain in
 * exactly that order. a, b, init, out give addresses; init null means 0 (the chain starts 0 + ...).
 * With simd, elements go in f64x2 pairs: along rows (a splat, b contiguous), then the leftover last
 * column down rows when a is contiguous there; anything else stays scalar.
 * out null: no stores; names (if given) gets a map "i,j" -> scalar expression of each element.
 */
function product({ simd, R, C, init, out, segs, names = null }) {
  const id = uid++;
  const units = [];
  const left = [];
  for (let i = 0; i < R; i++) {
    let j = 0;
    if (simd) for (; j + 1 < C; j += 2) units.push([[i, j], [i, j + 1]]);
    for (; j < C; j++) left.push([i, j]);
  }
  for (let q = 0; q < left.length; q++) {
    const e0 = left[q], e1 = left[q + 1];
    const ok = simd && e1 && e1[1] === e0[1] && e1[0] === e0[0] + 1 &&
      segs.every((s) => range(s.K).every((r) => next(s.a(e0[0], r), s.a(e1[0], r))));
    if (ok) { units.push([e0, e1]); q++; } else units.push([e0]);
  }
  const L = [];
  const nm = (u) => `${u.length === 2 ? "v" : "s"}${id}_${u[0][0]}_${u[0][1]}`;
  for (const u of units) {
    if (u.length === 2) L.push(`let ${nm(u)} = ${init ? ldV(init(...u[0]), init(...u[1])) : "f64x2.splat(0.0)"};`);
    else L.push(`let ${nm(u)}: f64 = ${init ? ldS(init(...u[0])) : "0.0"};`);
  }
  // all chains advance together (r outer): measured faster than blocks of a few chains, despite spills
  segs.forEach((seg, si) => {
    for (let r = 0; r < seg.K; r++) {
      // a scalar factor shared by several scalar chains is loaded once
      const aLocal = new Map();
      // so is a right-hand factor (or pair) used by several rows
      const bUse = new Map(), bLocal = new Map();
      const bKey = (b0, b1) => b1 ? `${b0.p}@${b0.o}/${b1.p}@${b1.o}` : `${b0.p}@${b0.o}`;
      for (const w of units) {
        const k = w.length === 2 ? bKey(seg.b(r, w[0][1]), seg.b(r, w[1][1])) : bKey(seg.b(r, w[0][1]), null);
        bUse.set(k, (bUse.get(k) ?? 0) + 1);
      }
      const bLoad = (b0, b1) => {
        const k = bKey(b0, b1);
        const e = b1 ? ldV(b0, b1) : ldS(b0);
        if (bUse.get(k) < 2) return e;
        if (!bLocal.has(k)) {
          bLocal.set(k, `b${id}_${si}_${r}_${bLocal.size}`);
          L.push(`const ${bLocal.get(k)} = ${e};`);
        }
        return bLocal.get(k);
      };
      for (const u of units) {
        const [e0, e1] = u;
        const a0 = seg.a(e0[0], r), key = `${a0.p}@${a0.o}`;
        // users of this splat factor (pairs along the row, scalar chains of the row)
        const users = units.filter((w) => w[0][0] === e0[0] && (w.length === 1 || same(seg.a(w[0][0], r), seg.a(w[1][0], r)))).length;
        if (u.length === 2) {
          let av = ldV(a0, seg.a(e1[0], r));
          if (same(a0, seg.a(e1[0], r)) && users > 1) {
            if (!aLocal.has(key)) {
              aLocal.set(key, { v: `av${id}_${si}_${r}_${e0[0]}` });
              L.push(`const ${aLocal.get(key).v} = ${av};`);
            }
            av = aLocal.get(key).v;
          }
          L.push(`${nm(u)} = f64x2.add(${nm(u)}, f64x2.mul(${av}, ${bLoad(seg.b(r, e0[1]), seg.b(r, e1[1]))}));`);
        } else {
          let a = ldS(a0);
          if (users > 1) {
            if (!aLocal.has(key)) {
              aLocal.set(key, { s: `a${id}_${si}_${r}_${e0[0]}` });
              L.push(`const ${aLocal.get(key).s} = ${a};`);
            }
            const c = aLocal.get(key);
            a = c.s ?? `f64x2.extract_lane(${c.v}, 0)`;
          }
          L.push(`${nm(u)} = ${nm(u)} + ${a} * ${bLoad(seg.b(r, e0[1]), null)};`);
        }
      }
    }
  });
  for (const u of units) {
    if (out) {
      if (u.length === 2) L.push(...stV(out(...u[0]), out(...u[1]), nm(u)));
      else L.push(stS(out(...u[0]), nm(u)));
    }
    if (names) {
      if (u.length === 2) u.forEach(([i, j], k) => names.set(`${i},${j}`, `f64x2.extract_lane(${nm(u)}, ${k})`));
      else names.set(`${u[0][0]},${u[0][1]}`, nm(u));
    }
  }
  return L;
}

/** dense.ts dot(a, b, len) in the order of the given build; a, b: arrays of scalar expressions */
function dotExpr(simd, a, b) {
  const n = a.length;
  let i = 0;
  let s;
  if (simd) {
    let l0 = "0.0", l1 = "0.0";
    for (; i + 1 < n; i += 2) {
      l0 = `(${l0} + ${a[i]} * ${b[i]})`;
      l1 = `(${l1} + ${a[i + 1]} * ${b[i + 1]})`;
    }
    s = `(${l0} + ${l1})`;
  } else s = "0.0";
  for (; i < n; i++) s = `(${s} + ${a[i]} * ${b[i]})`;
  return s;
}

const range = (n) => Array.from({ length: n }, (_, i) => i);
const indent = (lines, k) => lines.map((l) => " ".repeat(k) + l);

/** both builds' bodies under one compile-time branch (one body if they are the same text) */
function branch(make) {
  const a = make(true), b = make(false);
  if (a.join("\n") === b.join("\n")) return a;
  return ["if (ASC_FEATURE_SIMD) {", ...indent(a, 2), "} else {", ...indent(b, 2), "}"];
}

/** merge two independent straight-line sequences, spreading b evenly through a */
function interleave(a, b) {
  const out = [];
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    out.push(a[i]);
    const want = Math.round(((i + 1) * b.length) / a.length);
    while (j < want) out.push(b[j++]);
  }
  while (j < b.length) out.push(b[j++]);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// the kernels of one node (row-major views; M(p, ld)(i, j) is the address of element (i, j))

const M = (p, ld) => (i, j) => ad(p, i * ld + j);

/** q1: g = Vx' (+ Vxx' F when infeasible), VA = Vxx' A, VB = Vxx' B, Qu = lu + B^T g, Quu = luu + B^T VB,
 * Qux = lux + B^T VA */
const Q1_ARGS = "Ak: usize, Bk: usize, Vxn: usize, Vxxn: usize, Fn: usize, feasible: bool, lu: usize, luu: usize, lux: usize, Qu: usize, Quu: usize, Qux: usize, VA: usize, VB: usize, G: usize";
function q1Body(n, m, simd) {
  const L = [];
  const A = M("Ak", n), B = M("Bk", m), V = M("Vxxn", n);
  L.push("let g = Vxn;");
  L.push("if (!feasible) {");
  for (let i = 0; i < n; i++) {
    const d = dotExpr(simd, range(n).map((r) => ldS(V(i, r))), range(n).map((r) => ldS(ad("Fn", r))));
    L.push(`  ${stS(ad("G", i), `${ldS(ad("Vxn", i))} + ${d}`)}`);
  }
  L.push("  g = G;");
  L.push("}");
  const g = (i, r) => ad("g", r);
  return [
    ...L,
    ...product({ simd, R: n, C: n, init: null, out: M("VA", n), segs: [{ K: n, a: V, b: A }] }),
    ...product({ simd, R: n, C: m, init: null, out: M("VB", m), segs: [{ K: n, a: V, b: B }] }),
    ...product({ simd, R: 1, C: m, init: M("lu", m), out: M("Qu", m), segs: [{ K: n, a: g, b: B }] }),
    ...product({ simd, R: m, C: m, init: M("luu", m), out: M("Quu", m), segs: [{ K: n, a: (i, r) => B(r, i), b: M("VB", m) }] }),
    ...product({ simd, R: m, C: n, init: M("lux", n), out: M("Qux", n), segs: [{ K: n, a: (i, r) => B(r, i), b: M("VA", n) }] }),
  ];
}

/** q2: Qx = lx + A^T g, Qxx = lxx + A^T VA (g: the pointer q1 used, Vx' or G) */
const Q2_ARGS = "Ak: usize, g: usize, lx: usize, lxx: usize, VA: usize, Qx: usize, Qxx: usize";
function q2Body(n, m, simd) {
  const A = M("Ak", n);
  return [
    ...product({ simd, R: 1, C: n, init: M("lx", n), out: M("Qx", n), segs: [{ K: n, a: (i, r) => ad("g", r), b: A }] }),
    ...product({ simd, R: n, C: n, init: M("lxx", n), out: M("Qxx", n), segs: [{ K: n, a: (i, r) => A(r, i), b: M("VA", n) }] }),
  ];
}

/**
 * Gains without a box: Cholesky of S + dmu I (m x m, as dense.ts cholesky with the diagonal shift of
 * reg "quu"), kk = -S^-1 Qu, Kk = -S^-1 Sx (as dense.ts cholSolveNeg). L is written as cholesky() does.
 * Returns false (early) when S is not PD.
 */
const GAINS_ARGS = "L: usize, S: usize, dmu: f64, Qu: usize, Sx: usize, kk: usize, Kk: usize";
function gainsBody(n, m, simd) {
  return [...cholBody(n, m, simd), ...solveBody(n, m, simd)];
}

const lname = (i, j) => `l${i}_${j}`;

/** the Cholesky part of gains (needs S = Quu only) */
function cholBody(n, m, simd) {
  const Lm = M("L", m), Sm = M("S", m);
  const out = [];
  const l = lname;
  for (let j = 0; j < m; j++) {
    let d = `(${ldS(Sm(j, j))} + dmu)`;
    for (let r = 0; r < j; r++) d = `(${d} - ${l(j, r)} * ${l(j, r)})`;
    out.push(`const d${j} = ${d};`);
    out.push(`if (!(d${j} > 0) || !isFinite(d${j})) return false;`);
    out.push(`const ${l(j, j)} = Math.sqrt(d${j});`);
    out.push(stS(Lm(j, j), l(j, j)));
    if (j + 1 < m) out.push(`const inv${j} = 1.0 / ${l(j, j)};`);
    for (let i = j + 1; i < m; i++) {
      let s = ldS(Sm(i, j));
      for (let r = 0; r < j; r++) s = `(${s} - ${l(i, r)} * ${l(j, r)})`;
      out.push(`const ${l(i, j)} = ${s} * inv${j};`);
      out.push(stS(Lm(i, j), l(i, j)));
    }
    for (let i = 0; i < j; i++) out.push(stS(Lm(i, j), "0.0"));
  }
  return out;
}

/** the solves of gains (need the factor, Qu and Sx) */
function solveBody(n, m, simd) {
  const out = [];
  const l = lname;
  // right-hand sides: the n columns of Sx, then Qu; f64x2 pairs in that order
  const cols = range(n).map((c) => ({ src: (i) => ad("Sx", i * n + c), dst: (i) => ad("Kk", i * n + c) }));
  cols.push({ src: (i) => ad("Qu", i), dst: (i) => ad("kk", i) });
  const groups = [];
  for (let c = 0; c < cols.length; c++) {
    if (simd && c + 1 < cols.length) { groups.push([cols[c], cols[c + 1]]); c++; } else groups.push([cols[c]]);
  }
  if (simd) for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) out.push(`const ${l(i, j)}v = f64x2.splat(${l(i, j)});`);
  groups.forEach((gr, ci) => {
    const y = (i) => `y${ci}_${i}`, x = (i) => `x${ci}_${i}`;
    const v = gr.length === 2;
    const sub = (a, b, i, j) => v ? `f64x2.sub(${a}, f64x2.mul(${l(i, j)}v, ${b}))` : `(${a} - ${l(i, j)} * ${b})`;
    const div = (a, i) => v ? `f64x2.div(${a}, ${l(i, i)}v)` : `(${a} / ${l(i, i)})`;
    for (let i = 0; i < m; i++) {
      let s = v ? ldV(gr[0].src(i), gr[1].src(i)) : ldS(gr[0].src(i));
      for (let r = 0; r < i; r++) s = sub(s, y(r), i, r);
      out.push(`const ${y(i)} = ${div(s, i)};`);
    }
    for (let i = m - 1; i >= 0; i--) {
      let s = y(i);
      for (let r = i + 1; r < m; r++) s = sub(s, x(r), r, i);
      out.push(`const ${x(i)} = ${div(s, i)};`);
    }
    for (let i = 0; i < m; i++) {
      if (v) out.push(...stV(gr[0].dst(i), gr[1].dst(i), `f64x2.neg(${x(i)})`));
      else out.push(stS(gr[0].dst(i), `-${x(i)}`));
    }
  });
  return out;
}

/**
 * Value update: NU = Qu + Quu kk; Vx = Qx + K^T NU + Qux^T kk; T = Qux + Quu K;
 * Vxx = sym(Qxx + K^T T + Qux^T K); gDot = kk.Qu; gQuad = kk^T Quu kk.
 */
const VALUE_ARGS = "Qx: usize, Qu: usize, Qxx: usize, Quu: usize, Qux: usize, kk: usize, Kk: usize, Vx: usize, Vxx: usize, NU: usize, T: usize";
function valueBody(n, m, simd) {
  const L = [];
  const Quu = M("Quu", m), KK = M("Kk", n), Qux = M("Qux", n);
  const kv = range(m).map((r) => ldS(ad("kk", r)));
  for (let i = 0; i < m; i++) {
    L.push(stS(ad("NU", i), `${ldS(ad("Qu", i))} + ${dotExpr(simd, range(m).map((r) => ldS(Quu(i, r))), kv)}`));
  }
  L.push(...product({ simd, R: m, C: n, init: Qux, out: M("T", n), segs: [{ K: m, a: (i, r) => Quu(i, r), b: KK }] }));
  const names = new Map();
  L.push(...product({ simd, R: n, C: n, init: M("Qxx", n), out: null, names, segs: [
    { K: m, a: (i, r) => KK(r, i), b: M("T", n) },
    { K: m, a: (i, r) => Qux(r, i), b: KK },
  ] }));
  // symmetrise while storing: the diagonal is the chain's value, off-diagonal pairs their mean
  // (measured: building f64x2 rows for the stores, or going through a scratch matrix, was slower)
  const Vo = M("Vxx", n);
  for (let i = 0; i < n; i++) L.push(stS(Vo(i, i), names.get(`${i},${i}`)));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      L.push(`const w${i}_${j}: f64 = 0.5 * (${names.get(`${i},${j}`)} + ${names.get(`${j},${i}`)});`);
      L.push(stS(Vo(i, j), `w${i}_${j}`));
      L.push(stS(Vo(j, i), `w${i}_${j}`));
    }
  }
  L.push(...product({ simd, R: 1, C: n, init: M("Qx", n), out: M("Vx", n), segs: [
    { K: m, a: (i, r) => ad("NU", r), b: KK },
    { K: m, a: (i, r) => ad("kk", r), b: Qux },
  ] }));
  L.push(`gDot = ${dotExpr(simd, kv, range(m).map((r) => ldS(ad("Qu", r))))};`);
  let q = "0.0";
  for (let i = 0; i < m; i++) q = `(${q} + ${kv[i]} * ${dotExpr(simd, range(m).map((r) => ldS(Quu(i, r))), kv)})`;
  L.push(`gQuad = ${q};`);
  return L;
}

const KERNELS = [
  { name: "q1", args: Q1_ARGS, ret: "void", body: q1Body },
  { name: "q2", args: Q2_ARGS, ret: "void", body: q2Body },
  { name: "gains", args: GAINS_ARGS, ret: "bool", body: (n, m, simd) => [...gainsBody(n, m, simd), "return true;"] },
  // gains with q2 interleaved, so the Cholesky's square roots and divisions overlap the Qxx products
  { name: "gainsq2", args: GAINS_ARGS + ", " + Q2_ARGS, ret: "bool",
    body: (n, m, simd) => [...interleave(gainsBody(n, m, simd), q2Body(n, m, simd)), "return true;"] },
  { name: "value", args: VALUE_ARGS, ret: "void", body: valueBody },
];

// ---------------------------------------------------------------------------------------------------

const key = (n, m) => n * 256 + m;
const lines = [];
lines.push("// GENERATED by scripts/gen-kernels.mjs -- do not edit. Regenerate: node scripts/gen-kernels.mjs");
lines.push("// Straight-line backward-pass kernels for (nx, nu) in " + SIZES.map(([n, m]) => `(${n},${m})`).join(" ") + ",");
lines.push("// bit-identical to the generic loops of dense.ts/passes.ts in each build (same per-element order).");
lines.push("/* eslint-disable */");
lines.push("");
lines.push("/** kk . Qu and kk^T Quu kk of the last value() call */");
lines.push("export let gDot: f64 = 0;");
lines.push("export let gQuad: f64 = 0;");
lines.push("");
lines.push("/** whether (n, m) has kernels */");
lines.push("export function has(n: i32, m: i32): bool {");
lines.push("  const k = n * 256 + m;");
lines.push(`  return ${SIZES.map(([n, m]) => `k == ${key(n, m)}`).join(" || ")};`);
lines.push("}");
lines.push("");
const argNames = (sig) => sig.split(",").map((a) => a.trim().split(":")[0]).join(", ");
for (const k of KERNELS) {
  lines.push(`export function ${k.name}(n: i32, m: i32, ${k.args}): ${k.ret} {`);
  lines.push("  switch (n * 256 + m) {");
  for (const [n, m] of SIZES) {
    if (k.ret === "void") lines.push(`    case ${key(n, m)}: { ${k.name}_${n}_${m}(${argNames(k.args)}); return; }`);
    else lines.push(`    case ${key(n, m)}: return ${k.name}_${n}_${m}(${argNames(k.args)});`);
  }
  lines.push(k.ret === "void" ? "    default: unreachable();" : "    default: unreachable(); return false;");
  lines.push("  }");
  lines.push("}");
  lines.push("");
}
for (const [n, m] of SIZES) {
  for (const k of KERNELS) {
    lines.push(`function ${k.name}_${n}_${m}(${k.args}): ${k.ret} {`, ...indent(branch((simd) => k.body(n, m, simd)), 2), "}", "");
  }
}
writeFileSync(OUT, lines.join("\n"));
console.log(`wrote ${OUT} (${lines.length} lines)`);
