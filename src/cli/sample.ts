/** `midstep sample`: run a sampler, write the particles as a float32 .npy of shape (P, d). */
import { Engine } from '../engine.js';
import { acquireNodeDevice } from '../gpu/node-device.js';
import { writeNpy } from '../io/npy-node.js';
import { loadSampleDataset, loadSampleTarget } from '../io/sample-target.js';
import { datasetScoreOnDevice } from '../scores/dataset-batch.js';
import type { Dataset } from '../scores/dataset-score.js';
import { sampleReference, type ReferenceRequest } from '../reference.js';
import type { ScoreModel } from '../scores/types.js';
import type { GaussianMixture } from '../targets/gmm.js';
import { resolveRun } from '../run-request.js';
import type { GridName } from '../math/grids.js';
import { CliError, keyValues, numberFlag, parse, required } from './args.js';
import { progressBar } from './progress.js';
import { NON_FINITE_POLICIES, resolveFaultCheck, type NonFinitePolicy } from '../gpu/fault-check.js';

/** Validated settings of `midstep sample` (everything but the device). */
export interface SampleArgs {
  settings: Omit<ReferenceRequest, 'onProgress' | 'signal'> & { target: GaussianMixture | ScoreModel };
  out: string;
  backend: 'webgpu' | 'cpu';
  json: boolean;
  /** `--on-non-finite`: what the GPU run does with NaN/Inf particles. */
  onNonFinite: NonFinitePolicy;
  /** The dataset of a dataset target (`mnist`): the GPU run picks its kernel by dimension. */
  dataset: Dataset | null;
  /** `--score-layout` and `--update-layout` of a GPU run (the engine's `scoreLayout`, `updateLayout`; default auto). */
  layouts: { scoreLayout: 'auto' | 'fused' | 'pass' | 'staged'; updateLayout: 'auto' | 'particle' | 'block' };
}

/**
 * Parses and validates the flags of `midstep sample` without touching a device or the disk (but
 * reading a target JSON file): every bad flag throws a {@link MidstepError} naming it.
 */
export function parseSampleArgs(argv: string[]): SampleArgs {
  const { values } = parse(argv, {
    target: { type: 'string' }, sampler: { type: 'string' }, nfe: { type: 'string' }, particles: { type: 'string' },
    seed: { type: 'string' }, offset: { type: 'string' }, 't-max': { type: 'string' }, delta: { type: 'string' },
    grid: { type: 'string' }, opt: { type: 'string', multiple: true }, backend: { type: 'string' },
    out: { type: 'string' }, json: { type: 'boolean' }, 'on-non-finite': { type: 'string' },
    'score-layout': { type: 'string' }, 'update-layout': { type: 'string' },
  });
  const spec = required(values, 'target', 'a preset name, a target JSON file, mnist or an MLP .safetensors file');
  const target = loadSampleTarget(spec);
  const sampler = required(values, 'sampler', 'a sampler name (see midstep list)');
  const nfe = numberFlag(values, 'nfe', 'an integer number of score evaluations');
  const particles = numberFlag(values, 'particles', 'an integer number of particles');
  if (nfe === undefined) throw new CliError('--nfe', undefined, 'an integer number of score evaluations');
  if (particles === undefined) throw new CliError('--particles', undefined, 'an integer number of particles');
  const out = required(values, 'out', 'an output path ending in .npy');
  if (!out.endsWith('.npy')) throw new CliError('--out', out, 'a path ending in .npy');
  const backend = values.backend ?? 'webgpu';
  if (backend !== 'webgpu' && backend !== 'cpu') throw new CliError('--backend', backend, 'webgpu or cpu');
  const settings = {
    target,
    sampler,
    nfe,
    particles,
    seed: numberFlag(values, 'seed', 'a non-negative integer'),
    offset: numberFlag(values, 'offset', 'a non-negative integer'),
    tMax: numberFlag(values, 't-max', 'a positive number'),
    delta: numberFlag(values, 'delta', 'a positive number'),
    grid: values.grid as GridName | undefined,
    options: keyValues(values.opt),
  };
  const onNonFinite = (values['on-non-finite'] ?? 'error') as NonFinitePolicy;
  if (!NON_FINITE_POLICIES.includes(onNonFinite)) throw new CliError('--on-non-finite', onNonFinite, NON_FINITE_POLICIES.join(' or '));
  const scoreLayout = (values['score-layout'] ?? 'auto') as SampleArgs['layouts']['scoreLayout'];
  if (!['auto', 'fused', 'pass', 'staged'].includes(scoreLayout)) throw new CliError('--score-layout', scoreLayout, 'auto, fused, pass or staged');
  const updateLayout = (values['update-layout'] ?? 'auto') as SampleArgs['layouts']['updateLayout'];
  if (!['auto', 'particle', 'block'].includes(updateLayout)) throw new CliError('--update-layout', updateLayout, 'auto, particle or block');
  if (backend === 'cpu' && (values['score-layout'] !== undefined || values['update-layout'] !== undefined)) {
    throw new CliError(values['score-layout'] !== undefined ? '--score-layout' : '--update-layout', values['score-layout'] ?? values['update-layout'], 'no layout flag with --backend cpu (kernel layouts are GPU settings)');
  }
  const run = resolveRun(settings, target.dim); // validate everything before starting a device
  resolveFaultCheck(onNonFinite, undefined, run.plan.rows.length);
  return { settings, out, backend, json: values.json === true, onNonFinite, dataset: loadSampleDataset(spec), layouts: { scoreLayout, updateLayout } };
}

