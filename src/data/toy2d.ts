/**
 * Generated 2-D datasets for training small score networks: two moons, swiss roll, checkerboard.
 * Deterministic given the seed (a small counter-free generator, mulberry32, plus Box-Muller).
 */

/** The datasets {@link toyDataset} makes. */
export const TOY_DATASETS = ['two-moons', 'swiss-roll', 'checkerboard'] as const;
export type ToyDatasetName = (typeof TOY_DATASETS)[number];

/** A seeded uniform generator on [0, 1) (mulberry32). */
export function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * n points of a dataset, n x 2 row-major, roughly centred with unit spread:
 * - two-moons: the two interleaved half circles (as scikit-learn's make_moons), centred, noise 0.05;
 * - swiss-roll: the 2-D spiral (x, z) of make_swiss_roll divided by 5, noise 0.05;
 * - checkerboard: uniform on the 8 black squares of a 4 x 4 board on [-2, 2]^2.
 */
export function toyDataset(name: ToyDatasetName, n: number, seed: number): Float64Array {
  const u = uniforms(seed);
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    let x: number, y: number;
    if (name === 'two-moons') {
      const a = Math.PI * u();
      if (u() < 0.5) [x, y] = [Math.cos(a), Math.sin(a)];
      else [x, y] = [1 - Math.cos(a), 0.5 - Math.sin(a)];
      x += 0.05 * normal(u) - 0.5;
      y += 0.05 * normal(u) - 0.25;
    } else if (name === 'swiss-roll') {
      const s = 1.5 * Math.PI * (1 + 2 * u());
      x = (s * Math.cos(s)) / 5 + 0.05 * normal(u);
      y = (s * Math.sin(s)) / 5 + 0.05 * normal(u);
    } else {
      // pick a black square (row + col even), then a uniform point in it
      const k = Math.floor(8 * u());
      const row = Math.floor(k / 2), col = 2 * (k % 2) + (row % 2);
      x = -2 + col + u();
      y = -2 + row + u();
    }
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}
