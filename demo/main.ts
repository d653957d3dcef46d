/**
 * The demo page: on load it runs a default comparison on the browser's WebGPU adapter and shows the
 * particles beside the exact target density, with the metrics and their finite-sample floors.
 * Results are exposed as `window.midstep.results` and `<body data-state>` says idle/running/done/error.
 */
import { Engine } from '../src/engine.js';
import { evaluateSamples } from '../src/metrics/evaluate.js';
import { loadTarget } from '../src/targets/presets.js';
import type { GaussianMixture } from '../src/targets/gmm.js';

interface DemoResult {
  name: string;
  nfe: number;
  rounds: number;
  seconds: number;
  metrics: Record<string, number>;
  floor: Record<string, number>;
}

declare global {
  interface Window {
    midstep: { results: DemoResult[]; adapter: string | null };
  }
}

const DEFAULTS = { target: 'ring2d', particles: 20_000, nfe: 20, seed: 1, samplers: ['ddim', 'randomized-midpoint', 'poisson-midpoint'] };
const SIZE = 260;
const EXTENT = 3.2;

function setState(state: 'idle' | 'running' | 'done' | 'error', text: string): void {
  document.body.dataset.state = state;
  document.getElementById('status')!.textContent = text;
}

/** Draws a 2-D sample set (or the exact density when `density` is given) on a new canvas. */
function panel(title: string, draw: (ctx: CanvasRenderingContext2D) => void): void {
  const fig = document.createElement('figure');
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  canvas.dataset.title = title;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, SIZE, SIZE);
  draw(ctx);
  const cap = document.createElement('figcaption');
  cap.textContent = title;
  fig.append(canvas, cap);
  document.getElementById('panels')!.append(fig);
}

const toPx = (v: number) => ((v + EXTENT) / (2 * EXTENT)) * SIZE;

function drawSamples(ctx: CanvasRenderingContext2D, x: Float32Array): void {
  ctx.fillStyle = 'rgba(20, 60, 160, 0.25)';
  for (let i = 0; i < x.length; i += 2) ctx.fillRect(toPx(x[i]!), SIZE - toPx(x[i + 1]!), 1.5, 1.5);
}

function drawDensity(ctx: CanvasRenderingContext2D, target: GaussianMixture, t: number): void {
  const img = ctx.createImageData(SIZE, SIZE);
  const pts = new Float64Array(SIZE * SIZE * 2);
  for (let r = 0; r < SIZE; r++) for (let c = 0; c < SIZE; c++) {
    pts[2 * (r * SIZE + c)] = ((c + 0.5) / SIZE) * 2 * EXTENT - EXTENT;
    pts[2 * (r * SIZE + c) + 1] = EXTENT - ((r + 0.5) / SIZE) * 2 * EXTENT;
  }
  const logp = target.logpdf(pts, t);
  let max = -Infinity;
  for (const v of logp) max = Math.max(max, v);
  for (let i = 0; i < logp.length; i++) {
    const v = Math.exp(logp[i]! - max);
    img.data[4 * i] = 255 - 235 * v;
    img.data[4 * i + 1] = 255 - 195 * v;
    img.data[4 * i + 2] = 255 - 95 * v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

async function run(): Promise<void> {
  window.midstep = { results: [], adapter: null };
  setState('running', 'running');
  const target = loadTarget(DEFAULTS.target);
  panel(`target q_delta (${target.name})`, (ctx) => drawDensity(ctx, target, 1e-3));
  const engine = await Engine.fromNavigator();
  window.midstep.adapter = engine.adapterName;
  document.getElementById('adapter')!.textContent = engine.adapterName;
  const tbody = document.querySelector('#results tbody')!;
  for (const sampler of DEFAULTS.samplers) {
    setState('running', `running ${sampler}`);
    const r = await engine.sample({ target, sampler, nfe: DEFAULTS.nfe, particles: DEFAULTS.particles, seed: DEFAULTS.seed });
    const ev = evaluateSamples(target, r.samples!, r.particles, { t: r.delta, seed: 3, metrics: ['sw2', 'modeTV', 'histTV'] });
    const res: DemoResult = { name: sampler, nfe: r.nfe, rounds: r.rounds, seconds: r.seconds, metrics: ev.metrics, floor: ev.floor };
    window.midstep.results.push(res);
    panel(`${sampler}, nfe ${r.nfe}`, (ctx) => drawSamples(ctx, r.samples!));
    const row = document.createElement('tr');
    const f = (v: number | undefined) => (v === undefined ? '' : v.toPrecision(3));
    row.innerHTML = `<td>${sampler}</td><td>${r.nfe}</td><td>${r.rounds}</td><td>${r.seconds.toFixed(2)}</td><td>${f(ev.metrics.sw2)}</td><td>${f(ev.floor.sw2)}</td><td>${f(ev.metrics.modeTV)}</td><td>${f(ev.floor.modeTV)}</td>`;
    tbody.append(row);
  }
  setState('done', 'done');
}

run().catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  document.getElementById('error')!.textContent = msg.includes('navigator.gpu')
    ? `${msg}\nEnable WebGPU: use Chrome or Edge 113+, or start Chromium with --enable-unsafe-webgpu.`
    : msg;
  setState('error', 'error');
});
