#!/usr/bin/env node
// Start-up of the installed package vs the TypeScript sources through tsx (what every user paid
// before dist/ existed), side by side in one script: `cacto systems` and a one-solve Node script,
// median of N runs each, plus the consumer's install size (solver only, then with TensorFlow.js). Packs this checkout (dist/ must be built:
// npm run build), installs the tarball into a temporary project from npm's cache.
//   node bench/startup.mjs [runs=7]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 7);
const work = mkdtempSync(path.join(os.tmpdir(), "cacto-startup-"));
const packed = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8" }))[0];
const app = path.join(work, "app");
execFileSync("mkdir", ["-p", app]);
writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "startup", private: true, type: "module" }));
execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(work, packed.filename)], { cwd: app, stdio: "ignore" });
writeFileSync(path.join(app, "one.mjs"), 'import { createSolver } from "cacto-wasm";\nconst s = await createSolver("car");\nconsole.log(s.solve({ x0: [10, 0, 0, 0, 0] }).cost);\n');
writeFileSync(path.join(root, ".startup-one.ts"), 'import { createSolver } from "./src/index.ts";\nconst s = await createSolver("car");\nconsole.log(s.solve({ x0: [10, 0, 0, 0, 0] }).cost);\n');

function median(cmd, args, cwd) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}
const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");
const rows = [
  ["cacto systems", median(process.execPath, [path.join(app, "node_modules/cacto-wasm/bin/cacto.js"), "systems"], app), median(process.execPath, [path.join(root, "bin/cacto.js"), "systems"], root)],
  ["one car solve (script)", median(process.execPath, ["one.mjs"], app), median(process.execPath, [tsx, ".startup-one.ts"], root)],
];
rmSync(path.join(root, ".startup-one.ts"), { force: true });
const du = (p) => Number(execFileSync("du", ["-sk", p], { encoding: "utf8" }).split("\t")[0]) / 1024;
const size = du(path.join(app, "node_modules"));
// a learning user adds TensorFlow.js (an optional peer dependency)
execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "@tensorflow/tfjs@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0"], { cwd: app, stdio: "ignore" });
const withTf = du(path.join(app, "node_modules"));
console.log(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}; median of ${runs} runs`);
console.log("| | installed package (plain node, dist/) | sources through tsx | ratio |");
console.log("|---|---:|---:|---:|");
for (const [name, a, b] of rows) console.log(`| ${name} | ${a.toFixed(0)} ms | ${b.toFixed(0)} ms | ${(b / a).toFixed(1)}x |`);
console.log(`consumer install: solver only ${size.toFixed(1)} MB; with TensorFlow.js for learning ${withTf.toFixed(0)} MB; tarball ${(packed.size / 1024).toFixed(0)} KB (${packed.entryCount} files)`);
rmSync(work, { recursive: true, force: true });
