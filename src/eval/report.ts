/**
 * The written report of an evaluation: report.md (run facts, per-start tables, summaries, plots),
 * the SVG files, and evaluation.json; and a fixed-width table for the terminal.
 */
import path from "node:path";
import { writeAtomic } from "../cacto/checkpoint.js";
import { METHODS, METHOD_LABELS, type Evaluation, type MethodName, type StartResult, type Summary } from "./evaluate.js";
import { makePlots, PLOT_FILES, type CriticSource } from "./plots.js";
import type { LoopMetrics } from "../cacto/trainer.js";

/** cost with 6 significant digits (exponent form for very large / small) */
function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential(4);
  return v.toPrecision(6);
}

function pct(v: number): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(0)}%` : "-";
}

function x0Str(x: number[]): string {
  return "(" + x.map((v) => Number(v.toFixed(3)).toString()).join(", ") + ")";
}

function bestCost(r: StartResult): number {
  return Math.min(...METHODS.map((m) => r.results[m].cost));
}

function mdStartTable(rows: StartResult[]): string {
  const head = `| # | x0 | ${METHODS.map((m) => METHOD_LABELS[m]).join(" | ")} |`;
  const sep = `|---|---|${METHODS.map(() => "---:").join("|")}|`;
  const lines = rows.map((r) => {
    const b = bestCost(r);
    const cells = METHODS.map((m) => {
      const res = r.results[m];
      const s = num(res.cost) + (res.reached ? " ✓" : "");
      return res.cost === b ? `**${s}**` : s;
    });
    return `| ${r.index} | ${x0Str(r.x0)} | ${cells.join(" | ")} |`;
  });
  return [head, sep, ...lines].join("\n");
}

function mdSummaryTable(s: Record<MethodName, Summary>, what: string): string {
  const bestMean = Math.min(...METHODS.map((m) => s[m].mean));
  const bestMed = Math.min(...METHODS.map((m) => s[m].median));
  const lines = METHODS.map((m) => {
    const mean = s[m].mean === bestMean ? `**${num(s[m].mean)}**` : num(s[m].mean);
    const med = s[m].median === bestMed ? `**${num(s[m].median)}**` : num(s[m].median);
    return `| ${METHOD_LABELS[m]} | ${mean} | ${med} | ${pct(s[m].reach)} | ${s[m].wins} |`;
  });
  return [`| ${what} (n = ${s.zeros.n}) | mean cost | median cost | reach | best on |`, "|---|---:|---:|---:|---:|", ...lines].join("\n");
}

