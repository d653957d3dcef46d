/**
 * Float64 mathematics of the Poisson midpoint method on the underdamped Langevin chain
 * (src/math/poisson-midpoint-uld.ts): exact unbiasedness over the Bernoulli patterns for a linear
 * drift, the covariance of midpoint and end noise on the shared Brownian path (quadrature and Monte
 * Carlo over the sampler's own draws), and that the chain samples the right law on a Gaussian target.
 */
import { describe, expect, it } from 'vitest';
import { gaussLegendre01 } from '../src/math/lagrange.js';
import { logSnr, noiseVariance, signalScale, timeFromLogSnr } from '../src/math/ou.js';
import { bernoulliThreshold } from '../src/math/poisson-midpoint.js';
import { pmmUldBlock, pmmUldCoarseStep, pmmUldFineSteps, uldPathAdvance, uldPathCovariance, type PmmUldBlock, type UldNoise } from '../src/math/poisson-midpoint-uld.js';
import { eiUlmcNoiseCovariance } from '../src/math/ulmc.js';
import { sampleReference } from '../src/reference.js';
import { Philox } from '../src/rng/philox.js';
import { pmmActive } from '../src/samplers/poisson-midpoint.js';
import { pmmUldPath } from '../src/samplers/poisson-midpoint-uld.js';
import { loadTarget } from '../src/targets/presets.js';

const d = 2;
// an affine, non-symmetric drift s(x, t) = L(t) x + c(t), and one that depends on time only
const affine = (x: Float64Array, t: number) => Float64Array.of((-0.8 + 0.3 * t) * x[0]! + 0.4 * x[1]! + Math.sin(t), 0.2 * x[0]! - 1.1 * x[1]! + 0.5 * t);
const timeOnly = (_x: Float64Array, t: number) => Float64Array.of(Math.cos(3 * t), t * t);
const times = (K: number, t0: number, t1: number) => Float64Array.from({ length: K + 1 }, (_, i) => timeFromLogSnr(logSnr(t0) + (i / K) * (logSnr(t1) - logSnr(t0))));

/** A fixed Brownian path on the block, advanced fine step by fine step (values at every index 1..K). */
function pathAt(blk: PmmUldBlock, seed: number): (i: number) => UldNoise {
  const rng = new Philox(seed);
  const N: UldNoise = { x: new Float64Array(d), v: new Float64Array(d) };
  const vals: UldNoise[] = [{ x: new Float64Array(d), v: new Float64Array(d) }];
  for (let i = 1; i <= blk.K; i++) {
    const z1 = [rng.normal(0, i, 9, 0), rng.normal(0, i, 9, 1)], z2 = [rng.normal(0, i, 9, 2), rng.normal(0, i, 9, 3)];
    uldPathAdvance(blk.gamma, blk.tau[i]! - blk.tau[i - 1]!, N, z1, z2);
    vals.push({ x: Float64Array.from(N.x), v: Float64Array.from(N.v) });
  }
  return (i) => vals[i]!;
}

/** E over the 2^(K-1) indicator patterns of one coarse step, for a fixed path. */
function meanOverPatterns(blk: PmmUldBlock, x0: Float64Array, v0: Float64Array, field: typeof affine, path: (i: number) => UldNoise, p: number): UldNoise {
  const mean = { x: new Float64Array(d), v: new Float64Array(d) };
  for (let mask = 0; mask < 2 ** (blk.K - 1); mask++) {
    const active: number[] = [];
    let prob = 1;
    for (let i = 1; i < blk.K; i++) {
      const on = (mask >> (i - 1)) & 1;
      if (on) active.push(i);
      prob *= on ? p : 1 - p;
    }
    const y = pmmUldCoarseStep(blk, x0, v0, field, active, path);
    for (let e = 0; e < d; e++) {
      mean.x[e] = mean.x[e]! + prob * y.x[e]!;
      mean.v[e] = mean.v[e]! + prob * y.v[e]!;
    }
  }
  return mean;
}

const close = (a: Float64Array, b: Float64Array) => {
  for (let e = 0; e < a.length; e++) expect(Math.abs(a[e]! - b[e]!)).toBeLessThan(1e-13 * (1 + Math.abs(b[e]!)));
};

