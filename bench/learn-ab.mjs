// A/B benchmark of CACTO's network updates between two checkouts (issue 15), in one script: rounds of
// `cacto bench learn --json` from checkout A then checkout B (alternating, so machine drift hits both
// alike; each run is its own process, as each checkout has its own tfjs set-up), per system and preset;
// prints the median updates/s of each and the ratio B / A with the range over rounds.
//
//   node bench/learn-ab.mjs <checkout A> [checkout B, default: this one] [--rounds 5] [--systems car] [--presets quick,reference] [--updates 300]
//
// Used for issue 15 with A = the commit before it (a worktree with node_modules linked and
// `npm run build:wasm` run in it).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";

const args = process.argv.slice(2);
const flag = (name, def) => { const i = args.indexOf(name); if (i < 0) return def; const v = args[i + 1]; args.splice(i, 2); return v; };
const rounds = Number(flag("--rounds", "5"));
const systems = flag("--systems", "car");
const presets = flag("--presets", "quick,reference");
const updates = flag("--updates", "300");
if (args.length < 1) {
  process.stderr.write("usage: node bench/learn-ab.mjs <checkout A> [checkout B] [--rounds 5] [--systems car] [--presets quick,reference] [--updates 300]\n");
  process.exit(2);
}
const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dirs = { A: path.resolve(args[0]), B: path.resolve(args[1] ?? here) };

function run(dir) {
  const out = execFileSync(process.execPath, [path.join(dir, "bin/cacto.js"), "bench", "learn", "--json", "--systems", systems, "--presets", presets, "--updates", updates], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).filter((r) => r.kind === "learn");
}

const rates = {};
for (let r = 0; r < rounds; r++) {
  for (const side of ["A", "B"]) {
    for (const row of run(dirs[side])) {
      const key = `${row.system} ${row.preset}`;
      ((rates[key] ??= { A: [], B: [] })[side]).push(row.updatesPerSecond);
    }
  }
  process.stderr.write(`round ${r + 1}/${rounds} done\n`);
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
console.log(`machine: ${cpu}, ${os.cpus().length} cores, Node ${process.version}; ${rounds} rounds, ${updates} timed updates per case`);
console.log(`A = ${dirs.A}\nB = ${dirs.B}\n`);
console.log("| system, preset | A updates/s (median, range) | B updates/s (median, range) | B / A (median of rounds; range) |");
console.log("|---|---:|---:|---:|");
for (const [key, { A, B }] of Object.entries(rates)) {
  const ratios = A.map((a, i) => B[i] / a);
  const f = (a) => `${med(a).toFixed(1)} (${Math.min(...a).toFixed(1)}-${Math.max(...a).toFixed(1)})`;
  console.log(`| ${key} | ${f(A)} | ${f(B)} | ${med(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}) |`);
}
