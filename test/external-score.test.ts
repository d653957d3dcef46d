/** External scores: a separate pipeline (the tiled dataset kernel) writes the scores each round. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { toyDataset } from '../src/data/toy2d.js';
import { sampleReference } from '../src/reference.js';
import { DatasetScorePipeline, datasetExternalModel, tilePoints } from '../src/scores/dataset-batch.js';
import { datasetScoreModel, type Dataset } from '../src/scores/dataset-score.js';
import { EXTERNAL_SAMPLERS, externalScoreModel } from '../src/scores/external-score.js';
import { maxRelDiff } from './helpers/compare.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

describe('external score', () => {
  // 150 points of two moons: 3 tiles of 64 (the last one partial)
  const moons: Dataset = { name: 'moons150', n: 150, dim: 2, points: toyDataset('two-moons', 150, 5) };

  it('gives the same samples as the fused score of the same dataset, for every sampler it supports', async () => {
    const pipe = await DatasetScorePipeline.create(engine.gpu.device, moons);
    expect(pipe.tile).toBe(64);
    const external = datasetExternalModel(pipe);
    const fused = datasetScoreModel(moons);
    for (const sampler of EXTERNAL_SAMPLERS) {
      // 100 particles: two workgroups, the second partly out of range
      const s = { sampler, nfe: 12, particles: 100, seed: 6 };
      const a = await engine.sample({ target: external, ...s });
      const b = await engine.sample({ target: fused, ...s });
      expect(a.nfe).toBe(b.nfe);
      expect(maxRelDiff(a.samples!, b.samples!), sampler).toBeLessThan(1e-4);
    }
    pipe.destroy();
  });

  it('streams tiles through workgroup memory and matches the float64 reference, in both output forms', async () => {
    // d = 10 (padded to 3 vec4s), 150 points in tiles of 16 (the last one partial); SwiftShader
    // compiles this kernel for d in the hundreds only in minutes, so MNIST runs in the fused form above
    const n = 150, d = 10;
    const data: Dataset = { name: 'wave', n, dim: d, points: Float32Array.from({ length: n * d }, (_, i) => Math.sin(0.37 * i) + 0.3 * Math.cos(1.3 * i)) };
    expect(tilePoints(784)).toBe(5);
    for (const output of ['x0', 'score'] as const) {
      const pipe = await DatasetScorePipeline.create(engine.gpu.device, data, output, 16);
      const model = datasetExternalModel(pipe);
      const s = { sampler: 'ddim', nfe: 6, particles: 70, seed: 2 };
      const g = await engine.sample({ target: model, ...s });
      const r = sampleReference({ target: model, ...s });
      expect(maxRelDiff(g.samples!, r.samples), output).toBeLessThan(5e-4);
      pipe.destroy();
    }
  });

  it('refuses samplers that evaluate inside their kernels, naming the ones that work', async () => {
    const model = externalScoreModel({ name: 'ext', dim: 2, encode: () => {} });
    await expect(engine.sample({ target: model, sampler: 'heun', nfe: 4, particles: 8 })).rejects.toThrow(
      /kernel heun evaluates the score inside the kernel; external scores run with euler-maruyama, ddpm, ddim, dpmpp-2m, accelerated-sde/,
    );
    expect(() => model.evalPoint([0, 0], 0, 1, new Float64Array(2), null)).toThrow(/no float64 reference/);
  });
});
