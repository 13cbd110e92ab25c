/**
 * The web app: Solve (TO from zeros vs from the actor's warm start), Train (CACTO in a Web Worker),
 * Bench (WASM SIMD vs WASM scalar vs plain TS in this browser, and the Web Worker pool).
 * Served files: index.html, assets/*.js (this bundle and the workers), build/engine-*.wasm,
 * tfjs/*.wasm, models/<system>.json.
 */
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { SYSTEMS, buildParams } from "../src/systems/specs.js";
import { P, SYSTEM_NAMES, type SystemName } from "../src/systems/layout.js";
import { plotTrajectories } from "../src/eval/svg.js";
import { CactoTrainer, type CheckpointData, type LoopMetrics, type Progress } from "../src/cacto/trainer.js";
import { preset, type CactoConfig } from "../src/cacto/presets.js";
import type { Problem, SolveOptions, SolveResult } from "../src/to/types.js";
import { asCheckpoint } from "../src/web/model.js";
import { initBrowserTf } from "../src/web/tf.js";
import { WebSolverPool } from "../src/web/pool.js";
import type { BrowserBenchRow } from "../src/web/bench.js";
import { Rng } from "../src/rng.js";
import { definedCar } from "../src/systems/defined.js";

const ROOT = new URL("../", import.meta.url);
const DIRS = { tfjs: new URL("tfjs/", ROOT).href, engine: new URL("build/", ROOT).href };
const SOLVE_SYSTEMS: SystemName[] = ["single_integrator", "double_integrator", "car", "car_park"];

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function setStatus(text: string, error = false): void {
  const s = $("status");
  s.textContent = text;
  s.className = error ? "error" : "muted";
}

// ---------------------------------------------------------------------------------------------------
// tabs and the responsiveness counter

function initTabs(): void {
  const tabs = [...document.querySelectorAll<HTMLButtonElement>("nav .tab")];
  const show = (name: string) => {
    for (const t of tabs) t.setAttribute("aria-selected", String(t.dataset.tab === name));
    for (const sec of document.querySelectorAll<HTMLElement>(".panel")) sec.hidden = sec.id !== `tab-${name}`;
    if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  };
  for (const t of tabs) t.addEventListener("click", () => show(t.dataset.tab!));
  const initial = location.hash.slice(1);
  if (tabs.some((t) => t.dataset.tab === initial)) show(initial);
}

let frames = 0;
function heartbeat(): void {
  frames++;
  if (frames % 10 === 0) $("heartbeat").textContent = `frames ${frames}`;
  requestAnimationFrame(heartbeat);
}

// ---------------------------------------------------------------------------------------------------
// engines and actors (main thread)

let engine: Engine;
const solvers = new Map<SystemName, Solver>();
function solverFor(name: SystemName): Solver {
  let s = solvers.get(name);
  if (!s) { s = new Solver(engine, name); solvers.set(name, s); }
  return s;
}

let tfReady: Promise<unknown> | null = null;
const ensureTf = () => (tfReady ??= initBrowserTf(DIRS.tfjs));

/** actors by source: the shipped model per system, and the Train tab's latest checkpoint */
const shipped = new Map<SystemName, Promise<CactoTrainer | null>>();
let trainedActor: { checkpoint: CheckpointData; trainer: Promise<CactoTrainer> } | null = null;

async function shippedActor(name: SystemName): Promise<CactoTrainer | null> {
  let p = shipped.get(name);
  if (!p) {
    p = (async () => {
      const res = await fetch(new URL(`models/${name}.json`, ROOT));
      if (!res.ok) return null;
      await ensureTf();
      return CactoTrainer.fromCheckpoint(asCheckpoint(await res.json()));
    })();
    shipped.set(name, p);
  }
  return p;
}

