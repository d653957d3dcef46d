/**
 * Issue-3 benchmark: randomized-midpoint and parallel-midpoint beside ddim, dpmpp-2m and heun on
 * Gaussian-mixture targets with exact scores, run by the WebGPU engine.
 *
 * Part A: error (sliced-W2 and mode-weight TV, each beside its finite-sample floor) against nfe and
 *         against sequential rounds, d in {2, 16, 64, 256, 1024}.
 * Part B: dimension scaling: the nfe each sampler needs to bring radiusW2 (W2 of whitened radii, a
 *         statistic that adds up error over coordinates) within 1.5x its floor, on a 2-component
 *         isotropic mixture with d = 4 .. 1024, and the fitted log-log slope beside the theory
 *         (d^{5/12} = 0.42 for randomized midpoint, d^{1/2} before it).
 *
 * Part C: the parallel goal: sliced-W2 within 1.5x its floor on a 128-D mixture in at most 8 rounds.
 * Part D: the sequential samplers on the part-C target with more rounds (how many rounds they need).
 * Part E: mode weights (modeTV) on the part-C target for the best configurations.
 *
 *   npx tsx bench/midpoint.ts --part A [--backend cpu]   # one part; writes bench/results/midpoint-part-A.json
 *   npx tsx bench/midpoint.ts --report                   # combines the parts: midpoint.{json,md} and midpoint-*.svg
 *   npx tsx bench/midpoint.ts --quick --part C           # a smaller smoke run (midpoint-quick-*, not committed)
 *
 * `--backend cpu` runs the float64 CPU reference (`sampleReference`) instead of the WebGPU engine: on
 * SwiftShader (no GPU) it is several times faster, and the kernels equal it to f32 tolerance
 * (test/randomized-midpoint.test.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/engine.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';
import { evaluateSamples } from '../src/metrics/evaluate.js';
import { sampleReference } from '../src/reference.js';
import { Philox } from '../src/rng/philox.js';
import type { GaussianMixture } from '../src/targets/gmm.js';
import { loadTarget } from '../src/targets/presets.js';
import { logLogPlot, type Series } from './svg-plot.js';

const QUICK = process.argv.includes('--quick');
const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const PART = arg('--part');
const BACKEND = arg('--backend') ?? 'gpu';
const REPORT = process.argv.includes('--report');
const OUT = join(dirname(fileURLToPath(import.meta.url)), 'results');
const SEED = 1;

interface Config {
  label: string;
  sampler: string;
  options?: Record<string, number | string>;
  /** nfe budgets; for parallel-midpoint, multiples of its window cost. */
  nfes: number[];
}

const window = (R: number, K: number, free = false) => (free ? 0 : 1) + R * (K + 1);
const NFE = QUICK ? [10, 40] : [10, 20, 50];
/** The Gaussian-reference variant: residual against the flow of N(0, I) (unit-variance data assumed, not tuned per target), no start evaluation. */
const GREF = { 'ref-variance': 1, start: 'free' } as const;
const CONFIGS: Config[] = [
  { label: 'ddim', sampler: 'ddim', nfes: NFE },
  { label: 'dpmpp-2m', sampler: 'dpmpp-2m', nfes: NFE },
  { label: 'heun', sampler: 'heun', nfes: NFE },
  { label: 'randomized-midpoint (x0)', sampler: 'randomized-midpoint', nfes: NFE },
  { label: 'randomized-midpoint (score)', sampler: 'randomized-midpoint', options: { form: 'score' }, nfes: NFE },
  { label: 'parallel-midpoint R=8 K=2', sampler: 'parallel-midpoint', options: { width: 8, picard: 2 }, nfes: [1, 2].map((w) => w * window(8, 2)) },
  { label: 'parallel-midpoint R=16 K=1', sampler: 'parallel-midpoint', options: { width: 16, picard: 1 }, nfes: [1, 2].map((w) => w * window(16, 1)) },
  { label: 'parallel-midpoint R=16 K=2 gauss-ref c=1', sampler: 'parallel-midpoint', options: { width: 16, picard: 2, ...GREF }, nfes: [1, 2].map((w) => w * window(16, 2, true)) },
];

