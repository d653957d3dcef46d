/** `midstep list`: the samplers (options, nfe and rounds per step) and the target presets. */
import { SAMPLERS, minNfeWith } from '../samplers/index.js';
import { PRESETS } from '../targets/presets.js';
import { GRID_NAMES } from '../math/grids.js';
import { parse } from './args.js';

export function listCommand(argv: string[]): number {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  const samplers = SAMPLERS.map((s) => ({
    name: s.name, description: s.description, source: s.source, nfePerStep: s.nfePerStep,
    roundsPerStep: s.roundsPerStep, minNfe: minNfeWith(s), options: s.options,
  }));
  const presets = Object.entries(PRESETS).map(([name, p]) => {
    const t = p.make();
    return { name, dim: t.dim, components: t.K, covariance: t.covKind, description: p.description };
  });
  if (values.json) {
    process.stdout.write(JSON.stringify({ samplers, presets, grids: GRID_NAMES }) + '\n');
    return 0;
  }
  const lines = ['samplers:'];
  for (const s of samplers) {
    lines.push(`  ${s.name.padEnd(22)} nfe/step ${s.nfePerStep}, rounds/step ${s.roundsPerStep}, min nfe ${s.minNfe} (default options). ${s.description}`);
    lines.push(`  ${''.padEnd(22)} source: ${s.source}`);
    for (const o of s.options) {
      const range = o.type === 'enum' ? o.values!.join('|') : `${o.min ?? '-inf'}..${o.max ?? 'inf'}`;
      lines.push(`  ${''.padEnd(22)} --opt ${o.name}=<${range}> (default ${o.default}): ${o.description}`);
    }
  }
  lines.push('', 'target presets:');
  for (const p of presets) lines.push(`  ${p.name.padEnd(12)} d = ${String(p.dim).padEnd(4)} K = ${String(p.components).padEnd(3)} ${p.covariance.padEnd(9)} ${p.description}`);
  lines.push('', `grids: ${GRID_NAMES.join(', ')} (default logsnr)`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
