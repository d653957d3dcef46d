/**
 * The mixture-score benchmark: one score evaluation of P particles at one time, by the
 * thread-per-particle pass (the "before") and the tiled kernel in its automatic layout (the
 * "after"), each timed in pairs against the FMA micro-benchmark, and the float64 CPU score on a
 * particle subset. Nominal work: 8 flops per (particle, component, coordinate), i.e. the four
 * FMAs of y = x - m mu, a = y / c, quad += y a, s += w a; logs and exps are not counted.
 */
import type { GpuContext } from '../gpu/device.js';
import { settle } from '../gpu/quiet-wait.js';
import { adapterTraits, chooseScoreLayout, type ScoreLayout } from '../gpu/kernel-select.js';
import { gmmScoreModel } from '../scores/gmm-score.js';
import { MixtureScoreKernel } from '../scores/mixture-score-kernel.js';
import { measureFmaPeak } from './microbench.js';
import { NaiveScorePass } from './naive-score-pass.js';
import { pairedRatio } from './paired.js';
import { benchMixture } from './targets.js';
import { GpuTimer, median } from './timing.js';

/** Nominal flops of one mixture-score evaluation (see the module comment). */
export function scoreFlops(dim: number, K: number): number {
  return 8 * K * dim;
}

/** One kernel's figures. */
export interface KernelFigure {
  kernel: string;
  layout?: ScoreLayout;
  seconds: number;
  gflops: number;
  /** Achieved fraction of the FMA peak measured in the same pairs. */
  fractionOfPeak: number;
  /** Particle score evaluations per second. */
  evalsPerSecond: number;
  /** Largest |gpu - float64| / (1 + |float64|) over the checked particles. */
  maxError: number;
}

/** Results of one (d, P) case. */
export interface ScoreCase {
  dim: number;
  components: number;
  particles: number;
  t: number;
  fmaPeakGflops: number;
  kernels: KernelFigure[];
  cpu: { particles: number; evalsPerSecond: number; gflops: number };
  /** Tiled GPU evals/s over float64 CPU evals/s. */
  speedupOverCpu: number;
}

/** Benchmarks the mixture score at dimension `dim`, `particles` particles, K components. */
export async function benchScore(gpu: GpuContext, dim: number, particles: number, opts: { components?: number; pairs?: number; cpuParticles?: number; t?: number } = {}): Promise<ScoreCase> {
  const device = gpu.device, K = opts.components ?? 16, t = opts.t ?? 0.3, pairs = opts.pairs ?? 5;
  const target = benchMixture(dim, K);
  const P = particles, bytes = P * dim * 4;
  const x = new Float32Array(P * dim);
  for (let i = 0; i < x.length; i++) x[i] = 2.5 * Math.sin(i * 12.9898 + 0.5);
  const xs = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const out = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(xs, 0, x);
  const wait = gpu.waitMode ?? 'await';
  const timer = new GpuTimer(device, wait);
  const flops = scoreFlops(dim, K) * P;
  const check = [0, 1, P >> 1, P - 1];
  const ref = new Float64Array(dim);
  const maxError = async () => {
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(out, 0, read, 0, bytes);
    device.queue.submit([enc.finish()]);
    await settle(read.mapAsync(GPUMapMode.READ), wait);
    const got = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    let e = 0;
    for (const i of check) {
      target.evalPoint(x, i * dim, t, ref, null);
      for (let j = 0; j < dim; j++) e = Math.max(e, Math.abs(got[i * dim + j]! - ref[j]!) / (1 + Math.abs(ref[j]!)));
    }
    return e;
  };
  // as much work as the kernel (256 rounds of 64 flops per invocation), so that both sides of a
  // pair take about as long and see the same load
  const invocations = Math.min(262144, Math.max(4096, 64 * Math.round(flops / (256 * 64) / 64)));
  const peakSecondsPerGflop = async () => 1 / (await measureFmaPeak(device, { runs: 1, invocations })).gflops;
  const kernels: KernelFigure[] = [];
  const peaks: number[] = [];
  const figure = async (kernel: string, encode: (pass: GPUComputePassEncoder) => void, layout?: ScoreLayout) => {
    const r = await pairedRatio(peakSecondsPerGflop, async () => (await timer.once((_e, pass) => {
      const c = pass();
      encode(c);
      c.end();
    })) / (flops / 1e9), pairs);
    peaks.push(1 / r.a);
    const seconds = r.b * (flops / 1e9);
    kernels.push({ kernel, layout, seconds, gflops: flops / seconds / 1e9, fractionOfPeak: r.ratio, evalsPerSecond: P / seconds, maxError: await maxError() });
  };

  const naive = await settle(NaiveScorePass.create(device, gmmScoreModel(target)), wait);
  {
    const g = naive.setTime(t, P), groups = naive.bindGroups(xs, out);
    await figure('thread-per-particle (model_eval)', (c) => naive.encode(c, groups, g));
  }
  naive.destroy();
  const layout = chooseScoreLayout(dim, K, adapterTraits(device, gpu.isSoftware));
  // where the automatic layout is the GEMM kernel, the tiled kernel (the choice before it) too
  const layouts: ScoreLayout[] = layout.gemm ? [chooseScoreLayout(dim, K, adapterTraits(device, gpu.isSoftware), { gemm: false }), layout] : [layout];
  for (const l of layouts) {
    const kernel = await settle(MixtureScoreKernel.create(device, target, l), wait);
    const g = kernel.setTime(t, P), group = kernel.bindGroup(xs, out);
    await figure(l.gemm ? (l.gemmChunk ? 'gemm chunked (score-gmm-gemm-chunked)' : 'gemm (score-gmm-gemm)') : l.stream ? 'stream (score-gmm-stream)' : (l.split ?? 1) > 1 ? 'split (score-gmm-split)' : 'tiled (score-gmm-tiled)', (c) => kernel.encode(c, group, g), l);
    kernel.destroy();
  }
  timer.destroy();
  xs.destroy();
  out.destroy();
  read.destroy();

  // float64 CPU score on a subset, median of 3
  const n = Math.min(P, opts.cpuParticles ?? 2000);
  const s64 = new Float64Array(dim);
  const cpuTimes: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) target.evalPoint(x, i * dim, t, s64, null);
    cpuTimes.push((performance.now() - t0) / 1000);
  }
  const cpuEvals = n / median(cpuTimes);
  const best = kernels[kernels.length - 1]!;
  return {
    dim, components: K, particles: P, t,
    fmaPeakGflops: median(peaks),
    kernels,
    cpu: { particles: n, evalsPerSecond: cpuEvals, gflops: (cpuEvals * scoreFlops(dim, K)) / 1e9 },
    speedupOverCpu: best.evalsPerSecond / cpuEvals,
  };
}