/** An isotropic mixture in dimension d with K components (deterministic). */
function isoMixture(d: number, K: number, seed: number): GaussianMixture {
  const rng = new Philox(seed);
  const means = Array.from({ length: K }, (_, k) => {
    const v = Array.from({ length: d }, (_, j) => rng.normal(k, 0, 9, j));
    const norm = Math.hypot(...v);
    return v.map((x) => (3 * x) / norm);
  });
  const weights = Array.from({ length: K }, (_, k) => 1 + k);
  const scales = Array.from({ length: K }, (_, k) => 0.4 + (0.6 * k) / Math.max(1, K - 1));
  return loadTarget({ kind: 'gmm', name: `iso${d}-k${K}`, dim: d, weights, means, scales });
}

const TARGETS: { target: GaussianMixture; particles: number }[] = QUICK
  ? [{ target: loadTarget('ring2d'), particles: 5000 }]
  : [
      { target: loadTarget('ring2d'), particles: 4000 },
      { target: loadTarget('aniso16'), particles: 2000 },
      { target: loadTarget('gmm64'), particles: 2000 },
      { target: isoMixture(256, 4, 256), particles: 1000 },
      { target: isoMixture(1024, 2, 1024), particles: 500 },
    ];

/** One sampling run on the chosen backend. */
type Runner = (req: { target: GaussianMixture; sampler: string; nfe: number; particles: number; seed: number; options?: Record<string, number | string> }) =>
  Promise<{ samples: Float32Array | Float64Array | null; nfe: number; rounds: number; delta: number; seconds: number }>;

interface Point { label: string; target: string; dim: number; particles: number; nfe: number; rounds: number; seconds: number; sw2: number; sw2Floor: number; modeTV: number; modeTVFloor: number }

async function partA(run: Runner, save: (data: unknown) => void): Promise<Point[]> {
  const points: Point[] = [];
  for (const { target, particles } of TARGETS) {
    for (const c of CONFIGS) {
      for (const nfe of c.nfes) {
        const r = await run({ target, sampler: c.sampler, nfe, particles, seed: SEED, options: c.options });
        const ev = evaluateSamples(target, r.samples!, particles, { t: r.delta, seed: 3, metrics: ['sw2', 'modeTV'], floorDraws: 3 });
        const p = { label: c.label, target: target.name, dim: target.dim, particles, nfe: r.nfe, rounds: r.rounds, seconds: r.seconds, sw2: ev.metrics.sw2!, sw2Floor: ev.floor.sw2!, modeTV: ev.metrics.modeTV!, modeTVFloor: ev.floor.modeTV! };
        points.push(p);
        save(points);
        console.log(`${target.name} ${c.label} nfe ${p.nfe} rounds ${p.rounds}: sw2 ${p.sw2.toPrecision(3)} (floor ${p.sw2Floor.toPrecision(3)}) modeTV ${p.modeTV.toPrecision(3)} [${r.seconds.toFixed(1)} s]`);
      }
    }
  }
  return points;
}

interface Scaling { label: string; dim: number; nfeAtThreshold: number | null; ladder: { nfe: number; rounds: number; ratio: number }[] }

const SCALING_DIMS = QUICK ? [4, 16] : [4, 16, 64, 256, 1024];
const SCALING_CONFIGS: Config[] = [
  { label: 'ddim', sampler: 'ddim', nfes: [4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768] },
  { label: 'dpmpp-2m', sampler: 'dpmpp-2m', nfes: [3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384] },
  { label: 'randomized-midpoint (x0)', sampler: 'randomized-midpoint', nfes: [4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384] },
  { label: 'parallel-midpoint R=4 K=1', sampler: 'parallel-midpoint', options: { width: 4, picard: 1 }, nfes: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48].map((w) => w * window(4, 1)) },
  { label: 'parallel-midpoint R=4 K=1 gauss-ref c=1', sampler: 'parallel-midpoint', options: { width: 4, picard: 1, ...GREF }, nfes: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48].map((w) => w * window(4, 1, true)) },
];
const THRESHOLD = 1.5;

