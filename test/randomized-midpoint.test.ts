/**
 * randomized-midpoint: GPU kernels against the float64 reference, unbiasedness of the midpoint step
 * on a Gaussian target (exact flow known), and the covariance of the corrector's Brownian increments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { eiUlmcNoiseCovariance, eiUlmcStep, rmUlmcCovariance, rmUlmcIncrements } from '../src/math/ulmc.js';
import { noiseVariance, signalScale } from '../src/math/ou.js';
import { sampleReference } from '../src/reference.js';
import { Philox, Stream } from '../src/rng/philox.js';
import { correctorReference, correctorRow, FORMS, predictorRow, predictorStep } from '../src/samplers/randomized-midpoint.js';
import { parallelUlmcReference, parallelUlmcRows } from '../src/samplers/parallel-ulmc.js';
import { gaussRef } from '../src/samplers/parallel-midpoint.js';
import type { ReferenceContext } from '../src/samplers/types.js';
import { GaussianMixture } from '../src/targets/gmm.js';
import { loadTarget } from '../src/targets/presets.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return m;
}

describe('randomized-midpoint kernels equal the float64 reference', () => {
  const cases = [
    ...FORMS.map((form) => ({ target: 'ring2d', options: { form } as Record<string, string | number>, nfe: 13 })),
    { target: 'aniso16', options: { form: 'x0' }, nfe: 8 },
    { target: 'ring2d', options: { corrector: 'ulmc', 'corrector-steps': 3 }, nfe: 15 },
    { target: 'ring2d', options: { corrector: 'rm-ulmc', 'corrector-steps': 2 }, nfe: 18 },
    { target: 'aniso16', options: { corrector: 'rm-ulmc', 'corrector-steps': 1, friction: 0.05 }, nfe: 8 },
  ];
  it.each(cases)('$target $options nfe $nfe', async ({ target, options, nfe }) => {
    const gmm = loadTarget(target);
    const s = { sampler: 'randomized-midpoint', nfe, particles: 200, seed: 21, offset: 5, options };
    const g = await engine.sample({ target: gmm, ...s });
    const r = sampleReference({ target: gmm, ...s });
    expect(g.nfe).toBe(r.nfe);
    expect(g.rounds).toBe(g.nfe);
    expect(maxRelErr(g.samples!, r.samples)).toBeLessThan(form0tol(options));
  });
});

/** The score form multiplies f32 rounding by e^h on long steps; the others stay at ~1e-5. */
function form0tol(options: Record<string, string | number>): number {
  return options.form === 'score' ? 5e-3 : 1e-3;
}

describe('the midpoint step is unbiased on a Gaussian target', () => {
  // 1-D Gaussian q_0 = N(mu, v): the flow is affine, x_s - m_s mu = sqrt(c_s / c_t)(x_t - m_t mu), c = m^2 v + sigma^2
  const mu = 0.7, v = 0.3;
  const target = GaussianMixture.fromJSON({ kind: 'gmm', weights: [1], means: [[mu]], variances: [[v]] });
  const c = (t: number) => signalScale(t) ** 2 * v + noiseVariance(t);
  const exact = (x: number, t: number, s: number) => signalScale(s) * mu + Math.sqrt(c(s) / c(t)) * (x - signalScale(t) * mu);
  const ctx = { dim: 1, model: target.evalPoint.bind(target), scratch: Array.from({ length: 4 }, () => new Float64Array(1)) };
  const step = (form: (typeof FORMS)[number], x0: number, t: number, s: number, u: number) => {
    const x = Float64Array.of(x0);
    predictorStep(form, x, predictorRow(1, form, t, s, false), ctx, u);
    return x[0]!;
  };
  // E over alpha by 20-point Gauss-Legendre quadrature on [0, 1]
  const GL = gaussLegendre(20);
  const meanOverAlpha = (form: (typeof FORMS)[number], x0: number, t: number, s: number) =>
    GL.reduce((acc, [node, w]) => acc + w * step(form, x0, t, s, node), 0);

  it.each(FORMS)('%s form: E_alpha[step] - exact flow shrinks like h^3', (form) => {
    const t = 1.0, x0 = 1.3;
    const bias = [0.2, 0.1, 0.05].map((h) => Math.abs(meanOverAlpha(form, x0, t, t - h) - exact(x0, t, t - h)));
    expect(bias[0]! / bias[1]!).toBeGreaterThan(6);
    expect(bias[1]! / bias[2]!).toBeGreaterThan(6);
    expect(bias[2]!).toBeLessThan(2e-5);
    // a plain DDIM/Euler step (alpha = 1) is only second order locally
    const single = [0.1, 0.05].map((h) => Math.abs(step(form, x0, t, t - h, 1) - exact(x0, t, t - h)));
    expect(single[1]!).toBeGreaterThan(20 * bias[2]!);
  });

  it('on the GPU, the mean over 100,000 midpoint draws equals the exact flow within Monte Carlo error', async () => {
    const t = 1.0, s = 0.95, P = 100_000;
    // one step from t to s: particles start at x_t ~ N(0, 1) (the engine's init at t-max = t)
    const r = await engine.sample({ target, sampler: 'randomized-midpoint', nfe: 2, particles: P, tMax: t, delta: s, seed: 8 });
    const init = new Philox(8);
    let sum = 0, sum2 = 0;
    for (let i = 0; i < P; i++) {
      const dev = r.samples![i]! - exact(init.normal(i, 0, 0, 0), t, s);
      sum += dev;
      sum2 += dev * dev;
    }
    const mean = sum / P, se = Math.sqrt((sum2 / P - mean * mean) / P);
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(mean)).toBeLessThan(4 * se);
  });
});

