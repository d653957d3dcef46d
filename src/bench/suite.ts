/**
 * `midstep bench`: the micro-benchmarks, the mixture-score kernels and every chosen sampler over
 * a grid of dimensions and particle counts, on the WebGPU adapter and the float64 CPU reference in
 * the same run. Cases whose predicted GPU time exceeds a cap are skipped and listed as skipped.
 */
import { cpus, loadavg } from 'node:os';
import { benchMixture } from './targets.js';
import { Engine } from '../engine.js';
import type { GpuContext } from '../gpu/device.js';
import { measureBandwidth, measureFmaPeak } from './microbench.js';
import { benchSampler, type SamplerCase } from './sampler-bench.js';
import { benchScore, type ScoreCase } from './score-bench.js';

/** What to run. */
export interface BenchConfig {
  samplers: string[];
  dims: number[];
  particles: number[];
  /** Score evaluations per particle of each sampler run. */
  nfe: number;
  /** Timed runs per case (median), after one warm-up. */
  runs: number;
  /** Particles of the CPU reference runs (extrapolated to P). */
  cpuParticles: number;
  /** Mixture components of the benchmark targets. */
  components: number;
  /** Dimensions of the score-kernel section, and its particle count at d = 64 (scaled by 64 / d elsewhere). */
  scoreDims: number[];
  scoreParticles: number;
  /** Skip a case whose predicted GPU time (from the same sampler and d at a smaller P) exceeds this. */
  maxCaseSeconds: number;
  /** Size of the micro-benchmarks: FMA invocations and bytes copied (default 16384 and 64 MiB). */
  microInvocations?: number;
  microBytes?: number;
  /** Where the samplers evaluate the mixture score (the engine's scoreLayout; default 'auto'). */
  scoreLayout?: 'auto' | 'fused' | 'pass' | 'staged';
}

/** The issue's full grid. Takes hours on SwiftShader; meant for real GPUs. */
export const FULL_CONFIG: BenchConfig = {
  samplers: ['euler-maruyama', 'ddpm', 'ddim', 'heun', 'dpmpp-2m', 'randomized-midpoint', 'parallel-midpoint', 'heroism', 'accelerated-sde', 'poisson-midpoint'],
  dims: [2, 16, 64, 256, 784],
  particles: [1e3, 1e4, 1e5, 1e6],
  nfe: 10, runs: 3, cpuParticles: 500, components: 16,
  scoreDims: [2, 16, 64, 256, 784, 1024], scoreParticles: 1e5, maxCaseSeconds: 120,
};

/** A subset that runs in minutes on SwiftShader. */
export const QUICK_CONFIG: BenchConfig = {
  samplers: ['ddim', 'ddpm', 'randomized-midpoint'],
  dims: [2, 16, 64],
  particles: [1e3, 1e4],
  nfe: 10, runs: 3, cpuParticles: 300, components: 16,
  scoreDims: [2, 16, 64, 256, 1024], scoreParticles: 1e5, maxCaseSeconds: 60,
};

/** Everything a run measured. */
export interface BenchReport {
  date: string;
  adapter: string;
  timing: string;
  command: string;
  note: string;
  config: BenchConfig;
  micro: { fmaGflops: number; fmaBuiltinGflops: number; bandwidthGBs: number };
  score: ScoreCase[];
  samplers: SamplerCase[];
  skipped: { sampler: string; dim: number; particles: number; reason: string }[];
  seconds: number;
  /** The host the run shared: its cores, their model, the 1-minute load average at the start and the end, and how the engine waited for the GPU. */
  host?: { cores: number; cpu: string; loadStart: number; loadEnd: number; gpuWait: string };
}

