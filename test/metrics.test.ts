import { describe, expect, it } from 'vitest';
import { RunOptionError } from '../src/errors.js';
import {
  crossKernelMean, deriveSeed, evaluateSamples, exactBins, histTV, METRIC_NAMES, mmd2, mmd2Samples, modeFrequencies,
  modeTV, momentErrors, normalCdf, normalInterval, prepareMmdTarget, sampleMoments, slicedW2, slicedW2Target, sortFloat64,
  targetCrossKernelMean, targetKernelMean, w2SquaredSorted, withinKernelMean,
} from '../src/metrics/index.js';
import { Philox, Stream } from '../src/rng/philox.js';
import { GaussianMixture } from '../src/targets/gmm.js';
import { loadTarget } from '../src/targets/presets.js';

/** n standard normals from Philox. */
function normals(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  new Philox(seed).fillNormals(out, 0, n, 0, 0, Stream.exact);
  return out;
}

describe('helpers', () => {
  it('normalCdf matches reference values', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(normalCdf(-1.96)).toBeCloseTo(0.024997895148220435, 14);
    expect(normalCdf(-5) / 2.866515718791939e-7).toBeCloseTo(1, 8);
    expect(normalCdf(-10) / 7.619853024160527e-24).toBeCloseTo(1, 7);
    expect(normalCdf(40)).toBe(1);
    expect(normalInterval(6, 7) / (normalCdf(-6) - normalCdf(-7))).toBeCloseTo(1, 6);
    expect(normalInterval(1, 1)).toBe(0);
  });

  it('sortFloat64 agrees with the built-in sort on smooth, skewed, tied and tiny inputs', () => {
    const z = normals(5000, 1);
    const skewed = z.map((v) => Math.exp(4 * v));
    const tied = z.map((v) => Math.round(v));
    const outlier = z.slice();
    outlier[17] = 1e300;
    for (const a of [z, skewed, tied, outlier, z.subarray(0, 10), new Float64Array(100).fill(3)]) {
      const mine = a.slice(), ref = a.slice().sort();
      sortFloat64(mine, new Float64Array(a.length));
      expect(Array.from(mine)).toEqual(Array.from(ref));
    }
  });

  it('w2SquaredSorted handles equal and unequal sizes', () => {
    expect(w2SquaredSorted(Float64Array.of(0, 1, 2), Float64Array.of(1, 2, 3))).toBeCloseTo(1, 15);
    // b of size 4 vs a of size 2: a = {0, 2}, b = {0, 0, 2, 4} -> quantiles (0,0),(0,0),(2,2),(2,4): mean 1
    expect(w2SquaredSorted(Float64Array.of(0, 2), Float64Array.of(0, 0, 2, 4))).toBeCloseTo(1, 15);
    expect(w2SquaredSorted(Float64Array.of(0, 0, 2, 4), Float64Array.of(0, 2))).toBeCloseTo(1, 15);
  });

  it('deriveSeed gives distinct, reproducible 53-bit seeds', () => {
    const s = new Set<number>();
    for (let tag = 0; tag < 200; tag++) {
      const v = deriveSeed(12345, tag);
      expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
      s.add(v);
    }
    expect(s.size).toBe(200);
    expect(deriveSeed(7, 3)).toBe(deriveSeed(7, 3));
  });

  it('sampleMoments computes mean and unbiased covariance', () => {
    const { mean, cov } = sampleMoments(Float64Array.of(1, 2, 3, 6, 5, 10), 3, 2);
    expect(Array.from(mean)).toEqual([3, 6]);
    expect(Array.from(cov)).toEqual([4, 8, 8, 16]);
  });
});

