// Two sweeps' results compared cell by cell (issue 15's check that a kernel change moved learning
// results no more than seed noise): per system and start set, the mean over seeds of actor - zeros in
// each sweep, their difference paired by seed with a bootstrap 95% interval (10,000 resamples, fixed
// seed), the sd over seeds of the first sweep, seeds holding (experiment S's rule) and the mean share
// of starts where the actor is worse by > 1.
//
//   node bench/compare-sweeps.mjs <before results.json> <after results.json> [--any-method]
//
// --any-method pairs cells by system and seed alone (two sweeps of one system with different methods,
// e.g. the preset against plain CACTO); each sweep must then hold one method per system.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const anyMethod = args.includes("--any-method");
const [fa, fb] = args.filter((a) => a !== "--any-method");
if (!fa || !fb) {
  process.stderr.write("usage: node bench/compare-sweeps.mjs <before results.json> <after results.json> [--any-method]\n");
  process.exit(2);
}
const load = (f) => {
  const m = new Map();
  for (const r of JSON.parse(readFileSync(f, "utf8")).results) {
    const key = `${r.cell.system}|${anyMethod ? "*" : r.cell.method}|${r.seed}`;
    if (m.has(key)) throw new Error(`${f}: two cells for ${key} (--any-method needs one method per system)`);
    m.set(key, r);
  }
  return m;
};
const A = load(fa), B = load(fb);
// xoshiro-free, deterministic: a 32-bit LCG is enough for resampling indices
let state = 12345;
const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
function boot(d, n = 10000) {
  const ms = [];
  for (let b = 0; b < n; b++) {
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[Math.floor(rand() * d.length)];
    ms.push(s / d.length);
  }
  ms.sort((x, y) => x - y);
  return [ms[Math.floor(0.025 * n)], ms[Math.floor(0.975 * n)]];
}
const holds = (p) => p.ci95[1] < 0 && p.worseShare <= 0.25;
const groups = new Map();
for (const key of B.keys()) {
  if (!A.has(key)) continue;
  const [sys, method] = key.split("|");
  const g = `${sys}|${method}`;
  if (!groups.has(g)) groups.set(g, []);
  groups.get(g).push(key);
}
const f = (x) => (x >= 0 ? "+" : "") + x.toFixed(3);
console.log("| system / method | starts | seeds | before: mean | after: mean | after - before [95%] | before: sd over seeds | seeds holding | starts worse by > 1 |");
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
for (const [g, keys] of groups) {
  for (const part of ["fresh", "eval"]) {
    const a = keys.map((k) => A.get(k).paired[part]), b = keys.map((k) => B.get(k).paired[part]);
    const da = a.map((p) => p.meanDiff), db = b.map((p) => p.meanDiff);
    const d = db.map((x, i) => x - da[i]);
    const [lo, hi] = boot(d);
    const m = mean(da);
    const sd = Math.sqrt(da.reduce((s, x) => s + (x - m) ** 2, 0) / (da.length - 1));
    const n = keys.length;
    console.log(`| ${g.replace("|", " / ")} | ${part === "eval" ? "evaluation states" : "fresh"} | ${n} | ${mean(da).toFixed(3)} | ${mean(db).toFixed(3)} | ${f(mean(d))} [${f(lo)}, ${f(hi)}] | ${sd.toFixed(3)} | ${a.filter(holds).length}/${n} -> ${b.filter(holds).length}/${n} | ${(100 * mean(a.map((p) => p.worseShare))).toFixed(0)}% -> ${(100 * mean(b.map((p) => p.worseShare))).toFixed(0)}% |`);
  }
}
