/**
 * Float64 mathematics of issue 4: Lagrange / Gauss-Legendre weights, heroism's local order on a
 * Gaussian target with the exact probability-flow map (ALGORITHMS.md 7.2), and the Poisson midpoint
 * block: exact unbiasedness over the Bernoulli patterns, the fine chain it stands for, and the
 * covariance of midpoint and step noise on the shared Brownian path.
 */
import { describe, expect, it } from 'vitest';
import { chebyshevLobatto01, expLagrangeWeights, gaussLegendre01, lagrangeBasis } from '../src/math/lagrange.js';
import { logSnr, noiseStd, noiseVariance, signalScale, timeFromLogSnr } from '../src/math/ou.js';
import { bernoulliThreshold, pmmBlock, pmmCoarseStep, pmmFineSteps, type PmmChain } from '../src/math/poisson-midpoint.js';
import { sampleReference } from '../src/reference.js';
import { Philox, Stream } from '../src/rng/philox.js';
import { heroism } from '../src/samplers/heroism.js';
import { pmmActive, pmmPath, poissonMidpointNfe, pmmSchedule } from '../src/samplers/poisson-midpoint.js';
import { loadTarget } from '../src/targets/presets.js';

describe('Lagrange and quadrature weights', () => {
  it('Gauss-Legendre on [0, 1] integrates polynomials up to degree 2n - 1 exactly', () => {
    const { x, w } = gaussLegendre01(5);
    for (let k = 0; k <= 9; k++) {
      let s = 0;
      for (let i = 0; i < 5; i++) s += w[i]! * x[i]! ** k;
      expect(s).toBeCloseTo(1 / (k + 1), 14);
    }
  });
  it('Chebyshev-Lobatto nodes include both ends and are equispaced for p <= 3', () => {
    expect([...chebyshevLobatto01(3)]).toEqual([0, 0.5, 1]);
    const n = chebyshevLobatto01(6);
    expect(n[0]).toBe(0);
    expect(n[5]).toBe(1);
    for (let j = 0; j < 6; j++) for (let k = 0; k < 6; k++) expect(lagrangeBasis(n, j, n[k]!)).toBeCloseTo(j === k ? 1 : 0, 13);
  });
  it('exponential weights reproduce H int_0^u e^{-H(u-y)} g(y) dy for polynomials of degree < p', () => {
    const H = 3.7, u = 0.8;
    for (const p of [1, 2, 4, 7]) {
      const nodes = chebyshevLobatto01(p);
      const w = expLagrangeWeights(nodes, H, u);
      // g = 1: 1 - e^{-Hu}
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(-Math.expm1(-H * u), 14);
      if (p >= 2) {
        // g = y: u - (1 - e^{-Hu}) / H
        const s = w.reduce((a, wj, j) => a + wj * nodes[j]!, 0);
        expect(s).toBeCloseTo(u + Math.expm1(-H * u) / H, 14);
      }
    }
  });
});

describe('heroism: local order on a Gaussian target with the exact flow', () => {
  // q_0 = N(mu, v) in 1-D: the PF-ODE map is x_s - m_s mu = sqrt(c_s / c_t) (x_t - m_t mu), c = m^2 v + sigma^2
  const mu = 0.5, v = 0.49;
  const target = loadTarget({ kind: 'gmm', dim: 1, weights: [1], means: [[mu]], scales: [Math.sqrt(v)] });
  const c = (t: number) => signalScale(t) ** 2 * v + noiseVariance(t);
  const t0 = 1.5;
  /** Largest error over 16 particles of one interval of log-SNR length H from t0. */
  function oneInterval(p: number, K: number, H: number): number {
    const s = timeFromLogSnr(logSnr(t0) + H);
    const P = 16;
    const r = sampleReference({ target, sampler: 'heroism', nfe: 1 + (p - 1) * K, particles: P, seed: 5, tMax: t0, delta: s, options: { order: p, passes: K } });
    const rng = new Philox(5);
    let err = 0;
    for (let i = 0; i < P; i++) {
      const x0 = rng.normal(i, 0, Stream.init, 0);
      const exact = signalScale(s) * mu + Math.sqrt(c(s) / c(t0)) * (x0 - signalScale(t0) * mu);
      err = Math.max(err, Math.abs(r.samples[i]! - exact));
    }
    return err;
  }
  it.each([[2, 2], [3, 3], [4, 4]])('p = %i nodes, K = %i passes: halving h cuts the error by about 2^(p+1) or more', (p, K) => {
    const hs = [0.4, 0.2, 0.1];
    const errs = hs.map((H) => oneInterval(p, K, H));
    const orders = errs.slice(1).map((e, i) => Math.log2(errs[i]! / e));
    console.log(`heroism p=${p} K=${K}: one-interval errors ${errs.map((e) => e.toExponential(2)).join(', ')}; log2 ratios ${orders.map((o) => o.toFixed(2)).join(', ')}`);
    // Chebyshev-Lobatto nodes superconverge (p = 3 is Simpson's rule: ratio 2^5), so "or more"
    for (const o of orders) expect(o).toBeGreaterThan(p + 1 - 0.3);
  });
  it('with too few passes the order is capped by the passes: K = 1 gives local error h^3 even with p = 4', () => {
    const errs = [0.2, 0.1, 0.05].map((H) => oneInterval(4, 1, H));
    const o = Math.log2(errs[1]! / errs[2]!);
    expect(o).toBeGreaterThan(2.7);
    expect(o).toBeLessThan(3.5);
  });
  it('reports nfe and rounds as spent: intervals x (1 + (p-1) K) and intervals x (1 + K)', () => {
    const plan = heroism.plan({ dim: 2, nfe: 50, tMax: 10, delta: 1e-3, grid: 'logsnr', options: { order: 4, passes: 3 } });
    expect(plan.nfe).toBe(5 * 10);
    expect(plan.rounds).toBe(5 * 4);
    const plan2 = heroism.plan({ dim: 2, nfe: 55, tMax: 10, delta: 1e-3, grid: 'logsnr', options: { order: 4, passes: 3 } });
    expect(plan2.nfe).toBe(50);
    expect(() => heroism.plan({ dim: 2, nfe: 9, tMax: 10, delta: 1e-3, grid: 'logsnr', options: { order: 4, passes: 3 } })).toThrow(/nfe: got 9, expected at least 10/);
  });
});

