/**
 * Issue-4 benchmark: heroism, accelerated-sde and poisson-midpoint (ddpm, overdamped and underdamped
 * chains) beside their baselines on Gaussian-mixture targets with exact scores, d = 2 to 1024. Error (sliced-W2 and mode-weight TV, each beside its
 * finite-sample floor) against nfe and rounds, fitted empirical orders (log-log slopes), and the nfe
 * at which poisson-midpoint matches 1000-step DDPM.
 *
 * Every number comes from the float64 CPU reference (`sampleReference`, the same plans and Philox
 * noise as the WebGPU kernels, which agree with it to f32 tolerance in test/issue4-reference.test.ts):
 * SwiftShader on this 2-core machine is slower than float64 JavaScript for these sizes.
 *
 *   npx tsx bench/issue4.ts            # writes bench/results/issue4.{json,md} and issue4-*.svg
 *   npx tsx bench/issue4.ts --quick    # a smaller smoke run (not committed)
 *   npx tsx bench/issue4.ts --only iso256,iso1024 --tag big   # some targets only, into issue4-big.{json,md}
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateSamples } from '../src/metrics/evaluate.js';
import { sampleReference } from '../src/reference.js';
import { poissonMidpointNfe } from '../src/samplers/poisson-midpoint.js';
import { loadTarget } from '../src/targets/presets.js';
import type { GaussianMixture } from '../src/targets/gmm.js';
import { logLogPlot, type Series } from './svg-plot.js';

const QUICK = process.argv.includes('--quick');
/** `--only a,b`: run only these targets and write issue4-<tag>.{json,md} (`--tag`, default "part") for merging. */
const argAfter = (flag: string) => { const i = process.argv.indexOf(flag); return i >= 0 ? process.argv[i + 1] : undefined; };
const ONLY = argAfter('--only')?.split(',');
const TAG = argAfter('--tag') ?? 'part';
/** `--particles N`: override the particle count of the targets run. */
const PARTICLES = argAfter('--particles') ? Number(argAfter('--particles')) : undefined;
const OUT = join(dirname(fileURLToPath(import.meta.url)), 'results');
const SEED = 1;

/** A sampler configuration of the benchmark. */
interface Config {
  label: string;
  sampler: string;
  options?: Record<string, number | string>;
  nfes: number[];
}

const NFE = QUICK ? [10, 20, 40] : [5, 10, 20, 40, 80];
const CONFIGS: Config[] = [
  { label: 'ddim', sampler: 'ddim', nfes: NFE },
  { label: 'dpmpp-2m', sampler: 'dpmpp-2m', nfes: NFE },
  { label: 'heroism p=3 K=2', sampler: 'heroism', options: { order: 3, passes: 2 }, nfes: NFE },
  { label: 'heroism p=4 K=3', sampler: 'heroism', options: { order: 4, passes: 3 }, nfes: QUICK ? [10, 40] : [10, 20, 40, 80] },
  { label: 'ddpm', sampler: 'ddpm', nfes: QUICK ? [10, 40, 1000] : [10, 20, 40, 80, 1000] },
  { label: 'accelerated-sde', sampler: 'accelerated-sde', nfes: QUICK ? [10, 40] : [5, 10, 20, 40, 80] },
  { label: 'accelerated-sde clip=0', sampler: 'accelerated-sde', options: { clip: 0 }, nfes: QUICK ? [10, 40] : [5, 10, 20, 40, 80] },
  { label: 'poisson-midpoint', sampler: 'poisson-midpoint', nfes: QUICK ? [20, 80] : [10, 20, 40, 60, 80, 120] },
  { label: 'pmm overdamped', sampler: 'poisson-midpoint', options: { chain: 'overdamped' }, nfes: QUICK ? [20, 80] : [20, 40, 80] },
  { label: 'pmm underdamped', sampler: 'poisson-midpoint', options: { chain: 'underdamped' }, nfes: QUICK ? [20, 80] : [10, 20, 40, 60, 80, 120] },
  // the underdamped chain's own 1000-step fine chain (k = 1: every step is a plain base step)
  { label: 'uld fine 1000', sampler: 'poisson-midpoint', options: { chain: 'underdamped', k: 1 }, nfes: [1000] },
];

