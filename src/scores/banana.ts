/**
 * The banana density as an example of a user WGSL score (shaders/user-banana.wgsl, through
 * {@link userScoreModel}): x1 ~ N(0, s1^2), x2 | x1 ~ N(b x1^2 + c, s2^2). Its OU score is exact up
 * to a Gauss-Hermite sum over x1; the float64 version below is the same formula.
 */
import { shaderFile } from '../gpu/compose.js';
import { gaussHermite } from '../math/gauss-hermite.js';
import { Stream, type Philox } from '../rng/philox.js';
import type { ScoreModel } from './types.js';
import { userScoreModel } from './user-score.js';

/** Parameters of the banana. */
export interface BananaParams {
  b: number;
  c: number;
  s1: number;
  s2: number;
  /** Gauss-Hermite nodes of the x1 integral. */
  nodes: number;
}

/** The default banana: mean zero (c = -b s1^2). */
export const BANANA: BananaParams = { b: 0.5, c: -0.5, s1: 1, s2: 0.35, nodes: 32 };

/** Float64 score of the banana's q_t at x (same formula and nodes as the WGSL). */
export function bananaScore(p: BananaParams, x: ArrayLike<number>, t: number, out: Float64Array, gh = gaussHermite(p.nodes)): void {
  const m = Math.exp(-t), sig2 = -Math.expm1(-2 * t);
  const s1sq = p.s1 * p.s1;
  const v = 1 / (1 / s1sq + (m * m) / sig2);
  const mu = (v * m * x[0]!) / sig2, sd = Math.sqrt(2 * v);
  const v2 = m * m * p.s2 * p.s2 + sig2;
  const ell = Array.from(gh.nodes, (xi, k) => {
    const x1 = mu + sd * xi;
    const r = x[1]! - m * (p.b * x1 * x1 + p.c);
    return { xi, r, l: Math.log(gh.weights[k]!) - (0.5 * r * r) / v2 };
  });
  const max = Math.max(...ell.map((e) => e.l));
  let sum = 0, sxi = 0, sr = 0;
  for (const e of ell) {
    const w = Math.exp(e.l - max);
    sum += w;
    sxi += w * e.xi;
    sr += w * e.r;
  }
  out[0] = (-x[0]! * v / s1sq + (m * sd * sxi) / sum) / sig2;
  out[1] = -(sr / sum) / v2;
}

/** Float64 log q_t of the banana up to a constant (the same quadrature), for checks. */
export function bananaLogDensity(p: BananaParams, x: ArrayLike<number>, t: number, gh = gaussHermite(p.nodes)): number {
  const m = Math.exp(-t), sig2 = -Math.expm1(-2 * t);
  const s1sq = p.s1 * p.s1;
  const v = 1 / (1 / s1sq + (m * m) / sig2);
  const mu = (v * m * x[0]!) / sig2, sd = Math.sqrt(2 * v);
  const v2 = m * m * p.s2 * p.s2 + sig2, v1 = m * m * s1sq + sig2;
  let sum = 0;
  gh.nodes.forEach((xi, k) => {
    const x1 = mu + sd * xi;
    const r = x[1]! - m * (p.b * x1 * x1 + p.c);
    sum += gh.weights[k]! * Math.exp((-0.5 * r * r) / v2);
  });
  return Math.log(sum) - (0.5 * x[0]! * x[0]!) / v1;
}

/** Exact draws from the banana, n x 2 row-major, from the generator's normals. */
export function sampleBanana(p: BananaParams, n: number, rng: Philox): Float64Array {
  const out = new Float64Array(2 * n);
  const z = new Float64Array(2);
  for (let i = 0; i < n; i++) {
    rng.fillNormals(z, 0, 2, i, 0, Stream.exact);
    const x1 = p.s1 * z[0]!;
    out[2 * i] = x1;
    out[2 * i + 1] = p.b * x1 * x1 + p.c + p.s2 * z[1]!;
  }
  return out;
}

/** The banana's score as a user WGSL model: parameters in a uniform, the nodes in a storage buffer. */
export function bananaScoreModel(p: BananaParams = BANANA): ScoreModel {
  const gh = gaussHermite(p.nodes);
  const nodes = new Float32Array(2 * p.nodes);
  gh.nodes.forEach((xi, k) => {
    nodes[2 * k] = xi;
    nodes[2 * k + 1] = Math.log(gh.weights[k]!);
  });
  return userScoreModel({
    name: 'banana',
    dim: 2,
    wgsl: shaderFile('user-banana'),
    bindings: [
      { binding: 0, type: 'uniform', data: new Float32Array([p.b, p.c, p.s1, p.s2]) },
      { binding: 1, type: 'read-only-storage', data: nodes },
    ],
    reference: (x, t, out) => bananaScore(p, x, t, out, gh),
  });
}