/** A 2-component isotropic mixture, unequal weights and widths, means at +-2 along the diagonal. */
function twoModes(d: number): GaussianMixture {
  const e = Array.from({ length: d }, () => 2 / Math.sqrt(d));
  return loadTarget({ kind: 'gmm', name: `two-modes-${d}`, dim: d, weights: [0.4, 0.6], means: [e, e.map((x) => -x)], scales: [0.5, 1] });
}

async function partB(run: Runner, save: (data: unknown) => void): Promise<Scaling[]> {
  const out: Scaling[] = [];
  const P = QUICK ? 500 : 1000;
  for (const d of SCALING_DIMS) {
    const target = twoModes(d);
    for (const c of SCALING_CONFIGS) {
      const ladder: Scaling['ladder'] = [];
      let found: number | null = null;
      for (const nfe of c.nfes) {
        const r = await run({ target, sampler: c.sampler, nfe, particles: P, seed: SEED, options: c.options });
        const ev = evaluateSamples(target, r.samples!, P, { t: r.delta, seed: 5, metrics: ['radiusW2'], floorDraws: 5 });
        const ratio = ev.metrics.radiusW2! / ev.floor.radiusW2!;
        ladder.push({ nfe: r.nfe, rounds: r.rounds, ratio });
        if (ratio <= THRESHOLD) {
          // log-log interpolation between the last two budgets
          const prev = ladder.at(-2);
          found = prev && prev.ratio > THRESHOLD
            ? Math.exp(Math.log(prev.nfe) + ((Math.log(prev.ratio) - Math.log(THRESHOLD)) / (Math.log(prev.ratio) - Math.log(ratio))) * (Math.log(r.nfe) - Math.log(prev.nfe)))
            : r.nfe;
          break;
        }
      }
      out.push({ label: c.label, dim: d, nfeAtThreshold: found, ladder });
      save(out);
      console.log(`d = ${d} ${c.label}: nfe to ${THRESHOLD}x floor = ${found?.toFixed(1) ?? 'not reached'} (${ladder.map((l) => `${l.nfe}:${l.ratio.toFixed(2)}`).join(' ')})`);
    }
  }
  return out;
}

interface RoundsPoint { label: string; nfe: number; rounds: number; sw2: number; sw2Floor: number; ratio: number; modeTV?: number; modeTVFloor?: number }

/**
 * Part C: the issue's goal for the parallel sampler: sliced-W2 within 1.5x its floor on a
 * 128-dimensional mixture in at most 8 sequential rounds, spending parallel width (large R, few
 * wide windows) instead of depth; sequential samplers at the same 8 rounds beside it.
 */
const ROUNDS_CONFIGS: Config[] = [
  { label: 'ddim', sampler: 'ddim', nfes: [8] },
  { label: 'dpmpp-2m', sampler: 'dpmpp-2m', nfes: [8] },
  { label: 'heun', sampler: 'heun', nfes: [8] },
  { label: 'randomized-midpoint (x0)', sampler: 'randomized-midpoint', nfes: [8] },
  ...([[1, 16, 6], [1, 64, 6], [1, 32, 4], [2, 16, 2]] as const).map(([w, R, K]) => ({
    label: `parallel-midpoint ${w} window${w > 1 ? 's' : ''} R=${R} K=${K}`, sampler: 'parallel-midpoint', options: { width: R, picard: K }, nfes: [w * window(R, K)],
  })),
  // the Gaussian-reference variant (c = 1 untuned, and c = 0.5 near this target's per-coordinate variance), no start evaluation
  ...([[1, 16, 7, 1], [1, 16, 3, 1], [1, 16, 2, 1], [1, 32, 2, 1], [1, 16, 1, 1], [2, 16, 2, 1], [1, 16, 3, 0.5], [1, 16, 2, 0.5]] as const).map(([w, R, K, c]) => ({
    label: `parallel-midpoint ${w} window${w > 1 ? 's' : ''} R=${R} K=${K} gauss-ref c=${c}`, sampler: 'parallel-midpoint',
    options: { width: R, picard: K, 'ref-variance': c, start: 'free' }, nfes: [w * window(R, K, true)],
  })),
];

