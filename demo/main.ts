/**
 * The demo page. On load it runs the default comparison (ring2d, 20,000 particles, ddim /
 * randomized-midpoint / poisson-midpoint at nfe 20) on the browser's WebGPU adapter, then an
 * error-against-nfe sweep with fewer particles. Without WebGPU it says so and runs the float64 CPU
 * reference on small runs.
 *
 * The score-model targets (MNIST with its exact empirical score, the two-moons MLP, the banana
 * user-WGSL score; demo/score-targets.ts) have no analytic density: their samples are shown as a
 * grid of digits or as particles over reference points, with the distance to the nearest training
 * digit or the sliced W2 to the reference points in place of the floor metrics.
 *
 * For tests and scripts: `<body data-state>` is idle | running | done | error | cancelled, and
 * `window.midstep` holds the results (per sampler: name, nfe, rounds, seconds, metrics, floor).
 */
import { Engine } from '../src/engine.js';
import { CancelledError, MidstepError } from '../src/errors.js';
import type { MetricName } from '../src/metrics/evaluate.js';
import { slicedW2 } from '../src/metrics/sliced-w2.js';
import type { GaussianMixture } from '../src/targets/gmm.js';
import { cpuBackend, gpuBackend, type Backend, type RunOutput } from './backends.js';
import { CpuWorker } from './cpu-client.js';
import { Controls, type DemoSettings } from './controls.js';
import { combineSvgs, download, downloadNpy, svgToPng } from './downloads.js';
import {
  densityFigure, drawDensity, drawParticles, errorChart, firstTwoMarginal, histogram1d, SAMPLER_COLORS, targetExtent,
  type ErrorPoint, type Extent, type FloorBand,
} from './plots.js';
import { loadScoreTarget } from './score-targets.js';
import { digitCanvas, drawDigits, median, nearestDistances } from './score-view.js';

/** One sampler's result, as `window.midstep.results` exposes it. */
export interface DemoResult {
  name: string;
  options: Record<string, number | string>;
  nfe: number;
  rounds: number;
  /** Wall time of the run (planning to readback). */
  seconds: number;
  particles: number;
  /** Particles the metrics were computed on (the first ones, at most EVAL_MAX). */
  evaluated: number;
  backend: 'webgpu' | 'cpu';
  metrics: Record<string, number>;
  floor: Record<string, number>;
}

/** A point of the error-against-nfe sweep. */
export interface SweepPoint {
  name: string;
  nfe: number;
  rounds: number;
  seconds: number;
  particles: number;
  metrics: Record<string, number>;
}

/** What the page exposes. */
export interface DemoState {
  state: string;
  adapter: string | null;
  backend: 'webgpu' | 'cpu' | null;
  /** Why WebGPU is not used, when it is not. */
  noWebGPU: string | null;
  settings: { target: string; dim: number; nfe: number; particles: number; seed: number; samplers: string[]; sweep: DemoSettings['sweep'] } | null;
  /** For a score-model target: its reference points (training digits, training data or exact draws) and delta. */
  reference: { name: string; points: number; delta: number } | null;
  results: DemoResult[];
  sweep: SweepPoint[];
  /** The sweep's floor per metric (mean and range over exact draws). */
  sweepFloor: Record<string, FloorBand>;
  /** Total seconds of the last run (main comparison and sweep). */
  seconds: number | null;
}

declare global {
  interface Window {
    midstep: DemoState;
  }
}

/** Metrics are computed on at most this many particles (the first ones; the samples are i.i.d.). */
const EVAL_MAX = 20_000;
/** Seed of the metrics' own randomness: 0, as `midstep eval` uses by default. */
const METRIC_SEED = 0;
/** The particles kept per replay frame: all of them up to 20,000 in 2-D, fewer in high dimension. */
const snapshotCount = (particles: number, dim: number) => Math.min(particles, Math.max(1000, Math.floor(400_000 / dim)));

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (v: number | undefined) => (v === undefined ? '' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toPrecision(3));

window.midstep = { state: 'idle', adapter: null, backend: null, noWebGPU: null, settings: null, reference: null, results: [], sweep: [], sweepFloor: {}, seconds: null };

