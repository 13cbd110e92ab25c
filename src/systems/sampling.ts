/** Exploration in state space (cacto.md): initial states and start steps drawn uniformly, seeded. */
import type { Rng } from "../rng.js";
import type { SystemSpec } from "./specs.js";

export interface Start {
  x0: number[];
  k0: number;
}

/** x0 uniform over spec.sampleRanges (degenerate ranges draw nothing), then k0 uniform over k0Range */
export function sampleStart(spec: SystemSpec, rng: Rng): Start {
  const x0 = spec.sampleRanges.map(([lo, hi]) => (lo === hi ? lo : rng.uniform(lo, hi)));
  return { x0, k0: rng.int(spec.k0Range[0], spec.k0Range[1]) };
}

export function sampleStarts(spec: SystemSpec, rng: Rng, count: number): Start[] {
  return Array.from({ length: count }, () => sampleStart(spec, rng));
}
