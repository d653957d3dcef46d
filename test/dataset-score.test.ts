/** The exact empirical score of MNIST: WGSL against float64 at full size, and what sampling it returns. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { loadMnist, mnistSubset, nearestPoint } from '../src/data/mnist-node.js';
import { datasetEval, datasetScoreModel } from '../src/scores/dataset-score.js';
import { sampleReference } from '../src/reference.js';
import { maxRelDiff } from './helpers/compare.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

describe('empirical score of a dataset', () => {
  it('float64 score is the gradient of log q_t (finite differences on a small dataset)', () => {
    const n = 7, d = 3;
    const points = Float64Array.from({ length: n * d }, (_, i) => Math.sin(1.7 * i) * 2);
    const data = { name: 'toy', n, dim: d, points };
    const logq = (x: number[], t: number) => {
      const m = Math.exp(-t), s2 = -Math.expm1(-2 * t);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        let q = 0;
        for (let j = 0; j < d; j++) q += (x[j]! - m * points[i * d + j]!) ** 2;
        sum += Math.exp(-q / (2 * s2));
      }
      return Math.log(sum);
    };
    const x = [0.3, -0.5, 1.1], s = new Float64Array(d);
    for (const t of [0.2, 1, 3]) {
      datasetEval(data, x, 0, t, s, null, new Float64Array(d));
      for (let j = 0; j < d; j++) {
        const h = 1e-5, xp = [...x], xm = [...x];
        xp[j]! += h;
        xm[j]! -= h;
        expect(s[j]).toBeCloseTo((logq(xp, t) - logq(xm, t)) / (2 * h), 5);
      }
    }
  });

  it('WGSL matches the float64 reference for all 10,000 MNIST digits (d = 784)', async () => {
    const mnist = loadMnist();
    expect(mnist.n).toBe(10000);
    expect(mnist.dim).toBe(784);
    const target = datasetScoreModel(mnist);
    // two evaluations of x0hat (ddim) between t = 1.5 and 0.2, from x_T ~ N(0, I); the score form is
    // the same kernel's last line, checked at d = 2 in external-score.test.ts (one 784-D pipeline
    // compiles in about 15 s on SwiftShader)
    const s = { sampler: 'ddim', nfe: 2, particles: 2, seed: 5, tMax: 1.5, delta: 0.2 };
    const g = await engine.sample({ target, ...s });
    const r = sampleReference({ target, ...s });
    expect(maxRelDiff(g.samples!, r.samples)).toBeLessThan(2e-4);
  });

  it('sampling at small delta returns training digits of every class', async () => {
    // 10 digits per class keep SwiftShader's time modest
    const data = mnistSubset(10);
    const target = datasetScoreModel(data);
    const P = 30;
    const delta = 1e-5;
    const r = await engine.sample({ target, sampler: 'ddim', nfe: 10, particles: P, seed: 11, delta });
    // x_delta = m x_i + sigma z: its distance to the training digit x_i is about sigma sqrt(d) = 0.125,
    // while two different digits of the subset are 1.6 or more apart
    const noise = Math.sqrt(-Math.expm1(-2 * delta) * 784);
    const hist = new Array<number>(10).fill(0);
    const dists: number[] = [];
    for (let p = 0; p < P; p++) {
      const { index, distance } = nearestPoint(data, r.samples!, p * 784);
      dists.push(distance);
      hist[data.labels[index]!]!++;
    }
    expect(Math.max(...dists)).toBeLessThan(2 * noise);
    // the subset is balanced: with 30 draws the class histogram's TV distance to uniform is about
    // 0.2 on average (0.35 is above its 99th percentile), and most classes appear
    const tv = hist.reduce((a, c) => a + Math.abs(c / P - 0.1), 0) / 2;
    expect(tv).toBeLessThan(0.35);
    expect(hist.filter((c) => c > 0).length).toBeGreaterThanOrEqual(7);
  });
});
