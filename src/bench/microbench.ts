/**
 * Device micro-benchmarks: the f32 FMA throughput and the memory bandwidth this adapter reaches
 * with simple WGSL kernels (shaders/bench-fma.wgsl, shaders/bench-copy.wgsl). They are the limits
 * each sampler kernel's throughput is compared against.
 */
import { composeShader } from '../gpu/compose.js';
import { defaultWaitMode, settle } from '../gpu/quiet-wait.js';
import { GpuTimer, type TimingSource } from './timing.js';

/** Measured limits of one adapter. */
export interface DeviceLimits {
  /** Peak f32 FMA throughput, GFLOP/s (an fma counts 2 flops). */
  fmaGflops: number;
  /** Read + write bandwidth of a vec4 copy, GB/s. */
  bandwidthGBs: number;
  timing: TimingSource;
}

/** Workgroup grid (x, y) for `groups` workgroups. */
export function grid2d(groups: number, maxPerDim: number): { x: number; y: number } {
  const x = Math.min(groups, maxPerDim);
  return { x, y: Math.ceil(groups / x) };
}

async function pipeline(device: GPUDevice, shader: string, defines: Record<string, number | boolean>): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ label: shader, code: composeShader(shader, defines) });
  return settle(device.createComputePipelineAsync({ label: shader, layout: 'auto', compute: { module, entryPoint: 'main' } }), defaultWaitMode());
}

/** Median GPU time of one dispatch of `p` over grid `g` with bind group `bg` (after one warm-up). */
async function timeDispatch(device: GPUDevice, p: GPUComputePipeline, bg: GPUBindGroup, g: { x: number; y: number }, runs: number): Promise<{ seconds: number; source: TimingSource }> {
  const timer = new GpuTimer(device);
  try {
    const seconds = await timer.median((_e, pass) => {
      const c = pass();
      c.setPipeline(p);
      c.setBindGroup(0, bg);
      c.dispatchWorkgroups(g.x, g.y);
      c.end();
    }, runs, 1);
    return { seconds, source: timer.source };
  } finally {
    timer.destroy();
  }
}

/**
 * Peak FMA throughput: `invocations` threads of `iters` rounds of 64 flops each.
 * The defaults take about 0.1 s on SwiftShader; a real GPU wants more invocations.
 */
export async function measureFmaPeak(device: GPUDevice, opts: { invocations?: number; iters?: number; runs?: number; fused?: boolean } = {}): Promise<{ gflops: number; timing: TimingSource }> {
  const wg = 64, iters = opts.iters ?? 256, n = opts.invocations ?? 16384;
  const groups = Math.ceil(n / wg);
  const g = grid2d(groups, device.limits.maxComputeWorkgroupsPerDimension);
  const p = await pipeline(device, 'bench-fma', { WG_SIZE: wg, ITERS: iters, FUSED: opts.fused ? 1 : 0 });
  const out = device.createBuffer({ size: g.x * g.y * wg * 16, usage: GPUBufferUsage.STORAGE });
  const params = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(params, 0, new Float32Array([0.999, 1e-3, g.x * wg, 0]));
  const bg = device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }, { binding: 1, resource: { buffer: params } }] });
  const { seconds, source } = await timeDispatch(device, p, bg, g, opts.runs ?? 5);
  out.destroy();
  params.destroy();
  return { gflops: (g.x * g.y * wg * iters * 64) / seconds / 1e9, timing: source };
}

/** Copy bandwidth: `bytes` read and the same written, in vec4s. */
export async function measureBandwidth(device: GPUDevice, opts: { bytes?: number; runs?: number } = {}): Promise<{ gbs: number; timing: TimingSource }> {
  const wg = 64, bytes = Math.min(opts.bytes ?? 64 * 2 ** 20, device.limits.maxStorageBufferBindingSize);
  const count = Math.floor(bytes / 16);
  const g = grid2d(Math.ceil(count / wg), device.limits.maxComputeWorkgroupsPerDimension);
  const p = await pipeline(device, 'bench-copy', { WG_SIZE: wg });
  const src = device.createBuffer({ size: count * 16, usage: GPUBufferUsage.STORAGE });
  const dst = device.createBuffer({ size: count * 16, usage: GPUBufferUsage.STORAGE });
  const params = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(params, 0, new Float32Array([1.0001, 0, g.x * wg, count]));
  const bg = device.createBindGroup({
    layout: p.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }, { binding: 2, resource: { buffer: params } }],
  });
  const { seconds, source } = await timeDispatch(device, p, bg, g, opts.runs ?? 5);
  src.destroy();
  dst.destroy();
  params.destroy();
  return { gbs: (2 * count * 16) / seconds / 1e9, timing: source };
}

/** Both micro-benchmarks. */
export async function measureDeviceLimits(device: GPUDevice, opts: { fmaInvocations?: number; bandwidthBytes?: number; runs?: number } = {}): Promise<DeviceLimits> {
  const fma = await measureFmaPeak(device, { invocations: opts.fmaInvocations, runs: opts.runs });
  const bw = await measureBandwidth(device, { bytes: opts.bandwidthBytes, runs: opts.runs });
  return { fmaGflops: fma.gflops, bandwidthGBs: bw.gbs, timing: fma.timing };
}