/** Orders: which sampler is compared with which baselines. */
const PAIRS: [string, string[]][] = [
  ['heroism p=3 K=2', ['ddim', 'dpmpp-2m']],
  ['heroism p=4 K=3', ['ddim', 'dpmpp-2m']],
  ['accelerated-sde', ['ddpm']],
  ['poisson-midpoint', ['ddpm']],
  ['pmm overdamped', ['ddpm']],
  ['pmm underdamped', ['ddpm']],
];

/** Which Poisson-midpoint runs are compared with which 1000-step chains (first budget within 10% of its sw2). */
const CROSSOVERS: [string, string][] = [
  ['poisson-midpoint', 'ddpm'],
  ['pmm underdamped', 'ddpm'],
  ['pmm underdamped', 'uld fine 1000'],
];

/** An isotropic 4-component mixture in dimension d (means of norm 4, unequal weights and scales). */
function isoMixture(d: number): GaussianMixture {
  const means = [0, 1, 2, 3].map((k) => Array.from({ length: d }, (_, j) => (4 / Math.sqrt(d)) * Math.sign(Math.sin(1.7 * (j + 1) * (k + 1) + k) || 1)));
  return loadTarget({ kind: 'gmm', dim: d, weights: [0.1, 0.2, 0.3, 0.4], means, scales: [0.3, 0.5, 0.7, 1.0] });
}

const TARGETS: { name: string; make: () => GaussianMixture; particles: number }[] = QUICK
  ? [{ name: 'ring2d', make: () => loadTarget('ring2d'), particles: 2000 }]
  : [
      // particle counts sized for a shared, heavily loaded 2-core machine (the floors are reported beside every error)
      { name: 'ring2d', make: () => loadTarget('ring2d'), particles: 6000 },
      { name: 'aniso16', make: () => loadTarget('aniso16'), particles: 1500 },
      { name: 'gmm64', make: () => loadTarget('gmm64'), particles: 1000 },
      { name: 'iso128', make: () => isoMixture(128), particles: 1500 },
      { name: 'iso256', make: () => isoMixture(256), particles: 1000 },
      { name: 'iso1024', make: () => isoMixture(1024), particles: 1000 },
    ];

interface Point {
  nfe: number;
  rounds: number;
  /** Realised mean nfe (poisson-midpoint), else = nfe. */
  nfeRealised: number;
  sw2: number;
  modeTV: number;
  seconds: number;
}

/** Least-squares slope of log y on log x. */
function slope(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log), ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length, my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0, den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i]! - mx) * (ly[i]! - my);
    den += (lx[i]! - mx) ** 2;
  }
  return num / den;
}

/** Fitted order: -slope of sw2 against x over the points at least 2x above the floor (null with fewer than 2). */
function order(points: Point[], floor: number, x: (p: Point) => number): { order: number | null; used: number } {
  const use = points.filter((p) => p.sw2 >= 2 * floor);
  if (use.length < 2) return { order: null, used: use.length };
  return { order: -slope(use.map(x), use.map((p) => p.sw2)), used: use.length };
}

