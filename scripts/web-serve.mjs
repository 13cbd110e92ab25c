#!/usr/bin/env node
// A small static server for the web app on 127.0.0.1 (never on other interfaces): correct MIME types
// (application/wasm for .wasm), cross-origin isolation headers (COOP/COEP), no caching.
//   node scripts/web-serve.mjs [--port 8787] [--dir web/dist] [--no-build]
import http from "node:http";
import { createReadStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const MIME = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json; charset=utf-8", ".wasm": "application/wasm",
  ".svg": "image/svg+xml", ".png": "image/png", ".map": "application/json; charset=utf-8", ".txt": "text/plain; charset=utf-8",
  ".ico": "image/x-icon",
};

/** start serving `dir`; port 0 picks a free one. Resolves to { server, url }. */
export function serve({ dir = path.join(root, "web/dist"), port = 8787, host = "127.0.0.1" } = {}) {
  const base = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...headers, Allow: "GET, HEAD" }).end();
      return;
    }
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      res.writeHead(400, headers).end("bad request");
      return;
    }
    let file = path.join(base, path.normalize(rel));
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(403, headers).end("forbidden");
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain; charset=utf-8" }).end(`not found: ${rel}`);
      return;
    }
    const type = MIME[path.extname(file).toLowerCase()] ?? "application/octet-stream";
    res.writeHead(200, { ...headers, "Content-Type": type, "Content-Length": statSync(file).size });
    if (req.method === "HEAD") { res.end(); return; }
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({ server, url: `http://${host}:${a.port}/` });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
  const port = Number(arg("--port") ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port: got ${arg("--port")}, expected an integer 0-65535`);
    process.exit(2);
  }
  const dir = path.resolve(arg("--dir") ?? path.join(root, "web/dist"));
  if (!process.argv.includes("--no-build") && !arg("--dir")) {
    const { buildWeb } = await import("./web-build.mjs");
    await buildWeb({ outdir: dir });
  }
  if (!existsSync(path.join(dir, "index.html"))) {
    console.error(`web server: ${dir} has no index.html (build the app with npm run build:web; --dir must name a built app)`);
    process.exit(2);
  }
  try {
    const { url } = await serve({ dir, port });
    console.log(`cacto-wasm web app: ${url}  (Ctrl-C to stop)`);
  } catch (e) {
    // one line, no stack: the usual causes are a port in use or a privileged port
    const why = e.code === "EADDRINUSE" ? `port ${port} is in use (pick another with --port, or --port 0 for a free one)` : e.message;
    console.error(`web server: ${why}`);
    process.exit(e.code === "EADDRINUSE" || e.code === "EACCES" ? 2 : 1);
  }
}
