// `npm run build`: the package's compiled output. TypeScript (src/, bench/) -> dist/src, dist/bench as
// ESM JavaScript with .d.ts and declaration maps; the engine's .wasm files -> dist/build, at the same
// relative place as build/ is to src/, so every `new URL("../../build/...", import.meta.url)` in the
// code resolves inside dist/ too. Runs on `prepare` (npm ci / npm install from git) after build:wasm.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
mkdirSync(path.join(dist, "build"), { recursive: true });
for (const f of ["engine-simd.wasm", "engine-scalar.wasm"]) {
  const from = path.join(root, "build", f);
  if (!existsSync(from)) throw new Error(`build: ${from} is missing; run "npm run build:wasm" first`);
  copyFileSync(from, path.join(dist, "build", f));
}
process.stdout.write(`build: dist/ written (ESM + .d.ts; engine .wasm in dist/build)\n`);