/** report.md as a string */
export function reportMarkdown(ev: Evaluation, svgFiles: string[]): string {
  const m: LoopMetrics | undefined = ev.metrics[ev.metrics.length - 1];
  const o: string[] = [];
  o.push(`# CACTO evaluation: ${ev.system}`);
  o.push("");
  o.push(`| | |`);
  o.push(`|---|---|`);
  o.push(`| system | ${ev.system} |`);
  o.push(`| preset | ${ev.preset}${ev.config.wS > 0 ? ` (CACTO-SL, w_S = ${ev.config.wS})` : ""} |`);
  o.push(`| seed | ${ev.seed} |`);
  o.push(`| loops | ${ev.loops} of ${ev.config.updateLoops.length} |`);
  o.push(`| TO episodes | ${ev.episodes} |`);
  o.push(`| updates | ${ev.updates} |`);
  o.push(`| training wall time | ${ev.trainWallSeconds.toFixed(1)} s |`);
  if (m) o.push(`| last loop | mean TO cost ${num(m.meanToCost)}, critic loss ${num(m.criticLoss)} |`);
  o.push(`| evaluation | ${ev.evalStates.length} evaluation states + grid: ${ev.gridRule} + ${ev.fresh?.length ?? 0} fresh training-distribution starts (seed ${ev.options.freshSeed ?? "-"}, random k0, horizon NSTEPS - k0); TO maxIter ${ev.options.to.maxIter ?? 200} (training's: ${ev.config.to.maxIter ?? 200}); random warm start seed ${ev.options.seed} + start index; ${ev.evalSeconds.toFixed(1)} s |`);
  o.push("");
  o.push(`Columns: TO cost from each warm start (zeros; ics = every state x0; random controls in ±umax; actor = ` +
    `the CACTO actor's rollout), and the cost of the actor's rollout alone (no TO). All starts at t = 0 with ` +
    `the full horizon. **Bold**: lowest cost of the row. ✓: reached the target — ${ev.reachRule}.`);
  o.push("");
  o.push("## Evaluation states");
  o.push("");
  o.push(mdStartTable(ev.evalStates));
  o.push("");
  o.push("## Summary");
  o.push("");
  o.push(mdSummaryTable(ev.summaries.eval, "evaluation states"));
  o.push("");
  o.push(mdSummaryTable(ev.summaries.grid, "grid"));
  o.push("");
  if (ev.summaries.fresh && ev.fresh.length) {
    o.push(mdSummaryTable(ev.summaries.fresh, "fresh training-distribution starts"));
    o.push("");
  }
  if (ev.paired) {
    o.push("## TO from the actor vs TO from zeros, paired");
    o.push("");
    o.push(mdPairedTable(ev));
    o.push("");
  }
  o.push(`"reach": fraction of starts that reach the target region; "best on": number of starts where the method has the lowest cost (ties count for each).`);
  o.push("");
  if (svgFiles.length) {
    o.push("## Plots");
    o.push("");
    const captions: Record<string, string> = {
      [PLOT_FILES.value]: "Critic value map at t = 0",
      [PLOT_FILES.training]: "Training curves",
      [PLOT_FILES.zeros]: "TO from zero warm start (evaluation states)",
      [PLOT_FILES.actor]: "TO from the actor warm start (evaluation states)",
      [PLOT_FILES.rollout]: "The actor alone (evaluation states)",
    };
    for (const f of svgFiles) {
      o.push(`### ${captions[f] ?? f}`);
      o.push("");
      o.push(`![${captions[f] ?? f}](${f})`);
      o.push("");
    }
  }
  o.push("## Training loops");
  o.push("");
  o.push("| loop | episodes | dropped | TO converged | mean TO cost | mean TO iterations | held-out R^2 V / first states / V_x | V_x slog skill | actor saturated | actor alone | critic loss | actor loss | wall s |");
  o.push("|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
  const f2 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(2) : "-");
  const pc = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? pct(v) : "-");
  for (const l of ev.metrics) {
    const d = l.diagnostics;
    o.push(`| ${l.loop} | ${l.totalEpisodes} | ${l.failed} | ${pc(d?.converged)} | ${num(l.meanToCost)} | ${Number(l.meanToIterations).toFixed(1)} | ${f2(d?.heldOutR2)} / ${f2(d?.heldOutR2First)} / ${f2(d?.heldOutR2Vx)} | ${f2(d?.heldOutSlogVx)} | ${pc(d?.saturation)} | ${d && Number.isFinite(d.actorAloneCost) ? num(d.actorAloneCost) : "-"} | ${num(l.criticLoss)} | ${num(l.actorLoss)} | ${l.wallSeconds.toFixed(1)} |`);
  }
  o.push("");
  o.push("Held-out R^2: the critic (before the loop's updates) against the true cost-to-go of the loop's fresh TO solutions before they enter the buffer, over their nodes, at their first states, and of dV/dx against the solver's V_x (mean over state components). Actor saturated: share of its warm-start controls beyond 0.95 umax.");
  o.push("");
  o.push("Full data: [evaluation.json](evaluation.json).");
  o.push("");
  return o.join("\n");
}

/** the paired comparison actor - zeros per set (negative: the actor's warm start is better) */
export function mdPairedTable(ev: Evaluation): string {
  const rows: string[] = [
    "| starts | n | mean (actor - zeros) | 95% bootstrap interval | median | actor worse by > 1 | actor better by > 1 |",
    "|---|---:|---:|---|---:|---:|---:|",
  ];
  const names: Record<string, string> = { eval: "evaluation states", grid: "grid", fresh: "fresh (training distribution)" };
  for (const set of ["eval", "grid", "fresh"] as const) {
    const p = ev.paired[set];
    if (!p || !p.n) continue;
    rows.push(`| ${names[set]} | ${p.n} | ${num(p.meanDiff)} | [${num(p.ci95[0])}, ${num(p.ci95[1])}] | ${num(p.medianDiff)} | ${pct(p.worseShare)} | ${pct(p.betterShare)} |`);
  }
  return rows.join("\n") + "\n\nThe interval is a percentile bootstrap of the mean over the starts (2000 resamples, seeded); an interval below 0 means the actor's warm start leads TO to lower costs on these starts.";
}