/** Runs the benchmark; `log` gets one line per finished case. */
export async function runBench(gpu: GpuContext, config: BenchConfig, command: string, log: (line: string) => void = () => {}): Promise<BenchReport> {
  const started = performance.now();
  const loadStart = loadavg()[0]!;
  const device = gpu.device;
  const fma = await measureFmaPeak(device, { runs: 5, invocations: config.microInvocations });
  const fmaBuiltin = await measureFmaPeak(device, { runs: 3, fused: true, invocations: config.microInvocations });
  const bw = await measureBandwidth(device, { runs: 5, bytes: config.microBytes });
  const micro = { fmaGflops: fma.gflops, fmaBuiltinGflops: fmaBuiltin.gflops, bandwidthGBs: bw.gbs };
  log(`micro: f32 mul-add ${micro.fmaGflops.toFixed(3)} GFLOP/s, fma() ${micro.fmaBuiltinGflops.toFixed(3)} GFLOP/s, copy ${micro.bandwidthGBs.toFixed(3)} GB/s (${fma.timing})`);

  const score: ScoreCase[] = [];
  for (const d of config.scoreDims) {
    const P = Math.max(256, Math.round((config.scoreParticles * Math.min(1, 64 / d)) / 256) * 256);
    const c = await benchScore(gpu, d, d === 64 ? config.scoreParticles : P, { components: config.components, cpuParticles: config.cpuParticles * 4 });
    score.push(c);
    log(`score d=${d} P=${c.particles}: ${c.kernels.map((k) => `${k.kernel} ${k.gflops.toFixed(3)} GFLOP/s = ${(100 * k.fractionOfPeak).toFixed(1)}% of peak`).join('; ')}; ${c.speedupOverCpu.toFixed(2)}x the float64 CPU`);
  }

  const engine = new Engine(gpu);
  const samplers: SamplerCase[] = [];
  const skipped: BenchReport['skipped'] = [];
  const limits = { fmaGflops: micro.fmaGflops, bandwidthGBs: micro.bandwidthGBs };
  // one target object per d, so the engine compiles each d's score-pass kernel once, not per sampler
  const targets = new Map(config.dims.map((d) => [d, benchMixture(d, config.components)]));
  for (const sampler of config.samplers) {
    for (const dim of config.dims) {
      let prev: SamplerCase | null = null;
      for (const particles of [...config.particles].sort((a, b) => a - b)) {
        if (prev) {
          const predicted = (prev.gpuSeconds * particles) / prev.particles;
          if (predicted * (config.runs + 1) > config.maxCaseSeconds) {
            skipped.push({ sampler, dim, particles, reason: `predicted ${predicted.toFixed(1)} s per run (from P = ${prev.particles}) x ${config.runs + 1} runs > ${config.maxCaseSeconds} s cap` });
            continue;
          }
        }
        const c = await benchSampler(engine, sampler, dim, particles, { nfe: config.nfe, runs: config.runs, cpuParticles: config.cpuParticles, components: config.components, limits, scoreLayout: config.scoreLayout, target: targets.get(dim) });
        samplers.push(c);
        prev = c;
        log(`${sampler} d=${dim} P=${particles} (${c.scoreLayout}): ${fmt(c.gpuStepsPerSecond)} particle-steps/s GPU, ${fmt(c.cpuStepsPerSecond)} CPU, ${c.speedup.toFixed(2)}x`);
      }
    }
  }
  return {
    date: new Date().toISOString(),
    adapter: gpu.adapterName,
    timing: `${fma.timing} for kernels; wall time (planning to readback) for whole sampler runs`,
    command,
    note: gpu.isSoftware
      ? `SwiftShader on a ${cpus().length}-core machine, shared with other jobs: absolute times are noisy; kernel figures are paired ratios against the FMA micro-benchmark measured alternately in the same run.`
      : 'hardware adapter',
    config, micro, score, samplers, skipped,
    seconds: (performance.now() - started) / 1000,
    host: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', loadStart, loadEnd: loadavg()[0]!, gpuWait: gpu.waitMode ?? 'await' },
  };
}

/** A throughput with an SI suffix. */
export function fmt(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)}G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(1);
}
