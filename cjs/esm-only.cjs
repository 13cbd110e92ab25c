// cacto-wasm is an ES module package; `require("cacto-wasm")` lands here.
throw new Error(
  "cacto-wasm is ESM only: use `import { createSolver } from \"cacto-wasm\"` (or `await import(\"cacto-wasm\")` from CommonJS). " +
  "Its engine loads asynchronously (WebAssembly), which an ES module expresses directly.",
);
