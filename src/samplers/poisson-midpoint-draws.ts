/**
 * The random draws of the Poisson midpoint method, shared by its base chains and by the WGSL
 * (shaders/poisson-midpoint*.wgsl draw the same words): the active fine indices of a particle's
 * coarse step (independent Bernoulli(1/K) indicators, drawn as geometric gaps) and the Gaussian increments of its Brownian path, keyed by the segment's end index.
 */
import { Philox, Stream } from '../rng/philox.js';

/** Entries of the compacted midpoint list per particle (MID lanes). */
export const PMM_CAP_LANES = 2;

/**
 * Gap thresholds T_g = floor(2^24 (1 - p)^g), g = 1..K-1 (entry g - 1), p = thr / 2^24: a draw u
 * (24 bits) gives the gap G = #{g : u < T_g}, so P(G >= g) = T_g / 2^24 = (1 - p)^g to 2^-24. They
 * are integers below 2^24, exact in the f32 coefficient table the WGSL reads them from.
 */
export function pmmGapThresholds(K: number, thr: number): Float64Array {
  const q = 1 - thr / 2 ** 24;
  return Float64Array.from({ length: Math.max(0, K - 1) }, (_, j) => Math.floor(2 ** 24 * q ** (j + 1)));
}

/**
 * The active fine indices (1..K-1, increasing) of a particle in coarse step `step`, as
 * shaders/poisson-midpoint-gaps.wgsl draws them: geometric gaps, draw e (0, 1, ...) the top 24 bits of
 * word e of the particle's scalar stream, next = prev + 1 + G. Each index is active independently with
 * probability p = thr / 2^24 (to 2^-24), at (active + 1) draws per step instead of K - 1.
 * @param gaps {@link pmmGapThresholds}(K, thr), computed once per plan (computed here if omitted).
 */
export function pmmActive(rng: Philox, particle: number, step: number, K: number, thr: number, gaps: ArrayLike<number> = pmmGapThresholds(K, thr)): number[] {
  const out: number[] = [];
  let e = 0, block: Uint32Array | null = null;
  for (let prev = 0; ; ) {
    if ((e & 3) === 0) block = rng.block(particle, step, Stream.scalar, e >>> 2);
    const u = block![e & 3]! >>> 8;
    e++;
    // G = the largest g in 1 .. K-1 with u < T_g, 0 if none (binary search, as the WGSL)
    let lo = 0, hi = K - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (u < gaps[mid - 1]!) lo = mid;
      else hi = mid - 1;
    }
    const next = prev + 1 + lo;
    if (next >= K) return out;
    out.push(next);
    prev = next;
  }
}

/** Header words of a poisson-midpoint table: word 0 the list count, words 1-2 the 64-bit evaluation count. */
export const PMM_TABLE_HEADER = 16;

/**
 * Every coarse step's per-fine-index coefficients in one f32 table, uploaded with the run: block b,
 * fine index i (1..K-1) at word PMM_TABLE_HEADER + (b (K - 1) + i - 1) stride, its `stride` values
 * from `entry(b, i)` (the shaders' `tab`), the gap threshold last. The header words start at zero.
 */
export function pmmCoefTable(M: number, K: number, stride: number, entry: (b: number, i: number) => number[]): Float32Array {
  const table = new Float32Array(PMM_TABLE_HEADER + M * (K - 1) * stride);
  for (let b = 0; b < M; b++) {
    for (let i = 1; i < K; i++) table.set(entry(b, i), PMM_TABLE_HEADER + (b * (K - 1) + i - 1) * stride);
  }
  return table;
}

/**
 * The Brownian increment vector xi of the path segment ending at fine index `segEnd`, as the WGSL
 * draws it, from `stream` (STREAM_STEP_NOISE2; the underdamped chain draws the second normal of a
 * segment from STREAM_STEP_NOISE).
 */
export function pmmIncrement(rng: Philox, particle: number, step: number, segEnd: number, d: number, out: Float64Array, stream: number = Stream.stepNoise2): void {
  const d4 = Math.ceil(d / 4);
  for (let b = 0; b < d4; b++) {
    const wv = rng.block(particle, step, stream, segEnd * d4 + b);
    for (let pair = 0; pair < 4; pair += 2) {
      const u1 = ((wv[pair]! >>> 8) + 1) * 5.9604644775390625e-8, u2 = ((wv[pair + 1]! >>> 8) + 1) * 5.9604644775390625e-8;
      const r = Math.sqrt(-2 * Math.log(u1)), a = 2 * Math.PI * u2;
      const j = 4 * b + pair;
      if (j < d) out[j] = r * Math.cos(a);
      if (j + 1 < d) out[j + 1] = r * Math.sin(a);
    }
  }
}
