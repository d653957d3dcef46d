import { describe, expect, it } from 'vitest';
import { TargetError } from '../src/errors.js';
import { GaussianMixture, type GmmJson } from '../src/targets/gmm.js';
import { listPresets, loadTarget, PRESETS } from '../src/targets/presets.js';

const NAMES = ['bimodal1d', 'ring2d', 'grid2d', 'aniso16', 'gmm64'];

/** log N(x; mean, C) by Cholesky, independent of the eigendecomposition the class uses. */
function logNormalDense(x: ArrayLike<number>, mean: ArrayLike<number>, C: Float64Array, d: number): number {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = C[i * d + j]!;
      for (let k = 0; k < j; k++) s -= L[i * d + k]! * L[j * d + k]!;
      L[i * d + j] = i === j ? Math.sqrt(s) : s / L[j * d + j]!;
    }
  }
  const y = new Float64Array(d);
  let quad = 0, logDet = 0;
  for (let i = 0; i < d; i++) {
    let s = x[i]! - mean[i]!;
    for (let k = 0; k < i; k++) s -= L[i * d + k]! * y[k]!;
    y[i] = s / L[i * d + i]!;
    quad += y[i]! * y[i]!;
    logDet += 2 * Math.log(L[i * d + i]!);
  }
  return -0.5 * (d * Math.log(2 * Math.PI) + logDet + quad);
}

/** log q_t(x) from the JSON parameters by dense linear algebra. */
function logpdfDense(g: GaussianMixture, x: ArrayLike<number>, t: number): number {
  const d = g.dim, m = Math.exp(-t), s2 = -Math.expm1(-2 * t);
  const terms: number[] = [];
  for (let k = 0; k < g.K; k++) {
    const C = g.covariance(k);
    for (let i = 0; i < d * d; i++) C[i]! *= m * m;
    for (let i = 0; i < d; i++) C[i * d + i]! += s2;
    const mean = Array.from(g.means.subarray(k * d, (k + 1) * d), (v) => m * v);
    terms.push(Math.log(g.weights[k]!) + logNormalDense(x, mean, C, d));
  }
  const max = Math.max(...terms);
  return max + Math.log(terms.reduce((a, v) => a + Math.exp(v - max), 0));
}

