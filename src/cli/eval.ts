/** `midstep eval`: metrics of a .npy sample set against a target, beside their finite-sample floors. */
import { readNpy } from '../io/npy-node.js';
import { loadTargetSpec } from '../io/target-file.js';
import { evaluateSamples } from '../metrics/evaluate.js';
import { RUN_DEFAULTS } from '../run-request.js';
import { CliError, numberFlag, parse, required } from './args.js';

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    target: { type: 'string' }, samples: { type: 'string' }, delta: { type: 'string' }, seed: { type: 'string' },
    json: { type: 'boolean' },
  });
  const target = loadTargetSpec(required(values, 'target', 'a preset name or a target JSON file'));
  const path = required(values, 'samples', 'a .npy file of shape (n, d)');
  const arr = readNpy(path);
  if (arr.cols !== target.dim) {
    throw new CliError('--samples', path, `an array with ${target.dim} columns (the target's dim)`, `it has shape (${arr.rows}, ${arr.cols})`);
  }
  if (arr.rows < 2) throw new CliError('--samples', path, 'at least 2 samples', `it has ${arr.rows}`);
  const t = numberFlag(values, 'delta', 'a positive number') ?? RUN_DEFAULTS.delta;
  if (!(t > 0)) throw new CliError('--delta', values.delta, 'a positive number');
  const seed = numberFlag(values, 'seed', 'a non-negative integer') ?? 0;
  const r = evaluateSamples(target, arr.data, arr.rows, { t, seed });
  const report = { target: target.name, samples: path, ...r };
  if (values.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return 0;
  }
  const lines = [`${target.name} (d = ${target.dim}), ${arr.rows} samples, against q_t at t = ${t}`, `${'metric'.padEnd(12)} ${'value'.padStart(12)} ${'floor'.padStart(12)} ${'ratio'.padStart(8)}`];
  for (const [k, v] of Object.entries(r.metrics)) {
    const f = r.floor[k];
    const ratio = f !== undefined && f !== 0 ? (v / f).toFixed(2) : '';
    lines.push(`${k.padEnd(12)} ${v.toPrecision(4).padStart(12)} ${(f ?? NaN).toPrecision(4).padStart(12)} ${ratio.padStart(8)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