describe('sliced W2', () => {
  it('measures a shift |v| / sqrt(d) between Gaussian samples', () => {
    const d = 4, n = 20000, X = normals(n * d, 2), Y = normals(n * d, 3);
    const v = [0.4, -0.4, 0.4, -0.4];
    const Xs = X.map((x, i) => x + v[i % d]!);
    const base = slicedW2(X, n, d, Y, n);
    const shifted = slicedW2(Xs, n, d, Y, n);
    expect(base).toBeLessThan(0.03);
    expect(shifted).toBeGreaterThan(0.8 * (0.8 / Math.sqrt(d)) - base);
    expect(shifted).toBeLessThan(1.2 * (0.8 / Math.sqrt(d)) + base);
  });

  it('in 1-D is the W2 distance of the sorted samples', () => {
    const n = 1000, X = normals(n, 4), Y = normals(n, 5).map((y) => 2 * y);
    const xs = X.slice().sort(), ys = Y.slice().sort();
    let s = 0;
    for (let i = 0; i < n; i++) s += (xs[i]! - ys[i]!) ** 2;
    expect(slicedW2(X, n, 1, Y, n)).toBeCloseTo(Math.sqrt(s / n), 12);
  });

  it('against a target: near zero for exact samples, about the shift otherwise', () => {
    const g = loadTarget('bimodal1d'), n = 5000, t = 1e-3;
    const X = g.sample(n, t, 12);
    expect(slicedW2Target(g, X, n, t)).toBeLessThan(0.05);
    expect(slicedW2Target(g, X.map((x) => x + 0.5), n, t)).toBeCloseTo(0.5, 1);
  });

  it('is Infinity for non-finite samples', () => {
    const X = normals(200, 6);
    X[7] = NaN;
    expect(slicedW2(X, 100, 2, normals(200, 7), 100)).toBe(Infinity);
  });
});

describe('MMD', () => {
  it('kernel means agree with naive double loops', () => {
    const p = 37, q = 23, d = 3, A = normals(p * d, 8), B = normals(q * d, 9), l2 = 1.7;
    const k = (x: Float64Array, i: number, y: Float64Array, j: number) => {
      let s = 0;
      for (let a = 0; a < d; a++) s += (x[i * d + a]! - y[j * d + a]!) ** 2;
      return Math.exp(-s / (2 * l2));
    };
    let within = 0, cross = 0;
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) if (i !== j) within += k(A, i, A, j);
    for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) cross += k(A, i, B, j);
    expect(withinKernelMean(A, p, d, l2)).toBeCloseTo(within / (p * (p - 1)), 13);
    expect(crossKernelMean(A, p, B, q, d, l2)).toBeCloseTo(cross / (p * q), 13);
  });

  it('closed-form target terms agree with Monte Carlo on exact samples', () => {
    for (const name of ['ring2d', 'aniso16', 'gmm64']) {
      const g = loadTarget(name), t = 0.05, n = 3000, d = g.dim;
      const ref = prepareMmdTarget(g, t);
      const Y = g.sample(n, t, 31), Z = g.sample(n, t, 32);
      const mcYY = withinKernelMean(Y, n, d, ref.bandwidth2);
      expect(Math.abs(mcYY - targetKernelMean(g, t, ref.bandwidth2))).toBeLessThan(0.02 * mcYY);
      const mcXY = crossKernelMean(Z, 500, Y, n, d, ref.bandwidth2);
      expect(Math.abs(mcXY - targetCrossKernelMean(g, t, Z, 500, ref.bandwidth2))).toBeLessThan(0.02 * mcXY);
    }
  });

  it('is near zero for exact samples and clearly positive for a shifted sample', () => {
    const g = loadTarget('ring2d'), t = 1e-3, n = 2000;
    const X = g.sample(n, t, 40), Y = g.sample(n, t, 41);
    const exact = mmd2(g, X, n, t), shifted = mmd2(g, X.map((x) => x + 0.3), n, t);
    expect(Math.abs(exact)).toBeLessThan(2e-3);
    expect(shifted).toBeGreaterThan(20 * Math.abs(exact) + 5e-3);
    // sample-vs-sample estimator estimates the same quantity
    const bw = prepareMmdTarget(g, t).bandwidth2;
    const ss = mmd2Samples(X.map((x) => x + 0.3), n, Y, n, 2, { bandwidth2: bw });
    expect(Math.abs(ss - shifted)).toBeLessThan(0.25 * shifted);
  });
});

