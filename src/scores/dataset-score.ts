/**
 * The exact score of the empirical distribution of a dataset under the OU process, as a
 * {@link ScoreModel}. For points x_1..x_N, q_t = (1/N) sum_i N(m x_i, sigma^2 I) with m = e^{-t},
 * sigma^2 = 1 - e^{-2t}, so
 *   x0hat(x, t) = sum_i r_i x_i,   r = softmax_i(-|x - m x_i|^2 / (2 sigma^2)),
 *   s_t(x)      = (m x0hat - x) / sigma^2,
 * and sampling it at small delta reproduces training points. The kernel (shaders/score-dataset.wgsl)
 * streams the dataset once per evaluation with a running-max log-sum-exp, so no N-long weight
 * vector is kept anywhere.
 */
import { MidstepError } from '../errors.js';
import type { ScoreBindings, ScoreModel } from './types.js';

/** A dataset of `n` points of dimension `dim`, row-major. */
export interface Dataset {
  name: string;
  n: number;
  dim: number;
  /** n x dim values, row-major. */
  points: Float32Array | Float64Array;
}

/** Validates a dataset and returns it. */
export function checkDataset(data: Dataset): Dataset {
  if (!Number.isInteger(data.dim) || data.dim < 1) throw new MidstepError(`dataset ${data.name}: dim ${data.dim} is not a positive integer`);
  if (!Number.isInteger(data.n) || data.n < 1) throw new MidstepError(`dataset ${data.name}: n ${data.n} is not a positive integer`);
  if (data.points.length !== data.n * data.dim) {
    throw new MidstepError(`dataset ${data.name}: ${data.points.length} values given, expected n * dim = ${data.n * data.dim}`);
  }
  return data;
}

/** Packs the points as vec4s, each point zero-padded to ceil(dim / 4) vec4s. */
export function packDataset(data: Dataset): Float32Array<ArrayBuffer> {
  const d = data.dim, dp = 4 * Math.ceil(d / 4);
  const out = new Float32Array(data.n * dp);
  for (let i = 0; i < data.n; i++) {
    for (let j = 0; j < d; j++) out[i * dp + j] = data.points[i * d + j]!;
  }
  return out;
}

/**
 * Float64 empirical x0hat and score at one point (the CPU reference of the WGSL kernel).
 * Same one-pass online log-sum-exp; `scratch` is a length-dim work vector.
 */
export function datasetEval(
  data: Dataset, x: ArrayLike<number>, off: number, t: number,
  scoreOut: Float64Array | null, x0Out: Float64Array | null, scratch: Float64Array,
): void {
  const d = data.dim, pts = data.points;
  const m = Math.exp(-t), sig2 = -Math.expm1(-2 * t);
  const acc = scratch;
  acc.fill(0);
  let runMax = -Infinity, runSum = 0;
  for (let i = 0; i < data.n; i++) {
    const base = i * d;
    let dist = 0;
    for (let j = 0; j < d; j++) {
      const v = x[off + j]! - m * pts[base + j]!;
      dist += v * v;
    }
    const ell = -0.5 * dist / sig2;
    if (ell > runMax) {
      const rescale = Math.exp(runMax - ell);
      runSum = runSum * rescale + 1;
      for (let j = 0; j < d; j++) acc[j] = acc[j]! * rescale + pts[base + j]!;
      runMax = ell;
    } else {
      const w = Math.exp(ell - runMax);
      if (w === 0) continue;
      runSum += w;
      for (let j = 0; j < d; j++) acc[j] = acc[j]! + w * pts[base + j]!;
    }
  }
  for (let j = 0; j < d; j++) {
    const x0 = acc[j]! / runSum;
    if (x0Out) x0Out[j] = x0;
    if (scoreOut) scoreOut[j] = (m * x0 - x[off + j]!) / sig2;
  }
}

/** The exact empirical score (and denoiser) of `data`, on the GPU and in float64. */
export function datasetScoreModel(data: Dataset): ScoreModel {
  checkDataset(data);
  const scratch = new Float64Array(data.dim);
  let packed: Float32Array<ArrayBuffer> | null = null;
  return {
    name: data.name,
    dim: data.dim,
    shader: 'score-dataset',
    defines: { NPOINTS: data.n },
    evalPoint: (x, off, t, s, x0) => datasetEval(data, x, off, t, s, x0, scratch),
    layoutEntries: () => [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } }],
    createBindings(device: GPUDevice): ScoreBindings {
      packed ??= packDataset(data);
      const buffer = device.createBuffer({
        label: `dataset ${data.name}`,
        size: Math.max(16, packed.byteLength),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(buffer, 0, packed);
      return { entries: [{ binding: 0, resource: { buffer } }], destroy: () => buffer.destroy() };
    },
  };
}