async function actorFor(name: SystemName, source: string): Promise<{ trainer: CactoTrainer | null; note: string }> {
  if (source === "trained") {
    const ck = train.checkpoint;
    if (!ck || ck.config.system !== name) return { trainer: null, note: `no ${name} model trained in this page yet (Train tab)` };
    if (!trainedActor || trainedActor.checkpoint !== ck) {
      await ensureTf();
      trainedActor = { checkpoint: ck, trainer: CactoTrainer.fromCheckpoint(ck) };
    }
    return { trainer: await trainedActor.trainer, note: `trained here: ${ck.loop} loop(s), ${ck.updates} updates` };
  }
  const t = await shippedActor(name);
  return t ? { trainer: t, note: `shipped model: ${t.loop} loops, ${t.updates} updates (${t.config.preset} preset, seed ${t.seed})` }
    : { trainer: null, note: `no shipped model for ${name}: train one in the Train tab` };
}

// ---------------------------------------------------------------------------------------------------
// Solve

/** the world window plotTrajectories uses when no path leaves it */
function pickerWindow(name: SystemName): { x0: number; x1: number; y0: number; y1: number; W: number; H: number } {
  const [x0, x1, y0, y1] = name === "car_park" ? [-16, 16, -5, 10] : [-16, 16, -16, 16];
  const W = 560;
  const H = Math.min(Math.max(Math.round((W * (y1 - y0)) / (x1 - x0)), 200), 900);
  return { x0, x1, y0, y1, W, H };
}

/** a full state from a clicked workspace point (other components zero) */
function stateFromPoint(name: SystemName, px: number, py: number): number[] {
  const spec = SYSTEMS[name];
  const x = new Array<number>(spec.nx).fill(0);
  const off = name === "car_park" ? buildParams(spec)[P.CP_LD] / 2 : 0; // the plotted point is the car's centre
  x[0] = +(px - off).toFixed(2);
  x[1] = +py.toFixed(2);
  return x;
}

function parseX0(name: SystemName, text: string): number[] {
  const spec = SYSTEMS[name];
  const v = text.split(/[\s,]+/).filter(Boolean).map(Number);
  if (v.some((a) => !Number.isFinite(a))) throw new RangeError(`x0: "${text}" is not a list of numbers`);
  if (v.length > spec.nx) throw new RangeError(`x0: ${v.length} values for nx = ${spec.nx} (${spec.stateNames.join(", ")})`);
  while (v.length < spec.nx) v.push(0);
  return v;
}

function drawPicker(name: SystemName, mark?: number[]): void {
  const spec = SYSTEMS[name];
  const params = buildParams(spec);
  const win = pickerWindow(name);
  let svg = plotTrajectories(spec, params, [], { title: `${spec.title}: click a start`, width: win.W });
  if (mark) {
    const [px, py] = name === "car_park" ? [mark[0] + params[P.CP_LD] / 2, mark[1]] : [mark[0], mark[1]];
    const cx = ((px - win.x0) / (win.x1 - win.x0)) * win.W, cy = win.H - ((py - win.y0) / (win.y1 - win.y0)) * win.H;
    svg = svg.replace("</svg>", `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="5" fill="none" stroke="#000" stroke-width="2"/></svg>`);
  }
  $("solve-picker").innerHTML = svg;
}

function statsHtml(rows: [string, string, string?][]): string {
  return rows.map(([k, v, attr]) => `<tr><th>${esc(k)}</th><td${attr ?? ""}>${esc(v)}</td></tr>`).join("");
}

function resultRows(r: SolveResult): [string, string, string?][] {
  return [
    ["status", r.statusName],
    ["cost", r.cost.toFixed(4), ` class="cost" data-cost="${r.cost}"`],
    ["iterations", String(r.iterations)],
    ["solve time", `${r.timeMs.toFixed(2)} ms`],
  ];
}

export interface SolveOutcome {
  system: SystemName;
  x0: number[];
  zeros: { cost: number; iterations: number; status: string; timeMs: number };
  actor: { cost: number; iterations: number; status: string; timeMs: number; rolloutMs: number } | null;
  note: string;
}

