/** The library API of the engine: grids, kept GPU buffers, progress, cancellation, validation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { CancelledError, RunOptionError, SamplerOptionError } from '../src/errors.js';
import { sampleReference } from '../src/reference.js';
import { loadTarget } from '../src/targets/presets.js';
import { readBuffer, testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

const target = loadTarget('ring2d');

describe('Engine.sample', () => {
  it('names the adapter it runs on', () => {
    expect(engine.adapterName).toMatch(/\w/);
  });

  it.each(['uniform', 'edm'] as const)('agrees with the float64 reference on the %s grid', async (grid) => {
    for (const sampler of ['ddpm', 'dpmpp-2m', 'heun']) {
      const s = { sampler, nfe: 30, particles: 200, seed: 4, grid };
      const g = await engine.sample({ target, ...s });
      const r = sampleReference({ target, ...s });
      let max = 0;
      for (let i = 0; i < r.samples.length; i++) max = Math.max(max, Math.abs(g.samples![i]! - r.samples[i]!) / (1 + Math.abs(r.samples[i]!)));
      expect(max, `${sampler} on ${grid}`).toBeLessThan(5e-4);
    }
  });

  it('keeps the particles on the GPU when asked, with the same values', async () => {
    const s = { target, sampler: 'ddim', nfe: 8, particles: 100, seed: 9 };
    const kept = await engine.sample({ ...s, keepBuffer: true });
    expect(kept.samples).toBeNull();
    expect(kept.buffer).not.toBeNull();
    const bytes = 100 * 2 * 4;
    const onGpu = new Float32Array(await readBuffer(engine.gpu.device, kept.buffer!, bytes));
    kept.buffer!.destroy();
    const read = await engine.sample(s);
    expect(Array.from(onGpu)).toEqual(Array.from(read.samples!));
  });

  it('reports progress in rounds, and the result does not depend on the batching', async () => {
    const seen: number[] = [];
    const s = { target, sampler: 'heun', nfe: 40, particles: 64, seed: 2 };
    const r = await engine.sample({ ...s, onProgress: (p) => seen.push(p.roundsDone), stepsPerSubmit: 3 });
    expect(r.rounds).toBe(40);
    expect(seen.at(-1)).toBe(40);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    expect(seen.length).toBe(Math.ceil(40 / 3)); // heun: a row (dispatch) per evaluation
    const once = await engine.sample(s);
    expect(Array.from(once.samples!)).toEqual(Array.from(r.samples!));
  });

  it('stops between batches when its AbortSignal fires', async () => {
    const ctl = new AbortController();
    let calls = 0;
    const p = engine.sample({
      target, sampler: 'ddim', nfe: 50, particles: 64, stepsPerSubmit: 5, signal: ctl.signal,
      onProgress: () => { if (++calls === 2) ctl.abort(); },
    });
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toBe(2);
    // the engine still works afterwards
    const ok = await engine.sample({ target, sampler: 'ddim', nfe: 5, particles: 16 });
    expect(ok.samples!.every(Number.isFinite)).toBe(true);
  });

  it('rejects bad settings with errors that name the field', async () => {
    await expect(engine.sample({ target, sampler: 'ddim', nfe: 0, particles: 10 })).rejects.toThrow(RunOptionError);
    await expect(engine.sample({ target, sampler: 'ddim', nfe: 5, particles: 1.5 })).rejects.toThrow(/particles: got 1.5/);
    await expect(engine.sample({ target, sampler: 'ddim', nfe: 5, particles: 10, seed: -1 })).rejects.toThrow(/seed/);
    await expect(engine.sample({ target, sampler: 'ddim', nfe: 5, particles: 10, delta: 0 })).rejects.toThrow(/delta/);
    await expect(engine.sample({ target, sampler: 'ddpm', nfe: 5, particles: 10, options: { variance: 'x' } })).rejects.toThrow(SamplerOptionError);
    await expect(engine.sample({ target, sampler: 'nope', nfe: 5, particles: 10 })).rejects.toThrow(/sampler: got "nope"/);
  });
});
