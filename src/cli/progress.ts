/**
 * Training progress on the terminal: one redrawn line on a TTY, a line per loop (and a few per loop
 * during long update phases) otherwise, so logs stay readable.
 */
import type { Progress, LoopMetrics } from "../cacto/trainer.js";

function fmtTime(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}

export class ProgressReporter {
  private tty = !!process.stderr.isTTY;
  private start = performance.now();
  private lastLine = 0;
  private doneUpdates = 0;
  private updateRate = 0;
  private toSecondsPerLoop = 0;

  constructor(private readonly totalUpdates: number, private readonly loopsBefore: number, private readonly updatesBefore: number, private readonly episodesPerLoop: number, private readonly updateLoops: number[]) {
    this.doneUpdates = updatesBefore;
  }

  private eta(loop: number, doneInLoop: number): number {
    if (!this.updateRate) return NaN;
    const remainingUpdates = this.totalUpdates - this.doneUpdates;
    const remainingLoops = this.updateLoops.length - loop - (doneInLoop > 0 ? 1 : 0);
    return remainingUpdates / this.updateRate + remainingLoops * this.toSecondsPerLoop;
  }

  update(p: Progress): void {
    const elapsed = (performance.now() - this.start) / 1000;
    let msg = "";
    if (p.phase === "rollout") msg = `loop ${p.loop + 1}/${p.loops}  rolling out the actor for ${p.total} warm starts`;
    else if (p.phase === "to") msg = `loop ${p.loop + 1}/${p.loops}  solving ${p.total} TO problems`;
    else if (p.phase === "updates") {
      const done = this.updatesBefore + this.updateLoops.slice(this.loopsBefore, p.loop).reduce((a, b) => a + b, 0) + p.done;
      this.doneUpdates = done;
      const bar = "#".repeat(Math.round((20 * p.done) / p.total)).padEnd(20, ".");
      msg = `loop ${p.loop + 1}/${p.loops} [${bar}] updates ${done}/${this.totalUpdates}  critic ${loss(p.criticLoss)}  actor ${loss(p.actorLoss)}  ETA ${fmtTime(this.eta(p.loop, p.done))}`;
    } else if (p.phase === "done" && p.metrics) {
      const m = p.metrics;
      this.updateRate = m.updates / Math.max(1e-9, m.updateSeconds) || this.updateRate;
      this.toSecondsPerLoop = m.rolloutSeconds + m.toSeconds;
      this.doneUpdates = m.totalUpdates;
      this.line(formatLoop(m, this.eta(p.loop + 1, 0), elapsed), true);
      return;
    }
    if (this.tty) this.line(msg, false);
    else if (p.phase !== "updates" || performance.now() - this.lastLine > 15000) { this.line(msg, true); }
  }

  private line(s: string, keep: boolean): void {
    this.lastLine = performance.now();
    if (this.tty) process.stderr.write(`\r\x1b[2K${s}${keep ? "\n" : ""}`);
    else process.stderr.write(`${s}\n`);
  }
}

export function formatLoop(m: LoopMetrics, eta: number, elapsed: number): string {
  return `loop ${m.loop + 1} done: ${m.totalEpisodes} TO problems (${m.failed} dropped), mean TO cost ${m.meanToCost.toFixed(4)}, ` +
    `${m.meanToIterations.toFixed(1)} it/solve, ${m.totalUpdates} updates, critic ${m.criticLoss.toExponential(2)}, ` +
    `TO ${(m.episodes / Math.max(1e-9, m.toSeconds)).toFixed(1)} problems/s, ${(m.updates / Math.max(1e-9, m.updateSeconds)).toFixed(0)} updates/s, ` +
    `elapsed ${fmtTime(elapsed)}, ETA ${fmtTime(eta)}` + (m.diagnostics ? `\n    ${formatDiagnostics(m)}` : "");
}

/** the loop's diagnostics in one line (src/cacto/diagnostics.ts) */
export function formatDiagnostics(m: LoopMetrics): string {
  const d = m.diagnostics;
  if (!d) return "";
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "-");
  const p = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(0)}%` : "-");
  return `held-out critic R^2 (before this loop's updates): V ${f(d.heldOutR2)}, V at first states ${f(d.heldOutR2First)}, V_x ${f(d.heldOutR2Vx)} (slog skill ${f(d.heldOutSlogVx)}); ` +
    `TO converged ${p(d.converged)}, stopped ${p(d.stopped)}, dropped ${p(d.dropped)}; actor saturated ${p(d.saturation)}, actor alone ${Number.isFinite(d.actorAloneCost) ? d.actorAloneCost.toFixed(1) : "-"}`;
}

/** a loss for the progress line; "pending" while none is known yet (the actor thread's first step) */
function loss(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? "pending" : v.toExponential(2);
}