export async function sampleCommand(argv: string[]): Promise<number> {
  const { settings, out, backend, json, onNonFinite, dataset, layouts } = parseSampleArgs(argv);
  const sampler = settings.sampler;
  const bar = progressBar(`${sampler} ${backend}`, process.stderr, backend === 'cpu' ? 'particles' : 'rounds');
  let result;
  if (backend === 'cpu') {
    const r = sampleReference({ ...settings, onNonFinite, onProgress: bar.tty ? bar : undefined });
    bar.finish();
    writeNpy(out, Float32Array.from(r.samples), r.particles, r.dim);
    result = { ...r, samples: undefined };
  } else {
    const gpu = await acquireNodeDevice();
    const engine = new Engine(gpu);
    // a dataset at large d runs through the wide batch kernel (src/scores/dataset-batch.ts), else fused
    const score = dataset ? await datasetScoreOnDevice(gpu.device, dataset) : null;
    try {
      const r = await engine.sample({ ...settings, ...layouts, target: score?.model ?? settings.target, onNonFinite, onProgress: bar.tty ? (p) => bar(p.roundsDone, p.rounds) : undefined });
      bar.finish();
      writeNpy(out, r.samples!, r.particles, r.dim);
      result = { ...r, samples: undefined, buffer: undefined };
    } finally {
      score?.destroy();
      engine.destroy();
    }
  }
  const report = {
    sampler: result.sampler, target: result.target, dim: result.dim, particles: result.particles,
    offset: result.offset, seed: result.seed, nfe: result.nfe, nfeRealised: result.nfeRealised, rounds: result.rounds, steps: result.steps,
    grid: result.grid, tMax: result.tMax, delta: result.delta, options: result.options,
    seconds: Number(result.seconds.toFixed(4)), backend: result.backend, adapter: result.adapter, out,
    excluded: 'nonFinite' in result && result.nonFinite ? result.nonFinite.excluded : 0,
    scoreLayout: 'scoreLayout' in result ? result.scoreLayout : undefined,
    updateLayout: 'updateLayout' in result ? result.updateLayout : undefined,
  };
  if (json) process.stdout.write(JSON.stringify(report) + '\n');
  else {
    process.stdout.write(
      `${report.sampler} on ${report.target} (d = ${report.dim}): ${report.particles} particles, nfe ${report.nfe}, rounds ${report.rounds}, ` +
        `${report.seconds.toFixed(2)} s on ${report.adapter}\nwrote ${out}\n`,
    );
  }
  return 0;
}
