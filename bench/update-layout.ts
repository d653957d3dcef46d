/**
 * Update-kernel layouts (src/gpu/update-layout.ts) in whole sampler runs: `updateLayout:
 * 'particle'` (one invocation per particle looping over d) against `'block'` (one per (particle,
 * vec4 block)), timed in rotation so that load on a shared machine hits both alike.
 * Two kinds of run:
 *  - `update`: an external score that writes nothing (the score buffer stays 0), so the run is the
 *    init, the update kernels, the fault checks and the readback: the layouts' own cost;
 *  - `whole`: a K-component axis-aligned mixture with the score pass (scoreLayout 'pass'), plus the
 *    float64 CPU reference on min(P, --cpu) particles, extrapolated linearly to P.
 * Each figure is the median over rounds (after a warm-up that compiles the kernels); ratios are the
 * medians of the per-round ratios. Combinations with P x d above --max-elements are skipped.
 *   npx tsx bench/update-layout.ts [--samplers ddim,ddpm,dpmpp-2m] [--dims 2,16,64,256,784,1024]
 *     [--particles 1000,10000] [--max-elements 3000000] [--kinds update,whole] [--K 4] [--nfe 4]
 *     [--rounds 3] [--cpu 100] [--out bench/results]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchMixture } from '../src/bench/targets.js';
import { median } from '../src/bench/timing.js';
import { Engine, type SampleRequest } from '../src/engine.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';
import { chooseUpdateLayout } from '../src/gpu/update-layout.js';
import { sampleReference } from '../src/reference.js';
import { externalScoreModel } from '../src/scores/external-score.js';
import { logLogPlot, type Series } from './svg-plot.js';

const { values } = parseArgs({
  options: {
    samplers: { type: 'string', default: 'ddim,ddpm,dpmpp-2m' }, dims: { type: 'string', default: '2,16,64,256,784,1024' },
    particles: { type: 'string', default: '1000,10000' }, 'max-elements': { type: 'string', default: '3000000' },
    kinds: { type: 'string', default: 'update,whole' }, K: { type: 'string', default: '4' }, nfe: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' }, cpu: { type: 'string', default: '100' }, out: { type: 'string' }, name: { type: 'string', default: 'update-layout-swiftshader' },
  },
});
const nfe = Number(values.nfe), rounds = Number(values.rounds), cpuP = Number(values.cpu), K = Number(values.K), maxElements = Number(values['max-elements']);
const engine = new Engine(await acquireNodeDevice());
const started = performance.now();

interface Row {
  kind: 'update' | 'whole';
  sampler: string;
  dim: number;
  particles: number;
  particleSeconds: number;
  blockSeconds: number;
  /** Speed of 'block' over 'particle' (> 1: block is faster). */
  blockOverParticle: number;
  cpuSeconds: number | null;
  particleOverCpu: number | null;
  blockOverCpu: number | null;
  auto: string;
}
const rows: Row[] = [];
const wall = async (f: () => unknown) => {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
};

for (const kind of values.kinds!.split(',') as ('update' | 'whole')[]) {
  for (const sampler of values.samplers!.split(',')) {
    for (const dim of values.dims!.split(',').map(Number)) {
      const target: SampleRequest['target'] = kind === 'whole'
        ? benchMixture(dim, K)
        : externalScoreModel({ name: `zero-score-d${dim}`, dim, encode: () => {}, reference: (_x, _t, out) => out.fill(0) });
      for (const particles of values.particles!.split(',').map(Number)) {
        if (particles * dim > maxElements) continue;
        const s = { target, sampler, nfe, particles, seed: 1, ...(kind === 'whole' ? { scoreLayout: 'pass' as const } : {}) };
        const n = Math.min(particles, cpuP);
        const particle = () => wall(() => engine.sample({ ...s, updateLayout: 'particle' }));
        const block = () => wall(() => engine.sample({ ...s, updateLayout: 'block' }));
        const cpu = async () => ((await wall(() => sampleReference({ ...s, particles: n }))) * particles) / n;
        await particle(); await block(); // warm-up: compile, JIT
        if (kind === 'whole') await cpu();
        const tp: number[] = [], tb: number[] = [], tc: number[] = [], q: number[] = [], qp: number[] = [], qb: number[] = [];
        for (let r = 0; r < rounds; r++) {
          // alternate the order so that a drift in the machine's load favours neither
          let a: number, b: number;
          if (r % 2) { b = await block(); a = await particle(); } else { a = await particle(); b = await block(); }
          tp.push(a); tb.push(b); q.push(a / b);
          if (kind === 'whole') {
            const c = await cpu();
            tc.push(c); qp.push(c / a); qb.push(c / b);
          }
        }
        const row: Row = {
          kind, sampler, dim, particles, particleSeconds: median(tp), blockSeconds: median(tb), blockOverParticle: median(q),
          cpuSeconds: tc.length ? median(tc) : null, particleOverCpu: qp.length ? median(qp) : null, blockOverCpu: qb.length ? median(qb) : null,
          auto: chooseUpdateLayout(dim, { isSoftware: engine.gpu.isSoftware }),
        };
        rows.push(row);
        console.log(`${kind} ${sampler} d=${dim} P=${particles}: particle ${row.particleSeconds.toFixed(3)} s, block ${row.blockSeconds.toFixed(3)} s, block ${row.blockOverParticle.toFixed(2)}x` +
          (row.cpuSeconds !== null ? `; vs float64 CPU: particle ${row.particleOverCpu!.toFixed(2)}x, block ${row.blockOverCpu!.toFixed(2)}x` : ''));
      }
    }
  }
}