let solveSeq = 0;
async function runSolve(): Promise<SolveOutcome> {
  const seq = ++solveSeq;
  const name = ($("solve-system") as HTMLSelectElement).value as SystemName;
  const spec = SYSTEMS[name];
  const x0 = parseX0(name, ($("solve-x0") as HTMLInputElement).value);
  drawPicker(name, x0);
  const params = buildParams(spec);
  const solver = solverFor(name);
  const zeros = solver.solve({ x0 });
  $("solve-zeros").innerHTML = plotTrajectories(spec, params, [{ label: "TO from zeros", X: zeros.X, color: "#d62728" }], { title: "TO from a zero warm start", width: 560 });
  $("stats-zeros").innerHTML = statsHtml(resultRows(zeros));
  const out: SolveOutcome = {
    system: name, x0, note: "",
    zeros: { cost: zeros.cost, iterations: zeros.iterations, status: zeros.statusName, timeMs: zeros.timeMs },
    actor: null,
  };
  $("solve-actor-plot").innerHTML = "";
  $("stats-actor").innerHTML = statsHtml([["actor", "loading…"]]);
  const { trainer, note } = await actorFor(name, ($("solve-actor") as HTMLSelectElement).value);
  if (seq !== solveSeq) return out;
  $("solve-actor-note").textContent = note;
  out.note = note;
  if (!trainer) {
    $("stats-actor").innerHTML = statsHtml([["actor", note]]);
    return out;
  }
  const t0 = performance.now();
  const [roll] = trainer.actorRollout([{ x0, k0: 0 }]);
  const rolloutMs = performance.now() - t0;
  const warm = solver.solve({ x0, warmStart: { U: roll.U } });
  $("solve-actor-plot").innerHTML = plotTrajectories(spec, params, [
    { label: "actor rollout (warm start)", X: roll.X, color: "#9e9e9e" },
    { label: "TO from the actor", X: warm.X, color: "#1f77b4" },
  ], { title: "TO from the actor's warm start", width: 560 });
  $("stats-actor").innerHTML = statsHtml([...resultRows(warm), ["actor rollout", `${rolloutMs.toFixed(2)} ms`]]);
  out.actor = { cost: warm.cost, iterations: warm.iterations, status: warm.statusName, timeMs: warm.timeMs, rolloutMs };
  return out;
}

function initSolve(): void {
  const sel = $("solve-system") as HTMLSelectElement;
  sel.innerHTML = SOLVE_SYSTEMS.map((n) => `<option value="${n}">${esc(SYSTEMS[n].title)}</option>`).join("");
  const report = (p: Promise<unknown>) => p.catch((e: Error) => { $("stats-actor").innerHTML = `<tr><td class="error">${esc(e.message)}</td></tr>`; });
  sel.addEventListener("change", () => {
    const name = sel.value as SystemName;
    const spec = SYSTEMS[name];
    ($("solve-x0") as HTMLInputElement).value = spec.evalStates[1].join(",");
    ($("solve-x0") as HTMLInputElement).title = spec.stateNames.join(", ");
    report(runSolve());
  });
  $("solve-actor").addEventListener("change", () => report(runSolve()));
  $("solve-run").addEventListener("click", () => report(runSolve()));
  $("solve-x0").addEventListener("keydown", (e) => { if ((e as KeyboardEvent).key === "Enter") report(runSolve()); });
  $("solve-picker").addEventListener("click", (e) => {
    const svg = $("solve-picker").querySelector("svg");
    const ctm = svg?.getScreenCTM();
    if (!svg || !ctm) return;
    const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    const name = sel.value as SystemName;
    const w = pickerWindow(name);
    if (pt.x < 0 || pt.x > w.W || pt.y < 0 || pt.y > w.H) return;
    const px = w.x0 + (pt.x / w.W) * (w.x1 - w.x0);
    const py = w.y0 + ((w.H - pt.y) / w.H) * (w.y1 - w.y0);
    ($("solve-x0") as HTMLInputElement).value = stateFromPoint(name, px, py).join(",");
    report(runSolve());
  });
  drawPicker(sel.value as SystemName);
}

