/**
 * The built-in benchmark targets, and {@link loadTarget}, which turns a preset name or a JSON
 * description into a {@link GaussianMixture}. The random presets are generated from fixed Philox
 * seeds, so they are the same on every machine and in every run.
 */
import { TargetError } from '../errors.js';
import { Philox, Stream } from '../rng/philox.js';
import { GaussianMixture, type GmmJson } from './gmm.js';

/** A named target: a one-line description and a constructor. */
export interface Preset {
  /** What the target is, for listings and reports. */
  description: string;
  /** Builds the target (deterministic). */
  make: () => GaussianMixture;
}

/** 1-D, two unequal modes. */
function bimodal1d(): GaussianMixture {
  return GaussianMixture.fromJSON({
    kind: 'gmm', name: 'bimodal1d', weights: [0.3, 0.7], means: [[-2], [1.5]], scales: [0.4, 0.6],
  });
}

/** 2-D ring: 8 equal-weight isotropic modes on a circle of radius 2, scale 0.2. */
function ring2d(): GaussianMixture {
  const means = Array.from({ length: 8 }, (_, k) => [2 * Math.cos((k * Math.PI) / 4), 2 * Math.sin((k * Math.PI) / 4)]);
  return GaussianMixture.fromJSON({
    kind: 'gmm', name: 'ring2d', weights: Array(8).fill(1 / 8), means, scales: Array(8).fill(0.2),
  });
}

/** 2-D grid: 25 equal-weight isotropic modes at {-4,-2,0,2,4}^2, scale 0.3. */
function grid2d(): GaussianMixture {
  const coords = [-4, -2, 0, 2, 4];
  const means = coords.flatMap((a) => coords.map((b) => [a, b]));
  return GaussianMixture.fromJSON({
    kind: 'gmm', name: 'grid2d', weights: Array(25).fill(1 / 25), means, scales: Array(25).fill(0.3),
  });
}

/**
 * A random rotation: the rows of the result are an orthonormal basis, from Gram-Schmidt (applied
 * twice, for orthogonality to rounding) on Gaussian rows drawn at (particle, step = 1 + row).
 */
function randomRotation(d: number, rng: Philox, particle: number): number[][] {
  const Q: number[][] = [];
  const v = new Float64Array(d);
  for (let row = 0; Q.length < d; row++) {
    rng.fillNormals(v, 0, d, particle, 1 + row, Stream.exact);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of Q) {
        let p = 0;
        for (let j = 0; j < d; j++) p += v[j]! * q[j]!;
        for (let j = 0; j < d; j++) v[j]! -= p * q[j]!;
      }
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += v[j]! * v[j]!;
    norm = Math.sqrt(norm);
    if (norm > 1e-6) Q.push(Array.from(v, (x) => x / norm));
  }
  return Q;
}

/**
 * 16-D, 4 components with weights 0.1..0.4 and full covariances Q diag(lambda) Q^T: lambda
 * log-uniform in [0.05, 2] (condition number up to 40), random rotations Q, means of norm 4.
 * Philox seed 16_2024; component k draws at particle k.
 */
function aniso16(): GaussianMixture {
  const d = 16, K = 4, rng = new Philox(16_2024);
  const covariances: number[][][] = [], means: number[][] = [];
  const v = new Float64Array(d);
  for (let k = 0; k < K; k++) {
    const Q = randomRotation(d, rng, k);
    const lam = Array.from({ length: d }, (_, j) => Math.exp(Math.log(0.05) + rng.uniform(k, 0, Stream.scalar, j) * Math.log(40)));
    const S = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += Q[a]![i]! * lam[a]! * Q[a]![j]!;
        S[i]![j] = s;
        S[j]![i] = s;
      }
    }
    covariances.push(S);
    rng.fillNormals(v, 0, d, k, 0, Stream.exact);
    let norm = 0;
    for (let j = 0; j < d; j++) norm += v[j]! * v[j]!;
    norm = Math.sqrt(norm);
    means.push(Array.from(v, (x) => (4 * x) / norm));
  }
  return GaussianMixture.fromJSON({ kind: 'gmm', name: 'aniso16', weights: [0.1, 0.2, 0.3, 0.4], means, covariances });
}

/**
 * 64-D, 10 components: means N(0, 9/d I) (norm about 3), diagonal variances uniform in
 * [0.05, 1], weights uniform in [0.5, 1.5] then normalised. Philox seed 64_2024.
 */
function gmm64(): GaussianMixture {
  const d = 64, K = 10, rng = new Philox(64_2024);
  const means: number[][] = [], variances: number[][] = [], weights: number[] = [];
  const v = new Float64Array(d);
  for (let k = 0; k < K; k++) {
    rng.fillNormals(v, 0, d, k, 0, Stream.exact);
    means.push(Array.from(v, (x) => (3 / Math.sqrt(d)) * x));
    variances.push(Array.from({ length: d }, (_, j) => 0.05 + 0.95 * rng.uniform(k, 1, Stream.scalar, j)));
    weights.push(0.5 + rng.uniform(k, 2, Stream.scalar, 0));
  }
  return GaussianMixture.fromJSON({ kind: 'gmm', name: 'gmm64', weights, means, variances });
}

/** The built-in targets by name. */
export const PRESETS: Record<string, Preset> = {
  bimodal1d: { description: '1-D, 2 modes: weights 0.3/0.7 at -2 and 1.5, scales 0.4/0.6', make: bimodal1d },
  ring2d: { description: '2-D, 8 equal modes on a circle of radius 2, scale 0.2', make: ring2d },
  grid2d: { description: '2-D, 5x5 grid of equal modes at {-4,-2,0,2,4}^2, scale 0.3', make: grid2d },
  aniso16: { description: '16-D, 4 components, full anisotropic covariances (eigenvalues 0.05..2), means of norm 4', make: aniso16 },
  gmm64: { description: '64-D, 10 components, diagonal variances in [0.05, 1], unequal weights', make: gmm64 },
};

/** The preset names with their descriptions. */
export function listPresets(): { name: string; description: string }[] {
  return Object.entries(PRESETS).map(([name, p]) => ({ name, description: p.description }));
}

/**
 * Resolves a target: a preset name (`"ring2d"`), JSON text of a target (a string starting with
 * `{`), a target object in the {@link GmmJson} form, or a GaussianMixture (returned as is).
 * Does no file reading. Throws a TargetError listing the presets for an unknown name, and the
 * errors of {@link GaussianMixture.fromJSON} for a bad description.
 */
export function loadTarget(spec: string | object): GaussianMixture {
  if (spec instanceof GaussianMixture) return spec;
  if (typeof spec === 'string') {
    const name = spec.trim();
    if (Object.prototype.hasOwnProperty.call(PRESETS, name)) return PRESETS[name]!.make();
    if (name.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(name);
      } catch (e) {
        throw new TargetError('target', spec, 'valid JSON', (e as Error).message);
      }
      return GaussianMixture.fromJSON(parsed);
    }
    throw new TargetError('target', spec, `a preset name (${Object.keys(PRESETS).join(', ')}) or a target JSON object`);
  }
  return GaussianMixture.fromJSON(spec as GmmJson | object);
}
