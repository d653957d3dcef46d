/**
 * The exact score of a Gaussian-mixture target as a {@link ScoreModel}: packs the mixture into one
 * storage buffer in the layout shaders/score-gmm.wgsl reads.
 */
import { TargetError } from '../errors.js';
import type { GaussianMixture } from '../targets/gmm.js';
import type { ScoreBindings, ScoreModel } from './types.js';

/**
 * Packs the mixture in the vec4 layout of shaders/score-gmm.wgsl: component k is
 * [(log w_k, 0, 0, 0), mu_k, lam_k, then for full covariances the rows of U_k^T and of U_k],
 * every vector zero-padded to ceil(d / 4) vec4s. Axis-aligned mixtures store no U.
 */
export function packMixture(target: GaussianMixture): Float32Array<ArrayBuffer> {
  const d = target.dim, K = target.K, d4 = Math.ceil(d / 4), dp = 4 * d4;
  const full = target.eigenvectors !== null;
  const stride = 4 * (1 + 2 * d4 + (full ? 2 * d * d4 : 0));
  const out = new Float32Array(K * stride);
  for (let k = 0; k < K; k++) {
    const base = k * stride;
    out[base] = Math.log(target.weights[k]!);
    const mu = base + 4, lam = mu + dp, ut = lam + dp, u = ut + d * dp;
    for (let j = 0; j < d; j++) {
      out[mu + j] = target.means[k * d + j]!;
      out[lam + j] = target.eigenvalues[k * d + j]!;
    }
    if (full) {
      const U = target.eigenvectors!, o = k * d * d;
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          out[ut + j * dp + i] = U[o + i * d + j]!; // row j of U^T
          out[u + i * dp + j] = U[o + i * d + j]!; // row i of U
        }
      }
    }
  }
  return out;
}

/** Largest |mean coordinate| the f32 kernels take: squared distances over sigma^2 stay below f32's 3.4e38. */
export const MAX_GPU_MEAN = 1e15;
/** Largest covariance eigenvalue the f32 kernels take (its square root times a few normals stays finite). */
export const MAX_GPU_VARIANCE = 1e30;

/**
 * Checks that the f32 kernels can evaluate `target` without overflow.
 * @throws TargetError naming the mean coordinate or covariance out of range.
 */
export function checkGpuRange(target: GaussianMixture): void {
  const d = target.dim;
  const field = target.covKind === 'full' ? 'covariances' : target.covKind === 'diagonal' ? 'variances' : 'scales';
  for (let k = 0; k < target.K; k++) {
    for (let j = 0; j < d; j++) {
      const mu = target.means[k * d + j]!;
      if (!(Math.abs(mu) <= MAX_GPU_MEAN)) {
        throw new TargetError(`means[${k}][${j}]`, mu, `a number in [-${MAX_GPU_MEAN}, ${MAX_GPU_MEAN}] (the GPU computes in f32)`);
      }
      const lam = target.eigenvalues[k * d + j]!;
      if (!(lam <= MAX_GPU_VARIANCE)) {
        throw new TargetError(`${field}[${k}]`, lam, `variances (eigenvalues) at most ${MAX_GPU_VARIANCE} (the GPU computes in f32)`);
      }
    }
  }
}

/** The exact score (and denoiser) of `target`'s q_t, on the GPU and in float64. @throws TargetError when out of f32 range. */
export function gmmScoreModel(target: GaussianMixture): ScoreModel {
  checkGpuRange(target);
  const packed = packMixture(target);
  return {
    name: target.name,
    dim: target.dim,
    shader: 'score-gmm',
    defines: { NCOMP: target.K, FULL_COV: target.eigenvectors !== null },
    evalPoint: (x, off, t, s, x0) => {
      target.evalPoint(x, off, t, s, x0);
    },
    layoutEntries: () => [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } }],
    createBindings(device: GPUDevice): ScoreBindings {
      const buffer = device.createBuffer({
        label: `gmm ${target.name}`,
        size: Math.max(16, packed.byteLength),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(buffer, 0, packed);
      return {
        entries: [{ binding: 0, resource: { buffer } }],
        destroy: () => buffer.destroy(),
      };
    },
  };
}
