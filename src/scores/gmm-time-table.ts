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

/** Components of the GEMM-form kernel, padded to a whole number of 8-component blocks. */
export function gemmComponents(K: number): number {
  return 8 * Math.ceil(K / 8);
}

/**
 * Coordinates of the GEMM-form kernel, padded to a whole number of `chunk`-coordinate groups (16,
 * or the chunk of the chunked kernel, a multiple of 16).
 */
export function gemmCoordinates(dim: number, chunk = 16): number {
  return chunk * Math.ceil(dim / chunk);
}

/** vec4s of the private-table kernels' table: e (KP / 4), then h and a (KP x DP / 2). */
export function gemmTableVec4s(dim: number, K: number, chunk = 16): number {
  const kp = gemmComponents(K), dp = gemmCoordinates(dim, chunk);
  return kp / 4 + (kp * dp) / 2;
}

/**
 * The per-time table of the private-table mixture score kernels (shaders/score-gmm-gemm.wgsl and
 * -gemm-chunked.wgsl). With c_kj = m^2 lam_kj + sigma^2, h_kj = -1/2 / c_kj and a_kj = m mu_kj,
 * the log-density of component k and the score are (ALGORITHMS.md 7.1)
 *   ell_k(x) = e_k + sum_j h_kj (x_j - a_kj)^2,   e_k = log w_k - 1/2 sum_j log c_kj,
 *   s_j(x)   = 2 sum_k r_k h_kj (x_j - a_kj),     r = softmax(ell).
 * (The square is not expanded into x^2 h + x g + const: that form needs one operation less with an
 * FMA unit, but SwiftShader has none, so both cost four SSE operations per (component,
 * coordinate), and the expanded sum cancels: 6-7x the error of this one at d = 256 and 784.)
 * Layout, in vec4s, with KP = K padded to a multiple of 8 and DP = d to a multiple of `chunk` (16,
 * or the chunk of the chunked kernel): e (KP / 4; padding components -1e30, so their weight is
 * exactly 0), then per block of 8 components and per coordinate j the vec4s h (components 0-3,
 * 4-7) and a (0-3, 4-7); padding coordinates have h = a = 0 and add nothing.
 * @throws MidstepError for a mixture with full covariances.
 */
export function gmmGemmTable(target: GaussianMixture, t: number, chunk = 16): Float32Array<ArrayBuffer> {
  if (target.eigenvectors !== null) throw new MidstepError(`the per-time mixture table needs an axis-aligned mixture; ${target.name} has full covariances`);
  const d = target.dim, K = target.K, kp = gemmComponents(K), dp = gemmCoordinates(d, chunk);
  const m = Math.exp(-t), m2 = m * m, sig2 = -Math.expm1(-2 * t);
  const out = new Float32Array(4 * gemmTableVec4s(d, K, chunk));
  const ha = kp;
  for (let k = K; k < kp; k++) out[k] = -1e30;
  for (let k = 0; k < K; k++) {
    const row0 = ha + Math.floor(k / 8) * dp * 16, lane = k % 8;
    let e = Math.log(target.weights[k]!);
    for (let j = 0; j < d; j++) {
      const c = m2 * target.eigenvalues[k * d + j]! + sig2;
      e -= 0.5 * Math.log(c);
      out[row0 + 16 * j + lane] = -0.5 / c;
      out[row0 + 16 * j + 8 + lane] = m * target.means[k * d + j]!;
    }
    out[k] = e;
  }
  return out;
}
