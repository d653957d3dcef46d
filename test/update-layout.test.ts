/**
 * The update kernels' layouts for a score already in a buffer (src/gpu/update-layout.ts): one
 * invocation per particle (shaders/exponential-step.wgsl) or one per (particle, vec4 block)
 * (shaders/exponential-step-blocked.wgsl) give the same bits, and both match the float64 reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchMixture } from '../src/bench/targets.js';
import type { Engine } from '../src/engine.js';
import { RunOptionError } from '../src/errors.js';
import { BLOCK_MIN_DIM_HARDWARE, BLOCK_MIN_DIM_SOFTWARE, chooseUpdateLayout } from '../src/gpu/update-layout.js';
import { sampleReference } from '../src/reference.js';
import { externalScoreModel } from '../src/scores/external-score.js';
import { compareParticles } from './helpers/compare.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

// forced layouts at d = 2 (one vec4 block, padded) and d = 256 (64 blocks per particle)
const TARGETS = new Map([2, 256].map((d) => [d, benchMixture(d, 4)]));
const CASES = [
  { d: 2, particles: 300, sampler: 'ddpm' },
  { d: 2, particles: 300, sampler: 'dpmpp-2m' },
  { d: 256, particles: 150, sampler: 'ddpm' },
  { d: 256, particles: 150, sampler: 'dpmpp-2m' },
];

describe.each(CASES)('per-block update at d = $d, $sampler', ({ d, particles, sampler }) => {
  it('equals the thread-per-particle update bit for bit, and the float64 reference', async () => {
    const target = TARGETS.get(d)!;
    const settings = { sampler, nfe: 4, particles, seed: 21, offset: 70 };
    const block = await engine.sample({ target, ...settings, scoreLayout: 'pass', updateLayout: 'block' });
    const particle = await engine.sample({ target, ...settings, scoreLayout: 'pass', updateLayout: 'particle' });
    expect(block.updateLayout).toBe('block');
    expect(particle.updateLayout).toBe('particle');
    expect(Array.from(block.samples!)).toEqual(Array.from(particle.samples!));
    const ref = sampleReference({ target, ...settings });
    const { maxErr, badFraction } = compareParticles(block.samples!, ref.samples, d, 5e-4);
    // the score-pass tests' tolerance: all but a rare particle on a knife edge between modes agree to 5e-4
    expect(badFraction, `max error ${maxErr}`).toBeLessThanOrEqual(1 / particles + 1e-9);
    expect(Number.isFinite(maxErr)).toBe(true);
  });
});

describe('update layout', () => {
  it('gives the same particles in one run, in chunks and in offset parts', async () => {
    const target = TARGETS.get(256)!;
    const s = { sampler: 'ddpm', nfe: 3, seed: 5, scoreLayout: 'pass' as const, updateLayout: 'block' as const };
    const whole = await engine.sample({ target, ...s, particles: 150 });
    const chunked = await engine.sample({ target, ...s, particles: 150, maxChunkParticles: 64 });
    expect(chunked.chunks).toBe(3);
    expect(Array.from(chunked.samples!)).toEqual(Array.from(whole.samples!));
    const tail = await engine.sample({ target, ...s, particles: 50, offset: 100 });
    expect(Array.from(tail.samples!)).toEqual(Array.from(whole.samples!.subarray(100 * 256)));
    expect(engine.buffers.live).toBe(0);
  });

  it('is chosen by d and adapter, for scores in a buffer only', async () => {
    expect(chooseUpdateLayout(BLOCK_MIN_DIM_SOFTWARE - 1, { isSoftware: true })).toBe('particle');
    expect(chooseUpdateLayout(BLOCK_MIN_DIM_SOFTWARE, { isSoftware: true })).toBe('block');
    expect(chooseUpdateLayout(BLOCK_MIN_DIM_HARDWARE, { isSoftware: false })).toBe('block');
    expect(chooseUpdateLayout(BLOCK_MIN_DIM_HARDWARE - 1, { isSoftware: false })).toBe('particle');
    const s = { sampler: 'ddim', nfe: 2, particles: 32, seed: 1 };
    expect((await engine.sample({ target: TARGETS.get(256)!, ...s })).updateLayout).toBe(chooseUpdateLayout(256, { isSoftware: engine.gpu.isSoftware }));
    expect((await engine.sample({ target: TARGETS.get(2)!, ...s, scoreLayout: 'pass' })).updateLayout).toBe('particle');
    // a fused score is evaluated inside the thread-per-particle kernel
    expect((await engine.sample({ target: TARGETS.get(2)!, ...s, scoreLayout: 'fused' })).updateLayout).toBe('particle');
  });

  it('refuses a forced per-block update where it cannot run, and unknown layouts', async () => {
    const s = { nfe: 2, particles: 32, seed: 1 };
    await expect(engine.sample({ target: TARGETS.get(2)!, sampler: 'ddim', ...s, scoreLayout: 'fused', updateLayout: 'block' })).rejects.toThrow(/updateLayout: got "block".*score layout fused/);
    await expect(engine.sample({ target: TARGETS.get(2)!, sampler: 'heun', ...s, updateLayout: 'block' })).rejects.toThrow(RunOptionError);
    await expect(engine.sample({ target: TARGETS.get(2)!, sampler: 'ddim', ...s, updateLayout: 'tiles' as never })).rejects.toThrow(/updateLayout: got "tiles"/);
    // an external score is evaluated by staged replay inside the thread-per-particle kernel
    const external = externalScoreModel({ name: 'zero', dim: 6, encode: () => {} });
    await expect(engine.sample({ target: external, sampler: 'ddpm', ...s, updateLayout: 'block' })).rejects.toThrow(/updateLayout: got "block"/);
    expect((await engine.sample({ target: external, sampler: 'ddpm', ...s })).updateLayout).toBe('particle');
  });
});