// ---------------------------------------------------------------------------------------------------
// Train

const train = {
  worker: null as Worker | null,
  checkpoint: null as CheckpointData | null,
  running: false,
};

function trainConfig(system: SystemName, kind: string): CactoConfig {
  const base = preset(system, "quick");
  if (kind === "tiny") return { ...base, episodesPerLoop: 8, updateLoops: [20, 20], batchSize: 32, workers: 0 };
  return { ...base, workers: 0 };
}

function setTrainButtons(): void {
  const ck = train.checkpoint;
  ($("train-stop") as HTMLButtonElement).disabled = !train.running;
  ($("train-resume") as HTMLButtonElement).disabled = train.running || !ck || ck.loop >= ck.config.updateLoops.length;
  ($("train-download") as HTMLButtonElement).disabled = !ck;
  ($("train-start") as HTMLButtonElement).disabled = train.running;
}

function renderLoops(metrics: LoopMetrics[]): void {
  const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toPrecision(d + 1) : String(v));
  $("train-loops").querySelector("tbody")!.innerHTML = metrics.map((m) =>
    `<tr data-loop="${m.loop}"><td>${m.loop + 1}</td><td>${m.episodes - m.failed}/${m.episodes}</td><td class="cost">${f(m.meanToCost)}</td>`
    + `<td>${f(m.meanToIterations, 2)}</td><td class="updates">${m.updates}</td><td>${f(m.criticLoss)}</td><td>${f(m.actorLoss)}</td>`
    + `<td>${(m.rolloutSeconds + m.toSeconds + m.updateSeconds).toFixed(1)}</td></tr>`).join("");
}

function progressText(p: Progress): string {
  const what = p.phase === "rollout" ? "actor rollouts" : p.phase === "to" ? "solving TO problems" : p.phase === "updates" ? `updates ${p.done}/${p.total}` : "loop done";
  const loss = p.criticLoss !== undefined ? `, critic loss ${p.criticLoss.toPrecision(3)}` : "";
  return `loop ${p.loop + 1}/${p.loops}: ${what}${loss}`;
}

function startWorker(msg: object): void {
  train.worker?.terminate();
  const w = new Worker(new URL("./train-worker.js", import.meta.url), { type: "module", name: "cacto-train" });
  train.worker = w;
  w.onmessage = (ev: MessageEvent) => {
    if (w !== train.worker) return;
    const m = ev.data;
    if (m.type === "checkpoint") {
      train.checkpoint = m.checkpoint;
      setTrainButtons();
    } else if (m.type === "progress") {
      const p = m.progress as Progress;
      const frac = (p.loop + (p.phase === "updates" || p.phase === "done" ? p.done / Math.max(1, p.total) : 0)) / p.loops;
      ($("train-progress") as HTMLProgressElement).value = frac;
      $("train-text").textContent = progressText(p);
    } else if (m.type === "loop") {
      renderLoops(m.metrics);
      ($("train-progress") as HTMLProgressElement).value = m.loop / m.loops;
      $("train-text").textContent = `${m.loop}/${m.loops} loops done` + (train.running ? "" : " (loaded)");
      $("train-text").dataset.loops = String(m.loop);
      if (m.svgs.curves) $("train-curves").innerHTML = m.svgs.curves;
      const legend = (m.svgs.legend as { x0: number[]; cost: number; status: string; color: string }[]).map((l) =>
        `<span style="color:${l.color}">(${l.x0.map((v) => +v.toFixed(2)).join(", ")}): ${l.cost.toFixed(2)}</span>`).join(" · ");
      $("train-traj").innerHTML = m.svgs.trajectories + `<p class="legend">${legend}</p>`;
      $("train-value").innerHTML = m.svgs.value;
    } else if (m.type === "done") {
      train.running = false;
      $("train-text").textContent += " — finished";
      w.terminate();
      train.worker = null;
      setTrainButtons();
    } else if (m.type === "error") {
      train.running = false;
      $("train-text").innerHTML = `<span class="error">${esc(m.message)}</span>`;
      setTrainButtons();
    }
  };
  w.onerror = (e) => {
    train.running = false;
    $("train-text").innerHTML = `<span class="error">worker error: ${esc(e.message)}</span>`;
    setTrainButtons();
  };
  w.postMessage(msg);
}

