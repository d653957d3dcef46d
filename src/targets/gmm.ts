/**
 * Gaussian-mixture targets under the OU forward process (ALGORITHMS.md 7.1), in float64.
 *
 * q_0 = sum_k w_k N(mu_k, Sigma_k) gives q_t = sum_k w_k N(m_t mu_k, C_k(t)) with m_t = e^{-t},
 * sigma_t^2 = -expm1(-2t) and C_k(t) = m_t^2 Sigma_k + sigma_t^2 I. Every Sigma_k is held as
 * U_k diag(lambda_k) U_k^T (U_k = I for axis-aligned components), so C_k(t) shares U_k and has
 * eigenvalues c = m_t^2 lambda + sigma_t^2: inverses, determinants and square roots are diagonal.
 */
import { RunOptionError, TargetError } from '../errors.js';
import { symmetricEigen } from '../math/eigen.js';
import { Philox, Stream } from '../rng/philox.js';

/** How the component covariances are given: full matrices, diagonals, or one scale per component. */
export type CovarianceKind = 'full' | 'diagonal' | 'isotropic';

/** The JSON form of a mixture target. Exactly one of `covariances`, `variances`, `scales`. */
export interface GmmJson {
  kind: 'gmm';
  /** Dimension; optional, must agree with the means when given. */
  dim?: number;
  /** A label for reports. */
  name?: string;
  /** K positive weights (normalised on load). */
  weights: number[];
  /** K means of length dim. */
  means: number[][];
  /** K full symmetric positive-definite dim x dim covariances. */
  covariances?: number[][][];
  /** K diagonals (positive variances) of length dim. */
  variances?: number[][];
  /** K standard deviations: covariance scale^2 I. */
  scales?: number[];
}

/** Coefficients of q_t that depend only on t, computed once per t. */
interface TimeFactors {
  t: number;
  /** m_t = e^{-t}. */
  m: number;
  /** 1 / c, with c = m^2 lambda + sigma^2 (K*d): the eigenvalues of C_k^{-1}. */
  invc: Float64Array;
  /** m lambda / c (K*d): the eigenvalues of m Sigma_k C_k^{-1}. */
  gain: Float64Array;
  /** sqrt(c) (K*d). */
  sqrtc: Float64Array;
  /** log w_k - (d log 2 pi + log det C_k) / 2 (K). */
  logNorm: Float64Array;
}

/** Most distinct times whose factors are kept; the cache is emptied when it is full. */
const CACHE_SIZE = 512;
const LOG_2PI = Math.log(2 * Math.PI);
/** Philox particle indices are u32: offset + n may not exceed this. */
const MAX_PARTICLE = 4294967296;

/**
 * A Gaussian mixture sum_k w_k N(mu_k, Sigma_k) with its exact OU marginals q_t: sampling,
 * log-density, score, denoiser, responsibilities and moments, all in float64.
 * Build one with {@link GaussianMixture.fromJSON}, which validates its input.
 */
export class GaussianMixture {
  /** Dimension d. */
  readonly dim: number;
  /** Number of components K. */
  readonly K: number;
  /** Label (from the JSON `name`, or "gmm"). */
  readonly name: string;
  /** Component weights, normalised to sum 1. */
  readonly weights: Float64Array;
  /** Component means, K*d row-major (component k at k*d). */
  readonly means: Float64Array;
  /** How the covariances were given (kept by {@link toJSON}). */
  readonly covKind: CovarianceKind;
  /** K*d eigenvalues of Sigma_k (the variances when axis-aligned; scale^2 repeated for isotropic). */
  readonly eigenvalues: Float64Array;
  /**
   * 'full' only, else null: K*d*d, `U[k*d*d + i*d + j]` = i-th coordinate of the j-th eigenvector
   * of Sigma_k, so Sigma_k = U diag(lambda) U^T.
   */
  readonly eigenvectors: Float64Array | null;