describe('corrector Brownian increments', () => {
  it('EI-ULMC noise has the covariance of section 3.3', () => {
    for (const [gamma, eta] of [[1.7, 0.9], [30, 0.002], [0.5, 0.01]] as const) {
      const k = eiUlmcStep(gamma, eta);
      const exactCov = eiUlmcNoiseCovariance(gamma, eta);
      expect(k.nx1 ** 2 + k.nx2 ** 2).toBeCloseTo(exactCov.varX, 10);
      expect((k.nv1 ** 2 + k.nv2 ** 2) / exactCov.varV).toBeCloseTo(1, 8);
      expect((k.nx1 * k.nv1 + k.nx2 * k.nv2) / exactCov.cov).toBeCloseTo(1, 8);
    }
  });

  it('RM-ULMC increments (W1, W2, W3) have the covariance of section 3.3 (Monte Carlo)', () => {
    const gamma = 1.7, eta = 0.9, a = 0.37 * eta, n = 200_000;
    const rng = new Philox(3);
    const S: [number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const z = [0, 1, 2, 3].map((j) => rng.normal(i, 0, 7, j)) as [number, number, number, number];
      const [w1, w2, w3] = rmUlmcIncrements(gamma, eta, a, ...z);
      S[0] += w1 * w1; S[1] += w2 * w2; S[2] += w3 * w3; S[3] += w1 * w2; S[4] += w1 * w3; S[5] += w2 * w3;
    }
    const e = rmUlmcCovariance(gamma, eta, a);
    const want = [e.v11, e.v22, e.v33, e.c12, e.c13, e.c23];
    // relative Monte Carlo error of a second moment at n = 2e5 is about sqrt(2 / n) = 0.3%
    S.forEach((v, i) => expect(Math.abs(v / n - want[i]!) / Math.abs(want[i]!)).toBeLessThan(0.02));
  });
});

/** Gauss-Legendre nodes and weights on [0, 1]. */
function gaussLegendre(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i <= n; i++) {
    let x = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1, p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    out.push([(1 - x) / 2, 1 / ((1 - x * x) * dp * dp)]);
  }
  return out;
}

