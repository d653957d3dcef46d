/**
 * The score-pass layout: a Gaussian mixture's score computed by the tiled / split kernel before
 * each step (src/scores/gmm-pass-score.ts) instead of inside the sampler kernels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchMixture } from '../src/bench/targets.js';
import type { Engine } from '../src/engine.js';
import { RunOptionError } from '../src/errors.js';
import { chooseScorePlacement, PASS_MIN_DIM } from '../src/gpu/kernel-select.js';
import { sampleReference } from '../src/reference.js';
import { PASS_SAMPLERS } from '../src/scores/gmm-pass-score.js';
import { loadTarget } from '../src/targets/presets.js';
import { compareParticles } from './helpers/compare.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

// particles not a multiple of the tile (64 invocations x 4 particles), so the last tile is partial
const CASES = [
  { d: 2, particles: 300 },
  { d: 16, particles: 300 },
  { d: 64, particles: 120 },
];

// one target object per d: the engine compiles the score pass once per target
const TARGETS = new Map(CASES.map(({ d }) => [d, benchMixture(d, 4)]));

describe.each(CASES)('the score pass equals the float64 reference at d = $d', ({ d, particles }) => {
  const target = TARGETS.get(d)!;
  it.each(PASS_SAMPLERS)('%s', async (sampler) => {
    // heun's corrector multiplies its first evaluation by about m_s rho_t / 2, large when the first
    // step spans most of the grid (nfe 5-6), and the pass's x0hat, derived from the f32 score, is
    // 1e-3 off at large t: at nfe 5 1e-3 off the float64 reference, at nfe 12-20 within 1.5e-4
    // (and at nfe 6 the fused score too is 7e-3 to 2e-2 off, with the former single kernel as well)
    const settings = { sampler, nfe: sampler === 'heun' ? 20 : 5, particles, seed: 11, offset: 500 };
    const gpu = await engine.sample({ target, ...settings, scoreLayout: 'pass' });
    expect(gpu.scoreLayout).toBe('pass');
    const ref = sampleReference({ target, ...settings });
    expect(gpu.nfe).toBe(ref.nfe);
    const { maxErr, badFraction } = compareParticles(gpu.samples!, ref.samples, d, 5e-4);
    // f32 against float64: all but a rare particle on a knife edge between modes agree to 5e-4
    expect(badFraction, `max error ${maxErr}`).toBeLessThanOrEqual(1 / particles + 1e-9);
    expect(Number.isFinite(maxErr)).toBe(true);
  });
});

describe('score pass', () => {
  it('gives the same particles in one run, in chunks and in offset parts', async () => {
    const target = TARGETS.get(64)!;
    const s = { sampler: 'ddpm', nfe: 4, seed: 3, scoreLayout: 'pass' as const };
    const whole = await engine.sample({ target, ...s, particles: 300 });
    const chunked = await engine.sample({ target, ...s, particles: 300, maxChunkParticles: 130 });
    expect(chunked.chunks).toBe(3);
    expect(Array.from(chunked.samples!)).toEqual(Array.from(whole.samples!));
    const tail = await engine.sample({ target, ...s, particles: 100, offset: 200 });
    expect(Array.from(tail.samples!)).toEqual(Array.from(whole.samples!.subarray(200 * 64)));
    // the pass's score buffer, time tables and params are freed with each chunk
    expect(engine.buffers.live).toBe(0);
  });

  it('differs from the fused layout only by f32 rounding', async () => {
    const target = TARGETS.get(16)!;
    const s = { sampler: 'ddim', nfe: 6, particles: 200, seed: 4 };
    const pass = await engine.sample({ target, ...s, scoreLayout: 'pass' });
    const fused = await engine.sample({ target, ...s, scoreLayout: 'fused' });
    expect(fused.scoreLayout).toBe('fused');
    const { maxErr } = compareParticles(pass.samples!, fused.samples!, 16, 1e-4);
    expect(maxErr).toBeLessThan(1e-4);
    expect(maxErr).toBeGreaterThan(0); // two different kernels really ran
  });

  it('is chosen automatically by d for mixtures and the samplers that support it', async () => {
    const traits = { isSoftware: true, maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxUniformBufferBindingSize: 65536 };
    expect(chooseScorePlacement(PASS_MIN_DIM - 1, 16, traits)).toBe('fused');
    expect(chooseScorePlacement(64, 16, traits)).toBe('pass');
    const s = { nfe: 3, particles: 64, seed: 1 };
    expect((await engine.sample({ target: TARGETS.get(64)!, sampler: 'ddim', ...s })).scoreLayout).toBe('pass');
    expect((await engine.sample({ target: TARGETS.get(2)!, sampler: 'ddim', ...s })).scoreLayout).toBe('fused');
    // heun takes the pass from nfe 10 (PASS_AUTO_MIN_NFE): below, the pass's x0hat at large t is too coarse
    expect((await engine.sample({ target: TARGETS.get(16)!, sampler: 'heun', ...s, nfe: 9 })).scoreLayout).toBe('fused');
    expect((await engine.sample({ target: TARGETS.get(16)!, sampler: 'heun', ...s, nfe: 10 })).scoreLayout).toBe('pass');
    // accelerated-sde keeps the fused score (PASS_SAMPLERS)
    expect((await engine.sample({ target: TARGETS.get(16)!, sampler: 'accelerated-sde', ...s })).scoreLayout).toBe('fused');
  });

  it('refuses a forced pass where it cannot run, and unknown layouts', async () => {
    const s = { nfe: 3, particles: 64, seed: 1 };
    await expect(engine.sample({ target: TARGETS.get(16)!, sampler: 'randomized-midpoint', ...s, scoreLayout: 'pass' })).rejects.toThrow(RunOptionError);
    await expect(engine.sample({ target: loadTarget('aniso16'), sampler: 'ddim', ...s, scoreLayout: 'pass' })).rejects.toThrow(/axis-aligned mixture/);
    await expect(engine.sample({ target: TARGETS.get(16)!, sampler: 'ddim', ...s, scoreLayout: 'tiled' as never })).rejects.toThrow(/scoreLayout: got "tiled"/);
  });
});
