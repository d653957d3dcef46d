/**
 * Fused vs score-pass layout of whole sampler runs (Engine.sample with scoreLayout 'fused' and
 * 'pass') against the float64 CPU reference, timed in rotation (fused, pass, CPU) so that load on
 * a shared machine hits all three alike; each figure is the median over rounds of the per-round
 * ratio. The CPU runs min(P, cpu) particles, extrapolated linearly to P.
 *   npx tsx bench/score-layout.ts [--samplers ddim,ddpm] [--dims 2,16,64] [--particles 1000] [--nfe 10] [--rounds 5] [--cpu 300] [--out dir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchMixture } from '../src/bench/targets.js';
import { median } from '../src/bench/timing.js';
import { Engine } from '../src/engine.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';
import { sampleReference } from '../src/reference.js';

const { values } = parseArgs({
  options: {
    samplers: { type: 'string', default: 'ddim,ddpm' }, dims: { type: 'string', default: '2,16,64' }, particles: { type: 'string', default: '1000' },
    nfe: { type: 'string', default: '10' }, rounds: { type: 'string', default: '5' }, cpu: { type: 'string', default: '300' }, out: { type: 'string' },
  },
});
const nfe = Number(values.nfe), rounds = Number(values.rounds), cpuP = Number(values.cpu);
const engine = new Engine(await acquireNodeDevice());
const started = performance.now();
const rows: { sampler: string; dim: number; particles: number; fusedSeconds: number; passSeconds: number; cpuSeconds: number; passOverFused: number; fusedOverCpu: number; passOverCpu: number }[] = [];
const wall = async (f: () => unknown) => {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
};
for (const sampler of values.samplers!.split(',')) {
  for (const dim of values.dims!.split(',').map(Number)) {
    for (const particles of values.particles!.split(',').map(Number)) {
      const target = benchMixture(dim, 16);
      const s = { target, sampler, nfe, particles, seed: 1 };
      const n = Math.min(particles, cpuP);
      const fused = () => wall(() => engine.sample({ ...s, scoreLayout: 'fused' }));
      const pass = () => wall(() => engine.sample({ ...s, scoreLayout: 'pass' }));
      const cpu = async () => ((await wall(() => sampleReference({ ...s, particles: n }))) * particles) / n;
      await fused(); await pass(); await cpu(); // warm-up: compile, JIT
      const t: number[][] = [[], [], []], q: number[][] = [[], [], []];
      for (let r = 0; r < rounds; r++) {
        const tf = await fused(), tp = await pass(), tc = await cpu();
        t[0]!.push(tf); t[1]!.push(tp); t[2]!.push(tc);
        q[0]!.push(tf / tp); q[1]!.push(tc / tf); q[2]!.push(tc / tp);
      }
      const row = {
        sampler, dim, particles, fusedSeconds: median(t[0]!), passSeconds: median(t[1]!), cpuSeconds: median(t[2]!),
        passOverFused: median(q[0]!), fusedOverCpu: median(q[1]!), passOverCpu: median(q[2]!),
      };
      rows.push(row);
      console.log(`${sampler} d=${dim} P=${particles}: pass ${row.passOverFused.toFixed(2)}x fused; vs float64 CPU: fused ${row.fusedOverCpu.toFixed(2)}x, pass ${row.passOverCpu.toFixed(2)}x`);
    }
  }
}
const command = `npx tsx bench/score-layout.ts ${process.argv.slice(2).join(' ')}`.trim();
const date = new Date().toISOString();
const md = [
  '# Fused vs score-pass layout, whole sampler runs', '',
  `- date: ${date}`, `- adapter: ${engine.adapterName}`, `- command: \`${command}\``,
  `- timing: wall time of Engine.sample (planning to readback) and of the float64 reference on min(P, ${cpuP}) particles (extrapolated to P), after a warm-up; ${rounds} rounds of (fused, pass, CPU); figures are medians of the per-round ratios (particle-steps per second, higher is faster)`,
  '- note: SwiftShader on a 2-core machine shared with other jobs: absolute times are noisy; the ratios are what counts.',
  `- total time: ${((performance.now() - started) / 1000).toFixed(0)} s`, '',
  `| sampler | d | P | nfe | fused s | pass s | pass / fused speed | fused / CPU | pass / CPU |`, '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.sampler} | ${r.dim} | ${r.particles} | ${nfe} | ${r.fusedSeconds.toFixed(3)} | ${r.passSeconds.toFixed(3)} | ${r.passOverFused.toFixed(2)}x | ${r.fusedOverCpu.toFixed(2)}x | ${r.passOverCpu.toFixed(2)}x |`),
  '',
].join('\n');
process.stdout.write(md);
if (values.out) {
  mkdirSync(values.out, { recursive: true });
  writeFileSync(`${values.out}/score-layout.json`, JSON.stringify({ date, adapter: engine.adapterName, command, nfe, rounds, cpuParticles: cpuP, rows }, null, 2) + '\n');
  writeFileSync(`${values.out}/score-layout.md`, md);
}
engine.destroy();
process.exit(0);
