#!/usr/bin/env node
// The `cacto` command. The toolkit ships TypeScript sources; tsx loads them.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