describe('moments, modes, histogram', () => {
  it('moment errors are small for exact samples and large for a shrunk sample', () => {
    const g = loadTarget('aniso16'), n = 5000, t = 1e-3;
    const X = g.sample(n, t, 50);
    const e = momentErrors(g, X, n, t);
    expect(e.covErr).toBeLessThan(0.06);
    expect(e.meanErr).toBeLessThan(0.15);
    const bad = momentErrors(g, X.map((x) => 0.8 * x), n, t);
    expect(bad.covErr).toBeGreaterThan(0.3);
    expect(bad.meanErr).toBeGreaterThan(e.meanErr);
    expect(momentErrors(g, X.map((x, i) => (i === 3 ? Infinity : x)), n, t).covErr).toBe(Infinity);
  });

  it('modeTV is the TV of assignment frequencies', () => {
    const g = loadTarget('ring2d'), t = 1e-3, n = 8000;
    const X = g.sample(n, t, 60);
    expect(modeTV(g, X, n, t)).toBeLessThan(0.03);
    // drop every sample of component 0: the rest have frequency 1/7 each, TV = 1/8
    const R = g.responsibilities(X, t), keep: number[] = [];
    for (let i = 0; i < n; i++) if (R[i * 8]! < 0.5) keep.push(X[2 * i]!, X[2 * i + 1]!);
    const m = keep.length / 2, f = modeFrequencies(g, Float64Array.from(keep), m, t);
    expect(f.hard[0]).toBe(0);
    expect(modeTV(g, Float64Array.from(keep), m, t)).toBeCloseTo(0.125 + 0.5 * (Array.from(f.hard).reduce((a, v) => a + Math.abs(v - 1 / 8), 0) - 0.25), 12);
    expect(modeTV(g, Float64Array.from(keep), m, t)).toBeGreaterThan(0.1);
    // non-finite rows count against the TV
    const Y = X.slice(0, 200);
    Y[0] = NaN;
    expect(modeFrequencies(g, Y, 100, t).bad).toBeCloseTo(0.01, 15);
  });

  it('exact bins sum to one, and the midpoint rule matches the CDF product for a full covariance', () => {
    const diag = GaussianMixture.fromJSON({ kind: 'gmm', weights: [1, 2], means: [[0, 1], [2, -1]], variances: [[0.5, 0.2], [0.3, 1]] });
    const full = GaussianMixture.fromJSON({
      kind: 'gmm', weights: [1, 2], means: [[0, 1], [2, -1]], covariances: [[[0.5, 0], [0, 0.2]], [[0.3, 0], [0, 1]]],
    });
    const a = exactBins(diag, 0.01), b = exactBins(full, 0.01);
    let sum = 0, maxDiff = 0;
    for (let i = 0; i < a.probs.length; i++) {
      sum += a.probs[i]!;
      maxDiff = Math.max(maxDiff, Math.abs(a.probs[i]! - b.probs[i]!));
    }
    expect(sum).toBeCloseTo(1, 12);
    expect(a.probs[a.probs.length - 1]).toBeLessThan(1e-5);
    expect(maxDiff).toBeLessThan(2e-5);
    const rotated = GaussianMixture.fromJSON({ kind: 'gmm', weights: [1], means: [[0, 0]], covariances: [[[1, 0.8], [0.8, 1]]] });
    const r = exactBins(rotated, 0);
    expect(r.probs.reduce((x, v) => x + v, 0)).toBeCloseTo(1, 12);
    expect(r.probs[r.probs.length - 1]).toBeLessThan(1e-4);
    const n = 20000, X = rotated.sample(n, 0, 3);
    expect(histTV(rotated, X, n, 0)).toBeLessThan(0.12);
  });

  it('histTV is near its floor for exact samples, counts outliers as outside, and is 1-D capable', () => {
    const g = loadTarget('bimodal1d'), n = 10000, t = 1e-3;
    const X = g.sample(n, t, 70);
    const tv = histTV(g, X, n, t);
    expect(tv).toBeLessThan(0.06);
    const Y = X.slice();
    for (let i = 0; i < 1000; i++) Y[i] = i % 2 ? 1e6 : NaN;
    expect(histTV(g, Y, n, t)).toBeGreaterThan(0.09);
    expect(() => histTV(loadTarget('aniso16'), new Float64Array(32), 2, t)).toThrow(RunOptionError);
  });
});