const fmt = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toPrecision(digits));

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(OUT, { recursive: true });
  const results: Record<string, unknown>[] = [];
  const md: string[] = [];
  const date = new Date().toISOString();
  md.push('# Issue 4 benchmark: heroism, accelerated-sde, poisson-midpoint beside their baselines', '');
  md.push(`Date ${date}. Command: \`npx tsx bench/issue4.ts${QUICK ? ' --quick' : ''}\`. Backend: float64 CPU reference (\`sampleReference\`) for every number;`);
  md.push('the WebGPU kernels agree with it particle for particle to f32 tolerance (test/issue4-reference.test.ts).');
  md.push(`Runs: OU, T = 10, delta = 1e-3, log-SNR grid, x_T ~ N(0, I), seed ${SEED}; errors against q_delta; floors = the same metric on exact samples of the same size (mean of 5 draws).`);
  md.push('Orders are -(log-log slope) of sliced-W2 against nfe (and rounds) over the budgets where sw2 >= 2x floor; "n/a" when fewer than 2 such points.');
  md.push('poisson-midpoint runs: `poisson-midpoint` = ddpm chain, `pmm overdamped` and `pmm underdamped` (gamma 2; [R] chain) all approximate 1000 fine steps;');
  md.push('`uld fine 1000` is the underdamped chain itself with 1000 plain steps (k = 1), the chain `pmm underdamped` stands for.', '');
  for (const tgt of TARGETS.filter((t) => !ONLY || ONLY.includes(t.name))) {
    const target = tgt.make();
    const P = PARTICLES ?? tgt.particles;
    let floorSw2 = NaN, floorTV = NaN;
    const byLabel: Record<string, Point[]> = {};
    for (const cfg of CONFIGS) {
      byLabel[cfg.label] = [];
      for (const nfe of cfg.nfes) {
        const settings = { sampler: cfg.sampler, nfe, particles: P, seed: SEED, options: cfg.options };
        const r = sampleReference({ target, ...settings });
        const ev = evaluateSamples(target, r.samples, P, { t: r.delta, seed: 3, metrics: ['sw2', 'modeTV'] });
        floorSw2 = ev.floor.sw2!;
        floorTV = ev.floor.modeTV!;
        const nfeRealised = cfg.sampler === 'poisson-midpoint' && cfg.options?.k !== 1
          ? poissonMidpointNfe({ nfe, particles: P, seed: SEED, k: cfg.options?.k as number | undefined, fine: cfg.options?.fine as number | undefined }).mean
          : r.nfe;
        const pt = { nfe: r.nfe, rounds: r.rounds, nfeRealised, sw2: ev.metrics.sw2!, modeTV: ev.metrics.modeTV!, seconds: r.seconds };
        byLabel[cfg.label]!.push(pt);
        console.log(`${tgt.name} ${cfg.label} nfe ${fmt(r.nfe, 4)} (realised ${fmt(nfeRealised, 4)}) rounds ${r.rounds}: sw2 ${fmt(pt.sw2)} (floor ${fmt(floorSw2)}), modeTV ${fmt(pt.modeTV)} (floor ${fmt(floorTV)}), ${r.seconds.toFixed(1)} s`);
      }
    }
    // tables
    md.push(`## ${tgt.name} (d = ${target.dim}, ${P} particles)`, '');
    md.push(`Floors: sw2 ${fmt(floorSw2)}, modeTV ${fmt(floorTV)}.`, '');
    md.push('| sampler | nfe (planned) | nfe (realised mean) | rounds | sw2 | sw2 / floor | modeTV | modeTV / floor |', '|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const cfg of CONFIGS) {
      for (const p of byLabel[cfg.label]!) {
        md.push(`| ${cfg.label} | ${fmt(p.nfe, 4)} | ${fmt(p.nfeRealised, 4)} | ${p.rounds} | ${fmt(p.sw2)} | ${fmt(p.sw2 / floorSw2)} | ${fmt(p.modeTV)} | ${fmt(p.modeTV / floorTV)} |`);
      }
    }
    md.push('');
    // orders
    const orders: Record<string, { nfe: number | null; rounds: number | null; used: number }> = {};
    for (const cfg of CONFIGS) {
      const pts = byLabel[cfg.label]!.filter((p) => p.nfe < 1000);
      const a = order(pts, floorSw2, (p) => p.nfeRealised), b = order(pts, floorSw2, (p) => p.rounds);
      orders[cfg.label] = { nfe: a.order, rounds: b.order, used: a.used };
    }
    md.push('Fitted orders (sw2 against nfe / against rounds; points used):', '');
    md.push('| sampler | order vs nfe | order vs rounds | points | baseline(s): order vs nfe |', '|---|---:|---:|---:|---|');
    for (const [s, bases] of PAIRS) {
      const o = orders[s]!;
      md.push(`| ${s} | ${fmt(o.nfe, 2)} | ${fmt(o.rounds, 2)} | ${o.used} | ${bases.map((b) => `${b} ${fmt(orders[b]!.nfe, 2)} (${orders[b]!.used} pts)`).join(', ')} |`);
    }
    md.push('');
    // crossovers: the first budget at which a Poisson-midpoint run is within 10% of a 1000-step chain's sw2
    const crossovers: Record<string, unknown>[] = [];
    for (const [label, refLabel] of CROSSOVERS) {
      const ref = byLabel[refLabel]!.find((p) => p.nfe === 1000);
      if (!ref) continue;
      const hit = byLabel[label]!.find((p) => p.sw2 <= 1.1 * ref.sw2) ?? null;
      crossovers.push({ sampler: label, against: `${refLabel} 1000`, ref: { sw2: ref.sw2, modeTV: ref.modeTV }, hit });
      md.push(`1000-step ${refLabel}: sw2 ${fmt(ref.sw2)}, modeTV ${fmt(ref.modeTV)}. ${label} first within 10% of its sw2 at ` +
        (hit ? `planned nfe ${fmt(hit.nfe, 4)} (realised ${fmt(hit.nfeRealised, 4)}): sw2 ${fmt(hit.sw2)}, modeTV ${fmt(hit.modeTV)}.` : `none of the budgets run (best sw2 ${fmt(Math.min(...byLabel[label]!.map((p) => p.sw2)))}).`), '');
    }
    const ddpm1000 = byLabel.ddpm!.find((p) => p.nfe === 1000);
    // plots
    const series = (y: (p: Point) => number, x: (p: Point) => number): Series[] => [
      ...CONFIGS.map((c) => ({ name: c.label, points: byLabel[c.label]!.map((p) => ({ x: x(p), y: y(p) })) })),
    ];
    const xs = CONFIGS.flatMap((c) => byLabel[c.label]!.map((p) => p.nfe));
    const floorLine = (v: number): Series => ({ name: 'floor', dashed: true, points: [{ x: Math.min(...xs), y: v }, { x: Math.max(...xs), y: v }] });
    const files = {
      sw2Nfe: `issue4-${tgt.name}-sw2-nfe.svg`,
      sw2Rounds: `issue4-${tgt.name}-sw2-rounds.svg`,
      tvNfe: `issue4-${tgt.name}-modetv-nfe.svg`,
    };
    writeFileSync(join(OUT, files.sw2Nfe), logLogPlot(`${tgt.name}: sliced-W2 vs nfe (float64 reference)`, 'nfe (realised mean for poisson-midpoint)', 'sliced W2 vs q_delta', [...series((p) => p.sw2, (p) => p.nfeRealised), floorLine(floorSw2)]));
    writeFileSync(join(OUT, files.sw2Rounds), logLogPlot(`${tgt.name}: sliced-W2 vs sequential rounds`, 'rounds', 'sliced W2 vs q_delta', [...series((p) => p.sw2, (p) => p.rounds), floorLine(floorSw2)]));
    writeFileSync(join(OUT, files.tvNfe), logLogPlot(`${tgt.name}: mode-weight TV vs nfe`, 'nfe', 'mode TV', [...series((p) => Math.max(p.modeTV, 1e-5), (p) => p.nfeRealised), floorLine(floorTV)]));
    md.push(`Plots: [sw2 vs nfe](${files.sw2Nfe}), [sw2 vs rounds](${files.sw2Rounds}), [mode TV vs nfe](${files.tvNfe}).`, '');
    results.push({ target: tgt.name, dim: target.dim, particles: P, floor: { sw2: floorSw2, modeTV: floorTV }, runs: byLabel, orders, ddpm1000, crossovers });
    write(false);
  }
  write(true);

  /** Writes the JSON and Markdown of the targets done so far (after each target, so a cut-off run keeps them). */
  function write(done: boolean): void {
    const minutes = (Date.now() - started) / 60000;
    const tail = done ? [`Total run time ${minutes.toFixed(1)} min.`, ''] : [`(partial: ${results.length} of ${TARGETS.length} targets after ${minutes.toFixed(1)} min)`, ''];
    const meta = { date, command: `npx tsx bench/issue4.ts${QUICK ? ' --quick' : ''}${ONLY ? ` --only ${ONLY.join(',')} --tag ${TAG}` : ''}${PARTICLES ? ` --particles ${PARTICLES}` : ''}`, backend: 'cpu', adapter: 'float64 CPU reference', seed: SEED, minutes, complete: done };
    const name = QUICK ? 'issue4-quick' : ONLY ? `issue4-${TAG}` : 'issue4';
    writeFileSync(join(OUT, `${name}.json`), JSON.stringify({ meta, configs: CONFIGS, results }, null, 1) + '\n');
    writeFileSync(join(OUT, `${name}.md`), [...md, ...tail].join('\n'));
    console.log(`wrote ${join(OUT, name)}.{json,md} (${results.length} targets) in ${minutes.toFixed(1)} min`);
  }
}

await main();
