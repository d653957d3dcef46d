/**
 * Sliced Wasserstein-2 distance between two samples: the square root of the mean, over L random
 * unit directions, of the 1-D W2^2 between the sorted projections. In 1-D there is one direction.
 */
import { RunOptionError } from '../errors.js';
import { Philox, Stream } from '../rng/philox.js';
import type { GaussianMixture } from '../targets/gmm.js';
import { checkSamples, DEFAULT_METRIC_SEED, deriveSeed, hasNonFinite, sortFloat64, type SampleArray } from './common.js';

/** Options of {@link slicedW2}. */
export interface SlicedW2Options {
  /** Number of random directions L (default 256; ignored in 1-D). */
  directions?: number;
  /** Seed of the directions (default {@link DEFAULT_METRIC_SEED}). */
  seed?: number;
}

/** Default number of projection directions. */
export const SLICED_DIRECTIONS = 256;

/**
 * L unit directions in R^d (L*d row-major): Philox normals of `seed` at (particle l, step 0,
 * Stream.exact), normalised. In 1-D a single direction +1.
 */
export function sliceDirections(d: number, L: number, seed: number): Float64Array {
  if (d === 1) return Float64Array.of(1);
  if (!Number.isInteger(L) || L < 1) throw new RunOptionError('directions', L, 'a positive integer');
  const rng = new Philox(seed), dirs = new Float64Array(L * d);
  for (let l = 0; l < L; l++) {
    let norm = 0;
    for (let tries = 0; norm === 0; tries++) {
      rng.fillNormals(dirs, l * d, d, l, tries, Stream.exact);
      norm = 0;
      for (let j = 0; j < d; j++) norm += dirs[l * d + j]! ** 2;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < d; j++) dirs[l * d + j]! /= norm;
  }
  return dirs;
}

/**
 * W2^2 between the empirical measures of two ascending arrays (any sizes): the integral over
 * quantile levels u in (0, 1) of (Fa^{-1}(u) - Fb^{-1}(u))^2.
 */
export function w2SquaredSorted(a: Float64Array, b: Float64Array): number {
  const na = a.length, nb = b.length;
  if (na === nb) {
    let s = 0;
    for (let i = 0; i < na; i++) {
      const e = a[i]! - b[i]!;
      s += e * e;
    }
    return s / na;
  }
  let i = 0, j = 0, u = 0, s = 0;
  while (i < na && j < nb) {
    const ua = (i + 1) / na, ub = (j + 1) / nb;
    const next = Math.min(ua, ub), e = a[i]! - b[j]!;
    s += (next - u) * e * e;
    u = next;
    if (ua <= next) i++;
    if (ub <= next) j++;
  }
  return s;
}

/** Directions per pass over the samples (each row is loaded once for all of them). */
const BLOCK = 4;

/**
 * Projects the n rows of X onto directions l0 .. l0+count-1 of `dirs` (count <= 4), into
 * out[0..count). One pass over X.
 */
function projectBlock(
  X: ArrayLike<number>, n: number, d: number, dirs: Float64Array, l0: number, count: number, out: Float64Array[],
): void {
  if (d === 1) {
    const o = out[0]!;
    for (let i = 0; i < n; i++) o[i] = X[i]!;
    return;
  }
  const o0 = out[0]!, o1 = out[1]!, o2 = out[2]!, o3 = out[3]!;
  const b0 = l0 * d, b1 = count > 1 ? b0 + d : b0, b2 = count > 2 ? b0 + 2 * d : b0, b3 = count > 3 ? b0 + 3 * d : b0;
  for (let i = 0; i < n; i++) {
    const rb = i * d;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0; j < d; j++) {
      const x = X[rb + j]!;
      s0 += x * dirs[b0 + j]!;
      s1 += x * dirs[b1 + j]!;
      s2 += x * dirs[b2 + j]!;
      s3 += x * dirs[b3 + j]!;
    }
    o0[i] = s0;
    o1[i] = s1;
    o2[i] = s2;
    o3[i] = s3;
  }
}

/**
 * Sliced W2 of several samples against one reference sample Y (m rows), sharing the sorted
 * reference projection of each direction: entry s of the result is sw2(sets[s], Y). A set with a
 * non-finite entry scores Infinity.
 */
export function slicedW2Many(
  sets: SampleArray[], n: number, d: number, Y: SampleArray, m: number, opts: SlicedW2Options = {},
): number[] {
  checkSamples(Y, m, d);
  for (const X of sets) checkSamples(X, n, d);
  if (hasNonFinite(Y, m, d)) throw new RunOptionError('reference', 'non-finite values', 'a finite reference sample');
  const L = d === 1 ? 1 : opts.directions ?? SLICED_DIRECTIONS;
  const dirs = sliceDirections(d, L, opts.seed ?? DEFAULT_METRIC_SEED);
  const bad = sets.map((X) => hasNonFinite(X, n, d));
  const acc = new Float64Array(sets.length);
  const py = Array.from({ length: BLOCK }, () => new Float64Array(m));
  const px = Array.from({ length: BLOCK }, () => new Float64Array(n));
  const scratch = new Float64Array(Math.max(n, m)), buckets = new Int32Array(Math.max(n, m) + 1);
  for (let l0 = 0; l0 < L; l0 += BLOCK) {
    const count = Math.min(BLOCK, L - l0);
    projectBlock(Y, m, d, dirs, l0, count, py);
    for (let c = 0; c < count; c++) sortFloat64(py[c]!, scratch, buckets);
    for (let s = 0; s < sets.length; s++) {
      if (bad[s]) continue;
      projectBlock(sets[s]!, n, d, dirs, l0, count, px);
      for (let c = 0; c < count; c++) {
        sortFloat64(px[c]!, scratch, buckets);
        acc[s]! += w2SquaredSorted(px[c]!, py[c]!);
      }
    }
  }
  return Array.from(acc, (v, s) => (bad[s]! ? Infinity : Math.sqrt(v / L)));
}

/**
 * Sliced W2 between X (n rows) and a reference sample Y (m rows, usually an exact sample of q_t
 * of the same size): sqrt(mean over L directions of W2^2 of the sorted projections). Infinity if
 * X has a non-finite entry.
 */
export function slicedW2(X: SampleArray, n: number, d: number, Y: SampleArray, m: number, opts: SlicedW2Options = {}): number {
  return slicedW2Many([X], n, d, Y, m, opts)[0]!;
}

/**
 * Sliced W2 between X (n rows of target.dim) and a fresh exact sample of q_t of the same size,
 * drawn from `opts.seed` (directions from a seed derived from it).
 */
export function slicedW2Target(target: GaussianMixture, X: SampleArray, n: number, t: number, opts: SlicedW2Options = {}): number {
  const seed = opts.seed ?? DEFAULT_METRIC_SEED;
  const Y = target.sample(n, t, deriveSeed(seed, 1));
  return slicedW2(X, n, target.dim, Y, n, { directions: opts.directions, seed: deriveSeed(seed, 2) });
}