  /** 'full' only: the eigenvectors transposed (row j = j-th eigenvector), for contiguous U^T v. */
  private readonly eigenvectorsT: Float64Array | null;
  /** The covariances as given: K*d*d for 'full', K*d variances for 'diagonal', K scales for 'isotropic'. */
  private readonly given: Float64Array;
  /** The weights as given (before normalisation), kept so that toJSON round-trips exactly. */
  private readonly givenWeights: Float64Array;
  /** Cumulative weights, the last one exactly 1. */
  private readonly cumWeights: Float64Array;
  private readonly cache = new Map<number, TimeFactors>();
  private last: TimeFactors | null = null;
  // Scratch of evalInto (no allocation per point).
  private readonly ys: Float64Array;
  private readonly ell: Float64Array;
  private readonly diff: Float64Array;
  private readonly ws: Float64Array;
  private readonly wx: Float64Array;

  private constructor(
    dim: number, name: string, weights: Float64Array, givenWeights: Float64Array, means: Float64Array,
    covKind: CovarianceKind, given: Float64Array, eigenvalues: Float64Array, eigenvectors: Float64Array | null,
  ) {
    this.dim = dim;
    this.K = weights.length;
    this.name = name;
    this.weights = weights;
    this.givenWeights = givenWeights;
    this.means = means;
    this.covKind = covKind;
    this.given = given;
    this.eigenvalues = eigenvalues;
    this.eigenvectors = eigenvectors;
    this.eigenvectorsT = eigenvectors === null ? null : transposeBlocks(eigenvectors, this.K, dim);
    this.cumWeights = new Float64Array(this.K);
    let acc = 0;
    for (let k = 0; k < this.K; k++) this.cumWeights[k] = acc += weights[k]!;
    this.cumWeights[this.K - 1] = 1;
    this.ys = new Float64Array(this.K * dim);
    this.ell = new Float64Array(this.K);
    this.diff = new Float64Array(dim);
    this.ws = new Float64Array(dim);
    this.wx = new Float64Array(dim);
  }

  /**
   * Validates a target description (see {@link GmmJson}) and builds the mixture. Throws a
   * TargetError naming the bad field (`"means[2][1]"`, `"covariances[1]"`, `"weights[0]"`, `"dim"`,
   * `"kind"`, ...) for a wrong kind, ragged or empty arrays, non-finite numbers, non-positive
   * weights, variances or scales, a `dim` that disagrees with the means, not exactly one of
   * covariances / variances / scales, and covariances that are not symmetric positive definite.
   */
  static fromJSON(json: unknown): GaussianMixture {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new TargetError('target', json, 'an object {"kind": "gmm", "weights": [...], "means": [[...]], ...}');
    }
    const o = json as Record<string, unknown>;
    if (o.kind !== 'gmm') throw new TargetError('kind', o.kind, '"gmm"');
    if (o.name !== undefined && typeof o.name !== 'string') throw new TargetError('name', o.name, 'a string');

    const rawW = o.weights;
    if (!Array.isArray(rawW) || rawW.length < 1) {
      throw new TargetError('weights', rawW, 'a non-empty array of positive finite numbers (K >= 1)');
    }
    const K = rawW.length;
    const weights = new Float64Array(K);
    let total = 0;
    for (let k = 0; k < K; k++) {
      weights[k] = positive(rawW[k], `weights[${k}]`, 'weights must be positive finite');
      total += weights[k]!;
    }
    if (!Number.isFinite(total)) throw new TargetError('weights', rawW, 'weights whose sum is finite');
    const givenWeights = weights.slice();
    for (let k = 0; k < K; k++) weights[k]! /= total;

    const rawM = o.means;
    if (!Array.isArray(rawM) || rawM.length !== K) {
      throw new TargetError('means', rawM, `an array of ${K} rows (one per weight)`);
    }
    if (!Array.isArray(rawM[0]) || rawM[0].length < 1) {
      throw new TargetError('means[0]', rawM[0], 'a non-empty array of finite numbers (dim >= 1)');
    }
    const d = (rawM[0] as unknown[]).length;
    if (o.dim !== undefined) {
      if (typeof o.dim !== 'number' || !Number.isInteger(o.dim) || o.dim < 1) {
        throw new TargetError('dim', o.dim, 'a positive integer');
      }
      if (o.dim !== d) throw new TargetError('dim', o.dim, `${d}, the length of means[0]`, 'dim disagrees with means');
    }
    const means = new Float64Array(K * d);
    for (let k = 0; k < K; k++) readRow(rawM[k], d, `means[${k}]`, means, k * d, finite);