/** Part E: mode weights (modeTV, which sliced W2 cannot see) for the best part-C configurations and more windows. */
const MODE_CONFIGS: Config[] = [
  { label: 'dpmpp-2m', sampler: 'dpmpp-2m', nfes: [8, 16] },
  { label: 'randomized-midpoint (x0)', sampler: 'randomized-midpoint', nfes: [64] },
  ...([[1, 16, 7], [1, 16, 3], [2, 16, 3], [4, 16, 1], [8, 8, 0]] as const).map(([w, R, K]) => ({
    label: `parallel-midpoint ${w} window${w > 1 ? 's' : ''} R=${R} K=${K} gauss-ref c=1`, sampler: 'parallel-midpoint',
    options: { width: R, picard: K, 'ref-variance': 1, start: 'free' }, nfes: [w * window(R, K, true)],
  })),
];

/** Part D: the rounds the sequential samplers need on the part-C target (rounds = nfe for them). */
const SEQUENTIAL_CONFIGS: Config[] = [
  { label: 'ddim', sampler: 'ddim', nfes: [16, 32, 64] },
  { label: 'dpmpp-2m', sampler: 'dpmpp-2m', nfes: [12, 16, 24, 32] },
  { label: 'randomized-midpoint (x0)', sampler: 'randomized-midpoint', nfes: [16, 32, 64, 128] },
];

async function partC(run: Runner, target: GaussianMixture, P: number, save: (data: unknown) => void, configs = ROUNDS_CONFIGS): Promise<RoundsPoint[]> {
  const out: RoundsPoint[] = [];
  for (const c of configs.flatMap((cf) => cf.nfes.map((nfe) => ({ ...cf, nfe })))) {
    const r = await run({ target, sampler: c.sampler, nfe: c.nfe, particles: P, seed: SEED, options: c.options });
    const ev = evaluateSamples(target, r.samples!, P, { t: r.delta, seed: 3, metrics: ['sw2', 'modeTV'], floorDraws: 3 });
    const p = { label: c.label, nfe: r.nfe, rounds: r.rounds, sw2: ev.metrics.sw2!, sw2Floor: ev.floor.sw2!, ratio: ev.metrics.sw2! / ev.floor.sw2!, modeTV: ev.metrics.modeTV!, modeTVFloor: ev.floor.modeTV! };
    out.push(p);
    save(out);
    console.log(`${target.name} ${c.label}: nfe ${p.nfe} rounds ${p.rounds} sw2 / floor ${p.ratio.toFixed(2)} modeTV ${p.modeTV.toPrecision(3)} (floor ${p.modeTVFloor.toPrecision(3)})`);
  }
  return out;
}

/** The nfe at which a ladder first falls to `level` (log-log interpolation), or null. */
function crossing(ladder: Scaling['ladder'], level: number): number | null {
  for (let i = 0; i < ladder.length; i++) {
    const r = ladder[i]!;
    if (r.ratio > level) continue;
    const prev = ladder[i - 1];
    if (!prev) return r.nfe;
    return Math.exp(Math.log(prev.nfe) + ((Math.log(prev.ratio) - Math.log(level)) / (Math.log(prev.ratio) - Math.log(r.ratio))) * (Math.log(r.nfe) - Math.log(prev.nfe)));
  }
  return null;
}

