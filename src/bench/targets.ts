/**
 * Benchmark targets: axis-aligned Gaussian mixtures of any dimension, generated from fixed Philox
 * seeds (the same on every machine): K components with means of norm about 3, variances uniform in
 * [0.05, 1] and unequal weights, as the gmm64 preset but for any (d, K).
 */
import { Philox, Stream } from '../rng/philox.js';
import { GaussianMixture } from '../targets/gmm.js';

/** The benchmark mixture of dimension `dim` with `K` components (default 16). */
export function benchMixture(dim: number, K = 16): GaussianMixture {
  const rng = new Philox(7_000_000 + dim);
  const means: number[][] = [], variances: number[][] = [], weights: number[] = [];
  const v = new Float64Array(dim);
  for (let k = 0; k < K; k++) {
    rng.fillNormals(v, 0, dim, k, 0, Stream.exact);
    means.push(Array.from(v, (x) => (3 / Math.sqrt(dim)) * x));
    variances.push(Array.from({ length: dim }, (_, j) => 0.05 + 0.95 * rng.uniform(k, 1, Stream.scalar, j)));
    weights.push(0.5 + rng.uniform(k, 2, Stream.scalar, 0));
  }
  return GaussianMixture.fromJSON({ kind: 'gmm', name: `bench-d${dim}-k${K}`, weights, means, variances });
}
