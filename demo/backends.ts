/**
 * Where the demo's runs happen: the browser's WebGPU adapter through the Engine, or, without
 * WebGPU, the float64 CPU reference in a worker (small runs only).
 */
import { Engine } from '../src/engine.js';
import { MidstepError, RunOptionError } from '../src/errors.js';
import type { ScoreModel } from '../src/scores/types.js';
import type { RunSnapshots } from '../src/snapshots.js';
import { GaussianMixture } from '../src/targets/gmm.js';
import type { CpuWorker } from './cpu-client.js';

/** The most particles the CPU fallback takes. */
export const CPU_MAX_PARTICLES = 50_000;

/** One run of one sampler. */
export interface RunSpec {
  /** A Gaussian mixture, or a score model (WebGPU only). */
  target: GaussianMixture | ScoreModel;
  /** Early-stopping time (default the engine's, 1e-3). */
  delta?: number;
  sampler: string;
  options: Record<string, number | string>;
  nfe: number;
  particles: number;
  seed: number;
  /** Snapshot this many particles for the replay. */
  snapshotParticles?: number;
}

/** What a run gives the page. */
export interface RunOutput {
  samples: Float32Array;
  nfe: number;
  rounds: number;
  seconds: number;
  delta: number;
  snapshots: RunSnapshots | null;
}

export interface Backend {
  kind: 'webgpu' | 'cpu';
  /** Adapter name, or "float64 CPU reference". */
  adapter: string;
  maxParticles(dim: number): number;
  run(spec: RunSpec, signal: AbortSignal, onProgress: (fraction: number) => void): Promise<RunOutput>;
}

/** Runs on the browser's WebGPU adapter. */
export function gpuBackend(engine: Engine): Backend {
  return {
    kind: 'webgpu',
    adapter: engine.adapterName,
    maxParticles: (dim) => engine.maxParticles(dim),
    async run(spec, signal, onProgress) {
      const r = await engine.sample({
        target: spec.target, sampler: spec.sampler, options: spec.options, nfe: spec.nfe, particles: spec.particles, seed: spec.seed, delta: spec.delta,
        signal, onProgress: (p) => onProgress(p.stepsDone / Math.max(1, p.steps)),
        snapshots: spec.snapshotParticles ? { particles: Math.min(spec.snapshotParticles, spec.particles) } : undefined,
      });
      return { samples: r.samples!, nfe: r.nfe, rounds: r.rounds, seconds: r.seconds, delta: r.delta, snapshots: r.snapshots };
    },
  };
}

/** Runs the float64 reference in the CPU worker (same plan and Philox noise as the GPU). */
export function cpuBackend(worker: CpuWorker): Backend {
  return {
    kind: 'cpu',
    adapter: 'float64 CPU reference (no WebGPU)',
    maxParticles: () => CPU_MAX_PARTICLES,
    async run(spec, signal, onProgress) {
      if (!(spec.target instanceof GaussianMixture)) throw new MidstepError(`target ${spec.target.name}: a score model needs WebGPU, the CPU fallback runs Gaussian mixtures only`);
      if (spec.particles > CPU_MAX_PARTICLES) throw new RunOptionError('particles', spec.particles, `at most ${CPU_MAX_PARTICLES} on the CPU fallback (WebGPU takes millions)`);
      const snapshots = spec.snapshotParticles ? { particles: Math.min(spec.snapshotParticles, spec.particles) } : undefined;
      const r = await worker.reference(spec.target, { sampler: spec.sampler, options: spec.options, nfe: spec.nfe, particles: spec.particles, seed: spec.seed }, signal, (d, t) => onProgress(d / t), snapshots);
      return { samples: r.samples, nfe: r.nfe, rounds: r.rounds, seconds: r.seconds, delta: 1e-3, snapshots: r.snapshots };
    },
  };
}