/** Least-squares slope of log y against log x. */
function slope(pts: { x: number; y: number }[]): number {
  const n = pts.length, lx = pts.map((p) => Math.log(p.x)), ly = pts.map((p) => Math.log(p.y));
  const mx = lx.reduce((a, b) => a + b, 0) / n, my = ly.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) { num += (lx[i]! - mx) * (ly[i]! - my); den += (lx[i]! - mx) ** 2; }
  return num / den;
}

const suffix = QUICK ? '-quick' : '';
const partFile = (p: string) => join(OUT, `midpoint${suffix}-part-${p}.json`);
const P_C = QUICK ? 1000 : 3000;

/** Runs one part and writes its JSON (with date, backend, adapter and command). */
async function runPart(part: string) {
  const started = new Date();
  let adapter = 'float64 CPU reference (sampleReference)';
  let run: Runner;
  let done = () => {};
  if (BACKEND === 'cpu') {
    run = async (req) => sampleReference(req);
  } else {
    const gpu = await acquireNodeDevice();
    const engine = new Engine(gpu);
    adapter = `WebGPU: ${gpu.adapterName}`;
    run = (req) => engine.sample(req);
    done = () => engine.destroy();
  }
  const target128 = isoMixture(128, 4, 128);
  const command = `npx tsx bench/midpoint.ts${QUICK ? ' --quick' : ''} --part ${part} --backend ${BACKEND}`;
  mkdirSync(OUT, { recursive: true });
  // written after every point, so that an interrupted run keeps what it measured (`complete: false`)
  const save = (data: unknown, complete = false) => {
    const meta = { date: started.toISOString(), backend: BACKEND, adapter, command, seconds: (Date.now() - started.getTime()) / 1000, complete };
    writeFileSync(partFile(part), JSON.stringify({ meta, data }, null, 1));
    return meta;
  };
  const data = part === 'A' ? await partA(run, save) : part === 'B' ? await partB(run, save) : await partC(run, target128, P_C, save, part === 'D' ? SEQUENTIAL_CONFIGS : part === 'E' ? MODE_CONFIGS : ROUNDS_CONFIGS);
  done();
  const meta = save(data, true);
  console.log(`part ${part}: ${meta.seconds.toFixed(0)} s, wrote ${partFile(part)}`);
}