describe('GaussianMixture: density, score, denoiser', () => {
  it('logpdf agrees with a dense Cholesky evaluation', () => {
    for (const name of NAMES) {
      const g = PRESETS[name]!.make();
      for (const t of [0, 0.01, 0.7, 3]) {
        const X = g.sample(5, t, 11);
        const lp = g.logpdf(X, t);
        for (let i = 0; i < 5; i++) {
          const ref = logpdfDense(g, X.subarray(i * g.dim, (i + 1) * g.dim), t);
          expect(Math.abs(lp[i]! - ref)).toBeLessThan(1e-9 * (1 + Math.abs(ref)));
        }
      }
    }
  });

  it('score equals the finite-difference gradient of logpdf', () => {
    for (const name of NAMES) {
      const g = PRESETS[name]!.make(), d = g.dim;
      for (const t of [0.02, 0.4, 2]) {
        const X = g.sample(3, t, 5);
        const S = g.score(X, t);
        for (let i = 0; i < 3; i++) {
          for (const j of [0, d - 1, Math.floor(d / 2)]) {
            const h = 1e-5, xp = X.slice(i * d, (i + 1) * d), xm = xp.slice();
            xp[j]! += h;
            xm[j]! -= h;
            const fd = (g.logpdf(xp, t)[0]! - g.logpdf(xm, t)[0]!) / (2 * h);
            expect(Math.abs(S[i * d + j]! - fd)).toBeLessThan(2e-5 * (1 + Math.abs(fd)));
          }
        }
      }
    }
  });

  it('denoiser equals Tweedie (x + sigma^2 s) / m at moderate t, and stays bounded at large t', () => {
    for (const name of NAMES) {
      const g = PRESETS[name]!.make(), d = g.dim;
      for (const t of [0.05, 0.5, 1.5]) {
        const X = g.sample(20, t, 3), S = g.score(X, t), X0 = g.denoise(X, t);
        const m = Math.exp(-t), s2 = -Math.expm1(-2 * t);
        for (let i = 0; i < 20 * d; i++) {
          const tw = (X[i]! + s2 * S[i]!) / m;
          expect(Math.abs(X0[i]! - tw)).toBeLessThan(1e-9 * (1 + Math.abs(tw)));
        }
      }
      // At t = 30 the Tweedie form divides by m ~ 1e-13; the direct form gives the prior mean.
      const t = 30, X = g.sample(4, t, 8), X0 = g.denoise(X, t);
      for (let j = 0; j < d; j++) {
        let mean = 0;
        for (let k = 0; k < g.K; k++) mean += g.weights[k]! * g.means[k * d + j]!;
        for (let i = 0; i < 4; i++) expect(X0[i * d + j]!).toBeCloseTo(mean, 9);
      }
    }
  });

  it('evalPoint matches the batch methods and reads at an offset', () => {
    const g = PRESETS.aniso16!.make(), d = g.dim, t = 0.3;
    const X = g.sample(4, t, 21);
    const s = new Float64Array(d), x0 = new Float64Array(d);
    const lp = g.evalPoint(X, 2 * d, t, s, x0);
    expect(lp).toBe(g.logpdf(X, t)[2]);
    expect(Array.from(s)).toEqual(Array.from(g.score(X, t).subarray(2 * d, 3 * d)));
    expect(Array.from(x0)).toEqual(Array.from(g.denoise(X, t).subarray(2 * d, 3 * d)));
    expect(g.evalPoint(Array.from(X), 2 * d, t, null, null)).toBe(lp);
  });

  it('responsibilities sum to one and pick the right component near a mode', () => {
    const g = PRESETS.ring2d!.make();
    const X = Float64Array.from([2, 0, 0, -2, 1.414, 1.414]);
    const R = g.responsibilities(X, 1e-3);
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let k = 0; k < 8; k++) s += R[i * 8 + k]!;
      expect(s).toBeCloseTo(1, 12);
    }
    expect(R[0]).toBeGreaterThan(0.999);
    expect(R[8 + 6]).toBeGreaterThan(0.999);
    expect(R[16 + 1]).toBeGreaterThan(0.999);
  });
});

