/** The experiments of issue 4, by id. Each writes reports/<id>/report.md and results.json. */
import type { SystemName } from "../systems/layout.js";
import type { PresetName } from "../cacto/presets.js";

/** Options of `runExperiment` (the `cacto experiment` flags); each experiment reads the ones it uses. */
export interface ExperimentOptions {
  system?: SystemName;
  preset?: PresetName;
  seeds?: number;
  wS?: number;
  smoke?: boolean;
  out?: string;
  /** S only: fields replacing the preset's (e.g. { to: { maxIter: 200 }, dropUnconverged: true }) */
  set?: Record<string, unknown>;
  /** receives one progress line at a time (default: none) */
  log?: (s: string) => void;
}

/**
 * Run experiment E1, E2, E3, E4 or S, writing report.md and results.json under `o.out` (default
 * reports/<id>; S: reports/S-<system>); returns the report's path. Another id throws a RangeError.
 */
export async function runExperiment(id: string, o: ExperimentOptions): Promise<string> {
  const out = o.out ?? `reports/${id}`;
  switch (id) {
    case "E2": return (await (await import("./e2.js")).runE2({ ...o, out })).file;
    case "E3": return (await (await import("./e3.js")).runE3({ ...o, seed: 1, out })).file;
    case "E1": return (await (await import("./e1.js")).runE1({ ...o, systems: o.system ? [o.system] : undefined, out })).file;
    case "E4": return (await (await import("./e4.js")).runE4({ ...o, out })).file;
    case "S": return (await (await import("./seeds.js")).runSeeds({ ...o, out: o.out ?? `reports/S-${o.system ?? "single_integrator"}` })).file;
    default:
      throw new RangeError(`experiment: got ${JSON.stringify(id)}, expected E1, E2, E3, E4 or S`);
  }
}
