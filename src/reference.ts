/**
 * The float64 CPU reference: runs the same plan as the GPU engine, particle by particle, on the
 * same Philox noise, with float64 coefficients and the float64 score. It is the oracle the GPU
 * kernels are tested against, and the `--backend cpu` of the CLI.
 */
import { CancelledError, NumericalError } from './errors.js';
import { resolveFaultCheck, type NonFinitePolicy } from './gpu/fault-check.js';
import { resolveRun, type RunSettings } from './run-request.js';
import { Philox, Stream } from './rng/philox.js';
import type { ModelEval, ReferenceContext } from './samplers/types.js';
import type { ScoreModel } from './scores/types.js';
import { toScoreModel } from './engine.js';
import type { GaussianMixture } from './targets/gmm.js';
import { snapshotMarks, snapshotParticles, type RunSnapshots, type SnapshotOptions } from './snapshots.js';

/** A CPU reference run. */
export interface ReferenceRequest extends RunSettings {
  target: GaussianMixture | ScoreModel;
  /** Called every `progressEvery` particles with the number done. */
  onProgress?: (particlesDone: number, particles: number) => void;
  signal?: AbortSignal;
  /** As for the GPU engine: 'error' (default) fails on a non-finite particle, 'exclude' drops it, 'ignore' returns it. */
  onNonFinite?: NonFinitePolicy;
  /**
   * Replay frames of the first k particles, at the same marks as the engine's (about 20: after every
   * ceil(steps / 20) rows), frame 0 = x_T. Float32 like the engine's, from the float64 states.
   */
  snapshots?: SnapshotOptions;
}

/** What a reference run returns (float64 samples). */
export interface ReferenceResult {
  samples: Float64Array;
  sampler: string;
  target: string;
  dim: number;
  particles: number;
  offset: number;
  seed: number;
  nfe: number;
  /** Score evaluations per particle really made, on average (differs from `nfe` only for samplers with a random count: poisson-midpoint). */
  nfeRealised: number;
  rounds: number;
  steps: number;
  grid: string;
  tMax: number;
  delta: number;
  options: Record<string, number | string>;
  seconds: number;
  backend: 'cpu';
  adapter: string;
  /** Particles dropped ('exclude') or found ('error' never returns any) non-finite; null with 'ignore'. */
  nonFinite: { excluded: number; excludedIndices: number[] } | null;
  /** x_T and the state at each mark of the first k particles (only with `snapshots`). */
  snapshots: RunSnapshots | null;
}

/** Runs the float64 reference of a sampler. Same settings and validation as `Engine.sample`. */
export function sampleReference(request: ReferenceRequest): ReferenceResult {
  const started = performance.now();
  const model = toScoreModel(request.target);
  const run = resolveRun(request, model.dim);
  const { policy } = resolveFaultCheck(request.onNonFinite, 1, 1);
  const bad: number[] = [];
  const d = model.dim, P = run.particles;
  const rng = new Philox(run.seed);
  const out = new Float64Array(P * d);
  const x = new Float64Array(d);
  const buffers = Object.fromEntries(run.plan.buffers.filter((b) => b.floatsPerParticle !== undefined).map((b) => [b.name, new Float64Array(b.floatsPerParticle!)]));
  const scratch = Array.from({ length: 6 }, () => new Float64Array(d));
  const every = Math.max(1, Math.floor(P / 20));
  // replay frames: frame f + 1 of particle i is its state after row marks[f].stepsDone - 1
  const rows = run.plan.rows;
  const k = request.snapshots ? snapshotParticles(request.snapshots, P) : 0;
  const marks = k ? snapshotMarks(rows, run.plan.rounds, Math.max(1, Math.ceil(rows.length / 20))) : [];
  const frames = [{ stepsDone: 0, roundsDone: 0 }, ...marks].map((m) => ({ ...m, x: new Float32Array(k * d) }));
  const frameAfter = new Int32Array(rows.length).fill(-1);
  marks.forEach((m, f) => (frameAfter[m.stepsDone - 1] = f + 1));
  // samplers with a random number of evaluations: count them (the realised nfe)
  let evaluations = 0;
  const countedModel: ModelEval = run.plan.evalCounter
    ? (px, off, t, s, x0) => {
        evaluations++;
        model.evalPoint(px, off, t, s, x0);
      }
    : model.evalPoint;
  for (let i = 0; i < P; i++) {
    const particle = run.offset + i;
    rng.fillNormals(x, 0, d, particle, 0, Stream.init);
    for (const b of Object.values(buffers)) b.fill(0);
    const ctx: ReferenceContext = { dim: d, particle, rng, model: countedModel, buffers, scratch };
    if (i < k) frames[0]!.x.set(x, i * d);
    for (let r = 0; r < rows.length; r++) {
      run.plan.reference(x, rows[r]!, ctx);
      if (i < k && frameAfter[r]! >= 0) frames[frameAfter[r]!]!.x.set(x, i * d);
    }
    if (policy !== 'ignore' && !x.every(Number.isFinite)) {
      if (policy === 'error') {
        throw new NumericalError(`${run.sampler.name} on ${model.name} (float64 reference): particle ${particle} ended with non-finite values (NaN or Inf); pass onNonFinite: "exclude" to drop such particles`, run.plan.rounds, 1);
      }
      bad.push(particle);
    } else out.set(x, (i - bad.length) * d);
    if ((i + 1) % every === 0) {
      if (request.signal?.aborted) throw new CancelledError(`reference run cancelled after ${i + 1} of ${P} particles`);
      request.onProgress?.(i + 1, P);
    }
  }
  return {
    samples: bad.length ? out.slice(0, (P - bad.length) * d) : out,
    sampler: run.sampler.name,
    target: model.name,
    dim: d,
    particles: P - bad.length,
    offset: run.offset,
    seed: run.seed,
    nfe: run.plan.nfe,
    nfeRealised: run.plan.evalCounter ? evaluations / P : run.plan.nfe,
    rounds: run.plan.rounds,
    steps: run.plan.rows.length,
    grid: run.grid,
    tMax: run.tMax,
    delta: run.delta,
    options: run.options,
    seconds: (performance.now() - started) / 1000,
    backend: 'cpu',
    adapter: 'float64 CPU reference',
    nonFinite: policy === 'ignore' ? null : { excluded: bad.length, excludedIndices: bad },
    snapshots: k ? { particles: k, dim: d, frames } : null,
  };
}