describe('parallel-midpoint', () => {
  it.each([
    { target: 'ring2d', width: 4, picard: 2, nfe: 26, windows: 2 },
    { target: 'aniso16', width: 3, picard: 1, nfe: 7, windows: 1 },
    { target: 'bimodal1d', width: 16, picard: 3, nfe: 130, windows: 2 },
  ])('$target width $width picard $picard: kernels equal the float64 reference, nfe and rounds counted', async ({ target, width, picard, nfe, windows }) => {
    const gmm = loadTarget(target);
    const s = { sampler: 'parallel-midpoint', nfe, particles: 150, seed: 5, offset: 3, options: { width, picard } };
    const g = await engine.sample({ target: gmm, ...s });
    const r = sampleReference({ target: gmm, ...s });
    expect(g.nfe).toBe(windows * (1 + width * (picard + 1)));
    expect(g.rounds).toBe(windows * (picard + 2));
    expect(maxRelErr(g.samples!, r.samples)).toBeLessThan(1e-3);
  });

  it('with many Picard rounds a window converges to the sequential randomized-midpoint chain through the same midpoints', () => {
    // one window, R = 1: the Picard fixed point is exactly the x0-form randomized midpoint step
    const gmm = loadTarget('ring2d');
    const one = sampleReference({ target: gmm, sampler: 'parallel-midpoint', nfe: 1 + 1 * 21, particles: 50, seed: 2, tMax: 1, delta: 0.8, options: { width: 1, picard: 20 } });
    const few = sampleReference({ target: gmm, sampler: 'parallel-midpoint', nfe: 1 + 1 * 2, particles: 50, seed: 2, tMax: 1, delta: 0.8, options: { width: 1, picard: 1 } });
    // the K = 20 result is a fixed point: one more round changes nothing
    const more = sampleReference({ target: gmm, sampler: 'parallel-midpoint', nfe: 1 + 1 * 22, particles: 50, seed: 2, tMax: 1, delta: 0.8, options: { width: 1, picard: 21 } });
    expect(maxRelErr(one.samples, more.samples)).toBeLessThan(1e-9);
    expect(maxRelErr(one.samples, few.samples)).toBeGreaterThan(1e-6);
  });

  it.each([
    { target: 'ring2d', steps: 3, cpicard: 2 },
    { target: 'aniso16', steps: 2, cpicard: 1 },
  ])('$target with the parallel ULMC corrector (M $steps, $cpicard rounds): kernels equal the float64 reference, nfe and rounds counted', async ({ target, steps, cpicard }) => {
    const gmm = loadTarget(target);
    const options = { width: 2, picard: 1, corrector: 'ulmc', 'corrector-steps': steps, 'corrector-picard': cpicard };
    const perWindow = 1 + 2 * 2 + steps * cpicard;
    const s = { sampler: 'parallel-midpoint', nfe: 2 * perWindow, particles: 120, seed: 9, offset: 2, options };
    const g = await engine.sample({ target: gmm, ...s });
    const r = sampleReference({ target: gmm, ...s });
    expect(g.nfe).toBe(2 * perWindow);
    expect(g.rounds).toBe(2 * (1 + 2 + cpicard));
    expect(maxRelErr(g.samples!, r.samples)).toBeLessThan(1e-3);
  });

  it('the parallel ULMC corrector with M Picard rounds is the sequential EI-ULMC corrector on the same noise; fewer rounds differ', () => {
    const gmm = loadTarget('ring2d');
    const d = gmm.dim, M = 4, tStar = 0.3, step = 17;
    const run = (f: (x: Float64Array, ctx: ReferenceContext) => void) => {
      const out: number[] = [];
      for (let particle = 0; particle < 40; particle++) {
        const ctx: ReferenceContext = {
          dim: d, particle, rng: new Philox(3), model: gmm.evalPoint.bind(gmm),
          buffers: { cfree: new Float64Array((M + 1) * d), cg: new Float64Array(2 * M * d) },
          scratch: Array.from({ length: 6 }, () => new Float64Array(d)),
        };
        const x = Float64Array.from({ length: d }, (_, j) => Math.sin(particle + 3 * j));
        f(x, ctx);
        out.push(...x);
      }
      return out;
    };
    const c = { steps: M, time: 1, friction: 2 };
    const sequential = run((x, ctx) => correctorReference(false, M, x, correctorRow(step, { kind: 'ulmc', every: 1, ...c }, tStar), ctx));
    const parallel = (picard: number) => run((x, ctx) => {
      let n = step - 1;
      for (const row of parallelUlmcRows({ ...c, picard }, tStar, 0, () => ++n)) parallelUlmcReference({ ...c, picard }, row.kernel, x, row, ctx);
    });
    expect(maxRelErr(parallel(M), sequential)).toBeLessThan(1e-12);
    expect(maxRelErr(parallel(M + 2), sequential)).toBeLessThan(1e-12);
    expect(maxRelErr(parallel(1), sequential)).toBeGreaterThan(1e-4);
  });

  it.each([
    { target: 'bimodal1d', width: 4, picard: 1, c: 0.7, start: 'free', nfe: 16, windows: 2, rounds: 4 },
    { target: 'ring2d', width: 8, picard: 2, c: 2, start: 'eval', nfe: 50, windows: 2, rounds: 8 },
  ])('Gaussian reference c = $c, start $start ($target, R $width, K $picard): kernels equal the float64 reference, nfe and rounds counted', async ({ target, width, picard, c, start, nfe, rounds }) => {
    const gmm = loadTarget(target);
    const s = { sampler: 'parallel-midpoint', nfe, particles: 64, seed: 4, offset: 1, options: { width, picard, 'ref-variance': c, start } };
    const g = await engine.sample({ target: gmm, ...s });
    const r = sampleReference({ target: gmm, ...s });
    expect(g.nfe).toBe(nfe);
    expect(g.rounds).toBe(rounds);
    expect(maxRelErr(g.samples!, r.samples)).toBeLessThan(1e-3);
  });

  it('the Gaussian-reference variables: F(E) widths and their inverse agree, and c = 0 is the plain E scale', () => {
    for (const c of [0.01, 0.5, 1, 40]) {
      for (const [e, de] of [[4.5e-5, 1e-6], [0.3, 0.05], [10, 3]] as const) {
        const w = gaussRef.width(c, e, de);
        expect(w).toBeCloseTo((Math.asinh(Math.sqrt(c) * (e + de)) - Math.asinh(Math.sqrt(c) * e)) / Math.sqrt(c), 12);
        expect(gaussRef.inverse(c, e, w) / (e + de)).toBeCloseTo(1, 12);
      }
    }
    expect(gaussRef.width(0, 0.3, 0.05)).toBe(0.05);
    expect(gaussRef.inverse(0, 0.3, 0.05)).toBe(0.35);
  });

  it('with the Gaussian reference equal to the target N(0, c I), every Picard round is the exact flow (the residual vanishes)', () => {
    const c = 0.6, d = 3, P = 20, tMax = 10, delta = 1e-3;
    const target = GaussianMixture.fromJSON({ kind: 'gmm', weights: [1], means: [[0, 0, 0]], variances: [[c, c, c]] });
    const cv = (t: number) => signalScale(t) ** 2 * c + noiseVariance(t);
    const init = new Philox(6), z = new Float64Array(d);
    for (const [width, picard, start, nfe] of [[8, 0, 'free', 8], [4, 2, 'eval', 2 * 13]] as const) {
      const r = sampleReference({ target, sampler: 'parallel-midpoint', nfe, particles: P, seed: 6, tMax, delta, options: { width, picard, 'ref-variance': c, start } });
      for (let i = 0; i < P; i++) {
        init.fillNormals(z, 0, d, i, 0, Stream.init);
        for (let j = 0; j < d; j++) expect(r.samples[i * d + j]! / (Math.sqrt(cv(delta) / cv(tMax)) * z[j]!)).toBeCloseTo(1, 9);
      }
      // the plain scheme (c = 0) is not exact on the same budget
      const plain = sampleReference({ target, sampler: 'parallel-midpoint', nfe, particles: P, seed: 6, tMax, delta, options: { width, picard, start } });
      expect(maxRelErr(plain.samples, r.samples)).toBeGreaterThan(1e-3);
    }
  });

  it('with the Gaussian reference, Picard rounds converge to a fixed point', () => {
    const gmm = loadTarget('ring2d');
    const run = (picard: number) => sampleReference({ target: gmm, sampler: 'parallel-midpoint', nfe: 4 * (picard + 1), particles: 40, seed: 2, tMax: 3, delta: 0.05, options: { width: 4, picard, 'ref-variance': 2, start: 'free' } }).samples;
    const fixed = run(60);
    expect(maxRelErr(run(61), fixed)).toBeLessThan(1e-9);
    const err = [1, 2, 4].map((k) => maxRelErr(run(k), fixed));
    expect(err[0]!).toBeGreaterThan(1e-4);
    expect(err[1]!).toBeLessThan(err[0]!);
    expect(err[2]!).toBeLessThan(err[1]!);
  });

  it('rejects a budget below one window', () => {
    expect(() => sampleReference({ target: loadTarget('ring2d'), sampler: 'parallel-midpoint', nfe: 10, particles: 4, options: { width: 8, picard: 2 } })).toThrow(/nfe: got 10, expected at least 1 \+ width \(picard \+ 1\) = 25/);
  });
});