describe('Poisson midpoint block', () => {
  const d = 2;
  // an affine, non-symmetric field F(x, t) = L(t) x + b(t)
  const affine = (x: Float64Array, t: number) => Float64Array.of(
    (-0.8 + 0.3 * t) * x[0]! + 0.4 * x[1]! + Math.sin(t), 0.2 * x[0]! - 1.1 * x[1]! + 0.5 * t);
  const timeOnly = (_x: Float64Array, t: number) => Float64Array.of(Math.cos(3 * t), t * t);
  const times = (K: number, t0: number, t1: number) => Float64Array.from({ length: K + 1 }, (_, i) => timeFromLogSnr(logSnr(t0) + (i / K) * (logSnr(t1) - logSnr(t0))));
  /** A Brownian path on the block's clock, sampled at every index 1..K (fixed). */
  function pathAt(blk: ReturnType<typeof pmmBlock>, seed: number) {
    const rng = new Philox(seed);
    const S: Float64Array[] = [new Float64Array(d)];
    for (let i = 1; i <= blk.K; i++) {
      const z = [rng.normal(0, i, 9, 0), rng.normal(0, i, 9, 1)];
      const sc = Math.sqrt(blk.c[i]! - blk.c[i - 1]!);
      S.push(Float64Array.from(S[i - 1]!, (v, e) => v + sc * z[e]!));
    }
    return (i: number) => S[i]!;
  }
  /** E over the 2^(K-1) indicator patterns of one coarse step, for a fixed path. */
  function meanOverPatterns(blk: ReturnType<typeof pmmBlock>, x0: Float64Array, field: typeof affine, path: (i: number) => Float64Array, p: number) {
    const mean = new Float64Array(d);
    for (let mask = 0; mask < 2 ** (blk.K - 1); mask++) {
      const active = [];
      let prob = 1;
      for (let i = 1; i < blk.K; i++) {
        const on = (mask >> (i - 1)) & 1;
        if (on) active.push(i);
        prob *= on ? p : 1 - p;
      }
      const y = pmmCoarseStep(blk, x0, field, active, path);
      for (let e = 0; e < d; e++) mean[e] = mean[e]! + prob * y[e]!;
    }
    return mean;
  }

  it.each(['ddpm', 'overdamped'] as PmmChain[])('%s: the block coefficients are the fine chain composed step by step', (chain) => {
    const K = 7, ts = times(K, 2.0, 0.3);
    const blk = pmmBlock(chain, ts, 1);
    const x0 = Float64Array.of(0.7, -1.2), path = pathAt(blk, 1);
    // the fine chain written directly from ALGORITHMS.md B3 (ddpm, x0hat = F) or B1 (EM, drift F)
    let x = Float64Array.from(x0);
    for (let j = 0; j < K; j++) {
      const t = ts[j]!, s = ts[j + 1]!;
      const F = affine(x, t);
      let a: number, b: number, varj: number;
      if (chain === 'ddpm') {
        const hl = logSnr(s) - logSnr(t);
        a = (noiseStd(s) / noiseStd(t)) * Math.exp(-hl);
        b = -signalScale(s) * Math.expm1(-2 * hl);
        varj = noiseVariance(s) * -Math.expm1(-2 * hl);
      } else {
        a = 1; b = t - s; varj = 2 * (t - s);
      }
      // the step's noise as an increment of the shared path: A_{j+1} S_{j+1} - a A_j S_j
      const noise = Float64Array.from(path(j + 1), (v, e) => blk.A[j + 1]! * v - a * blk.A[j]! * (j === 0 ? 0 : path(j)[e]!));
      expect(blk.A[j + 1]! ** 2 * (blk.c[j + 1]! - blk.c[j]!)).toBeCloseTo(varj, 12);
      x = Float64Array.from(x, (v, e) => a * v + b * F[e]! + noise[e]!);
    }
    const viaBlock = pmmFineSteps(blk, x0, affine, path, false);
    for (let e = 0; e < d; e++) expect(viaBlock[e]!).toBeCloseTo(x[e]!, 11);
  });

  it.each(['ddpm', 'overdamped'] as PmmChain[])('%s: the mean of one coarse step over all Bernoulli patterns equals K fine steps (exact)', (chain) => {
    const K = 6, ts = times(K, 3.0, 1.0);
    const { thr, w } = bernoulliThreshold(K);
    const blk = pmmBlock(chain, ts, w);
    const x0 = Float64Array.of(0.3, 0.9), path = pathAt(blk, 2);
    const p = thr / 2 ** 24;
    // drift depending on time only: equals the true fine chain
    const m1 = meanOverPatterns(blk, x0, timeOnly, path, p);
    const f1 = pmmFineSteps(blk, x0, timeOnly, path, false);
    for (let e = 0; e < d; e++) expect(Math.abs(m1[e]! - f1[e]!)).toBeLessThan(1e-13 * (1 + Math.abs(f1[e]!)));
    // affine state-dependent drift: equals the fine steps with the drift at the predicted midpoints
    // (10.1 item 5), not at the chain's own iterates (those differ at second order)
    const m2 = meanOverPatterns(blk, x0, affine, path, p);
    const f2 = pmmFineSteps(blk, x0, affine, path, true);
    for (let e = 0; e < d; e++) expect(Math.abs(m2[e]! - f2[e]!)).toBeLessThan(1e-13 * (1 + Math.abs(f2[e]!)));
  });

  it('the Bernoulli weight makes E[w H] = 1 exactly', () => {
    for (const K of [2, 3, 7, 25, 1000]) {
      const { thr, w } = bernoulliThreshold(K);
      expect((thr / 2 ** 24) * w).toBe(1);
      expect(Math.abs(thr / 2 ** 24 - 1 / K)).toBeLessThan(2 ** -24);
    }
  });

  it('midpoint and step noise have the covariance of the shared path (Monte Carlo over the samplers draws)', () => {
    const K = 5, ts = times(K, 1.2, 0.4);
    const { thr, w } = bernoulliThreshold(K);
    const blk = pmmBlock('ddpm', ts, w);
    const rng = new Philox(11);
    const n = 40_000;
    let count = 0, sKK = 0;
    const pairs: Record<number, { n: number; sii: number; siK: number }> = {};
    for (let p = 0; p < n; p++) {
      const active = pmmActive(rng, p, 3, K, thr);
      count += active.length;
      const path = pmmPath(rng, p, 3, blk, active, 1);
      const SK = path.get(K)![0]!;
      sKK += SK * SK;
      for (const i of active) {
        const Si = path.get(i)![0]!;
        pairs[i] ??= { n: 0, sii: 0, siK: 0 };
        pairs[i]!.n++;
        pairs[i]!.sii += Si * Si;
        pairs[i]!.siK += Si * SK;
      }
    }
    // indicators: E[N] = (K - 1)/K
    const meanN = count / n, sdN = Math.sqrt(((K - 1) / K) * (1 - 1 / K) / n);
    expect(Math.abs(meanN - (K - 1) / K)).toBeLessThan(4 * sdN);
    // end noise: Var S(c_K) = c_K whatever the pattern
    expect(Math.abs(sKK / n / blk.c[K]! - 1)).toBeLessThan(4 * Math.SQRT2 / Math.sqrt(n));
    for (let i = 1; i < K; i++) {
      const q = pairs[i]!;
      // Var S(c_i) = c_i, Cov(S(c_i), S(c_K)) = c_i: relative standard errors sqrt(2/n) and sqrt((1 + c_K/c_i)/n)
      expect(Math.abs(q.sii / q.n / blk.c[i]! - 1)).toBeLessThan(4 * Math.SQRT2 / Math.sqrt(q.n));
      expect(Math.abs(q.siK / q.n / blk.c[i]! - 1)).toBeLessThan(4 * Math.sqrt((1 + blk.c[K]! / blk.c[i]!) / q.n));
    }
  });

  it('the realised nfe counted from the seed averages the planned expectation', () => {
    const r = poissonMidpointNfe({ nfe: 40, particles: 2000, seed: 4, k: 10 });
    const { M, K } = pmmSchedule(40, 10, 1000);
    expect(r.planned).toBeCloseTo(M * (2 - 1 / K), 12);
    // per particle the count is M + Bin(M (K-1), 1/K)
    const sd = Math.sqrt((M * (K - 1) * (1 / K) * (1 - 1 / K)) / 2000);
    expect(Math.abs(r.mean - r.planned)).toBeLessThan(4 * sd);
    expect(r.min).toBeGreaterThanOrEqual(M);
    expect(r.planned).toBeLessThanOrEqual(40);
  });
});