function initTrain(): void {
  const sel = $("train-system") as HTMLSelectElement;
  sel.innerHTML = SYSTEM_NAMES.map((n) => `<option value="${n}">${esc(SYSTEMS[n].title)}</option>`).join("");
  sel.value = "single_integrator";
  $("train-start").addEventListener("click", () => {
    const config = trainConfig(sel.value as SystemName, ($("train-preset") as HTMLSelectElement).value);
    const seed = Math.trunc(Number(($("train-seed") as HTMLInputElement).value) || 1);
    train.checkpoint = null;
    train.running = true;
    renderLoops([]);
    $("train-text").textContent = "starting…";
    delete $("train-text").dataset.loops;
    startWorker({ cmd: "start", config, seed, dirs: DIRS });
    setTrainButtons();
  });
  $("train-stop").addEventListener("click", () => {
    train.worker?.terminate();
    train.worker = null;
    train.running = false;
    const ck = train.checkpoint;
    $("train-text").textContent = `stopped; ${ck ? ck.loop : 0} loop(s) kept (Resume continues from there)`;
    setTrainButtons();
  });
  $("train-resume").addEventListener("click", () => {
    if (!train.checkpoint) return;
    train.running = true;
    $("train-text").textContent = `resuming after loop ${train.checkpoint.loop}…`;
    startWorker({ cmd: "resume", checkpoint: train.checkpoint, dirs: DIRS, run: true });
    setTrainButtons();
  });
  $("train-download").addEventListener("click", () => {
    const ck = train.checkpoint;
    if (!ck) return;
    const blob = new Blob([JSON.stringify(ck)], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `cacto-${ck.config.system}-loop${ck.loop}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });
  $("train-load").addEventListener("change", async () => {
    const file = ($("train-load") as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      const ck = asCheckpoint(JSON.parse(await file.text()));
      train.running = false;
      train.checkpoint = ck;
      sel.value = ck.config.system;
      renderLoops(ck.metrics);
      $("train-text").textContent = `loaded ${file.name}: ${ck.loop} loop(s)`;
      startWorker({ cmd: "resume", checkpoint: ck, dirs: DIRS, run: false });
      setTrainButtons();
    } catch (e) {
      $("train-text").innerHTML = `<span class="error">${esc(file.name)}: ${esc((e as Error).message)}</span>`;
    }
  });
  setTrainButtons();
}

// ---------------------------------------------------------------------------------------------------
// Bench

const benchRows: BrowserBenchRow[] = [];

function renderBench(): void {
  const systems = [...new Set(benchRows.map((r) => r.system))];
  const f = (v: number | undefined, d = 0) => (v === undefined ? "" : v.toFixed(d));
  $("bench-table").querySelector("tbody")!.innerHTML = systems.map((s) => {
    const get = (impl: string) => benchRows.find((r) => r.system === s && r.impl === impl);
    const a = get("wasm-simd"), b = get("wasm-scalar"), c = get("ts-reference");
    return `<tr data-system="${s}"><td>${s} (N=${SYSTEMS[s].nsteps})</td><td>${a?.iterations ?? ""}</td>`
      + `<td class="simd-its">${f(a?.iterationsPerSecond)}</td><td>${f(a?.problemsPerSecond, 1)}</td><td>${f(a?.msPerIter, 3)}</td>`
      + `<td>${f(b?.iterationsPerSecond)}</td><td>${f(b?.problemsPerSecond, 1)}</td>`
      + `<td>${f(c?.iterationsPerSecond)}</td><td>${f(c?.problemsPerSecond, 1)}</td><td>${f(c?.msPerIter, 3)}</td>`
      + `<td>${a && c ? (c.msPerIter / a.msPerIter).toFixed(1) + "x" : ""}</td></tr>`;
  }).join("");
}

function runBench(systems: SystemName[], reps: number, withRef: boolean): Promise<BrowserBenchRow[]> {
  return new Promise((resolve, reject) => {
    benchRows.length = 0;
    renderBench();
    ($("bench-run") as HTMLButtonElement).disabled = true;
    $("bench-text").textContent = "running…";
    const w = new Worker(new URL("./bench-worker.js", import.meta.url), { type: "module", name: "cacto-bench" });
    const end = () => { w.terminate(); ($("bench-run") as HTMLButtonElement).disabled = false; };
    w.onmessage = (ev: MessageEvent) => {
      const m = ev.data;
      if (m.type === "row") { benchRows.push(m.row); renderBench(); $("bench-text").textContent = `running… ${m.row.system} ${m.row.impl} done`; }
      else if (m.type === "done") { end(); $("bench-text").textContent = `done (${navigator.userAgent.match(/(Chrom\w+|Firefox|Safari)\/[\d.]+/)?.[0] ?? "this browser"})`; resolve(benchRows.slice()); }
      else if (m.type === "error") { end(); $("bench-text").innerHTML = `<span class="error">${esc(m.message)}</span>`; reject(new Error(m.message)); }
    };
    w.onerror = (e) => { end(); reject(new Error(e.message)); };
    const impls = withRef ? ["wasm-simd", "wasm-scalar", "ts-reference"] : ["wasm-simd", "wasm-scalar"];
    w.postMessage({ systems, reps, impls, engineDir: DIRS.engine });
  });
}

export interface BatchRow { workers: number; seconds: number; problemsPerSecond: number; meanIterations: number; identical: boolean }

async function runBatch(workerCounts = [1, 2], batch = 128): Promise<BatchRow[]> {
  const spec = SYSTEMS.car;
  const rng = new Rng(2024);
  const problems = Array.from({ length: batch }, () => ({ x0: spec.sampleRanges.map(([lo, hi]) => rng.uniform(lo, hi)) }));
  const seq = solverFor("car").solveBatch(problems.slice(0, 8), { maxIter: 100 });
  const rows: BatchRow[] = [];
  const tbody = $("batch-table").querySelector("tbody")!;
  tbody.innerHTML = "";
  for (const workers of workerCounts) {
    $("batch-text").textContent = `${workers} worker(s)…`;
    const pool = await WebSolverPool.create({ workers, baseUrl: DIRS.engine });
    try {
      await pool.solveBatch("car", problems.slice(0, 2 * workers), { maxIter: 100 });
      const t = performance.now();
      const res = await pool.solveBatch("car", problems, { maxIter: 100 });
      const seconds = (performance.now() - t) / 1000;
      const row = {
        workers, seconds, problemsPerSecond: batch / seconds,
        meanIterations: res.reduce((a, r) => a + r.iterations, 0) / res.length,
        identical: seq.every((r, i) => r.cost === res[i].cost),
      };
      rows.push(row);
      tbody.insertAdjacentHTML("beforeend", `<tr><td>${workers}</td><td>${seconds.toFixed(2)}</td><td>${row.problemsPerSecond.toFixed(1)}</td><td>${row.meanIterations.toFixed(1)}</td><td>${row.identical ? "yes" : "NO"}</td></tr>`);
    } finally {
      await pool.close();
    }
  }
  $("batch-text").textContent = "done";
  return rows;
}

function initBench(): void {
  $("bench-systems").innerHTML = SYSTEM_NAMES.map((n) =>
    `<label><input type="checkbox" class="bench-sys" value="${n}" ${n === "toy1d" ? "" : "checked"}> ${n}</label>`).join(" ");
  $("bench-run").addEventListener("click", () => {
    const systems = [...document.querySelectorAll<HTMLInputElement>(".bench-sys")].filter((c) => c.checked).map((c) => c.value as SystemName);
    const reps = Math.max(1, Math.trunc(Number(($("bench-reps") as HTMLInputElement).value) || 3));
    runBench(systems, reps, ($("bench-ref") as HTMLInputElement).checked).catch(() => {});
  });
  $("batch-run").addEventListener("click", () => {
    ($("batch-run") as HTMLButtonElement).disabled = true;
    runBatch().catch((e: Error) => { $("batch-text").innerHTML = `<span class="error">${esc(e.message)}</span>`; })
      .finally(() => { ($("batch-run") as HTMLButtonElement).disabled = false; });
  });
}

// ---------------------------------------------------------------------------------------------------
// automation hooks (the end-to-end test drives the page through these and through the DOM)

/** plain-data copy of results (typed arrays as number arrays) */
function plainResults(rs: SolveResult[]) {
  return rs.map((r) => ({ status: r.statusName, cost: r.cost, iterations: r.iterations, X: Array.from(r.X), U: Array.from(r.U), Vx: Array.from(r.Vx) }));
}

const app = {
  ready: null as Promise<void> | null,
  runSolve,
  runBench,
  runBatch,
  /** solveBatch on a WebSolverPool of `workers` Web Workers */
  async poolSolveBatch(system: SystemName, problems: Problem[], options?: SolveOptions, workers = 2) {
    const pool = await WebSolverPool.create({ workers, baseUrl: DIRS.engine });
    try {
      return plainResults(await pool.solveBatch(system, problems, options));
    } finally {
      await pool.close();
    }
  },
  /** a WebSolverPool of `workers` Web Workers, for the pool's fault tests (the caller closes it) */
  createPool(workers = 2) {
    return WebSolverPool.create({ workers, baseUrl: DIRS.engine });
  },
  plainResults,
  /** the same batch solved sequentially on the page's engine */
  sequentialSolveBatch(system: SystemName, problems: Problem[], options?: SolveOptions) {
    return plainResults(solverFor(system).solveBatch(problems, options));
  },
  /**
   * a user-defined system built in this page: the car through defineSystem (symbolic derivatives,
   * WASM emitted and compiled here), solved on the page's engine and on a WebSolverPool
   */
  async definedCarSolve(problems: Problem[], options?: SolveOptions, workers = 2) {
    const t0 = performance.now();
    const sys = definedCar();
    await engine.loadModel(sys.model);
    const defineMs = performance.now() - t0;
    const seq = plainResults(new Solver(engine, sys).solveBatch(problems, options));
    const pool = await WebSolverPool.create({ workers, baseUrl: DIRS.engine });
    try {
      return { seq, pool: plainResults(await pool.solveBatch(sys, problems, options)), moduleBytes: sys.model.bytes.length, defineMs };
    } finally {
      await pool.close();
    }
  },
  get checkpoint() { return train.checkpoint; },
  get crossOriginIsolated() { return globalThis.crossOriginIsolated; },
};
(globalThis as unknown as { cactoApp: typeof app }).cactoApp = app;

async function main(): Promise<void> {
  initTabs();
  requestAnimationFrame(heartbeat);
  engine = await Engine.create({ baseUrl: DIRS.engine });
  initSolve();
  initTrain();
  initBench();
  setStatus(`engine ready (WASM ${engine.flavour})`);
  await runSolve();
  setStatus(`ready: engine WASM ${engine.flavour}, tfjs wasm backend${globalThis.crossOriginIsolated ? ", cross-origin isolated" : ""}`);
  document.body.dataset.ready = "1";
}

app.ready = main().catch((e: Error) => {
  setStatus(`failed: ${e.message}`, true);
  document.body.dataset.ready = "error";
  throw e;
});
