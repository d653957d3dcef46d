/**
 * Moment errors against the closed-form moments of q_t: meanErr = |mean(X) - E_q[x]| (Euclidean)
 * and covErr = |Cov(X) - Cov_q|_F / |Cov_q|_F (sample covariance with divisor n - 1).
 */
import type { GaussianMixture } from '../targets/gmm.js';
import { checkSamples, hasNonFinite, type SampleArray } from './common.js';

/** Result of {@link momentErrors}. */
export interface MomentErrors {
  /** Euclidean distance between the sample mean and the mean of q_t. */
  meanErr: number;
  /** Relative Frobenius error of the sample covariance. */
  covErr: number;
}

/** Sample mean (d) and covariance (d*d, divisor n - 1), in two passes for accuracy. */
export function sampleMoments(X: ArrayLike<number>, n: number, d: number): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(d), cov = new Float64Array(d * d), c = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += X[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) c[j] = X[i * d + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const ca = c[a]!;
      for (let b = a; b < d; b++) cov[a * d + b]! += ca * c[b]!;
    }
  }
  const div = n > 1 ? n - 1 : 1;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      cov[a * d + b]! /= div;
      cov[b * d + a] = cov[a * d + b]!;
    }
  }
  return { mean, cov };
}

/** meanErr and covErr of X (n rows of d = target.dim) against q_t. Infinity for non-finite samples. */
export function momentErrors(target: GaussianMixture, X: SampleArray, n: number, t: number): MomentErrors {
  const d = target.dim;
  checkSamples(X, n, d, 2);
  if (hasNonFinite(X, n, d)) return { meanErr: Infinity, covErr: Infinity };
  const exact = target.moments(t), got = sampleMoments(X, n, d);
  let me = 0, num = 0, den = 0;
  for (let j = 0; j < d; j++) me += (got.mean[j]! - exact.mean[j]!) ** 2;
  for (let i = 0; i < d * d; i++) {
    num += (got.cov[i]! - exact.cov[i]!) ** 2;
    den += exact.cov[i]! ** 2;
  }
  return { meanErr: Math.sqrt(me), covErr: Math.sqrt(num / den) };
}
