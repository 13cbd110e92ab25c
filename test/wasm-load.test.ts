// Loading the engine (issue 12): a URL or file that is not WebAssembly (a dev server's HTML fallback
// page, a wrong file) fails with an error naming where, the content type and the first bytes; a
// failed load is not cached, so a later call with the right location works.
import { test } from "uvu";
import * as assert from "uvu/assert";
import http from "node:http";
import { mkdtempSync, writeFileSync, copyFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createSolver } from "../src/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function rejection(p: Promise<unknown>): Promise<Error> {
  try { await p; } catch (e) { return e as Error; }
  throw new Error("resolved, expected a rejection");
}

test("an HTML fallback page served as the engine: a clear error naming the URL, text/html and the first bytes", async () => {
  const server = http.createServer((_req, res) => { res.writeHead(200, { "content-type": "text/html" }); res.end("<!doctype html><html><body>app</body></html>"); });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  try {
    const e = await rejection(createSolver("car", { baseUrl: `http://127.0.0.1:${port}/assets/` }));
    assert.match(e.message, new RegExp(`^engine: http://127\\.0\\.0\\.1:${port}/assets/engine-simd\\.wasm is not a WebAssembly module \\(got text/html, 44 bytes starting "<!doctype html><"\\)`));
    assert.match(e.message, /pass LoadOptions\.baseUrl .* or LoadOptions\.wasm/);
  } finally {
    server.close();
  }
});

test("a wrong file, and wrong bytes, are named too; the right location still works afterwards", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cacto-wasm-"));
  writeFileSync(path.join(dir, "engine-simd.wasm"), "not wasm at all");
  const base = pathToFileURL(dir + "/");
  const e = await rejection(createSolver("car", { baseUrl: base }));
  assert.match(e.message, /engine: .*engine-simd\.wasm is not a WebAssembly module \(got 15 bytes starting "not wasm at all"\)/);
  const b = await rejection(createSolver("car", { wasm: new Uint8Array([1, 2, 3, 4, 5]) }));
  assert.match(b.message, /engine: options\.wasm is not a WebAssembly module \(got 5 bytes starting "\.\.\.\.\."\)/);
  // the same URL, now holding the real engine: not served from a cached failure
  copyFileSync(path.join(root, "build/engine-simd.wasm"), path.join(dir, "engine-simd.wasm"));
  const s = await createSolver("car", { baseUrl: base });
  assert.is(s.solve({ x0: [10, 0, 0, 0, 0] }).statusName, "converged");
});

test.run();
