// cacto-wasm is ESM only: from CommonJS use `await import("cacto-wasm")`. `require` throws (see
// esm-only.cjs), so nothing is declared for it.
export {};
