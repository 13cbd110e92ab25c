#!/usr/bin/env node
// Runs the uvu suites under test/ and ends with the plain line "N passed, N failed" that CI reads
// (uvu's own summary is coloured and split over lines). Extra arguments are a file-name pattern.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pattern = process.argv[2] ?? "\\.test\\.ts$";
// the package's own entry ("cacto-wasm/learn" self-reference, the bundle and package tests) is the
// compiled dist/: rebuild it first so those tests never run stale output
const build = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
if (build.status !== 0) {
  console.log("\nnpm run build failed before the tests");
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ["--import", "tsx", path.join(root, "node_modules/uvu/bin.js"), "test", pattern],
  { cwd: root, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, FORCE_COLOR: "0" } },
);
let out = "";
child.stdout.on("data", (d) => { process.stdout.write(d); out += d.toString(); });
child.on("close", (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  if (!Number.isFinite(total) || !Number.isFinite(passed)) {
    console.log(`\nthe test runner ended without a summary (exit code ${code})`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  const failed = total - passed - skipped;
  const bad = failed > 0 || code !== 0;
  console.log(`\n${passed} passed, ${bad && failed === 0 ? 1 : failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(bad ? 1 : 0);
});