describe('evaluateSamples', () => {
  it('scores exact samples near the floor and distorted samples clearly worse (ring2d)', () => {
    const g = loadTarget('ring2d'), n = 4000;
    const X = g.sample(n, 1e-3, 2024);
    const res = evaluateSamples(g, X, n, { floorDraws: 3, mmdPoints: 2000 });
    expect(Object.keys(res.metrics)).toEqual(['sw2', 'mmd2', 'meanErr', 'covErr', 'modeTV', 'modeTVsoft', 'radiusW2', 'histTV']);
    expect(res).toMatchObject({ n, dim: 2, t: 1e-3 });
    for (const name of Object.keys(res.metrics)) {
      const v = Math.abs(res.metrics[name]!), f = res.floor[name]!;
      expect(f).toBeGreaterThan(0);
      expect(v).toBeLessThan(4 * f + 1e-4);
    }
    const shifted = evaluateSamples(g, X.map((x) => x + 0.3), n, { floorDraws: 3, mmdPoints: 2000 });
    const shrunk = evaluateSamples(g, X.map((x) => 0.8 * x), n, { floorDraws: 3, mmdPoints: 2000 });
    for (const r of [shifted, shrunk]) {
      expect(r.metrics.sw2!).toBeGreaterThan(3 * r.floor.sw2!);
      expect(r.metrics.mmd2!).toBeGreaterThan(3 * r.floor.mmd2!);
      expect(r.metrics.histTV!).toBeGreaterThan(3 * r.floor.histTV!);
    }
    expect(shifted.metrics.meanErr!).toBeGreaterThan(5 * shifted.floor.meanErr!);
    expect(shrunk.metrics.covErr!).toBeGreaterThan(5 * shrunk.floor.covErr!);
    expect(shrunk.metrics.modeTV!).toBeGreaterThanOrEqual(0);
  });

  it('works in 16-D with full covariances, and is deterministic', () => {
    const g = loadTarget('aniso16'), n = 3000;
    const X = g.sample(n, 1e-3, 7);
    const opts = { floorDraws: 2, mmdPoints: 1000 };
    const res = evaluateSamples(g, X, n, opts);
    expect('histTV' in res.metrics).toBe(false);
    expect(res.metrics.sw2!).toBeLessThan(2.5 * res.floor.sw2!);
    expect(res.metrics.covErr!).toBeLessThan(3 * res.floor.covErr!);
    expect(evaluateSamples(g, X, n, opts)).toEqual(res);
    const bad = evaluateSamples(g, X.map((x) => 0.8 * x), n, opts);
    expect(bad.metrics.sw2!).toBeGreaterThan(3 * bad.floor.sw2!);
    expect(bad.metrics.covErr!).toBeGreaterThan(3 * bad.floor.covErr!);
  });

  it('accepts Float32 samples, metric subsets, no floor; rejects bad options', () => {
    const g = loadTarget('bimodal1d'), n = 2000;
    const X = Float32Array.from(g.sample(n, 1e-3, 9));
    const res = evaluateSamples(g, X, n, { metrics: ['sw2', 'modeTV'], floorDraws: 0 });
    expect(Object.keys(res.metrics)).toEqual(['sw2', 'modeTV']);
    expect(res.floor).toEqual({});
    expect(() => evaluateSamples(g, X, n, { metrics: ['nope' as never] })).toThrow(/metrics.*sw2/);
    expect(() => evaluateSamples(loadTarget('aniso16'), new Float64Array(160), 10, { metrics: ['histTV'] })).toThrow(RunOptionError);
    expect(() => evaluateSamples(g, X, n + 1)).toThrow(RunOptionError);
    expect(() => evaluateSamples(g, X, n, { t: -1 })).toThrow(/t/);
    expect(METRIC_NAMES).toContain('histTV');
  });

  it('reports Infinity / outside mass for diverged samples', () => {
    const g = loadTarget('ring2d'), n = 1000;
    const X = g.sample(n, 1e-3, 10);
    X[5] = Infinity;
    const res = evaluateSamples(g, X, n, { floorDraws: 1, mmdPoints: 500 });
    expect(res.metrics.sw2).toBe(Infinity);
    expect(res.metrics.mmd2).toBe(Infinity);
    expect(res.metrics.covErr).toBe(Infinity);
    expect(res.metrics.histTV!).toBeGreaterThan(0);
    expect(Number.isFinite(res.metrics.modeTV!)).toBe(true);
  });
});