describe('Poisson midpoint, underdamped chain: one block', () => {
  it.each([[0.5], [2], [9]])('gamma = %d: the mean of one coarse step over all Bernoulli patterns equals K fine steps (exact)', (gamma) => {
    const K = 6, ts = times(K, 3.0, 0.6);
    const { thr, w } = bernoulliThreshold(K);
    const blk = pmmUldBlock(ts, gamma, w);
    const x0 = Float64Array.of(0.3, 0.9), v0 = Float64Array.of(-0.7, 0.2), path = pathAt(blk, 2);
    const p = thr / 2 ** 24;
    // the flow part of b = (x + s, s) depends on the state, so a coarse step is unbiased for the fine
    // steps with b at the predicted midpoints (10.1 item 5), for a score depending on time only ...
    const m1 = meanOverPatterns(blk, x0, v0, timeOnly, path, p);
    const f1 = pmmUldFineSteps(blk, x0, v0, timeOnly, path, 'midpoints');
    close(m1.x, f1.x);
    close(m1.v, f1.v);
    // ... and for a linear state-dependent score
    const m2 = meanOverPatterns(blk, x0, v0, affine, path, p);
    const f2 = pmmUldFineSteps(blk, x0, v0, affine, path, 'midpoints');
    close(m2.x, f2.x);
    close(m2.v, f2.v);
    // the fine chain at its own iterates differs (second order in the block length), so the comparison has teeth
    const f3 = pmmUldFineSteps(blk, x0, v0, affine, path, 'iterates');
    expect(Math.abs(f3.x[0]! - f2.x[0]!) + Math.abs(f3.x[1]! - f2.x[1]!)).toBeGreaterThan(1e-6);
  });

  it('with no midpoint the block equals K fine steps with the drift frozen at the start (A_a A_b = A_{a+b})', () => {
    const K = 5, gamma = 1.3, ts = times(K, 1.5, 0.2);
    const blk = pmmUldBlock(ts, gamma, 1);
    const x0 = Float64Array.of(0.4, -0.2), v0 = Float64Array.of(1.1, 0.5), path = pathAt(blk, 4);
    const fine = pmmUldFineSteps(blk, x0, v0, affine, path, 'frozen');
    const coarse = pmmUldCoarseStep(blk, x0, v0, affine, [], path);
    close(coarse.x, fine.x);
    close(coarse.v, fine.v);
  });

  it('the path covariance by quadrature matches the closed-form EI-ULMC noise covariance at a = b', () => {
    const { x: nodes, w } = gaussLegendre01(30);
    for (const [gamma, a] of [[1.7, 0.9], [0.2, 0.05], [20, 0.3]] as const) {
      const c = uldPathCovariance(gamma, a, a, nodes, w), ref = eiUlmcNoiseCovariance(gamma, a);
      expect(c[0]![0]!).toBeCloseTo(ref.varX, 10);
      expect(c[1]![1]!).toBeCloseTo(ref.varV, 10);
      expect(c[0]![1]!).toBeCloseTo(ref.cov, 10);
      expect(c[1]![0]!).toBeCloseTo(ref.cov, 10);
    }
  });

  it('midpoint and end noise have the covariance of the shared path (Monte Carlo over the sampler draws)', () => {
    const K = 5, gamma = 1.5, ts = times(K, 1.2, 0.4);
    const { thr, w } = bernoulliThreshold(K);
    const blk = pmmUldBlock(ts, gamma, w);
    const rng = new Philox(11);
    const n = 40_000;
    // sums of products of (Nx_i, Nv_i) with (Nx_K, Nv_K), and of (Nx_K, Nv_K) with itself
    const acc: Record<number, { n: number; s: number[][] }> = {};
    const add = (i: number, a: UldNoise, b: UldNoise) => {
      acc[i] ??= { n: 0, s: [[0, 0], [0, 0]] };
      const q = acc[i]!;
      q.n++;
      const av = [a.x[0]!, a.v[0]!], bv = [b.x[0]!, b.v[0]!];
      for (let m = 0; m < 2; m++) for (let k = 0; k < 2; k++) q.s[m]![k] = q.s[m]![k]! + av[m]! * bv[k]!;
    };
    for (let p = 0; p < n; p++) {
      const active = pmmActive(rng, p, 3, K, thr);
      const path = pmmUldPath(rng, p, 3, blk, active, 1);
      const NK = path.get(K)!;
      add(K, NK, NK);
      for (const i of active) add(i, path.get(i)!, NK);
    }
    const { x: nodes, w: wq } = gaussLegendre01(30);
    for (let i = 1; i <= K; i++) {
      const q = acc[i]!;
      const exact = uldPathCovariance(gamma, blk.tau[i]!, blk.tau[K]!, nodes, wq);
      const self = uldPathCovariance(gamma, blk.tau[i]!, blk.tau[i]!, nodes, wq), end = uldPathCovariance(gamma, blk.tau[K]!, blk.tau[K]!, nodes, wq);
      for (let m = 0; m < 2; m++) {
        for (let k = 0; k < 2; k++) {
          // standard error of a mean of products of two jointly normal variables: sqrt((Var_a Var_b + Cov^2) / n)
          const se = Math.sqrt((self[m]![m]! * end[k]![k]! + exact[m]![k]! ** 2) / q.n);
          expect(Math.abs(q.s[m]![k]! / q.n - exact[m]![k]!), `index ${i} entry ${m}${k}`).toBeLessThan(4 * se);
        }
      }
    }
  });
});

describe('Poisson midpoint, underdamped chain: it samples q_delta on a Gaussian target', () => {
  // q_0 = N(mu, v) in 1-D: q_delta = N(m mu, m^2 v + sigma^2)
  const mu = 0.8, v = 0.25;
  const target = loadTarget({ kind: 'gmm', dim: 1, weights: [1], means: [[mu]], scales: [Math.sqrt(v)] });
  it.each([
    ['fine chain (300 steps, k = 1)', { nfe: 300, options: { chain: 'underdamped', k: 1 } }],
    ['poisson-midpoint, nfe 80', { nfe: 80, options: { chain: 'underdamped' } }],
  ] as const)('%s: mean and variance within Monte-Carlo error', (_name, s) => {
    const P = 2000;
    const r = sampleReference({ target, sampler: 'poisson-midpoint', particles: P, seed: 2, nfe: s.nfe, options: { ...s.options } });
    let m1 = 0, m2 = 0;
    for (const y of r.samples) {
      m1 += y;
      m2 += y * y;
    }
    m1 /= P;
    const varS = m2 / P - m1 * m1;
    const mean = signalScale(r.delta) * mu, vr = signalScale(r.delta) ** 2 * v + noiseVariance(r.delta);
    console.log(`underdamped ${_name}: mean ${m1.toFixed(4)} (exact ${mean.toFixed(4)}), variance ${varS.toFixed(4)} (exact ${vr.toFixed(4)})`);
    expect(Math.abs(m1 - mean)).toBeLessThan(4 * Math.sqrt(vr / P));
    expect(Math.abs(varS / vr - 1)).toBeLessThan(4 * Math.sqrt(2 / P));
  });
});
