/**
 * Cost of the reliability machinery on one adapter: the on-GPU fault check (default, about 16 checks
 * per run), a check after every step, and checkpoints after every batch, against a run with no
 * check; median wall time of 7 repeats, variants interleaved (run in a quiet moment: timings on a shared machine are
 * noisy).
 *
 *   npx tsx bench/reliability.ts        # writes bench/results/reliability.{json,md}
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, type SampleRequest } from '../src/engine.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';
import { loadTarget } from '../src/targets/presets.js';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'results');
const REPEATS = 7;
const engine = new Engine(await acquireNodeDevice());

const cases: { name: string; base: SampleRequest }[] = [
  { name: 'ring2d ddim nfe 50, 20000 particles', base: { target: loadTarget('ring2d'), sampler: 'ddim', nfe: 50, particles: 20_000, seed: 1 } },
  { name: 'aniso16 dpmpp-2m nfe 20, 2000 particles', base: { target: loadTarget('aniso16'), sampler: 'dpmpp-2m', nfe: 20, particles: 2000, seed: 1 } },
];
const variants: { name: string; extra: Partial<SampleRequest> }[] = [
  { name: 'no check', extra: { onNonFinite: 'ignore' } },
  { name: 'default check', extra: {} },
  { name: 'check every step', extra: { faultCheckEvery: 1 } },
  { name: 'no check, 10 batches', extra: { onNonFinite: 'ignore', stepsPerSubmit: 5, onProgress: () => {} } },
  { name: 'checkpoint every batch (10)', extra: { onNonFinite: 'ignore', stepsPerSubmit: 5, onCheckpoint: () => {} } },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: { case: string; variant: string; medianSeconds: number; relative: number }[] = [];
for (const c of cases) {
  await engine.sample(c.base); // build the kernels
  // variants interleaved round-robin, so that drifting load on a shared machine hits them alike
  const times = variants.map(() => [] as number[]);
  for (let i = 0; i < REPEATS; i++) {
    for (const [k, v] of variants.entries()) times[k]!.push((await engine.sample({ ...c.base, ...v.extra } as SampleRequest)).seconds);
  }
  const base = median(times[0]!);
  for (const [k, v] of variants.entries()) {
    const m = median(times[k]!);
    rows.push({ case: c.name, variant: v.name, medianSeconds: m, relative: m / base });
    console.log(`${c.name} | ${v.name}: ${m.toFixed(4)} s (${(m / base).toFixed(3)}x)`);
  }
}
const date = new Date().toISOString();
const command = 'npx tsx bench/reliability.ts';
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'reliability.json'), JSON.stringify({ date, adapter: engine.adapterName, command, repeats: REPEATS, rows }, null, 2) + '\n');
const md = [
  '# Reliability overheads', '',
  `Date ${date}. Adapter: ${engine.adapterName}. Command: \`${command}\`. Median of ${REPEATS} runs, wall time of \`Engine.sample\` (planning to readback).`,
  'Measured on a shared 2-core machine under load from other jobs: read the ratios, not the seconds.', '',
  '| case | variant | median s | vs no check |', '|---|---|---|---|',
  ...rows.map((r) => `| ${r.case} | ${r.variant} | ${r.medianSeconds.toFixed(4)} | ${r.relative.toFixed(3)} |`), '',
];
writeFileSync(join(OUT, 'reliability.md'), md.join('\n'));
engine.destroy();
process.exit(0);
