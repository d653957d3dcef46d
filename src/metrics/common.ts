/**
 * Shared pieces of the metrics: the sample-array type, input checks, seed derivation and a fast
 * float64 sort.
 */
import { RunOptionError } from '../errors.js';
import { Philox } from '../rng/philox.js';

/** Samples as a flat row-major array of n rows of d numbers. */
export type SampleArray = Float32Array | Float64Array;

/** Default seed of the metrics' own randomness (reference samples, directions, subsets). */
export const DEFAULT_METRIC_SEED = 0x6d69_6473_7465; // "midste": far from the small seeds of runs

/** Throws a RunOptionError unless X holds at least n rows of d numbers and n >= min. */
export function checkSamples(X: ArrayLike<number>, n: number, d: number, min = 1): void {
  if (!Number.isInteger(d) || d < 1) throw new RunOptionError('dim', d, 'a positive integer');
  if (!Number.isInteger(n) || n < min) throw new RunOptionError('n', n, `an integer >= ${min}`);
  if (X.length < n * d) throw new RunOptionError('samples', X, `at least n * d = ${n * d} numbers`);
}

/** True when some entry of the first n rows is NaN or infinite. */
export function hasNonFinite(X: ArrayLike<number>, n: number, d: number): boolean {
  for (let i = 0; i < n * d; i++) if (!Number.isFinite(X[i]!)) return true;
  return false;
}

/** True when row i has a NaN or infinite entry. */
export function rowNonFinite(X: ArrayLike<number>, i: number, d: number): boolean {
  for (let j = 0; j < d; j++) if (!Number.isFinite(X[i * d + j]!)) return true;
  return false;
}

/**
 * A new seed in [0, 2^53) derived from (seed, tag) by one Philox block, so that the streams a
 * metric uses for different purposes (reference sample, floor draws, directions) never coincide.
 */
export function deriveSeed(seed: number, tag: number): number {
  const w = new Philox(seed).block(0xffffffff, tag >>> 0, 0xfffffffe, 0);
  return (w[0]! & 0x1fffff) * 4294967296 + w[1]!;
}

/**
 * Sorts `a` ascending in place (finite values only). A bucket pass on the value range followed by
 * insertion sort, O(n) for the smooth distributions of projected samples; falls back to the
 * built-in sort when the buckets are too uneven. `scratch` must have length >= a.length.
 */
export function sortFloat64(a: Float64Array, scratch: Float64Array, buckets?: Int32Array): void {
  const n = a.length;
  if (n < 64) {
    a.sort();
    return;
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = (n - 1) / (hi - lo);
  if (!(hi > lo) || !Number.isFinite(scale) || scale === 0) {
    a.sort();
    return;
  }
  const start = buckets !== undefined && buckets.length >= n + 1 ? buckets : new Int32Array(n + 1);
  start.fill(0, 0, n + 1);
  for (let i = 0; i < n; i++) start[((a[i]! - lo) * scale | 0) + 1]!++;
  let work = 0;
  for (let b = 1; b <= n; b++) {
    const c = start[b]!;
    work += c * c;
    start[b]! += start[b - 1]!;
  }
  if (work > 16 * n) {
    a.sort();
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    scratch[start[(v - lo) * scale | 0]!++] = v;
  }
  for (let i = 0; i < n; i++) a[i] = scratch[i]!;
  for (let i = 1; i < n; i++) {
    const v = a[i]!;
    let j = i - 1;
    if (a[j]! <= v) continue;
    while (j >= 0 && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}
