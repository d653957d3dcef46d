/**
 * The staged mixture score: the exact score (or denoiser) of an axis-aligned Gaussian mixture at
 * points that each carry their own time (shaders/score-gmm-points.wgsl), run through the staged
 * external-score path (src/scores/external-score.ts). It serves the samplers that evaluate the
 * score inside their kernels (randomized-, parallel- and Poisson-midpoint draw a time per
 * particle; heroism's nodes are lanes at different times; accelerated-sde wants x0hat) on
 * software adapters at large d, where the thread-per-particle score inside the kernels is slow.
 */
import { MidstepError } from '../errors.js';
import { composeShader } from '../gpu/compose.js';
import { gemmChunkCoordinates } from '../gpu/kernel-select.js';
import type { GaussianMixture } from '../targets/gmm.js';
import { externalScoreModel, type ExternalOutput, type ExternalRound } from './external-score.js';
import { checkGpuRange } from './gmm-score.js';
import { gemmComponents, gemmCoordinates } from './gmm-time-table.js';
import { GEMM_MAX_SEQUENCE, gemmSequence } from './mixture-score-kernel.js';
import type { ScoreModel } from './types.js';

/** The spline of F_k(v) over the log-SNR v: nodes V0, V0 + HV, ..., V0 + (NV - 1) HV. */
export const POINTS_SPLINE = { v0: -40, hv: 1 / 16, nv: 961 } as const;

/**
 * Coordinates per chunk of the staged kernel for (d, K): the chunked score kernel's rule (at most
 * 2048 / K-padded coordinates per chunk), so that the pipeline compiles in seconds (d = 256,
 * K = 16: 2 chunks of 128).
 */
export function pointsChunk(dim: number, K: number): number {
  return gemmChunkCoordinates(dim, K);
}

/** Whether the staged kernel serves (d, K): 16 <= d, K <= 16 (its components unrolled). */
export function pointsFit(dim: number, K: number): boolean {
  return dim >= 16 && K <= 16;
}

