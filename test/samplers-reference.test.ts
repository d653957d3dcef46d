/**
 * Every sampler's WGSL kernel against its float64 CPU reference on the same Philox noise, particle
 * for particle, for d in {1, 2, 16, 64} (full and diagonal covariances).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { sampleReference } from '../src/reference.js';
import { BASELINE_NAMES } from '../src/samplers/index.js';
import { loadTarget } from '../src/targets/presets.js';
import { compareParticles } from './helpers/compare.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

const CASES = [
  { target: 'bimodal1d', particles: 512 },
  { target: 'ring2d', particles: 512 },
  { target: 'aniso16', particles: 128 },
  { target: 'gmm64', particles: 64 },
];

describe.each(CASES)('GPU kernels equal the float64 reference on $target', ({ target, particles }) => {
  const gmm = loadTarget(target);
  it.each(BASELINE_NAMES)('%s', async (sampler) => {
    for (const nfe of [3, 12]) {
      const settings = { sampler, nfe, particles, seed: 7, offset: 1000 };
      const gpu = await engine.sample({ target: gmm, ...settings });
      const ref = sampleReference({ target: gmm, ...settings });
      expect(gpu.nfe).toBe(ref.nfe);
      expect(gpu.rounds).toBe(ref.rounds);
      const { maxErr, badFraction } = compareParticles(gpu.samples!, ref.samples, gmm.dim, 5e-4);
      // f32 kernels against float64: all but a rare particle on a knife edge between modes agree to 5e-4
      expect(badFraction, `max error ${maxErr}`).toBeLessThanOrEqual(1 / particles + 1e-9);
      expect(Number.isFinite(maxErr)).toBe(true);
    }
  });
});
