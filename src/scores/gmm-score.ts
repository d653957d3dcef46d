/**
 * The exact score of a Gaussian-mixture target as a {@link ScoreModel}: packs the mixture into one
 * storage buffer in the layout shaders/score-gmm.wgsl reads.
 */
import type { GaussianMixture } from '../targets/gmm.js';
import type { ScoreBindings, ScoreModel } from './types.js';

/**
 * Packs component k as [log w_k, mu_k (d), lam_k (d), U_k (d x d, row-major) when full covariance].
 * Axis-aligned mixtures (diagonal or isotropic) store no U.
 */
export function packMixture(target: GaussianMixture): Float32Array {
  const d = target.dim, K = target.K;
  const full = target.eigenvectors !== null;
  const stride = 1 + 2 * d + (full ? d * d : 0);
  const out = new Float32Array(K * stride);
  for (let k = 0; k < K; k++) {
    const base = k * stride;
    out[base] = Math.log(target.weights[k]!);
    for (let j = 0; j < d; j++) {
      out[base + 1 + j] = target.means[k * d + j]!;
      out[base + 1 + d + j] = target.eigenvalues[k * d + j]!;
    }
    if (full) out.set(target.eigenvectors!.subarray(k * d * d, (k + 1) * d * d), base + 1 + 2 * d);
  }
  return out;
}

/** The exact score (and denoiser) of `target`'s q_t, on the GPU and in float64. */
export function gmmScoreModel(target: GaussianMixture): ScoreModel {
  const packed = packMixture(target);
  return {
    name: target.name,
    dim: target.dim,
    shader: 'score-gmm',
    defines: { NCOMP: target.K, FULL_COV: target.eigenvectors !== null },
    evalPoint: (x, off, t, s, x0) => {
      target.evalPoint(x, off, t, s, x0);
    },
    createBindings(device: GPUDevice): ScoreBindings {
      const buffer = device.createBuffer({
        label: `gmm ${target.name}`,
        size: Math.max(16, packed.byteLength),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(buffer, 0, packed);
      return {
        layoutEntries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } }],
        entries: [{ binding: 0, resource: { buffer } }],
        destroy: () => buffer.destroy(),
      };
    },
  };
}
