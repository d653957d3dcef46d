/**
 * The per-time table of an axis-aligned Gaussian mixture's score (shaders/score-gmm-tiled.wgsl):
 * everything in s_t(x) that depends on t but not on x, computed once per time in float64.
 */
import { MidstepError } from '../errors.js';
import type { GaussianMixture } from '../targets/gmm.js';

/** vec4s per component in the table: (const_k, 0, 0, 0), m mu_k, 1 / c_k. */
export function timeTableStride4(dim: number): number {
  return 1 + 2 * Math.ceil(dim / 4);
}

/**
 * For each component k, with m = e^{-t}, sigma^2 = 1 - e^{-2t}, c_kj = m^2 lam_kj + sigma^2:
 * [(log w_k - 1/2 sum_j log c_kj, 0, 0, 0), m mu_k, 1 / c_k], vectors zero-padded to ceil(d / 4)
 * vec4s (padding lanes of 1 / c are 0, so they add nothing).
 * @throws MidstepError for a mixture with full covariances (the tiled kernel is axis-aligned only).
 */
export function gmmTimeTable(target: GaussianMixture, t: number): Float32Array<ArrayBuffer> {
  if (target.eigenvectors !== null) throw new MidstepError(`the per-time mixture table needs an axis-aligned mixture; ${target.name} has full covariances`);
  const d = target.dim, d4 = Math.ceil(d / 4), stride = 4 * timeTableStride4(d);
  const m = Math.exp(-t), m2 = m * m, sig2 = -Math.expm1(-2 * t);
  const out = new Float32Array(target.K * stride);
  for (let k = 0; k < target.K; k++) {
    const base = k * stride, mm = base + 4, ic = mm + 4 * d4;
    let logdet = 0;
    for (let j = 0; j < d; j++) {
      const c = m2 * target.eigenvalues[k * d + j]! + sig2;
      logdet += Math.log(c);
      out[mm + j] = m * target.means[k * d + j]!;
      out[ic + j] = 1 / c;
    }
    out[base] = Math.log(target.weights[k]!) - 0.5 * logdet;
  }
  return out;
}
