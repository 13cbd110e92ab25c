#!/usr/bin/env node
// The `cacto` command. From the installed package it runs the compiled code (dist/); in a source
// checkout (tsconfig.json next to bin/) it runs the TypeScript sources through tsx, so edits take
// effect without a build.
import { existsSync } from "node:fs";

// a closed pipe (e.g. `cacto bench convergence | head`) ends the command quietly, as Unix tools do
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
const checkout = existsSync(new URL("../tsconfig.json", import.meta.url));
let main;
if (checkout) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
} else {
  ({ main } = await import("../dist/src/cli/main.js"));
}
process.exitCode = await main(process.argv.slice(2));
