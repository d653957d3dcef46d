/** The exact empirical score of MNIST: WGSL against float64 at full size, and what sampling it returns. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { loadMnist, mnistSubset, nearestPoint } from '../src/data/mnist-node.js';
import { datasetEval, datasetScoreModel, type Dataset } from '../src/scores/dataset-score.js';
import { DatasetScorePipeline, datasetExternalModel, datasetLayout, datasetScoreOnDevice, WIDE_MIN_DIM } from '../src/scores/dataset-batch.js';
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

  /** x0hat (or the score) of `pipe` at points `xs` (count x d), point k at time ts[k], read back. */
  async function batchEval(pipe: DatasetScorePipeline, xs: Float32Array, ts: number[]): Promise<Float32Array> {
    const device = engine.gpu.device, d = pipe.dataset.dim, count = ts.length;
    const buf = (data: Float32Array<ArrayBuffer>, usage: number) => {
      const b = device.createBuffer({ size: data.byteLength, usage: usage | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(b, 0, data);
      return b;
    };
    const times = buf(Float32Array.from(ts.flatMap((t) => [t, Math.exp(-t), -Math.expm1(-2 * t), 0])), GPUBufferUsage.STORAGE);
    const points = buf(Float32Array.from(xs), GPUBufferUsage.STORAGE);
    const scores = device.createBuffer({ size: count * d * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const read = device.createBuffer({ size: count * d * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    pipe.encode(encoder, { round: 0, row: 0, evaluation: 0, evaluations: 1, points, times, scores, count, slots: count, dim: d });
    encoder.copyBufferToBuffer(scores, 0, read, 0, count * d * 4);
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(read.getMappedRange().slice(0));
    for (const b of [times, points, scores, read]) b.destroy();
    return out;
  }

  /** Query points between data points and noise: x = m x_i + sigma z at each point's time (deterministic). */
  function queries(data: Dataset, ts: number[]): Float32Array {
    const d = data.dim, xs = new Float32Array(ts.length * d);
    ts.forEach((t, k) => {
      const m = Math.exp(-t), s = Math.sqrt(-Math.expm1(-2 * t)), i = (37 * k + 11) % data.n;
      for (let j = 0; j < d; j++) xs[k * d + j] = m * data.points[i * d + j]! + s * Math.sin(1.3 * k + 0.71 * j + 0.2);
    });
    return xs;
  }

  it('wide layout (a workgroup per point) matches the float64 reference at d = 784 and d = 100', async () => {
    expect([datasetLayout(WIDE_MIN_DIM - 1), datasetLayout(WIDE_MIN_DIM), datasetLayout(784, 'auto', true), datasetLayout(2, 'wide', true)]).toEqual(['thread', 'wide', 'thread', 'wide']);
    await expect(DatasetScorePipeline.create(engine.gpu.device, { name: 'w', n: 1, dim: 2, points: new Float32Array(2) }, 'x0', { layout: 'broad' as 'wide' })).rejects.toThrow(/layout broad, expected auto, thread or wide/);
    await expect(DatasetScorePipeline.create(engine.gpu.device, { name: 'w', n: 1, dim: 2, points: new Float32Array(2) }, 'x0', { layout: 'wide', workgroupSize: 64, tilePoints: 4096 })).rejects.toThrow(/workgroupSize 64 x tilePoints 4096 needs 1081344 bytes of workgroup memory, expected at most \d+/);
    // 500 MNIST digits (50 per class) with this adapter's default shape, and a synthetic d = 100 set
    // (25 vec4 blocks: not a multiple of the 8 or 64 invocations) of 333 points, whose last tile is
    // partial, with the GPU shape (64 invocations, tiles of 32, a workgroup per point)
    const wave: Dataset = { name: 'wave100', n: 333, dim: 100, points: Float32Array.from({ length: 333 * 100 }, (_, i) => Math.sin(0.37 * i) + 0.3 * Math.cos(1.3 * i)) };
    const ts = [2.5, 1, 0.3, 0.05, 0.01];
    for (const [data, shape] of [[mnistSubset(50), {}], [wave, { workgroupSize: 64, tilePoints: 32, maxWorkgroups: 65535 }]] as const) {
      const d = data.dim, xs = queries(data, ts);
      for (const output of ['x0', 'score'] as const) {
        const pipe = await DatasetScorePipeline.create(engine.gpu.device, data, output, { layout: 'wide', ...shape });
        expect(pipe.layout).toBe('wide');
        const g = await batchEval(pipe, xs, ts);
        const ref = new Float64Array(ts.length * d), scratch = new Float64Array(d);
        ts.forEach((t, k) => {
          const out = ref.subarray(k * d, (k + 1) * d);
          datasetEval(data, xs, k * d, t, output === 'score' ? out : null, output === 'x0' ? out : null, scratch);
        });
        // the score at t = 0.01 is (m x0hat - x) / sigma^2 with sigma^2 = 0.02: f32's error in x is amplified 50-fold
        const scale = output === 'score' ? ts.map((t) => -Math.expm1(-2 * t)) : ts.map(() => 1);
        for (let k = 0; k < ts.length; k++) {
          const a = Array.from(g.subarray(k * d, (k + 1) * d), (v) => v * scale[k]!), b = Array.from(ref.subarray(k * d, (k + 1) * d), (v) => v * scale[k]!);
          expect(maxRelDiff(a, b), `${data.name} ${output} t ${ts[k]}`).toBeLessThan(2e-4);
        }
        pipe.destroy();
      }
    }
  });

  it('ddim through the wide external model gives the samples of the fused model (d = 784)', async () => {
    const data = mnistSubset(20);
    const pipe = await DatasetScorePipeline.create(engine.gpu.device, data, 'x0', { layout: 'wide' });
    const s = { sampler: 'ddim', nfe: 4, particles: 3, seed: 4, delta: 0.01 };
    const a = await engine.sample({ target: datasetExternalModel(pipe, data.name), ...s });
    const b = await engine.sample({ target: datasetScoreModel(data), ...s });
    expect([a.nfe, a.target]).toEqual([b.nfe, b.target]);
    expect(maxRelDiff(a.samples!, b.samples!)).toBeLessThan(2e-4);
    pipe.destroy();
    // what the CLI's --target mnist runs on the GPU: wide at large d on a GPU, fused on a software adapter
    const score = await datasetScoreOnDevice(engine.gpu.device, data);
    expect([score.kind, score.model.name]).toEqual([engine.gpu.isSoftware ? 'fused' : 'wide', data.name]);
    score.destroy();
    const wide = await datasetScoreOnDevice(engine.gpu.device, { name: 'pair', n: 2, dim: 2, points: new Float32Array([0, 1, 2, 3]) }, { layout: 'wide' });
    expect(wide.kind).toBe('wide');
    wide.destroy();
  });
});
