/**
 * The realised nfe of poisson-midpoint (a random number of evaluations per particle): the GPU run
 * counts its midpoint evaluations with an atomic counter and reports nfeRealised; it equals the
 * count made from the seed alone (poissonMidpointNfe) and the float64 reference's count of its
 * model calls, also across chunks and offsets. Other samplers report nfeRealised = nfe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { sampleReference } from '../src/reference.js';
import { poissonMidpointNfe } from '../src/samplers/poisson-midpoint.js';
import { loadTarget } from '../src/targets/presets.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

const target = loadTarget('ring2d');

describe('realised nfe', () => {
  for (const chain of ['ddpm', 'underdamped'] as const) {
    it(`poisson-midpoint (${chain} chain): GPU counter = count from the seed = reference's model calls`, async () => {
      const req = { target, sampler: 'poisson-midpoint', nfe: 12, particles: 240, seed: 5, offset: 17, options: { chain, k: 4 } };
      const exact = poissonMidpointNfe({ nfe: 12, particles: 240, seed: 5, offset: 17, k: 4 });
      expect(exact.min).toBeLessThan(exact.max); // the count is random per particle
      const gpu = await engine.sample(req);
      expect(gpu.nfe).toBeCloseTo(exact.planned, 12);
      expect(gpu.nfeRealised * 240).toBeCloseTo(exact.mean * 240, 6);
      expect(gpu.nfeRealised).not.toBe(gpu.nfe);
      const ref = sampleReference({ ...req, particles: 60 });
      expect(ref.nfeRealised * 60).toBeCloseTo(poissonMidpointNfe({ nfe: 12, particles: 60, seed: 5, offset: 17, k: 4 }).mean * 60, 9);
      // chunked: the particle-weighted mean of the chunks
      const chunked = await engine.sample({ ...req, maxChunkParticles: 100 });
      expect(chunked.chunks).toBe(3);
      expect(chunked.nfeRealised * 240).toBeCloseTo(exact.mean * 240, 6);
    });
  }

  it('a sampler with a fixed count reports nfeRealised = nfe', async () => {
    const r = await engine.sample({ target, sampler: 'dpmpp-2m', nfe: 7, particles: 50, seed: 1 });
    expect(r.nfeRealised).toBe(7);
    expect(sampleReference({ target, sampler: 'heun', nfe: 9, particles: 5, seed: 1 }).nfeRealised).toBe(9);
  });
});
