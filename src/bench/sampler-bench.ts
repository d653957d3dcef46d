/**
 * The sampler benchmark: a whole run of one sampler on the engine (wall time of `Engine.sample`,
 * planning to readback) and of the float64 CPU reference on a particle subset (its time per
 * particle is constant, so it is extrapolated linearly to P), in the same process, timed in
 * alternating pairs after one warm-up of each (kernel compilation on the GPU side, the JIT on the
 * CPU side); times are medians and the speedup is the median of the per-pair ratios. Throughputs: particle-steps per second (one
 * step = one dispatch of the plan) and particle score evaluations per second (nfe per particle).
 */
import { Engine } from '../engine.js';
import { sampleReference } from '../reference.js';
import type { GaussianMixture } from '../targets/gmm.js';
import { benchMixture } from './targets.js';
import { scoreFlops } from './score-bench.js';
import { pairedRatio } from './paired.js';

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
  opts: { nfe: number; runs: number; cpuParticles: number; components: number; limits: { fmaGflops: number; bandwidthGBs: number }; scoreLayout?: 'auto' | 'fused' | 'pass' | 'staged'; target?: GaussianMixture },
): Promise<SamplerCase> {
  const target = opts.target ?? benchMixture(dim, opts.components);
  const settings = { target, sampler, nfe: opts.nfe, particles, seed: 1 };
  let steps = 0, nfe = 0, scoreLayout = '';
  const n = Math.min(particles, opts.cpuParticles);
  const gpu = async () => {
    const t0 = performance.now();
    const r = await engine.sample({ ...settings, scoreLayout: opts.scoreLayout ?? 'auto' });
    scoreLayout = r.scoreLayout ?? '';
    steps = r.steps;
    nfe = r.nfe;
    return (performance.now() - t0) / 1000;
  };
  const cpu = async () => {
    const t0 = performance.now();
    sampleReference({ ...settings, particles: n });
    return (((performance.now() - t0) / 1000) * particles) / n;
  };
  const r = await pairedRatio(cpu, gpu, Math.max(1, opts.runs));
  const gpuSeconds = r.b, cpuSeconds = r.a;
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
    speedup: r.ratio,
    fractionOfFmaPeak: flops / gpuSeconds / 1e9 / opts.limits.fmaGflops,
    fractionOfBandwidth: (8 * dim * steps * particles) / gpuSeconds / 1e9 / opts.limits.bandwidthGBs,
  };
}
