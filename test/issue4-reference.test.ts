/**
 * heroism, accelerated-sde and poisson-midpoint: WGSL kernels against their float64 references on
 * the same Philox noise, particle for particle (the pattern of samplers-reference.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { sampleReference } from '../src/reference.js';
import { bernoulliThreshold } from '../src/math/poisson-midpoint.js';
import { Philox } from '../src/rng/philox.js';
import { PMM_CAP_LANES, pmmActive, pmmSchedule } from '../src/samplers/poisson-midpoint.js';
import { loadTarget } from '../src/targets/presets.js';
import { compareParticles } from './helpers/compare.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

const RUNS: { sampler: string; nfe: number; options?: Record<string, number | string> }[] = [
  { sampler: 'heroism', nfe: 7 },
  { sampler: 'heroism', nfe: 21, options: { order: 2, passes: 1 } },
  { sampler: 'heroism', nfe: 18, options: { order: 5, passes: 2 } },
  { sampler: 'accelerated-sde', nfe: 3 },
  { sampler: 'accelerated-sde', nfe: 12, options: { clip: 1, beta: 0.3 } },
  { sampler: 'poisson-midpoint', nfe: 6, options: { k: 5 } },
  { sampler: 'poisson-midpoint', nfe: 16, options: { k: 9 } },
  { sampler: 'poisson-midpoint', nfe: 12, options: { chain: 'overdamped', fine: 60 } },
  { sampler: 'poisson-midpoint', nfe: 12, options: { chain: 'underdamped', k: 6 } },
  { sampler: 'poisson-midpoint', nfe: 16, options: { chain: 'underdamped', fine: 60, gamma: 0.5 } },
];

// Every run on the cheap targets; on aniso16 and gmm64 (whose kernels take seconds to compile on
// SwiftShader) one run per sampler.
const CASES = [
  { target: 'bimodal1d', particles: 256, runs: RUNS },
  { target: 'ring2d', particles: 512, runs: RUNS },
  { target: 'aniso16', particles: 64, runs: [RUNS[0]!, RUNS[4]!, RUNS[6]!] },
  { target: 'gmm64', particles: 32, runs: [RUNS[2]!, RUNS[3]!, RUNS[5]!] },
];

describe.each(CASES)('issue-4 kernels equal the float64 reference on $target', ({ target, particles, runs }) => {
  const gmm = loadTarget(target);
  it.each(runs.map((r) => [`${r.sampler} nfe ${r.nfe} ${JSON.stringify(r.options ?? {})}`, r] as const))('%s', async (_name, r) => {
    const settings = { sampler: r.sampler, nfe: r.nfe, options: r.options, particles, seed: 7, offset: 1000 };
    const gpu = await engine.sample({ target: gmm, ...settings });
    const ref = sampleReference({ target: gmm, ...settings });
    expect(gpu.nfe).toBe(ref.nfe);
    expect(gpu.rounds).toBe(ref.rounds);
    // f32 rounding: almost every particle within 5e-4; a few chaotic ones up to 2e-3 (a mismatched
    // random draw would be off by O(0.1) or more)
    const { maxErr, badFraction } = compareParticles(gpu.samples!, ref.samples, gmm.dim, 5e-4);
    expect(badFraction, `max error ${maxErr}`).toBeLessThanOrEqual(Math.max(1 / particles, 0.01) + 1e-9);
    expect(maxErr).toBeLessThan(2e-3);
  });
});

describe('poisson-midpoint, underdamped chain, equals the float64 reference at d = 16', () => {
  // an isotropic 16-D mixture: the chain's kernels at DIM4 = 4 without aniso16's costly full-covariance compile
  const gmm = loadTarget({
    kind: 'gmm', dim: 16, weights: [0.3, 0.7], scales: [0.5, 0.8],
    means: [Array.from({ length: 16 }, (_, j) => Math.sin(j + 1)), Array.from({ length: 16 }, (_, j) => -Math.cos(2 * j))],
  });
  it.each([RUNS[8]!, RUNS[9]!].map((r) => [JSON.stringify(r.options), r] as const))('%s', async (_name, r) => {
    const settings = { sampler: r.sampler, nfe: r.nfe, options: r.options, particles: 64, seed: 7, offset: 1000 };
    const gpu = await engine.sample({ target: gmm, ...settings });
    const ref = sampleReference({ target: gmm, ...settings });
    expect(gpu.nfe).toBe(ref.nfe);
    const { maxErr, badFraction } = compareParticles(gpu.samples!, ref.samples, 16, 5e-4);
    expect(badFraction, `max error ${maxErr}`).toBeLessThanOrEqual(1 / 64 + 1e-9);
    expect(Number.isFinite(maxErr)).toBe(true);
  });
});

describe('poisson-midpoint with more midpoints than the compacted list holds', () => {
  it.each(['ddpm', 'underdamped'])('%s chain: evaluates the overflow in the finishing kernel and still equals the reference', async (chain) => {
    // 2 particles, K = 40: a block overflows the 2 x 2-entry list whenever the two particles draw more than 4 midpoints
    const gmm = loadTarget('ring2d');
    const settings = { sampler: 'poisson-midpoint', nfe: 30, options: { k: 40, chain }, particles: 2, seed: 3 };
    // with this seed some block draws 6 midpoints for the two particles, more than the 4 entries the list holds
    const { M, K } = pmmSchedule(30, 40, 1000);
    const { thr } = bernoulliThreshold(K);
    const rng = new Philox(3);
    const totals = Array.from({ length: M }, (_, b) => pmmActive(rng, 0, b + 1, K, thr).length + pmmActive(rng, 1, b + 1, K, thr).length);
    expect(Math.max(...totals)).toBeGreaterThan(2 * PMM_CAP_LANES);
    const gpu = await engine.sample({ target: gmm, ...settings });
    const ref = sampleReference({ target: gmm, ...settings });
    const { maxErr } = compareParticles(gpu.samples!, ref.samples, 2, 5e-4);
    expect(maxErr).toBeLessThan(5e-4);
  });
});
