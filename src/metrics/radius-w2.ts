/**
 * radiusW2: W2 between the laws of the whitened radius r(x) = |C_k^{-1/2}(x - m mu_k)| of the samples
 * and of exact samples of q_t, with k the sample's most responsible component. Under q_t, r is close
 * to a chi variable with d degrees of freedom, so this statistic adds up errors over coordinates (as
 * TV and KL do) instead of averaging them away like sliced W2 (ALGORITHMS.md 10.3): it is the metric
 * for dimension-scaling studies. The floor is the same statistic for a second exact sample.
 */
import type { GaussianMixture } from '../targets/gmm.js';
import { checkSamples, deriveSeed, rowNonFinite, sortFloat64, type SampleArray } from './common.js';
import { w2SquaredSorted } from './sliced-w2.js';

/** Whitened radii of the rows of X under q_t (Infinity for non-finite rows). */
export function whitenedRadii(target: GaussianMixture, X: SampleArray, n: number, t: number): Float64Array {
  const d = target.dim, K = target.K;
  checkSamples(X, n, d);
  const m = Math.exp(-t), s2 = -Math.expm1(-2 * t);
  const r = target.responsibilities(X, t);
  const out = new Float64Array(n);
  const diff = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (rowNonFinite(X, i, d)) {
      out[i] = Infinity;
      continue;
    }
    let k = 0;
    for (let c = 1; c < K; c++) if (r[i * K + c]! > r[i * K + k]!) k = c;
    for (let j = 0; j < d; j++) diff[j] = X[i * d + j]! - m * target.means[k * d + j]!;
    let q = 0;
    for (let j = 0; j < d; j++) {
      // coordinate j in the eigenbasis of Sigma_k (identity when axis-aligned)
      let y = diff[j]!;
      if (target.eigenvectors) {
        y = 0;
        const U = target.eigenvectors, o = k * d * d;
        for (let a = 0; a < d; a++) y += U[o + a * d + j]! * diff[a]!;
      }
      q += (y * y) / (m * m * target.eigenvalues[k * d + j]! + s2);
    }
    out[i] = Math.sqrt(q);
  }
  return out;
}

/** W2 between the whitened radii of X and of an exact sample of q_t of the same size (seeded). */
export function radiusW2(target: GaussianMixture, X: SampleArray, n: number, t: number, seed = 1): number {
  const a = whitenedRadii(target, X, n, t);
  const b = whitenedRadii(target, target.sample(n, t, deriveSeed(seed, 7)), n, t);
  const scratch = new Float64Array(n);
  sortFloat64(a, scratch);
  sortFloat64(b, scratch);
  return Math.sqrt(w2SquaredSorted(a, b));
}
