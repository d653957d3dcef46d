/**
 * `midstep bench`: throughput of the samplers and the mixture-score kernels on the WebGPU adapter
 * against the float64 CPU reference and the adapter's own FMA and bandwidth limits; writes
 * JSON + Markdown + SVG under --out (default bench/results/bench-<adapter>).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireNodeDevice } from '../gpu/node-device.js';
import { reportMarkdown, reportPlots } from '../bench/report.js';
import { FULL_CONFIG, QUICK_CONFIG, runBench, type BenchConfig } from '../bench/suite.js';
import { getSampler } from '../samplers/index.js';
import { CliError, numberFlag, parse } from './args.js';

function list(values: Record<string, unknown>, name: string, what: string): number[] | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const xs = String(v).split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new CliError(`--${name}`, v, what);
  return xs;
}

/** --score-layout: auto (default), fused, pass or staged. */
function scoreLayoutFlag(v: unknown): 'auto' | 'fused' | 'pass' | 'staged' {
  if (v === undefined) return 'auto';
  if (v === 'auto' || v === 'fused' || v === 'pass' || v === 'staged') return v;
  throw new CliError('--score-layout', v, 'auto, fused, pass or staged');
}

/** Parses the flags into a config (exported for tests). */
export function benchConfig(argv: string[]): { config: BenchConfig; out: string | undefined; json: boolean; cpuOnlyCheck: boolean } {
  const { values } = parse(argv, {
    quick: { type: 'boolean' }, samplers: { type: 'string' }, dims: { type: 'string' }, particles: { type: 'string' },
    nfe: { type: 'string' }, runs: { type: 'string' }, 'cpu-particles': { type: 'string' }, 'score-dims': { type: 'string' },
    'score-particles': { type: 'string' }, components: { type: 'string' }, 'max-case-seconds': { type: 'string' },
    out: { type: 'string' }, json: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, 'score-layout': { type: 'string' },
  });
  const base = values.quick ? QUICK_CONFIG : FULL_CONFIG;
  const samplers = values.samplers === undefined ? base.samplers : values.samplers === 'none' ? [] : String(values.samplers).split(',').map((s) => s.trim()).filter((s) => s.length);
  for (const s of samplers) getSampler(s); // an unknown name fails here, before a device starts
  const int = (name: string, fallback: number) => {
    const v = numberFlag(values, name, 'a positive integer');
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new CliError(`--${name}`, values[name], 'a positive integer');
    return v ?? fallback;
  };
  const config: BenchConfig = {
    samplers,
    dims: list(values, 'dims', 'comma-separated positive integers, e.g. 2,16,64') ?? base.dims,
    particles: list(values, 'particles', 'comma-separated positive integers, e.g. 1000,10000') ?? base.particles,
    nfe: int('nfe', base.nfe),
    runs: int('runs', base.runs),
    cpuParticles: int('cpu-particles', base.cpuParticles),
    components: int('components', base.components),
    scoreDims: values['score-dims'] === 'none' ? [] : list(values, 'score-dims', 'comma-separated positive integers, or none') ?? base.scoreDims,
    scoreParticles: int('score-particles', base.scoreParticles),
    maxCaseSeconds: int('max-case-seconds', base.maxCaseSeconds),
    scoreLayout: scoreLayoutFlag(values['score-layout']),
  };
  return { config, out: values.out as string | undefined, json: !!values.json, cpuOnlyCheck: !!values['dry-run'] };
}

export async function benchCommand(argv: string[]): Promise<number> {
  const { config, out, json, cpuOnlyCheck } = benchConfig(argv);
  if (cpuOnlyCheck) {
    process.stdout.write(JSON.stringify(config, null, 2) + '\n');
    return 0;
  }
  const gpu = await acquireNodeDevice();
  try {
    const command = `midstep bench ${argv.join(' ')}`.trim();
    const report = await runBench(gpu, config, command, (line) => process.stderr.write(line + '\n'));
    const slug = gpu.adapterName.split(' [')[0]!.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const dir = out ?? join('bench', 'results', `bench-${slug}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bench.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(dir, 'bench.md'), reportMarkdown(report));
    for (const [name, svg] of Object.entries(reportPlots(report))) writeFileSync(join(dir, `${name}.svg`), svg);
    if (json) process.stdout.write(JSON.stringify(report) + '\n');
    else process.stdout.write(reportMarkdown(report));
    process.stderr.write(`results in ${dir}\n`);
    return 0;
  } finally {
    gpu.device.destroy();
  }
}
