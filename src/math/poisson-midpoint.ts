/**
 * Float64 coefficients and the exact one-block map of the Poisson midpoint method (Kandasamy and
 * Nagaraj 2024; ALGORITHMS.md 6.2-6.3 with the corrections of 10.1 items 4-6). Pure functions.
 *
 * A coarse block covers K fine steps of a base chain X_{j+1} = a_j X_j + b_j F(X_j, t_j) + noise_j
 * on fine times t_0 > t_1 > ... > t_K. With F frozen at F_0 = F(X_0, t_0), the fine chain from X_0
 * to index i is the affine map alpha_i X_0 + beta_i F_0 + A_i S(c_i), where S is ONE standard
 * Brownian motion (per coordinate) run on the clock c (so midpoint and end noise share the path).
 * The coarse step with Bernoulli(1/K) indicators H_i (i = 1..K-1; index 0 adds nothing, 10.1 item 6) is
 *   X+_i = alpha_i X_0 + beta_i F_0 + A_i S(c_i)                        (midpoints, F frozen)
 *   X_K  = alpha_K X_0 + beta_K F_0 + sum_{i: H_i = 1} g_i (F(X+_i, t_i) - F_0) + A_K S(c_K),
 *   g_i  = w a(t_{i+1} -> t_K) b_i,   w = 1 / P(H_i = 1)  (so E[w H_i] = 1 exactly).
 */

/** Base chains. */
export type PmmChain = 'ddpm' | 'overdamped';

/** Coefficients of one block. Arrays are indexed by fine index 0..K (entry 0 unused except times). */
export interface PmmBlock {
  K: number;
  times: Float64Array;
  alpha: Float64Array;
  beta: Float64Array;
  A: Float64Array;
  c: Float64Array;
  /** g_i for i = 1..K-1 (0 at i = 0 and K). */
  g: Float64Array;
}

/** Largest 24-bit threshold: H_i = 1 iff (u32 >> 8) < thr, so P(H_i = 1) = thr / 2^24. */
export function bernoulliThreshold(K: number): { thr: number; w: number } {
  const thr = Math.max(1, Math.min(2 ** 24, Math.round(2 ** 24 / K)));
  return { thr, w: 2 ** 24 / thr };
}

const lam = (t: number) => -t - 0.5 * Math.log(-Math.expm1(-2 * t));

/**
 * Block coefficients on fine times `times` (length K + 1, decreasing).
 * - `ddpm`: the DDPM posterior step with x0hat frozen (ALGORITHMS.md B3), F = x0hat:
 *   a(t->s) = (sigma_s/sigma_t) e^{-dl}, b(t->s) = -m_s expm1(-2 dl), dl = lambda_s - lambda_t;
 *   composing these with F frozen is the exact DDPM jump (10.1 item 4):
 *   alpha_i = a(t_0 -> t_i), beta_i = b(t_0 -> t_i), A_i = sigma_i^2 / m_i, c_i = SNR_i - SNR_0.
 * - `overdamped`: Euler-Maruyama on the reverse SDE (overdamped Langevin with the time-varying
 *   drift F = x + 2 s_t(x); B1): a = 1, b = eta_j = t_j - t_{j+1}, noise sqrt(2 eta_j) z:
 *   alpha_i = 1, beta_i = c_i = t_0 - t_i, A_i = sqrt 2.
 */
export function pmmBlock(chain: PmmChain, times: ArrayLike<number>, w: number): PmmBlock {
  const K = times.length - 1;
  const T = Float64Array.from(times);
  const alpha = new Float64Array(K + 1), beta = new Float64Array(K + 1), A = new Float64Array(K + 1);
  const c = new Float64Array(K + 1), g = new Float64Array(K + 1);
  if (chain === 'ddpm') {
    const L = Float64Array.from(T, lam);
    const sig = (t: number) => Math.sqrt(-Math.expm1(-2 * t));
    const a = (i: number, j: number) => (sig(T[j]!) / sig(T[i]!)) * Math.exp(-(L[j]! - L[i]!));
    const b = (i: number, j: number) => -Math.exp(-T[j]!) * Math.expm1(-2 * (L[j]! - L[i]!));
    for (let i = 0; i <= K; i++) {
      alpha[i] = a(0, i);
      beta[i] = b(0, i);
      A[i] = -Math.expm1(-2 * T[i]!) / Math.exp(-T[i]!);
      c[i] = Math.exp(2 * L[0]!) * Math.expm1(2 * (L[i]! - L[0]!));
      if (i >= 1 && i < K) g[i] = w * a(i + 1, K) * b(i, i + 1);
    }
  } else {
    for (let i = 0; i <= K; i++) {
      alpha[i] = 1;
      beta[i] = c[i] = T[0]! - T[i]!;
      A[i] = Math.SQRT2;
      if (i >= 1 && i < K) g[i] = w * (T[i]! - T[i + 1]!);
    }
  }
  return { K, times: T, alpha, beta, A, c, g };
}