function isCriticSource(x: unknown): x is CriticSource & { metrics?: LoopMetrics[] } {
  return typeof x === "object" && x !== null && "learner" in x && "spec" in x;
}

/**
 * Write report.md, the SVG files and evaluation.json into `dir` (created if needed). `svgs` maps file
 * names to SVG text (e.g. from makePlots); a trainer (anything with `spec` and `learner`) may be passed
 * instead and the plots are made from it. Returns the path of report.md.
 */
export function writeReport(dir: string, ev: Evaluation, svgs: Record<string, string> | (CriticSource & { metrics?: LoopMetrics[] }) = {}): string {
  const files = isCriticSource(svgs) ? makePlots(svgs, ev) : svgs;
  const names = Object.keys(files);
  // each file whole or not at all (a WriteError names the file that failed)
  for (const f of names) writeAtomic(path.join(dir, f), files[f]);
  writeAtomic(path.join(dir, "evaluation.json"), JSON.stringify(ev, null, 1));
  const file = path.join(dir, "report.md");
  writeAtomic(file, reportMarkdown(ev, names));
  return file;
}

/** fixed-width tables for the terminal: evaluation states, then both summaries */
export function formatTable(ev: Evaluation): string {
  const cw = 13;
  const x0w = Math.max(26, ...ev.evalStates.map((r) => x0Str(r.x0).length + 2));
  const pad = (s: string, w: number) => (s.length >= w ? s + " " : s + " ".repeat(w - s.length));
  const lpad = (s: string, w: number) => (s.length >= w ? " " + s : " ".repeat(w - s.length) + s);
  const o: string[] = [];
  o.push(`${ev.system}, preset ${ev.preset}, seed ${ev.seed}: ${ev.loops} loops, ${ev.episodes} TO episodes, ${ev.trainWallSeconds.toFixed(1)} s training`);
  o.push("");
  o.push(pad("#", 4) + pad("x0", x0w) + METHODS.map((m) => lpad(METHOD_LABELS[m], cw)).join(""));
  for (const r of ev.evalStates) {
    const b = bestCost(r);
    o.push(pad(String(r.index), 4) + pad(x0Str(r.x0), x0w) + METHODS.map((m) => {
      const res = r.results[m];
      return lpad(num(res.cost) + (res.cost === b ? "*" : " ") + (res.reached ? "+" : " "), cw);
    }).join(""));
  }
  o.push(`(* lowest cost of the row, + reached the target: ${ev.reachRule})`);
  const sets: [string, Record<MethodName, Summary>][] = [["evaluation states", ev.summaries.eval], ["grid", ev.summaries.grid]];
  if (ev.summaries.fresh && ev.fresh.length) sets.push(["fresh starts", ev.summaries.fresh]);
  for (const [what, s] of sets) {
    o.push("");
    o.push(pad(`${what} (n = ${s.zeros.n})`, 4 + x0w) + METHODS.map((m) => lpad(METHOD_LABELS[m], cw)).join(""));
    o.push(pad("  mean cost", 4 + x0w) + METHODS.map((m) => lpad(num(s[m].mean) + "  ", cw)).join(""));
    o.push(pad("  median cost", 4 + x0w) + METHODS.map((m) => lpad(num(s[m].median) + "  ", cw)).join(""));
    o.push(pad("  reach", 4 + x0w) + METHODS.map((m) => lpad(pct(s[m].reach) + "  ", cw)).join(""));
    o.push(pad("  best on", 4 + x0w) + METHODS.map((m) => lpad(String(s[m].wins) + "  ", cw)).join(""));
  }
  if (ev.paired) {
    o.push("");
    o.push("TO from the actor minus TO from zeros (paired; 95% bootstrap interval of the mean; shares worse / better by > 1):");
    for (const [set, what] of [["eval", "evaluation states"], ["grid", "grid"], ["fresh", "fresh starts"]] as const) {
      const p = ev.paired[set];
      if (!p || !p.n) continue;
      o.push(`  ${pad(what, 18)} n ${String(p.n).padStart(4)}  mean ${num(p.meanDiff).padStart(10)}  [${num(p.ci95[0])}, ${num(p.ci95[1])}]  worse ${pct(p.worseShare)}  better ${pct(p.betterShare)}`);
    }
    o.push(`  TO budget: maxIter ${ev.options.to.maxIter ?? 200} (training: ${ev.config.to.maxIter ?? 200})`);
  }
  return o.join("\n");
}