/** Combines the part files into midpoint.json, midpoint.md and the SVG plots. */
function report() {
  const read = (p: string) => (existsSync(partFile(p)) ? JSON.parse(readFileSync(partFile(p), 'utf8')) : null);
  const A = read('A'), B = read('B'), C = read('C'), D = read('D'), E = read('E');
  const a: Point[] = A?.data ?? [], b: Scaling[] = B?.data ?? [], c: RoundsPoint[] = C?.data ?? [], dd: RoundsPoint[] = D?.data ?? [], ee: RoundsPoint[] = E?.data ?? [];
  const slopes = SCALING_CONFIGS.map((cf) => {
    const pts = b.filter((s) => s.label === cf.label && s.nfeAtThreshold !== null).map((s) => ({ x: s.dim, y: s.nfeAtThreshold! }));
    return { label: cf.label, slope: pts.length >= 2 ? slope(pts) : null, dims: pts.map((p) => p.x) };
  });
  writeFileSync(join(OUT, `midpoint${suffix}.json`), JSON.stringify({ parts: { A: A?.meta, B: B?.meta, C: C?.meta, D: D?.meta, E: E?.meta }, errorVsNfe: a, scaling: b, slopes, atEightRounds: { target: 'iso128-k4', points: c }, sequentialOnC: { target: 'iso128-k4', points: dd }, modeWeightsOnC: { target: 'iso128-k4', points: ee } }, null, 1));

  // plots: sw2 / floor and modeTV against nfe and against rounds, per target; nfe* against d
  const targets = [...new Set(a.map((p) => p.target))];
  for (const name of targets) {
    const rows = a.filter((p) => p.target === name);
    const dim = rows[0]!.dim;
    for (const axis of ['nfe', 'rounds'] as const) {
      const series: Series[] = CONFIGS.map((cf) => ({ name: cf.label, points: rows.filter((p) => p.label === cf.label).map((p) => ({ x: p[axis], y: p.sw2 / p.sw2Floor })) }));
      series.push({ name: 'floor', dashed: true, points: [{ x: Math.min(...rows.map((p) => p[axis])), y: 1 }, { x: Math.max(...rows.map((p) => p[axis])), y: 1 }] });
      writeFileSync(join(OUT, `midpoint${suffix}-${name}-sw2-${axis}.svg`), logLogPlot(`${name} (d = ${dim}): sliced W2 / floor`, axis, 'sw2 / floor', series));
    }
    const tv: Series[] = CONFIGS.map((cf) => ({ name: cf.label, points: rows.filter((p) => p.label === cf.label).map((p) => ({ x: p.nfe, y: p.modeTV / p.modeTVFloor })) }));
    tv.push({ name: 'floor', dashed: true, points: [{ x: Math.min(...rows.map((p) => p.nfe)), y: 1 }, { x: Math.max(...rows.map((p) => p.nfe)), y: 1 }] });
    writeFileSync(join(OUT, `midpoint${suffix}-${name}-modetv-nfe.svg`), logLogPlot(`${name} (d = ${dim}): mode-weight TV / floor`, 'nfe', 'modeTV / floor', tv));
  }
  if (b.length) {
    const scaleSeries: Series[] = SCALING_CONFIGS.map((cf) => ({ name: cf.label, points: b.filter((s) => s.label === cf.label && s.nfeAtThreshold).map((s) => ({ x: s.dim, y: s.nfeAtThreshold! })) }));
    writeFileSync(join(OUT, `midpoint${suffix}-scaling.svg`), logLogPlot(`nfe to reach ${THRESHOLD}x the radiusW2 floor`, 'dimension d', 'nfe', scaleSeries));
    const at3: Series[] = SCALING_CONFIGS.map((cf) => ({ name: cf.label, points: b.filter((s) => s.label === cf.label).flatMap((s) => { const y = crossing(s.ladder, 3); return y === null ? [] : [{ x: s.dim, y }]; }) }));
    writeFileSync(join(OUT, `midpoint${suffix}-scaling-3x.svg`), logLogPlot('nfe to reach 3x the radiusW2 floor', 'dimension d', 'nfe', at3));
  }
  const metaLine = (name: string, m: { date: string; adapter: string; command: string; seconds: number; complete: boolean } | undefined) =>
    m ? `${name}: ${m.date}, ${m.adapter}, \`${m.command}\` (${m.seconds.toFixed(0)} s${m.complete === false ? '; interrupted: the rows below are what it measured before it was stopped' : ''}).` : `${name}: not run.`;
  const scalingDims = [...new Set(b.map((s) => s.dim))];
  const md: string[] = [
    '# Randomized-midpoint samplers: benchmark', '',
    metaLine('Part A', A?.meta), '', metaLine('Part B', B?.meta), '', metaLine('Part C', C?.meta), '', metaLine('Part D', D?.meta), '', metaLine('Part E', E?.meta), '',
    'Machine: 2 shared CPU cores and no GPU (WebGPU would run on SwiftShader, several times slower than the float64 CPU reference), so every part ran on the CPU reference; the WebGPU kernels equal it to f32 tolerance (test/randomized-midpoint.test.ts).',
    'Report: `npx tsx bench/midpoint.ts --report`. Exact mixture scores, OU convention, T = 10, delta = 1e-3, log-SNR grids, x_T ~ N(0, I), seed 1.',
    'Errors against q_delta; floor = the same metric for exact samples of the same size (mean of 3 draws; 5 in part B).', '',
    '## A. Error against nfe and rounds', '',
    '| target | d | P | sampler | nfe | rounds | sw2 | sw2 / floor | modeTV | modeTV floor |', '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|',
    ...a.map((p) => `| ${p.target} | ${p.dim} | ${p.particles} | ${p.label} | ${p.nfe} | ${p.rounds} | ${p.sw2.toPrecision(3)} | ${(p.sw2 / p.sw2Floor).toFixed(2)} | ${p.modeTV.toPrecision(3)} | ${p.modeTVFloor.toPrecision(3)} |`),
    ...[THRESHOLD, 3].flatMap((level) => [
      '', `## B. Dimension scaling: nfe to bring radiusW2 within ${level}x its floor (two-mode isotropic mixture, 1000 particles)`, '',
      '| sampler | ' + scalingDims.map((d) => `d = ${d}`).join(' | ') + ' | fitted slope | theory |', '|---|' + scalingDims.map(() => '---:').join('|') + '|---:|---|',
      ...SCALING_CONFIGS.map((cf) => {
        const at = scalingDims.map((d) => { const s = b.find((x) => x.label === cf.label && x.dim === d); return s ? crossing(s.ladder, level) : null; });
        const pts = at.flatMap((y, i) => (y === null ? [] : [{ x: scalingDims[i]!, y }]));
        const sl = pts.length >= 2 ? slope(pts) : null;
        const theory = cf.sampler === 'randomized-midpoint' || cf.sampler === 'parallel-midpoint' ? 'd^{5/12}: 0.42' : cf.sampler === 'ddim' ? 'd^{1/2}: 0.50 (prior bound)' : '';
        return `| ${cf.label} | ${at.map((y) => (y === null ? 'n/r' : y.toFixed(1))).join(' | ')} | ${sl === null ? 'n/a' : sl.toFixed(2)} | ${theory} |`;
      }),
    ]),
    '', 'nfe interpolated log-log between the last two budgets of the ladder; n/r: not reached within the ladder. Ladders (nfe: radiusW2 / floor):', '',
    ...b.map((s) => `- d = ${s.dim}, ${s.label}: ${s.ladder.map((l) => `${l.nfe}: ${l.ratio.toFixed(2)}`).join(', ')}`),
    '', `## C. At most 8 rounds on a 128-dimensional mixture (iso128-k4, ${P_C} particles); goal: sw2 within 1.5x its floor`, '',
    '| sampler | nfe | rounds | sw2 | floor | sw2 / floor |', '|---|---:|---:|---:|---:|---:|',
    ...c.map((p) => `| ${p.label} | ${p.nfe} | ${p.rounds} | ${p.sw2.toPrecision(3)} | ${p.sw2Floor.toPrecision(3)} | ${p.ratio.toFixed(2)} |`),
    '', `## D. Sequential samplers on the same target with more rounds (rounds = nfe)`, '',
    '| sampler | nfe | rounds | sw2 | floor | sw2 / floor |', '|---|---:|---:|---:|---:|---:|',
    ...dd.map((p) => `| ${p.label} | ${p.nfe} | ${p.rounds} | ${p.sw2.toPrecision(3)} | ${p.sw2Floor.toPrecision(3)} | ${p.ratio.toFixed(2)} |`),
    '', `## E. Mode weights on the same target (modeTV, which sliced W2 does not see)`, '',
    '| sampler | nfe | rounds | sw2 / floor | modeTV | modeTV floor |', '|---|---:|---:|---:|---:|---:|',
    ...ee.map((p) => `| ${p.label} | ${p.nfe} | ${p.rounds} | ${p.ratio.toFixed(2)} | ${p.modeTV!.toPrecision(3)} | ${p.modeTVFloor!.toPrecision(3)} |`),
  ];
  writeFileSync(join(OUT, `midpoint${suffix}.md`), md.join('\n') + '\n');
  console.log(md.join('\n'));
}

if (REPORT) report();
else if (PART) await runPart(PART);
else console.log('usage: npx tsx bench/midpoint.ts (--part A|B|C [--backend cpu|gpu] | --report) [--quick]');
process.exit(0);