/** log(1 + e^z), without overflow. */
function softplus(z: number): number {
  return z > 30 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * The time-free table of shaders/score-gmm-points.wgsl, in vec4s with KP = K padded to 8 and DP =
 * d padded to a multiple of `chunk`: log w (KP / 4; padding components -1e30); G_k = F_k - mean_k F_k
 * at the spline's NV nodes (NV x KP / 4), then dG_k / dv there, where
 * F_k(v) = sum_j log(1 + e^v lam_kj) (so sum_j log c_kj = F_k + d log sig2 at v = log(m^2 / sig2);
 * subtracting the mean over components, common to all, keeps the f32 values small); then per
 * block of 8 components and per coordinate the vec4s lam (components 0-3, 4-7) and mu (0-3, 4-7),
 * zero for padding. Computed in float64.
 * @throws MidstepError for a mixture with full covariances.
 */
export function gmmPointsTable(target: GaussianMixture, chunk: number): Float32Array<ArrayBuffer> {
  if (target.eigenvectors !== null) throw new MidstepError(`the staged mixture score needs an axis-aligned mixture; ${target.name} has full covariances`);
  const d = target.dim, K = target.K, kp = gemmComponents(K), dp = gemmCoordinates(d, chunk);
  const { v0, hv, nv } = POINTS_SPLINE;
  const out = new Float32Array(4 * (kp / 4 + 2 * nv * (kp / 4) + (kp * dp) / 2));
  for (let k = 0; k < kp; k++) out[k] = k < K ? Math.log(target.weights[k]!) : -1e30;
  const F = new Float64Array(K), D = new Float64Array(K);
  for (let i = 0; i < nv; i++) {
    const v = v0 + i * hv;
    for (let k = 0; k < K; k++) {
      let f = 0, g = 0;
      for (let j = 0; j < d; j++) {
        const lam = target.eigenvalues[k * d + j]!;
        if (lam <= 0) continue;
        const z = v + Math.log(lam);
        f += softplus(z);
        g += 1 / (1 + Math.exp(-z));
      }
      F[k] = f;
      D[k] = g;
    }
    const fm = F.reduce((a, b) => a + b, 0) / K, dm = D.reduce((a, b) => a + b, 0) / K;
    for (let k = 0; k < K; k++) {
      out[kp + i * kp + k] = F[k]! - fm;
      out[kp + nv * kp + i * kp + k] = D[k]! - dm;
    }
  }
  const lm = kp + 2 * nv * kp;
  for (let k = 0; k < K; k++) {
    const row0 = lm + Math.floor(k / 8) * dp * 16, lane = k % 8;
    for (let j = 0; j < d; j++) {
      out[row0 + 16 * j + lane] = target.eigenvalues[k * d + j]!;
      out[row0 + 16 * j + 8 + lane] = target.means[k * d + j]!;
    }
  }
  return out;
}

/** Invocations per workgroup of the staged kernel on `device` (one SIMD group of SwiftShader). */
function pointsWorkgroup(device: GPUDevice): number {
  return Math.min(4, device.limits.maxComputeInvocationsPerWorkgroup);
}

/** Records of distinct point counts one kernel keeps (one per lane count of a run's kernels in practice). */
const PARAM_RECORDS = 32;

/** The staged mixture-score kernel of one target on one device (score or x0 output). */
export class MixturePointsKernel {
  private readonly records = new Map<number, number>();
  private readonly groups = new WeakMap<GPUBuffer, WeakMap<GPUBuffer, WeakMap<GPUBuffer, GPUBindGroup>>>();
  private constructor(
    private readonly device: GPUDevice,
    readonly target: GaussianMixture,
    readonly output: 'score' | 'x0',
    private readonly pipeline: GPUComputePipeline,
    private readonly table: GPUBuffer,
    private readonly params: GPUBuffer,
    private readonly stride: number,
  ) {}

  /** Compiles the kernel for `target` (axis-aligned, K <= 16, d >= 16). */
  static async create(device: GPUDevice, target: GaussianMixture, output: 'score' | 'x0'): Promise<MixturePointsKernel> {
    checkGpuRange(target);
    if (!pointsFit(target.dim, target.K)) throw new MidstepError(`the staged mixture score needs d >= 16 and K <= 16; ${target.name} has d = ${target.dim}, K = ${target.K}`);
    const chunk = pointsChunk(target.dim, target.K), kp = gemmComponents(target.K);
    const code = composeShader('score-gmm-points', {
      DIM: target.dim, KP: kp, K4: kp / 4, KB: kp / 8, CH16: chunk / 16, NCH: gemmCoordinates(target.dim, chunk) / chunk, SEQMAX: GEMM_MAX_SEQUENCE,
      WG_SIZE: pointsWorkgroup(device), NV: POINTS_SPLINE.nv, V0: POINTS_SPLINE.v0.toFixed(1), HV: POINTS_SPLINE.hv.toString(), X0_OUT: output === 'x0',
    });
    const module = device.createShaderModule({ label: 'score-gmm-points', code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) throw new MidstepError(`WGSL of score-gmm-points does not compile: ${errors.map((e) => `line ${e.lineNum}: ${e.message}`).join('; ')}`);
    const entry = (binding: number, type: GPUBufferBindingType, hasDynamicOffset = false): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type, hasDynamicOffset } });
    const layout = device.createBindGroupLayout({ label: 'score-gmm-points', entries: [entry(0, 'uniform', true), entry(1, 'read-only-storage'), entry(2, 'read-only-storage'), entry(3, 'storage'), entry(4, 'read-only-storage')] });
    const pipeline = await device.createComputePipelineAsync({ label: 'score-gmm-points', layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' } });
    const data = gmmPointsTable(target, chunk);
    const table = device.createBuffer({ label: `${target.name} points table`, size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(table, 0, data);
    const stride = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
    const params = device.createBuffer({ label: `${target.name} points params`, size: stride * PARAM_RECORDS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    return new MixturePointsKernel(device, target, output, pipeline, table, params, stride);
  }

  /** Workgroup grid and points per invocation for `count` points. */
  private grid(count: number): { x: number; y: number; seq: number } {
    const seq = gemmSequence(count), wg = pointsWorkgroup(this.device);
    const groups = Math.max(1, Math.ceil(count / (wg * seq)));
    const x = Math.min(groups, this.device.limits.maxComputeWorkgroupsPerDimension);
    return { x, y: Math.ceil(groups / x), seq };
  }

  /** Offset of the parameter record for `count` points (written once, before the submit that reads it). */
  private record(count: number): number {
    let r = this.records.get(count);
    if (r === undefined) {
      if (this.records.size >= PARAM_RECORDS) throw new MidstepError(`the staged mixture score of ${this.target.name} met more than ${PARAM_RECORDS} distinct point counts`);
      r = this.records.size;
      this.records.set(count, r);
      const g = this.grid(count);
      this.device.queue.writeBuffer(this.params, r * this.stride, new Uint32Array([count, g.x * pointsWorkgroup(this.device), g.seq, 0]));
    }
    return r * this.stride;
  }

  private bindGroup(points: GPUBuffer, times: GPUBuffer, out: GPUBuffer): GPUBindGroup {
    let a = this.groups.get(points);
    if (!a) this.groups.set(points, (a = new WeakMap()));
    let b = a.get(times);
    if (!b) a.set(times, (b = new WeakMap()));
    let g = b.get(out);
    if (!g) {
      g = this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.params, size: 16 } },
          { binding: 1, resource: { buffer: points } },
          { binding: 2, resource: { buffer: times } },
          { binding: 3, resource: { buffer: out } },
          { binding: 4, resource: { buffer: this.table } },
        ],
      });
      b.set(out, g);
    }
    return g;
  }

  /** Encodes the evaluation of the first `count` points of `points` at their `times` into `out`. */
  encode(encoder: GPUCommandEncoder, points: GPUBuffer, times: GPUBuffer, out: GPUBuffer, count: number): void {
    if (count <= 0) return;
    const g = this.grid(count);
    const pass = encoder.beginComputePass({ label: 'staged mixture score' });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup(points, times, out), [this.record(count)]);
    pass.dispatchWorkgroups(g.x, g.y);
    pass.end();
  }

  destroy(): void {
    this.table.destroy();
    this.params.destroy();
  }
}

/**
 * A score model for `target` whose kernels read the score (or x0hat, with a kernel of output
 * 'x0') that `kernel` evaluates between replays of each row (the staged external path). The CPU
 * reference is the target's own float64 score.
 */
export function gmmStagedScoreModel(target: GaussianMixture, kernel: MixturePointsKernel): ScoreModel {
  if (kernel.target !== target) throw new MidstepError(`the staged score kernel was compiled for ${kernel.target.name}, not for ${target.name}`);
  const output: ExternalOutput = kernel.output;
  const model = externalScoreModel({
    name: target.name,
    dim: target.dim,
    output,
    encode: (encoder: GPUCommandEncoder, r: ExternalRound) => kernel.encode(encoder, r.points, r.times, r.scores, r.count),
  });
  return { ...model, evalPoint: (x, off, t, s, x0) => target.evalPoint(x, off, t, s, x0) };
}
