/**
 * The random draws of the Poisson midpoint method, shared by its base chains and by the WGSL
 * (shaders/poisson-midpoint*.wgsl draw the same words): the Bernoulli(1/K) indicators of a particle's
 * coarse step and the Gaussian increments of its Brownian path, keyed by the segment's end index.
 */
import { Philox, Stream } from '../rng/philox.js';

/** Entries of the compacted midpoint list per particle (MID lanes). */
export const PMM_CAP_LANES = 2;

/** The active fine indices (1..K-1, increasing) of a particle in coarse step `step`. */
export function pmmActive(rng: Philox, particle: number, step: number, K: number, thr: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < K; i++) {
    const e = i - 1;
    const word = rng.block(particle, step, Stream.scalar, e >>> 2)[e & 3]!;
    if (word >>> 8 < thr) out.push(i);
  }
  return out;
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