describe('GaussianMixture: sampling and moments', () => {
  it('sample moments match moments(t)', () => {
    for (const name of ['bimodal1d', 'ring2d', 'aniso16', 'gmm64']) {
      const g = PRESETS[name]!.make(), d = g.dim, n = 20000;
      for (const t of [1e-3, 0.8]) {
        const X = g.sample(n, t, 77);
        const { mean, cov } = g.moments(t);
        const em = new Float64Array(d);
        for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) em[j]! += X[i * d + j]! / n;
        let trace = 0, errM = 0;
        for (let j = 0; j < d; j++) {
          trace += cov[j * d + j]!;
          errM += (em[j]! - mean[j]!) ** 2;
        }
        // E|mean error|^2 = trace / n; allow 4x in squared norm (~2x in norm)
        expect(errM).toBeLessThan((4 * trace) / n + 1e-12);
        let num = 0, den = 0;
        for (let a = 0; a < d; a++) {
          for (let b = 0; b < d; b++) {
            let c = 0;
            for (let i = 0; i < n; i++) c += (X[i * d + a]! - em[a]!) * (X[i * d + b]! - em[b]!);
            c /= n - 1;
            num += (c - cov[a * d + b]!) ** 2;
            den += cov[a * d + b]! ** 2;
          }
        }
        // Gaussian-theory noise level: E|C_hat - C|_F^2 ~ ((tr C)^2 + |C|_F^2) / n; allow 2x it.
        expect(Math.sqrt(num / den)).toBeLessThan(2 * Math.sqrt((trace ** 2 + den) / n / den));
      }
    }
  });

  it('moments(t) tend to N(0, I) at large t and to the mixture moments at t = 0', () => {
    const g = loadTarget({ kind: 'gmm', weights: [1, 3], means: [[0, 2], [4, 0]], variances: [[1, 2], [0.5, 0.25]] });
    const { mean, cov } = g.moments(0);
    expect(Array.from(mean)).toEqual([3, 0.5]);
    // E[x x^T] - mean mean^T by hand
    expect(cov[0]).toBeCloseTo(0.25 * 1 + 0.75 * 0.5 + 0.25 * 9 + 0.75 * 1, 12);
    expect(cov[1]).toBeCloseTo(0.25 * (0 - 3) * (2 - 0.5) + 0.75 * (4 - 3) * (0 - 0.5), 12);
    expect(cov[3]).toBeCloseTo(0.25 * 2 + 0.75 * 0.25 + 0.25 * 1.5 ** 2 + 0.75 * 0.25, 12);
    const far = g.moments(40);
    expect(far.mean[0]).toBeCloseTo(0, 12);
    expect(far.cov[0]).toBeCloseTo(1, 12);
    expect(far.cov[1]).toBeCloseTo(0, 12);
  });

  it('sample with an offset reproduces the rows of a larger call', () => {
    for (const name of ['ring2d', 'aniso16']) {
      const g = PRESETS[name]!.make(), d = g.dim;
      const all = g.sample(40, 0.2, 1234);
      const part = g.sample(15, 0.2, 1234, 17);
      expect(Array.from(part)).toEqual(Array.from(all.subarray(17 * d, 32 * d)));
      expect(Array.from(g.sample(40, 0.2, 1234))).toEqual(Array.from(all));
      expect(Array.from(g.sample(5, 0.2, 1235))).not.toEqual(Array.from(all.subarray(0, 5 * d)));
    }
  });

  it('sample picks components in proportion to the weights', () => {
    const g = PRESETS.ring2d!.make(), n = 16000;
    const R = g.responsibilities(g.sample(n, 1e-3, 9), 1e-3);
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < 8; k++) if (R[i * 8 + k]! > R[i * 8 + best]!) best = k;
      counts[best]!++;
    }
    // binomial sd sqrt(n p (1-p)) ~ 42; allow 5 sd
    for (const c of counts) expect(Math.abs(c - n / 8)).toBeLessThan(210);
  });

  it('rejects bad sample arguments', () => {
    const g = PRESETS.bimodal1d!.make();
    expect(() => g.sample(-1, 0, 1)).toThrow(/n/);
    expect(() => g.sample(3, -1, 1)).toThrow(/t/);
    expect(() => g.sample(3, 0, 1.5)).toThrow(/seed/);
    expect(() => g.sample(3, 0, 1, 2 ** 32 - 1)).toThrow(/offset/);
  });
});

