#!/usr/bin/env node
// The `cacto` command. The toolkit ships TypeScript sources; tsx loads them.
import { register } from "tsx/esm/api";

register();
// a closed pipe (e.g. `cacto bench convergence | head`) ends the command quietly, as Unix tools do
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
