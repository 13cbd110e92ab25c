/**
 * Embedding as docs/browser.md says: a tiny app imports the package by name ("cacto-wasm", installed as
 * node_modules/cacto-wasm), is bundled with esbuild for the browser, the engine's .wasm is copied next
 * to it, and it runs in headless Chromium. The app's code is that page's example itself (the ```js
 * block after the `<!-- embed:app.js -->` marker), so the documentation cannot drift from what works.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const script = (name: string) => import(new URL(`../scripts/${name}`, import.meta.url).href);

/** the embedding example of docs/browser.md */
function readmeExample(): { js: string; html: string } {
  const md = readFileSync(path.join(root, "docs/browser.md"), "utf8");
  const grab = (marker: string, lang: string) => {
    const i = md.indexOf(marker);
    assert.ok(i >= 0, `docs/browser.md has no ${marker} marker`);
    const m = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(md.slice(i));
    assert.ok(m, `docs/browser.md: no \`\`\`${lang} block after ${marker}`);
    return m![1];
  };
  return { js: grab("<!-- embed:app.js -->", "js"), html: grab("<!-- embed:index.html -->", "html") };
}

test("the embedding example of docs/browser.md: bundled with esbuild from the installed package, it solves in Chromium", async () => {
  const { launchChromium } = await script("web-browser.mjs");
  const browser = await launchChromium(); // throws with instructions when Chromium is missing
  const dir = mkdtempSync(path.join(os.tmpdir(), "cacto-embed-"));
  let server: import("node:http").Server | null = null;
  try {
    const { js, html } = readmeExample();
    assert.ok(js.split("\n").filter((l) => l.trim()).length <= 20, "the example is under 20 lines");
    // an app with the package "installed" (node_modules/cacto-wasm -> this repository)
    mkdirSync(path.join(dir, "node_modules"));
    symlinkSync(root, path.join(dir, "node_modules/cacto-wasm"), "dir");
    writeFileSync(path.join(dir, "app.js"), js);
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "embed-demo", type: "module", private: true }));
    const dist = path.join(dir, "dist");
    mkdirSync(path.join(dist, "wasm"), { recursive: true });
    // the page's commands: esbuild app.js --bundle --format=esm --target=es2022 --external:'node:*'
    // --outfile=dist/app.js; copy the .wasm
    const readme = readFileSync(path.join(root, "docs/browser.md"), "utf8");
    assert.ok(readme.includes("npx esbuild app.js --bundle --format=esm --target=es2022 --external:'node:*' --outfile=dist/app.js"));
    await build({
      absWorkingDir: dir, entryPoints: ["app.js"], outfile: path.join(dist, "app.js"),
      bundle: true, format: "esm", target: "es2022", external: ["node:*"], logLevel: "warning",
    });
    cpSync(path.join(dir, "node_modules/cacto-wasm/dist/build/engine-simd.wasm"), path.join(dist, "wasm/engine-simd.wasm"));
    writeFileSync(path.join(dist, "index.html"), html);
    const bundle = readFileSync(path.join(dist, "app.js"), "utf8");
    assert.not.match(bundle, /node:worker_threads|@tensorflow/, "the solver bundle carries neither Node's worker_threads nor tfjs");

    const { serve } = await script("web-serve.mjs");
    const s = await serve({ dir: dist, port: 0 });
    server = s.server;
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e: Error) => errors.push(e.message));
    await page.goto(s.url);
    await page.waitForFunction(() => /cost/.test(document.body.textContent ?? "") || document.body.dataset.cost, null, { timeout: 30_000 });
    const text = await page.evaluate(() => document.body.textContent ?? "");
    assert.equal(errors, []);
    const node = new Solver(await Engine.create(), "car").solve({ x0: [10, 0, 0, 0, 0] });
    assert.is(text.trim(), `${node.statusName}: cost ${node.cost.toFixed(4)} in ${node.iterations} iterations`);
  } finally {
    await browser.close();
    if (server) await new Promise((r) => server!.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