const worker = new CpuWorker();
const controls = new Controls(showError);
const samples = new Map<string, RunOutput>();
const floorCache = new Map<string, Promise<Record<string, number[]>>>();
let backend: Backend | null = null;
let running: AbortController | null = null;
interface ReplayPanel {
  name: string;
  out: RunOutput;
  /** A density canvas (2-D particles), or null when `redraw` draws the frame (1-D histogram, digit grid). */
  canvas: HTMLCanvasElement | null;
  redraw: ((x: Float32Array, n: number) => void) | null;
}
let replay: { panels: ReplayPanel[]; max: number; extent: Extent; dim: number } | null = null;
let chartSvgs: SVGSVGElement[] = [];

function setState(state: 'idle' | 'running' | 'done' | 'error' | 'cancelled', text: string): void {
  document.body.dataset.state = state;
  window.midstep.state = state;
  $('status').textContent = text;
}

function showError(message: string): void {
  const el = $('error');
  el.textContent = message;
  el.hidden = false;
}

/** The metrics shown for a target of dimension d. */
const metricsFor = (d: number): MetricName[] => (d <= 2 ? ['sw2', 'modeTV', 'histTV'] : ['sw2', 'modeTV']);

/** The finite-sample floor (metric values of `draws` exact sample sets of size n), cached per target and n. */
function floorDraws(target: GaussianMixture, n: number, t: number, signal: AbortSignal): Promise<Record<string, number[]>> {
  const key = `${JSON.stringify(target.toJSON())}|${n}|${t}`;
  let p = floorCache.get(key);
  if (!p) {
    p = worker.floor(target, n, t, METRIC_SEED, metricsFor(target.dim), 5, signal).then((r) => r.values);
    floorCache.set(key, p);
    p.catch(() => floorCache.delete(key));
  }
  return p;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Picks the backend: WebGPU unless it is missing (or `?webgpu=off`), then the CPU fallback. */
async function chooseBackend(): Promise<Backend> {
  const forcedOff = new URLSearchParams(location.search).get('webgpu') === 'off';
  let reason: string;
  if (forcedOff) reason = 'WebGPU is turned off by ?webgpu=off in the address.';
  else if (!('gpu' in navigator) || !navigator.gpu) reason = 'WebGPU is missing: this browser has no navigator.gpu.';
  else {
    try {
      return gpuBackend(await Engine.fromNavigator());
    } catch (e) {
      reason = `WebGPU is missing: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  window.midstep.noWebGPU = reason;
  const note = $('nogpu');
  note.hidden = false;
  note.textContent =
    `${reason}\nRunning on the float64 CPU reference instead (the same samplers and random numbers, one particle at a time): ` +
    `small runs only, at most 50,000 particles (with the replay).\n` +
    `To enable WebGPU: use a current Chrome or Edge (113+) on Windows, macOS or ChromeOS, Safari 26+, or Firefox 141+ on Windows. ` +
    `On Linux start Chrome with --enable-unsafe-webgpu --enable-features=Vulkan (or turn on chrome://flags/#enable-unsafe-webgpu). ` +
    `Without a GPU, Chromium runs WebGPU on SwiftShader: chromium --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader. ` +
    `Check chrome://gpu for "WebGPU: Hardware accelerated".`;
  controls.useCpuDefaults();
  return cpuBackend(worker);
}

function tableRow(r: DemoResult, color: string, d: number): HTMLTableRowElement {
  const row = document.createElement('tr');
  row.dataset.sampler = r.name;
  const cells = [r.nfe, r.rounds, r.seconds.toFixed(2), r.particles.toLocaleString('en-US'), fmt(r.metrics.sw2), fmt(r.floor.sw2), fmt(r.metrics.modeTV), fmt(r.floor.modeTV), fmt(r.metrics.histTV), fmt(r.floor.histTV)];
  row.innerHTML = `<td><span class="swatch" style="background:${color}"></span>${r.name}</td>` + cells.map((c) => `<td>${typeof c === 'number' ? Number(c.toFixed(3)) : c}</td>`).join('');
  row.append(npyCell(r, d));
  return row;
}

/** A table cell with the button that downloads a result's particles as .npy. */
function npyCell(r: DemoResult, d: number): HTMLTableCellElement {
  const td = document.createElement('td');
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = '.npy';
  b.className = 'dl-npy';
  b.title = `the ${r.particles} particles as a float32 (${r.particles}, ${d}) .npy`;
  b.addEventListener('click', () => {
    const s = window.midstep.settings!;
    downloadNpy(`${r.name}-${s.target}-nfe${s.nfe}-seed${s.seed}.npy`, samples.get(r.name)!.samples, r.particles, d);
  });
  td.append(b);
  return td;
}

/** Digits shown (and snapshot, and measured) per sampler for MNIST. */
const DIGIT_CELLS = 64;

/** Runs the chosen samplers on a score-model target: digit grids or particles over the reference points. */
async function runScoreTarget(s: DemoSettings, signal: AbortSignal): Promise<ReplayPanel[]> {
  const m = window.midstep, panels = $('panels'), progress = $<HTMLProgressElement>('progress');
  setState('running', `loading ${s.score}`);
  const st = await loadScoreTarget(s.score!, s.digits);
  const d = st.dim, ref = st.data;
  m.reference = { name: ref.name, points: ref.n, delta: st.delta };
  const cells = Math.min(s.particles, DIGIT_CELLS);
  if (st.view === 'digits') {
    // training digits evenly spread over the (class-ordered) data: every class shows
    const k = Math.min(cells, ref.n), shown = new Float32Array(k * d);
    for (let i = 0; i < k; i++) shown.set(ref.points.subarray(Math.floor((i * ref.n) / k) * d, (Math.floor((i * ref.n) / k) + 1) * d), i * d);
    const c = digitCanvas(`training digits (${k} of ${ref.n.toLocaleString('en-US')})`, k);
    drawDigits(c, shown, k);
    panels.append(figureOf(c));
  } else {
    const { figure, canvas } = densityFigure(st.dataLabel, st.extent);
    drawParticles(canvas, Float32Array.from(ref.points), ref.n, 2, st.extent);
    panels.append(figure);
  }
  const rp: ReplayPanel[] = [];
  const tbody = document.querySelector('#score-results tbody')!;
  for (const [i, spec] of s.samplers.entries()) {
    setState('running', `running ${spec.name} (${i + 1} of ${s.samplers.length}) on ${s.score}, ${s.particles.toLocaleString('en-US')} particles`);
    progress.value = 0;
    const out = await backend!.run(
      { target: st.model, delta: st.delta, sampler: spec.name, options: spec.options, nfe: s.nfe, particles: s.particles, seed: s.seed, snapshotParticles: st.view === 'digits' ? cells : snapshotCount(s.particles, d) },
      signal, (f) => (progress.value = f),
    );
    samples.set(spec.name, out);
    const title = `${spec.name}, nfe ${Number(out.nfe.toFixed(2))}, ${out.rounds} rounds`;
    let metrics: Record<string, number>, text: string;
    if (st.view === 'digits') {
      const c = digitCanvas(title, cells);
      drawDigits(c, out.samples, cells);
      panels.append(figureOf(c));
      rp.push({ name: spec.name, out, canvas: null, redraw: (x, n) => drawDigits(c, x, n) });
      setState('running', `nearest training digits of ${spec.name}`);
      const dist = nearestDistances(ref, out.samples, cells), noise = Math.sqrt(-Math.expm1(-2 * st.delta) * d);
      metrics = { nearestMedian: median(dist), nearestMax: Math.max(...dist), noise };
      c.dataset.nearest = JSON.stringify(dist.map((v) => Number(v.toFixed(4))));
      text = `distance to the nearest training digit (first ${cells}): median ${fmt(metrics.nearestMedian)}, max ${fmt(metrics.nearestMax)}; noise level sigma sqrt(d) = ${fmt(noise)}`;
    } else {
      const { figure, canvas } = densityFigure(title, st.extent);
      drawParticles(canvas, out.samples, s.particles, 2, st.extent);
      panels.append(figure);
      rp.push({ name: spec.name, out, canvas, redraw: null });
      const n = Math.min(s.particles, EVAL_MAX);
      metrics = { sw2Reference: slicedW2(out.samples, n, 2, ref.points, ref.n, { seed: METRIC_SEED }) };
      text = `sliced W2 to the ${ref.n.toLocaleString('en-US')} reference points (first ${n.toLocaleString('en-US')} particles): ${fmt(metrics.sw2Reference)}`;
    }
    const res: DemoResult = { name: spec.name, options: spec.options, nfe: out.nfe, rounds: out.rounds, seconds: out.seconds, particles: s.particles, evaluated: st.view === 'digits' ? cells : Math.min(s.particles, EVAL_MAX), backend: backend!.kind, metrics, floor: {} };
    m.results.push(res);
    const row = document.createElement('tr');
    row.dataset.sampler = spec.name;
    row.innerHTML = `<td><span class="swatch" style="background:${SAMPLER_COLORS[i % SAMPLER_COLORS.length]}"></span>${spec.name}</td>` +
      [Number(out.nfe.toFixed(3)), out.rounds, out.seconds.toFixed(2), s.particles.toLocaleString('en-US')].map((c) => `<td>${c}</td>`).join('') + `<td class="measure">${text}</td>`;
    row.append(npyCell(res, d));
    tbody.append(row);
  }
  replay = { panels: rp, max: Math.max(...rp.map((p) => p.out.rounds)), extent: st.extent, dim: d };
  return rp;
}

/** A figure around a digit-grid canvas, captioned with its title. */
function figureOf(c: HTMLCanvasElement): HTMLElement {
  const f = document.createElement('figure'), cap = document.createElement('figcaption');
  cap.textContent = c.dataset.title!;
  f.append(c, cap);
  return f;
}

/** Draws replay frame `round` (or the final samples) in every panel. */
function showRound(round: number): void {
  if (!replay) return;
  for (const p of replay.panels) {
    const frames = p.out.snapshots?.frames ?? [];
    let x = p.out.samples, n = p.out.samples.length / replay.dim;
    if (round < p.out.rounds && frames.length) {
      const f = [...frames].reverse().find((fr) => fr.roundsDone <= round) ?? frames[0]!;
      x = f.x;
      n = f.x.length / replay.dim;
    }
    if (p.canvas) drawParticles(p.canvas, x, n, replay.dim, replay.extent);
    else p.redraw?.(x, n);
  }
  $('replay-label').textContent = round >= replay.max ? `round ${replay.max} of ${replay.max} (final samples)` : `round ${round} of ${replay.max} (first ${replay.panels[0]?.out.snapshots?.particles.toLocaleString('en-US')} particles)`;
}

let playTimer: ReturnType<typeof setInterval> | null = null;
function play(): void {
  const slider = $<HTMLInputElement>('replay');
  if (playTimer) clearInterval(playTimer);
  let r = Number(slider.value) >= Number(slider.max) ? 0 : Number(slider.value);
  playTimer = setInterval(() => {
    slider.value = String(r);
    showRound(r);
    if (++r > Number(slider.max)) {
      clearInterval(playTimer!);
      playTimer = null;
    }
  }, Math.max(40, Math.min(250, 4000 / Math.max(1, Number(slider.max)))));
}

function drawCharts(s: DemoSettings): void {
  const box = $('charts');
  box.replaceChildren();
  const names = s.samplers.map((x) => x.name);
  const nfes = s.sweep!.nfes;
  const pts = (m: string): ErrorPoint[] => window.midstep.sweep.filter((p) => Number.isFinite(p.metrics[m])).map((p) => ({ sampler: p.name, nfe: p.nfe, value: p.metrics[m]! }));
  chartSvgs = [
    errorChart('sliced W2 vs q_delta', pts('sw2'), window.midstep.sweepFloor.sw2 ?? null, names, nfes, true),
    errorChart('mode-weight TV', pts('modeTV'), window.midstep.sweepFloor.modeTV ?? null, names, nfes, false),
  ];
  box.append(...chartSvgs);
}

/** Sets up the replay slider for the finished runs (in `replay`) and enables the metrics download. */
function finishReplay(): void {
  const maxRounds = replay!.max;
  const slider = $<HTMLInputElement>('replay');
  slider.max = String(maxRounds);
  slider.value = String(maxRounds);
  const canReplay = replay!.panels.some((p) => p.out.snapshots);
  slider.disabled = $<HTMLButtonElement>('play').disabled = !canReplay;
  $('replay-label').textContent = canReplay ? `round ${maxRounds} of ${maxRounds} (final samples)` : 'replay: needs WebGPU (snapshots)';
  $<HTMLButtonElement>('dl-json').disabled = false;
}

/** Runs the chosen samplers, then the sweep. */
async function runAll(): Promise<void> {
  if (!backend) return;
  $('error').hidden = true;
  let s: DemoSettings;
  try {
    s = controls.read();
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
    setState('error', 'error: check the controls');
    return;
  }
  const ac = new AbortController();
  running = ac;
  controls.setRunning(true);
  const started = performance.now();
  const m = window.midstep;
  m.settings = { target: s.target?.name ?? s.score!, dim: s.target?.dim ?? controls.dim(), nfe: s.nfe, particles: s.particles, seed: s.seed, samplers: s.samplers.map((x) => x.name), sweep: s.sweep };
  m.results = [];
  m.sweep = [];
  m.sweepFloor = {};
  m.seconds = null;
  m.reference = null;
  samples.clear();
  replay = null;
  chartSvgs = [];
  for (const id of ['dl-svg', 'dl-png', 'dl-json', 'play', 'replay']) $<HTMLButtonElement>(id).disabled = true;
  $('replay-label').textContent = 'replay: after the run';
  $('charts').replaceChildren();
  $('sweep-info').textContent = '';
  document.querySelector('#results tbody')!.replaceChildren();
  document.querySelector('#score-results tbody')!.replaceChildren();
  $('results').hidden = !!s.score;
  $('score-results').hidden = !s.score;
  $('panels-title').textContent = s.score === 'mnist' ? 'Sampled digits at delta beside training digits' : s.score ? 'Particles at delta beside the reference points' : 'Particles at delta beside the exact target density';
  $('metrics-info').textContent = s.score
    ? 'against the data: no analytic density, so no floor; the sweep needs a mixture target'
    : 'against q_delta, each beside its finite-sample floor (the same metric on exact samples of the same size)';
  const panels = $('panels');
  panels.replaceChildren();
  const progress = $<HTMLProgressElement>('progress');
  try {
    setState('running', 'running');
    if (s.score) {
      await runScoreTarget(s, ac.signal);
      finishReplay();
      m.seconds = (performance.now() - started) / 1000;
      progress.value = 1;
      setState('done', `done in ${m.seconds.toFixed(1)} s`);
      return;
    }
    const target = s.target!, d = target.dim, t = 1e-3;
    const extent = targetExtent(target);
    const t2 = firstTwoMarginal(target);
    const panelOf = (title: string, x: Float32Array | null, n: number) => {
      if (d === 1) {
        const holder = document.createElement('div');
        const redraw = (xx: Float32Array | null, nn: number) => holder.replaceChildren(histogram1d(title, target, t, extent, xx, nn));
        redraw(x, n);
        panels.append(holder);
        return { canvas: null, redraw };
      }
      const { figure, canvas } = densityFigure(title, extent);
      panels.append(figure);
      if (x) drawParticles(canvas, x, n, d, extent);
      else drawDensity(canvas, t2, t, extent);
      return { canvas, redraw: null };
    };
    panelOf(`exact target q_delta (${target.name}${d > 2 ? ', x1-x2 marginal' : ''})`, null, 0);
    const evalN = Math.min(s.particles, EVAL_MAX);
    const floorMain = floorDraws(target, evalN, t, ac.signal);
    const rp: ReplayPanel[] = [];
    const tbody = document.querySelector('#results tbody')!;
    for (const [i, spec] of s.samplers.entries()) {
      const label = `${spec.name} (${i + 1} of ${s.samplers.length}), ${s.particles.toLocaleString('en-US')} particles`;
      setState('running', `running ${label}`);
      progress.value = 0;
      const out = await backend.run(
        { target, sampler: spec.name, options: spec.options, nfe: s.nfe, particles: s.particles, seed: s.seed, snapshotParticles: snapshotCount(s.particles, d) },
        ac.signal, (f) => (progress.value = f),
      );
      samples.set(spec.name, out);
      const p = panelOf(`${spec.name}, nfe ${Number(out.nfe.toFixed(2))}, ${out.rounds} rounds`, out.samples, s.particles);
      rp.push({ name: spec.name, out, ...p });
      setState('running', `evaluating ${spec.name}`);
      const [ev, fl] = await Promise.all([worker.evaluate(target, out.samples.subarray(0, evalN * d), evalN, t, METRIC_SEED, metricsFor(d), 0, ac.signal), floorMain]);
      const floor = Object.fromEntries(Object.entries(fl).map(([k, v]) => [k, mean(v)]));
      const res: DemoResult = { name: spec.name, options: spec.options, nfe: out.nfe, rounds: out.rounds, seconds: out.seconds, particles: s.particles, evaluated: evalN, backend: backend.kind, metrics: ev.metrics, floor };
      m.results.push(res);
      tbody.append(tableRow(res, SAMPLER_COLORS[i % SAMPLER_COLORS.length]!, d));
    }
    replay = { panels: rp, max: Math.max(...rp.map((p) => p.out.rounds)), extent, dim: d };
    finishReplay();

    if (s.sweep) {
      const sw = s.sweep;
      $('sweep-info').textContent = `${sw.particles.toLocaleString('en-US')} particles, seed ${s.seed}; grey band: the floor (range over 5 exact sample sets, dashed: mean)`;
      const fl = await floorDraws(target, sw.particles, t, ac.signal);
      for (const [k, v] of Object.entries(fl)) m.sweepFloor[k] = { mean: mean(v), lo: Math.min(...v), hi: Math.max(...v) };
      drawCharts(s);
      for (const nfe of sw.nfes) {
        for (const spec of s.samplers) {
          setState('running', `sweep: ${spec.name} at nfe ${nfe}, ${sw.particles.toLocaleString('en-US')} particles`);
          progress.value = 0;
          let out: RunOutput;
          try {
            out = await backend.run({ target, sampler: spec.name, options: spec.options, nfe, particles: sw.particles, seed: s.seed }, ac.signal, (f) => (progress.value = f));
          } catch (e) {
            // a budget below a sampler's minimum (e.g. parallel-midpoint) is skipped, not fatal
            if (e instanceof MidstepError && /^nfe:/.test(e.message)) continue;
            throw e;
          }
          const ev = await worker.evaluate(target, out.samples, sw.particles, t, METRIC_SEED, metricsFor(d), 0, ac.signal);
          m.sweep.push({ name: spec.name, nfe: out.nfe, rounds: out.rounds, seconds: out.seconds, particles: sw.particles, metrics: ev.metrics });
          drawCharts(s);
        }
      }
      $<HTMLButtonElement>('dl-svg').disabled = $<HTMLButtonElement>('dl-png').disabled = false;
    }
    m.seconds = (performance.now() - started) / 1000;
    progress.value = 1;
    setState('done', `done in ${m.seconds.toFixed(1)} s`);
  } catch (e) {
    if (e instanceof CancelledError || ac.signal.aborted) {
      setState('cancelled', 'cancelled');
    } else {
      console.error(e);
      showError(`${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      setState('error', 'error');
    }
  } finally {
    running = null;
    controls.setRunning(false);
  }
}

$('controls').addEventListener('submit', (e) => {
  e.preventDefault();
  if (!running) void runAll();
});
$('cancel').addEventListener('click', () => running?.abort());
$('replay').addEventListener('input', (e) => showRound(Number((e.target as HTMLInputElement).value)));
$('play').addEventListener('click', play);
$('dl-json').addEventListener('click', () => {
  const { state: _s, ...rest } = window.midstep;
  download('midstep-metrics.json', JSON.stringify({ ...rest, page: location.href, date: new Date().toISOString() }, null, 2), 'application/json');
});
$('dl-svg').addEventListener('click', () => download('midstep-error-vs-nfe.svg', combineSvgs(chartSvgs), 'image/svg+xml'));
$('dl-png').addEventListener('click', async () => download('midstep-error-vs-nfe.png', await svgToPng(combineSvgs(chartSvgs)), 'image/png'));

async function start(): Promise<void> {
  setState('running', 'looking for a WebGPU adapter');
  backend = await chooseBackend();
  window.midstep.adapter = backend.adapter;
  window.midstep.backend = backend.kind;
  $('adapter').textContent = backend.adapter;
  const limit = () => {
    const dim = controls.dim(), max = backend!.maxParticles(dim);
    controls.setParticleLimit(max, backend!.kind === 'webgpu' ? `up to ${max.toLocaleString('en-US')} here (d = ${dim}); metrics use the first ${EVAL_MAX.toLocaleString('en-US')}` : `CPU fallback: up to ${max.toLocaleString('en-US')}`);
  };
  limit();
  $('target').addEventListener('change', limit);
  await runAll();
}

start().catch((e: unknown) => {
  showError(e instanceof Error ? e.message : String(e));
  setState('error', 'error');
});
