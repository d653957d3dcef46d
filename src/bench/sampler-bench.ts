/**
 * The sampler benchmark: a whole run of one sampler on the engine (wall time of `Engine.sample`,
 * planning to readback, after a warm-up run that compiles the kernels; median of several runs) and
 * of the float64 CPU reference on a particle subset (its time per particle is constant, so it is
 * extrapolated linearly to P), in the same process. Throughputs: particle-steps per second (one
 * step = one dispatch of the plan) and particle score evaluations per second (nfe per particle).
 */
import { Engine } from '../engine.js';
import { sampleReference } from '../reference.js';
import { benchMixture } from './targets.js';
import { scoreFlops } from './score-bench.js';
import { medianWall } from './timing.js';

/** One (sampler, d, P) case. */
export interface SamplerCase {
  sampler: string;
  dim: number;
  particles: number;
  nfe: number;
  steps: number;
  /** Where the engine evaluated the score: fused into the sampler kernels or a separate pass. */
  scoreLayout: string;
  gpuSeconds: number;
  gpuStepsPerSecond: number;
  gpuEvalsPerSecond: number;
  cpuParticles: number;
  /** Extrapolated to all P particles. */
  cpuSeconds: number;
  cpuStepsPerSecond: number;
  cpuEvalsPerSecond: number;
  /** GPU throughput over CPU throughput. */
  speedup: number;
  /** Nominal score flops per second over the FMA peak (the score is the FLOP-bound part). */
  fractionOfFmaPeak: number;
  /** State bytes (read + write of x per step) per second over the copy bandwidth (the update is the bandwidth-bound part). */
  fractionOfBandwidth: number;
}

/** Runs one case. `limits` are the micro-benchmark figures of the same adapter. */
export async function benchSampler(
  engine: Engine, sampler: string, dim: number, particles: number,
  opts: { nfe: number; runs: number; cpuParticles: number; components: number; limits: { fmaGflops: number; bandwidthGBs: number }; scoreLayout?: 'auto' | 'fused' | 'pass' },
): Promise<SamplerCase> {
  const target = benchMixture(dim, opts.components);
  const settings = { target, sampler, nfe: opts.nfe, particles, seed: 1 };
  let steps = 0, nfe = 0, scoreLayout = '';
  const gpuSeconds = await medianWall(async () => {
    const r = await engine.sample({ ...settings, scoreLayout: opts.scoreLayout ?? 'auto' });
    scoreLayout = r.scoreLayout ?? '';
    steps = r.steps;
    nfe = r.nfe;
  }, opts.runs, 1);
  const n = Math.min(particles, opts.cpuParticles);
  const cpuSub = await medianWall(() => sampleReference({ ...settings, particles: n }), opts.runs > 1 ? 2 : 1, 0);
  const cpuSeconds = (cpuSub * particles) / n;
  const flops = scoreFlops(dim, opts.components) * nfe * particles;
  return {
    sampler, dim, particles, nfe, steps, scoreLayout,
    gpuSeconds,
    gpuStepsPerSecond: (particles * steps) / gpuSeconds,
    gpuEvalsPerSecond: (particles * nfe) / gpuSeconds,
    cpuParticles: n,
    cpuSeconds,
    cpuStepsPerSecond: (particles * steps) / cpuSeconds,
    cpuEvalsPerSecond: (particles * nfe) / cpuSeconds,
    speedup: cpuSeconds / gpuSeconds,
    fractionOfFmaPeak: flops / gpuSeconds / 1e9 / opts.limits.fmaGflops,
    fractionOfBandwidth: (8 * dim * steps * particles) / gpuSeconds / 1e9 / opts.limits.bandwidthGBs,
  };
}
