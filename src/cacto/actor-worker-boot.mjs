// Entry of the actor thread when the toolkit runs from its TypeScript sources: Node does not apply the
// parent's --import loader to a worker's entry module, so register tsx here, then load the worker.
import { register } from "tsx/esm/api";

register();
await import("./actor-worker.ts");