    const present = (['covariances', 'variances', 'scales'] as const).filter((f) => o[f] !== undefined);
    if (present.length !== 1) {
      throw new TargetError(present.length === 0 ? 'covariances' : present.join('/'), present.length === 0 ? undefined : 'several',
        'exactly one of "covariances" (K full matrices), "variances" (K diagonals), "scales" (K standard deviations)');
    }
    const name = typeof o.name === 'string' ? o.name : 'gmm';
    const eigenvalues = new Float64Array(K * d);

    if (present[0]! === 'scales') {
      const raw = o.scales;
      if (!Array.isArray(raw) || raw.length !== K) throw new TargetError('scales', raw, `an array of ${K} positive numbers`);
      const given = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        given[k] = positive(raw[k], `scales[${k}]`, 'scales must be positive finite');
        const v = given[k]! * given[k]!;
        if (!(v > 0) || !Number.isFinite(v)) throw new TargetError(`scales[${k}]`, raw[k], 'a scale whose square is a positive finite number');
        eigenvalues.fill(v, k * d, (k + 1) * d);
      }
      return new GaussianMixture(d, name, weights, givenWeights, means, 'isotropic', given, eigenvalues, null);
    }

    if (present[0]! === 'variances') {
      const raw = o.variances;
      if (!Array.isArray(raw) || raw.length !== K) throw new TargetError('variances', raw, `an array of ${K} rows of ${d} positive numbers`);
      for (let k = 0; k < K; k++) readRow(raw[k], d, `variances[${k}]`, eigenvalues, k * d, positive);
      return new GaussianMixture(d, name, weights, givenWeights, means, 'diagonal', eigenvalues.slice(), eigenvalues, null);
    }

    const raw = o.covariances;
    if (!Array.isArray(raw) || raw.length !== K) throw new TargetError('covariances', raw, `an array of ${K} matrices of ${d} x ${d}`);
    const given = new Float64Array(K * d * d);
    const eigenvectors = new Float64Array(K * d * d);
    for (let k = 0; k < K; k++) {
      const field = `covariances[${k}]`;
      const rows = raw[k];
      if (!Array.isArray(rows) || rows.length !== d) throw new TargetError(field, rows, `a ${d} x ${d} matrix (${d} rows)`);
      const base = k * d * d;
      for (let i = 0; i < d; i++) readRow(rows[i], d, `${field}[${i}]`, given, base + i * d, finite);
      let scale = 0;
      for (let i = 0; i < d * d; i++) scale = Math.max(scale, Math.abs(given[base + i]!));
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < i; j++) {
          const a = given[base + i * d + j]!, b = given[base + j * d + i]!;
          if (Math.abs(a - b) > 1e-9 * scale) {
            throw new TargetError(field, rows, 'a symmetric matrix', `entries [${i}][${j}] = ${a} and [${j}][${i}] = ${b} differ`);
          }
          const s = 0.5 * (a + b);
          given[base + i * d + j] = s;
          given[base + j * d + i] = s;
        }
      }
      const { values, vectors } = symmetricEigen(given.subarray(base, base + d * d), d);
      const smallest = values[0]!, largest = values[d - 1]!;
      if (!(smallest > 1e-13 * largest) || !(smallest > 0) || !Number.isFinite(largest)) {
        throw new TargetError(field, rows, 'a symmetric positive-definite matrix',
          `not positive definite: smallest eigenvalue ${smallest}, largest ${largest}`);
      }
      eigenvalues.set(values, k * d);
      eigenvectors.set(vectors, base);
    }
    return new GaussianMixture(d, name, weights, givenWeights, means, 'full', given, eigenvalues, eigenvectors);
  }

  /**
   * The JSON form: the weights and covariances as they were given (so that fromJSON(toJSON())
   * reproduces this target bit for bit; the weights are normalised again on load).
   */
  toJSON(): GmmJson {
    const d = this.dim, K = this.K;
    const json: GmmJson = {
      kind: 'gmm', dim: d, name: this.name,
      weights: Array.from(this.givenWeights),
      means: Array.from({ length: K }, (_, k) => Array.from(this.means.subarray(k * d, (k + 1) * d))),
    };
    if (this.covKind === 'isotropic') json.scales = Array.from(this.given);
    else if (this.covKind === 'diagonal') {
      json.variances = Array.from({ length: K }, (_, k) => Array.from(this.given.subarray(k * d, (k + 1) * d)));
    } else {
      json.covariances = Array.from({ length: K }, (_, k) =>
        Array.from({ length: d }, (_, i) => Array.from(this.given.subarray(k * d * d + i * d, k * d * d + (i + 1) * d))));
    }
    return json;
  }

  /** Sigma_k as a new d x d row-major matrix. */
  covariance(k: number): Float64Array {
    this.checkComponent(k);
    const d = this.dim, S = new Float64Array(d * d);
    if (this.covKind === 'full') S.set(this.given.subarray(k * d * d, (k + 1) * d * d));
    else for (let i = 0; i < d; i++) S[i * d + i] = this.eigenvalues[k * d + i]!;
    return S;
  }

  /**
   * `n` exact samples of q_t (n*d row-major). Sample i is Philox particle `offset + i` of `seed`:
   * its component comes from `uniform(offset+i, 0, Stream.component, 0)` against the cumulative
   * weights, its normals from `fillNormals(..., offset+i, 0, Stream.exact)`. So the rows of
   * `sample(n, t, seed, o)` equal rows o.. of a larger call with offset 0.
   */
  sample(n: number, t: number, seed: number, offset = 0): Float64Array {
    if (!Number.isInteger(n) || n < 0) throw new RunOptionError('n', n, 'a non-negative integer');
    if (!Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
      throw new RunOptionError('seed', seed, 'an integer in [0, 2^53)');
    }
    if (!Number.isInteger(offset) || offset < 0 || offset + n > MAX_PARTICLE) {
      throw new RunOptionError('offset', offset, `an integer >= 0 with offset + n <= 2^32 (n = ${n})`);
    }
    const f = this.factors(t);
    const d = this.dim, K = this.K, U = this.eigenvectors, m = f.m;
    const rng = new Philox(seed);
    const out = new Float64Array(n * d);
    const z = this.ws;
    for (let i = 0; i < n; i++) {
      const p = offset + i;
      const u = rng.uniform(p, 0, Stream.component, 0);
      let lo = 0, hi = K - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (u <= this.cumWeights[mid]!) hi = mid; else lo = mid + 1;
      }
      const k = lo, kb = k * d, row = i * d;
      rng.fillNormals(out, row, d, p, 0, Stream.exact);
      if (U === null) {
        for (let j = 0; j < d; j++) out[row + j] = m * this.means[kb + j]! + f.sqrtc[kb + j]! * out[row + j]!;
      } else {
        for (let j = 0; j < d; j++) z[j] = f.sqrtc[kb + j]! * out[row + j]!;
        const ub = k * d * d;
        for (let a = 0; a < d; a++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += U[ub + a * d + j]! * z[j]!;
          out[row + a] = m * this.means[kb + a]! + s;
        }
      }
    }
    return out;
  }

  /**
   * One point: writes the score s_t(x) into `scoreOut[0..d)` and/or the denoiser
   * x0hat(x, t) = E[x_0 | x_t = x] into `x0Out[0..d)` (either may be null) and returns log q_t(x).
   * `x` is read from `x[xOff .. xOff+d)`. The denoiser is formed directly as
   * sum_k r_k [mu_k + m Sigma_k C_k^{-1} (x - m mu_k)], which stays accurate at large t.
   * Allocation-free after the first call at a given t.
   */
  evalPoint(x: ArrayLike<number>, xOff: number, t: number, scoreOut: Float64Array | null, x0Out: Float64Array | null): number {
    return this.evalInto(x, xOff, t, scoreOut, 0, x0Out, 0, null, 0);
  }

  /** log q_t at each of the n = X.length / d rows of X. */
  logpdf(X: Float64Array | Float32Array, t: number): Float64Array {
    const n = this.rows(X), d = this.dim, out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.evalInto(X, i * d, t, null, 0, null, 0, null, 0);
    return out;
  }

  /** The score s_t at each row of X (n*d). */
  score(X: Float64Array | Float32Array, t: number): Float64Array {
    const n = this.rows(X), d = this.dim, out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) this.evalInto(X, i * d, t, out, i * d, null, 0, null, 0);
    return out;
  }

  /** The denoiser x0hat(x, t) = E[x_0 | x_t = x] at each row of X (n*d). */
  denoise(X: Float64Array | Float32Array, t: number): Float64Array {
    const n = this.rows(X), d = this.dim, out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) this.evalInto(X, i * d, t, null, 0, out, i * d, null, 0);
    return out;
  }

  /** Posterior component probabilities r_k(x) under q_t at each row of X (n*K). */
  responsibilities(X: Float64Array | Float32Array, t: number): Float64Array {
    const n = this.rows(X), K = this.K, out = new Float64Array(n * K);
    for (let i = 0; i < n; i++) this.evalInto(X, i * this.dim, t, null, 0, null, 0, out, i * K);
    return out;
  }

  /** Mean (d) and covariance (d*d row-major) of q_t in closed form. */
  moments(t: number): { mean: Float64Array; cov: Float64Array } {
    const f = this.factors(t);
    const d = this.dim, K = this.K, m = f.m, s2 = -Math.expm1(-2 * t);
    const mean = new Float64Array(d), cov = new Float64Array(d * d);
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < d; j++) mean[j]! += this.weights[k]! * m * this.means[k * d + j]!;
    }
    const dm = new Float64Array(d);
    for (let k = 0; k < K; k++) {
      const w = this.weights[k]!;
      for (let j = 0; j < d; j++) dm[j] = m * this.means[k * d + j]! - mean[j]!;
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) cov[i * d + j]! += w * dm[i]! * dm[j]!;
      }
      if (this.covKind === 'full') {
        const base = k * d * d;
        for (let i = 0; i < d * d; i++) cov[i]! += w * m * m * this.given[base + i]!;
      } else {
        for (let i = 0; i < d; i++) cov[i * d + i]! += w * m * m * this.eigenvalues[k * d + i]!;
      }
    }
    for (let i = 0; i < d; i++) cov[i * d + i]! += s2;
    return { mean, cov };
  }

  /**
   * The shared kernel: log q_t(x), and optionally the score, the denoiser and the
   * responsibilities written at the given offsets.
   */
  private evalInto(
    x: ArrayLike<number>, xOff: number, t: number,
    sOut: Float64Array | null, sOff: number, x0Out: Float64Array | null, x0Off: number,
    rOut: Float64Array | null, rOff: number,
  ): number {
    const f = this.last !== null && this.last.t === t ? this.last : this.factors(t);
    const d = this.dim, K = this.K, m = f.m, mu = this.means, U = this.eigenvectors;
    const ys = this.ys, ell = this.ell, invc = f.invc;
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      const kb = k * d;
      let quad = 0;
      if (U === null) {
        for (let j = 0; j < d; j++) {
          const y = x[xOff + j]! - m * mu[kb + j]!;
          ys[kb + j] = y;
          quad += y * y * invc[kb + j]!;
        }
      } else {
        const diff = this.diff, UT = this.eigenvectorsT!, ub = k * d * d;
        for (let i = 0; i < d; i++) diff[i] = x[xOff + i]! - m * mu[kb + i]!;
        for (let j = 0; j < d; j++) {
          const rb = ub + j * d;
          let y = 0;
          for (let i = 0; i < d; i++) y += UT[rb + i]! * diff[i]!;
          ys[kb + j] = y;
          quad += y * y * invc[kb + j]!;
        }
      }
      const l = f.logNorm[k]! - 0.5 * quad;
      ell[k] = l;
      if (l > max) max = l;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(ell[k]! - max);
    const lse = max + Math.log(sum);
    if (sOut === null && x0Out === null && rOut === null) return lse;

    if (sOut !== null) for (let j = 0; j < d; j++) sOut[sOff + j] = 0;
    if (x0Out !== null) for (let j = 0; j < d; j++) x0Out[x0Off + j] = 0;
    for (let k = 0; k < K; k++) {
      const r = Math.exp(ell[k]! - lse);
      if (rOut !== null) rOut[rOff + k] = r;
      if (r === 0 || (sOut === null && x0Out === null)) continue;
      const kb = k * d;
      if (U === null) {
        if (sOut !== null) for (let j = 0; j < d; j++) sOut[sOff + j]! -= r * ys[kb + j]! * invc[kb + j]!;
        if (x0Out !== null) {
          for (let j = 0; j < d; j++) x0Out[x0Off + j]! += r * (mu[kb + j]! + f.gain[kb + j]! * ys[kb + j]!);
        }
      } else {
        const ws = this.ws, wx = this.wx, ub = k * d * d;
        for (let j = 0; j < d; j++) {
          ws[j] = r * ys[kb + j]! * invc[kb + j]!;
          wx[j] = r * ys[kb + j]! * f.gain[kb + j]!;
        }
        for (let i = 0; i < d; i++) {
          const rb = ub + i * d;
          if (sOut !== null && x0Out !== null) {
            let a = 0, b = 0;
            for (let j = 0; j < d; j++) {
              a += U[rb + j]! * ws[j]!;
              b += U[rb + j]! * wx[j]!;
            }
            sOut[sOff + i]! -= a;
            x0Out[x0Off + i]! += r * mu[kb + i]! + b;
          } else if (sOut !== null) {
            let a = 0;
            for (let j = 0; j < d; j++) a += U[rb + j]! * ws[j]!;
            sOut[sOff + i]! -= a;
          } else if (x0Out !== null) {
            let b = 0;
            for (let j = 0; j < d; j++) b += U[rb + j]! * wx[j]!;
            x0Out[x0Off + i]! += r * mu[kb + i]! + b;
          }
        }
      }
    }
    return lse;
  }

  /** The per-t coefficients, from the cache or computed now. */
  private factors(t: number): TimeFactors {
    if (this.last !== null && this.last.t === t) return this.last;
    let f = this.cache.get(t);
    if (f === undefined) {
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new RunOptionError('t', t, 'a finite time >= 0');
      const d = this.dim, K = this.K, m = Math.exp(-t), s2 = -Math.expm1(-2 * t);
      const invc = new Float64Array(K * d), gain = new Float64Array(K * d), sqrtc = new Float64Array(K * d);
      const logNorm = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        let logDet = 0;
        for (let j = 0; j < d; j++) {
          const lam = this.eigenvalues[k * d + j]!;
          const c = m * m * lam + s2;
          invc[k * d + j] = 1 / c;
          gain[k * d + j] = (m * lam) / c;
          sqrtc[k * d + j] = Math.sqrt(c);
          logDet += Math.log(c);
        }
        logNorm[k] = Math.log(this.weights[k]!) - 0.5 * (d * LOG_2PI + logDet);
      }
      f = { t, m, invc, gain, sqrtc, logNorm };
      if (this.cache.size >= CACHE_SIZE) this.cache.clear();
      this.cache.set(t, f);
    }
    this.last = f;
    return f;
  }

  /** Row count of a batch, checking that its length is a multiple of d. */
  private rows(X: ArrayLike<number>): number {
    if (X.length % this.dim !== 0) {
      throw new RunOptionError('X', X, `a flat array whose length is a multiple of dim = ${this.dim}`);
    }
    return X.length / this.dim;
  }

  private checkComponent(k: number): void {
    if (!Number.isInteger(k) || k < 0 || k >= this.K) throw new RangeError(`component ${k} out of range [0, ${this.K})`);
  }
}

/** Transposes each of the K consecutive d x d blocks of A. */
function transposeBlocks(A: Float64Array, K: number, d: number): Float64Array {
  const out = new Float64Array(A.length);
  for (let k = 0; k < K; k++) {
    const b = k * d * d;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[b + j * d + i] = A[b + i * d + j]!;
  }
  return out;
}

/** A finite number, or a TargetError for `field`. */
function finite(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TargetError(field, v, 'a finite number');
  return v;
}

/** A positive finite number, or a TargetError for `field`. */
function positive(v: unknown, field: string, detail?: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) throw new TargetError(field, v, 'a positive finite number', detail);
  return v;
}

/** Reads an array of exactly d numbers into out[off..off+d), checking each with `check`. */
function readRow(
  row: unknown, d: number, field: string, out: Float64Array, off: number,
  check: (v: unknown, field: string) => number,
): void {
  if (!Array.isArray(row) || row.length !== d) {
    throw new TargetError(field, row, `an array of ${d} numbers (all rows must have length dim = ${d})`);
  }
  for (let j = 0; j < d; j++) out[off + j] = check(row[j], `${field}[${j}]`);
}
