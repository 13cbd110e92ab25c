#!/usr/bin/env node
// Builds the web app into web/dist (or --outdir DIR): esbuild bundles web/app.ts and the three worker
// entries (training, benchmark, solver pool) as ES modules into assets/; index.html and style.css,
// the engine's .wasm files (build/), the tfjs wasm backend's .wasm files (tfjs/) and the shipped
// models (models/) are copied next to them. Serve the directory with `npm run web`.
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** build the app; returns the output directory */
export async function buildWeb({ outdir = path.join(root, "web/dist"), minify = true, logLevel = "warning" } = {}) {
  for (const f of ["engine-simd.wasm", "engine-scalar.wasm"]) {
    if (!existsSync(path.join(root, "build", f))) throw new Error(`build/${f} is missing: run "npm run build:wasm" first`);
  }
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: {
      app: "web/app.ts",
      "train-worker": "web/train-worker.ts",
      "bench-worker": "web/bench-worker.ts",
      "pool-worker": "src/web/pool-worker.ts",
    },
    outdir: path.join(outdir, "assets"),
    bundle: true,
    splitting: true, // keeps Node-only modules (loaded lazily, never in a browser) out of the entry chunks
    format: "esm",
    platform: "browser",
    target: "es2022",
    external: ["node:*"],
    minify,
    sourcemap: true,
    chunkNames: "chunk-[hash]",
    logLevel,
  });
  for (const f of ["index.html", "style.css"]) cpSync(path.join(root, "web", f), path.join(outdir, f));
  mkdirSync(path.join(outdir, "build"));
  for (const f of ["engine-simd.wasm", "engine-scalar.wasm"]) cpSync(path.join(root, "build", f), path.join(outdir, "build", f));
  const tfDir = path.join(root, "node_modules/@tensorflow/tfjs-backend-wasm/wasm-out");
  mkdirSync(path.join(outdir, "tfjs"));
  for (const f of readdirSync(tfDir).filter((f) => f.endsWith(".wasm"))) cpSync(path.join(tfDir, f), path.join(outdir, "tfjs", f));
  if (existsSync(path.join(root, "web/models"))) cpSync(path.join(root, "web/models"), path.join(outdir, "models"), { recursive: true });
  return outdir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--outdir");
  const t = performance.now();
  const out = await buildWeb(i > 0 ? { outdir: path.resolve(process.argv[i + 1]) } : {});
  console.log(`web app built in ${((performance.now() - t) / 1000).toFixed(1)} s: ${path.relative(process.cwd(), out) || "."}`);
}
