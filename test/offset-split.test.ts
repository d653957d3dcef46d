/** Splitting a run by particle offset gives the same bits as one run (Philox keying, DESIGN.md). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { loadTarget } from '../src/targets/presets.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

describe('offset splitting', () => {
  it.each(['ddpm', 'dpmpp-2m', 'heun'])('%s: [0, 300) = [0, 110) ++ [110, 300), bit for bit', async (sampler) => {
    const target = loadTarget('aniso16');
    const common = { target, sampler, nfe: 9, seed: 1234 };
    const whole = await engine.sample({ ...common, particles: 300 });
    const a = await engine.sample({ ...common, particles: 110, offset: 0 });
    const b = await engine.sample({ ...common, particles: 190, offset: 110 });
    const joined = new Float32Array(300 * 16);
    joined.set(a.samples!, 0);
    joined.set(b.samples!, 110 * 16);
    const wholeBits = new Uint32Array(whole.samples!.buffer);
    const joinedBits = new Uint32Array(joined.buffer);
    let diff = 0;
    for (let i = 0; i < wholeBits.length; i++) if (wholeBits[i] !== joinedBits[i]) diff++;
    expect(diff).toBe(0);
    expect(whole.samples!.every(Number.isFinite)).toBe(true);
  });

  it('a different seed gives different particles, the same seed the same ones', async () => {
    const target = loadTarget('ring2d');
    const r1 = await engine.sample({ target, sampler: 'ddpm', nfe: 5, particles: 64, seed: 1 });
    const r2 = await engine.sample({ target, sampler: 'ddpm', nfe: 5, particles: 64, seed: 2 });
    const r3 = await engine.sample({ target, sampler: 'ddpm', nfe: 5, particles: 64, seed: 1 });
    expect(Array.from(r3.samples!)).toEqual(Array.from(r1.samples!));
    let same = 0;
    for (let i = 0; i < r1.samples!.length; i++) if (r1.samples![i] === r2.samples![i]) same++;
    expect(same).toBe(0);
  });
});