/**
 * One coarse block in float64 for a state of dimension d, with the indicator pattern `active`
 * (sorted fine indices in 1..K-1) and the Brownian values S(c_i) given by `path(i)` at those
 * indices and at K. `field(x, t)` returns F. Used by the reference and by the unbiasedness tests.
 */
export function pmmCoarseStep(
  blk: PmmBlock, x0: Float64Array, field: (x: Float64Array, t: number) => Float64Array,
  active: readonly number[], path: (i: number) => Float64Array,
): Float64Array {
  const d = x0.length;
  const F0 = field(x0, blk.times[0]!);
  const out = new Float64Array(d);
  for (let e = 0; e < d; e++) out[e] = blk.alpha[blk.K]! * x0[e]! + blk.beta[blk.K]! * F0[e]!;
  const xp = new Float64Array(d);
  for (const i of active) {
    const S = path(i);
    for (let e = 0; e < d; e++) xp[e] = blk.alpha[i]! * x0[e]! + blk.beta[i]! * F0[e]! + blk.A[i]! * S[e]!;
    const F = field(xp, blk.times[i]!);
    for (let e = 0; e < d; e++) out[e] = out[e]! + blk.g[i]! * (F[e]! - F0[e]!);
  }
  const SK = path(blk.K);
  for (let e = 0; e < d; e++) out[e] = out[e]! + blk.A[blk.K]! * SK[e]!;
  return out;
}

/**
 * The K fine steps of the base chain with the same Brownian path S (given at every index 1..K), in
 * the form ALGORITHMS.md 6.2 writes the Poisson-midpoint fine recursion in: with `atMidpoints` the
 * drift of step i is evaluated at the frozen-drift prediction X+_i (what one coarse step estimates
 * without bias, 10.1 item 5); without it, at the chain's own iterate (the true fine chain).
 */
export function pmmFineSteps(
  blk: PmmBlock, x0: Float64Array, field: (x: Float64Array, t: number) => Float64Array,
  path: (i: number) => Float64Array, atMidpoints: boolean,
): Float64Array {
  const d = x0.length, K = blk.K;
  const F0 = field(x0, blk.times[0]!);
  // X_i = alpha_i X_0 + beta_i F_0 + A_i S_i + sum_{j<i} G(j -> i) (F_j - F_0), G(j -> i) = a(t_{j+1} -> t_i) b_j;
  // with a(t_{j+1} -> t_i) = alpha_i / alpha_{j+1} and b_j = beta_{j+1} - a(t_j -> t_{j+1}) beta_j (affine composition)
  const X: Float64Array[] = [x0];
  const dF: Float64Array[] = [new Float64Array(d)];
  const pred = (i: number) => {
    const S = i === 0 ? new Float64Array(d) : path(i);
    return Float64Array.from(x0, (v, e) => blk.alpha[i]! * v + blk.beta[i]! * F0[e]! + blk.A[i]! * S[e]!);
  };
  for (let i = 1; i <= K; i++) {
    const xi = pred(i);
    for (let j = 1; j < i; j++) {
      const aji = blk.alpha[i]! / blk.alpha[j + 1]!;
      const bj = blk.beta[j + 1]! - (blk.alpha[j + 1]! / blk.alpha[j]!) * blk.beta[j]!;
      for (let e = 0; e < d; e++) xi[e] = xi[e]! + aji * bj * dF[j]![e]!;
    }
    X.push(xi);
    if (i < K) {
      const F = field(atMidpoints ? pred(i) : xi, blk.times[i]!);
      dF.push(Float64Array.from(F, (v, e) => v - F0[e]!));
    }
  }
  return X[K]!;
}
