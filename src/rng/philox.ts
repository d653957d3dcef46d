/**
 * Philox4x32-10 counter-based generator (Salmon et al. 2011, "Parallel random numbers: as easy as
 * 1, 2, 3"), bit-identical to `shaders/philox.wgsl`.
 *
 * Every random draw in midstep is a pure function of (seed, particle, step, stream, element):
 * key = (seed low 32 bits, seed high bits), counter = (particle, step, stream, element >> 2).
 * So the same seed gives the same numbers whatever the batch size, chunking or offset.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two u32, by 16-bit limbs (the same steps as the WGSL). */
export function mulhi32(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * One Philox4x32-10 block: 4 words of counter and 2 of key in, 4 random u32 out.
 * `out` may be passed to avoid an allocation.
 */
export function philox4x32(
  c0: number, c1: number, c2: number, c3: number, k0: number, k1: number,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  c0 >>>= 0; c1 >>>= 0; c2 >>>= 0; c3 >>>= 0; k0 >>>= 0; k1 >>>= 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi32(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
  return out;
}

/** Splits a seed (a non-negative integer below 2^53) into the two key words. */
export function seedKey(seed: number): [number, number] {
  return [seed >>> 0, Math.floor(seed / 4294967296) >>> 0];
}

/** A u32 to a uniform in (0, 1]: `((r >> 8) + 1) * 2^-24`, exact in f32 (never 0, so log is safe). */
export function u32ToUniform(r: number): number {
  return ((r >>> 8) + 1) * 5.9604644775390625e-8;
}

/** Random streams: which purpose a draw serves. Shared with the WGSL constants in philox.wgsl. */
export const Stream = {
  /** Initial state x_T. */
  init: 0,
  /** The Gaussian increment of a stochastic step. */
  stepNoise: 1,
  /** Exact samples of a target (metrics floors, q_T initialisation). */
  exact: 2,
  /** Which mixture component an exact sample comes from. */
  component: 3,
  /** Per-particle scalar draws of randomized samplers (midpoints, Bernoulli indicators). */
  scalar: 4,
  /** A second, correlated Gaussian sequence of the same step (e.g. Brownian midpoint increments). */
  stepNoise2: 5,
  /** Corrector noise: stream corrector + 4 j + q for inner step j and normal sequence q (0..3). */
  corrector: 16,
} as const;

/**
 * Counter-based source of normals and uniforms for one seed. Stateless: every call names its
 * counter, so the numbers do not depend on call order.
 */
export class Philox {
  readonly k0: number;
  readonly k1: number;
  private readonly buf = new Uint32Array(4);

  constructor(readonly seed: number) {
    [this.k0, this.k1] = seedKey(seed);
  }

  /** The 4 words of block (particle, step, stream, block). */
  block(particle: number, step: number, stream: number, block: number): Uint32Array {
    return philox4x32(particle, step, stream, block, this.k0, this.k1, this.buf);
  }

  /** Uniform in (0, 1] for element `j`. */
  uniform(particle: number, step: number, stream: number, j: number): number {
    return u32ToUniform(this.block(particle, step, stream, j >>> 2)[j & 3]!);
  }

  /**
   * Standard normal for element `j`, by Box-Muller on the word pair (2i, 2i+1) of block j >> 2:
   * even j takes r cos(2 pi u2), odd j takes r sin(2 pi u2), with r = sqrt(-2 ln u1).
   */
  normal(particle: number, step: number, stream: number, j: number): number {
    const w = this.block(particle, step, stream, j >>> 2);
    const pair = (j & 2);
    const u1 = u32ToUniform(w[pair]!), u2 = u32ToUniform(w[pair + 1]!);
    const r = Math.sqrt(-2 * Math.log(u1));
    const a = 2 * Math.PI * u2;
    return (j & 1) === 0 ? r * Math.cos(a) : r * Math.sin(a);
  }

  /** Fills `out[offset .. offset+d)` with the normals j = 0..d-1 of (particle, step, stream). */
  fillNormals(out: Float64Array | number[], offset: number, d: number, particle: number, step: number, stream: number): void {
    for (let b = 0; b * 4 < d; b++) {
      const w = this.block(particle, step, stream, b);
      for (let pair = 0; pair < 4; pair += 2) {
        const u1 = u32ToUniform(w[pair]!), u2 = u32ToUniform(w[pair + 1]!);
        const r = Math.sqrt(-2 * Math.log(u1));
        const a = 2 * Math.PI * u2;
        const j = b * 4 + pair;
        if (j < d) out[offset + j] = r * Math.cos(a);
        if (j + 1 < d) out[offset + j + 1] = r * Math.sin(a);
      }
    }
  }
}
