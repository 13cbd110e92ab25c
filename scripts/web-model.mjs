#!/usr/bin/env node
// Pack a training checkpoint into the compact model the web page ships (web/models/<system>.json):
// actor + critic weights as base64 float32, config and metrics; no buffer, no optimiser state.
//   node scripts/web-model.mjs runs/web-si/checkpoint.json web/models/single_integrator.json ["note"]
import { register } from "tsx/esm/api";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";

register();
const { packModel } = await import("../src/web/model.ts");
const [src, dst, note] = process.argv.slice(2);
if (!src || !dst) {
  console.error("usage: node scripts/web-model.mjs CHECKPOINT.json OUT.json [note]");
  process.exit(2);
}
const { unpackCheckpoint } = await import("../src/cacto/packed.ts");
const ck = unpackCheckpoint(JSON.parse(readFileSync(src, "utf8")));
const model = packModel(ck, note ?? `packed from ${src}`);
mkdirSync(path.dirname(dst), { recursive: true });
const text = JSON.stringify(model);
writeFileSync(dst, text + "\n");
console.log(`${dst}: ${(text.length / 1024).toFixed(1)} KB, ${ck.config.system}, ${ck.loop} loops, ${ck.updates} updates`);