describe('GaussianMixture: JSON', () => {
  it('round-trips every preset', () => {
    for (const name of NAMES) {
      const g = PRESETS[name]!.make();
      const json = JSON.parse(JSON.stringify(g.toJSON())) as GmmJson;
      const h = GaussianMixture.fromJSON(json);
      expect(h.toJSON()).toEqual(g.toJSON());
      expect(h.covKind).toBe(g.covKind);
      const X = g.sample(10, 0.1, 4);
      expect(Array.from(h.logpdf(X, 0.1))).toEqual(Array.from(g.logpdf(X, 0.1)));
      expect(Array.from(h.score(X, 0.1))).toEqual(Array.from(g.score(X, 0.1)));
    }
  });

  it('normalises weights and keeps the covariance form', () => {
    const g = GaussianMixture.fromJSON({ kind: 'gmm', weights: [2, 6], means: [[0], [1]], scales: [1, 2] });
    expect(Array.from(g.weights)).toEqual([0.25, 0.75]);
    expect(g.toJSON().scales).toEqual([1, 2]);
    expect(Array.from(g.eigenvalues)).toEqual([1, 4]);
    expect(g.eigenvectors).toBeNull();
    expect(g.name).toBe('gmm');
    const full = GaussianMixture.fromJSON({ kind: 'gmm', name: 'f', weights: [1], means: [[0, 0]], covariances: [[[2, 1], [1, 2]]] });
    expect(full.covKind).toBe('full');
    expect(Array.from(full.eigenvalues).map((v) => +v.toFixed(12))).toEqual([1, 3]);
    expect(Array.from(full.covariance(0))).toEqual([2, 1, 1, 2]);
  });

  const base = () => ({ kind: 'gmm', weights: [0.5, 0.5], means: [[0, 0], [1, 1]], scales: [1, 1] }) as Record<string, unknown>;
  const cases: [string, (j: Record<string, unknown>) => unknown, RegExp][] = [
    ['not an object', () => 42, /target/],
    ['an array', () => [1, 2], /target/],
    ['wrong kind', (j) => ({ ...j, kind: 'gaussian' }), /^kind/],
    ['missing weights', (j) => ({ ...j, weights: undefined }), /^weights/],
    ['empty weights', (j) => ({ ...j, weights: [], means: [] }), /^weights.*K >= 1/],
    ['negative weight', (j) => ({ ...j, weights: [0.5, -1] }), /^weights\[1\].*positive finite/],
    ['zero weight', (j) => ({ ...j, weights: [0, 1] }), /^weights\[0\]/],
    ['string weight', (j) => ({ ...j, weights: [0.5, '0.5'] }), /^weights\[1\]/],
    ['means count', (j) => ({ ...j, means: [[0, 0]] }), /^means: .*2 rows/],
    ['empty mean row', (j) => ({ ...j, means: [[], []] }), /^means\[0\]/],
    ['ragged means', (j) => ({ ...j, means: [[0, 0], [1]] }), /^means\[1\]: .*2 numbers/],
    ['NaN mean', (j) => ({ ...j, means: [[0, 0], [1, NaN]] }), /^means\[1\]\[1\]/],
    ['infinite mean', (j) => ({ ...j, means: [[Infinity, 0], [1, 1]] }), /^means\[0\]\[0\]/],
    ['null mean', (j) => ({ ...j, means: [[0, null], [1, 1]] }), /^means\[0\]\[1\]/],
    ['dim disagrees', (j) => ({ ...j, dim: 3 }), /^dim: got 3.*disagrees/],
    ['dim not integer', (j) => ({ ...j, dim: 1.5 }), /^dim/],
    ['no covariance', (j) => ({ ...j, scales: undefined }), /exactly one of/],
    ['two covariances', (j) => ({ ...j, variances: [[1, 1], [1, 1]] }), /variances\/scales.*exactly one of/],
    ['scale count', (j) => ({ ...j, scales: [1] }), /^scales/],
    ['zero scale', (j) => ({ ...j, scales: [1, 0] }), /^scales\[1\]/],
    ['negative variance', (j) => ({ ...j, scales: undefined, variances: [[1, 1], [1, -2]] }), /^variances\[1\]\[1\]/],
    ['ragged variances', (j) => ({ ...j, scales: undefined, variances: [[1, 1], [1]] }), /^variances\[1\]/],
    ['covariance count', (j) => ({ ...j, scales: undefined, covariances: [[[1, 0], [0, 1]]] }), /^covariances: /],
    ['covariance rows', (j) => ({ ...j, scales: undefined, covariances: [[[1, 0], [0, 1]], [[1, 0]]] }), /^covariances\[1\]: /],
    ['ragged covariance', (j) => ({ ...j, scales: undefined, covariances: [[[1, 0], [0, 1]], [[1, 0], [0]]] }), /^covariances\[1\]\[1\]/],
    ['non-finite covariance', (j) => ({ ...j, scales: undefined, covariances: [[[1, 0], [0, NaN]], [[1, 0], [0, 1]]] }), /^covariances\[0\]\[1\]\[1\]/],
    ['asymmetric covariance', (j) => ({ ...j, scales: undefined, covariances: [[[1, 0], [0, 1]], [[1, 0.5], [0, 1]]] }), /^covariances\[1\].*symmetric/],
    ['indefinite covariance', (j) => ({ ...j, scales: undefined, covariances: [[[1, 0], [0, 1]], [[1, 2], [2, 1]]] }), /^covariances\[1\].*not positive definite: smallest eigenvalue -0\.99/],
    ['singular covariance', (j) => ({ ...j, scales: undefined, covariances: [[[1, 1], [1, 1]], [[1, 0], [0, 1]]] }), /^covariances\[0\].*not positive definite/],
    ['name not a string', (j) => ({ ...j, name: 5 }), /^name/],
  ];
  for (const [label, mutate, pattern] of cases) {
    it(`rejects ${label} with a TargetError naming the field`, () => {
      const bad = mutate(base());
      let err: unknown;
      try {
        GaussianMixture.fromJSON(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TargetError);
      expect((err as Error).message).toMatch(pattern);
    });
  }
});

describe('presets', () => {
  it('lists and builds every preset deterministically', () => {
    expect(listPresets().map((p) => p.name)).toEqual(expect.arrayContaining(NAMES));
    for (const name of NAMES) {
      const a = loadTarget(name), b = PRESETS[name]!.make();
      expect(a.toJSON()).toEqual(b.toJSON());
      expect(a.name).toBe(name);
    }
  });

  it('have the documented shapes', () => {
    const bi = loadTarget('bimodal1d');
    expect([bi.dim, bi.K]).toEqual([1, 2]);
    expect(Array.from(bi.weights)).toEqual([0.3, 0.7]);
    const ring = loadTarget('ring2d');
    expect([ring.dim, ring.K, ring.covKind]).toEqual([2, 8, 'isotropic']);
    for (let k = 0; k < 8; k++) expect(Math.hypot(ring.means[2 * k]!, ring.means[2 * k + 1]!)).toBeCloseTo(2, 12);
    const grid = loadTarget('grid2d');
    expect([grid.dim, grid.K]).toEqual([2, 25]);
    expect(grid.eigenvalues[0]).toBeCloseTo(0.09, 14);
    const an = loadTarget('aniso16');
    expect([an.dim, an.K, an.covKind]).toEqual([16, 4, 'full']);
    expect(Array.from(an.weights).map((w) => +w.toFixed(12))).toEqual([0.1, 0.2, 0.3, 0.4]);
    for (let k = 0; k < 4; k++) {
      let nrm = 0;
      for (let j = 0; j < 16; j++) nrm += an.means[k * 16 + j]! ** 2;
      expect(Math.sqrt(nrm)).toBeCloseTo(4, 10);
    }
    for (const v of an.eigenvalues) {
      expect(v).toBeGreaterThan(0.05 * (1 - 1e-9));
      expect(v).toBeLessThan(2 * (1 + 1e-9));
    }
    const g64 = loadTarget('gmm64');
    expect([g64.dim, g64.K, g64.covKind]).toEqual([64, 10, 'diagonal']);
    for (const v of g64.eigenvalues) {
      expect(v).toBeGreaterThanOrEqual(0.05);
      expect(v).toBeLessThanOrEqual(1);
    }
    const w = Array.from(g64.weights);
    expect(Math.max(...w) / Math.min(...w)).toBeLessThanOrEqual(3);
  });

  it('loadTarget accepts objects and JSON text and rejects unknown names', () => {
    const json = { kind: 'gmm', weights: [1], means: [[1, 2]], scales: [0.5] };
    expect(loadTarget(json).dim).toBe(2);
    expect(loadTarget(JSON.stringify(json)).K).toBe(1);
    const g = loadTarget('ring2d');
    expect(loadTarget(g)).toBe(g);
    expect(() => loadTarget('ring3d')).toThrow(TargetError);
    expect(() => loadTarget('ring3d')).toThrow(/bimodal1d, ring2d, grid2d, aniso16, gmm64/);
    expect(() => loadTarget('{not json')).toThrow(TargetError);
  });
});