const command = `npx tsx bench/update-layout.ts ${process.argv.slice(2).join(' ')}`.trim();
const date = new Date().toISOString();
const fmt = (x: number | null, digits = 2) => (x === null ? '-' : x.toFixed(digits));
const md = [
  '# Update-kernel layouts: thread per particle vs per (particle, vec4 block)', '',
  `- date: ${date}`, `- adapter: ${engine.adapterName}${engine.gpu.isSoftware ? ' (software)' : ''}`, `- command: \`${command}\``,
  `- runs: nfe ${nfe}; kind \`update\`: an external score that writes nothing (init + update kernels + fault checks + readback); kind \`whole\`: a ${K}-component axis-aligned mixture (benchMixture) with the score pass, and the float64 CPU reference on min(P, ${cpuP}) particles extrapolated to P`,
  `- timing: wall time of Engine.sample (planning to readback) after a warm-up run of each layout; ${rounds} rounds with the order alternated; seconds are medians, ratios medians of per-round ratios (block / particle > 1: the per-block layout is faster; x / CPU: speed over the float64 reference)`,
  '- note: SwiftShader on a 2-core machine shared with other jobs: absolute times are noisy; the ratios are what counts.',
  `- auto: the layout \`updateLayout: 'auto'\` picks on this adapter`,
  `- total time: ${((performance.now() - started) / 1000).toFixed(0)} s`, '',
  '| kind | sampler | d | P | particle s | block s | block / particle speed | particle / CPU | block / CPU | auto |', '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.kind} | ${r.sampler} | ${r.dim} | ${r.particles} | ${r.particleSeconds.toFixed(3)} | ${r.blockSeconds.toFixed(3)} | ${fmt(r.blockOverParticle)}x | ${fmt(r.particleOverCpu)}x | ${fmt(r.blockOverCpu)}x | ${r.auto} |`),
  '',
].join('\n');
process.stdout.write(md);
if (values.out) {
  mkdirSync(values.out, { recursive: true });
  const base = `${values.out}/${values.name}`;
  writeFileSync(`${base}.json`, JSON.stringify({ date, adapter: engine.adapterName, software: engine.gpu.isSoftware, command, nfe, K, rounds, cpuParticles: cpuP, rows }, null, 2) + '\n');
  writeFileSync(`${base}.md`, md);
  // particle-steps per second against d, one line per (kind, sampler, layout) at the largest P measured at every d
  const series: Series[] = [];
  for (const kind of ['update', 'whole'] as const) {
    for (const sampler of new Set(rows.map((r) => r.sampler))) {
      const mine = rows.filter((r) => r.kind === kind && r.sampler === sampler);
      if (!mine.length) continue;
      // the particle count measured at the most dimensions
      const counts = new Map<number, number>();
      for (const r of mine) counts.set(r.particles, (counts.get(r.particles) ?? 0) + 1);
      const P = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
      const at = mine.filter((r) => r.particles === P);
      const rate = (sec: number, p: number) => (p * nfe) / sec;
      series.push({ name: `${kind} ${sampler} particle P=${P}`, points: at.map((r) => ({ x: r.dim, y: rate(r.particleSeconds, r.particles) })) });
      series.push({ name: `${kind} ${sampler} block P=${P}`, points: at.map((r) => ({ x: r.dim, y: rate(r.blockSeconds, r.particles) })) });
      if (kind === 'whole') series.push({ name: `CPU f64 ${sampler}`, points: at.map((r) => ({ x: r.dim, y: rate(r.cpuSeconds!, r.particles) })), dashed: true });
    }
  }
  writeFileSync(`${base}.svg`, logLogPlot(`Update layouts on ${engine.adapterName}, nfe ${nfe}`, 'dimension d', 'particle-steps per second', series, 760, 480));
}
engine.destroy();
process.exit(0);
