/**
 * No leaks: every GPU buffer a run creates is destroyed when it ends, finished, cancelled or
 * failed, so a thousand short runs on one engine end with as many live buffers as they started.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { CancelledError, NumericalError } from '../src/errors.js';
import { faultInjectionModel } from '../src/scores/fault-injection.js';
import { loadTarget } from '../src/targets/presets.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

const target = loadTarget('bimodal1d');

describe('GPU buffers', () => {
  it('a thousand short runs leave no buffer alive', async () => {
    await engine.sample({ target, sampler: 'ddim', nfe: 1, particles: 4 }); // build the kernels
    const live = engine.buffers.live, created = engine.buffers.created;
    expect(live).toBe(0);
    let sum = 0;
    for (let i = 0; i < 1000; i++) {
      const r = await engine.sample({ target, sampler: i % 2 ? 'ddim' : 'ddpm', nfe: 1, particles: 4, seed: i });
      sum += r.samples![0]!;
      if (i % 250 === 0) expect(engine.buffers.live).toBe(0);
    }
    expect(Number.isFinite(sum)).toBe(true);
    expect(engine.buffers.live).toBe(0);
    expect(engine.buffers.liveBytes).toBe(0);
    // each run made its buffers (state, run uniform, steps, model, readback, fault check) and freed them
    expect(engine.buffers.created - created).toBeGreaterThanOrEqual(1000 * 6);
  });

  it('cancelled, failed and checkpointed runs free their buffers; a kept buffer lives until the caller destroys it', async () => {
    const ctl = new AbortController();
    await expect(engine.sample({ target, sampler: 'ddpm', nfe: 20, particles: 32, stepsPerSubmit: 2, signal: ctl.signal, onProgress: (p) => { if (p.stepsDone >= 4) ctl.abort(); } }))
      .rejects.toBeInstanceOf(CancelledError);
    expect(engine.buffers.live).toBe(0);
    await expect(engine.sample({ target: faultInjectionModel({ dim: 1 }), sampler: 'ddim', nfe: 8, particles: 32 })).rejects.toBeInstanceOf(NumericalError);
    expect(engine.buffers.live).toBe(0);
    await engine.sample({ target, sampler: 'dpmpp-2m', nfe: 8, particles: 32, stepsPerSubmit: 2, onCheckpoint: () => {} });
    expect(engine.buffers.live).toBe(0);
    const kept = await engine.sample({ target, sampler: 'ddim', nfe: 3, particles: 32, keepBuffer: true });
    expect(engine.buffers.live).toBe(1);
    expect(engine.buffers.liveBytes).toBe(32 * 4);
    kept.buffer!.destroy();
    expect(engine.buffers.live).toBe(0);
  });
});
