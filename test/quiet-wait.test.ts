/**
 * Waiting for the GPU without a busy core (src/gpu/quiet-wait.ts): `settle` keeps a promise's
 * value and error, Node devices default to it, and during a run the JS thread really sleeps (its
 * own CPU time, from /proc/thread-self/stat, stays a small part of the wait), with the same
 * results as a plain await.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine.js';
import type { GpuContext } from '../src/gpu/device.js';
import { defaultWaitMode, settle } from '../src/gpu/quiet-wait.js';
import { loadTarget } from '../src/targets/presets.js';
import { testGpu } from './helpers/gpu.js';

/** CPU seconds this thread has used (utime + stime of /proc/thread-self/stat). */
function threadCpuSeconds(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks: USER_HZ is 100 on Linux
}

describe('settle', () => {
  it('resolves with the value and rejects with the error, in both modes', async () => {
    for (const mode of ['sleep', 'await'] as const) {
      expect(await settle(Promise.resolve(42), mode)).toBe(42);
      expect(await settle(new Promise((r) => setTimeout(() => r('late'), 30)), mode)).toBe('late');
      const bad = new Error('boom');
      await expect(settle(new Promise((_r, reject) => setTimeout(() => reject(bad), 10)), mode)).rejects.toBe(bad);
    }
  });

  it('sleeps between event-loop turns: a 200 ms timer wait costs this thread little CPU', async () => {
    const c0 = threadCpuSeconds(), t0 = performance.now();
    await settle(new Promise((r) => setTimeout(r, 200)), 'sleep');
    const wall = (performance.now() - t0) / 1000;
    expect(wall).toBeGreaterThanOrEqual(0.19);
    expect(threadCpuSeconds() - c0).toBeLessThan(0.25 * wall);
  });

  it('is the default in Node, and MIDSTEP_GPU_WAIT overrides it', () => {
    const saved = process.env.MIDSTEP_GPU_WAIT;
    try {
      delete process.env.MIDSTEP_GPU_WAIT;
      expect(defaultWaitMode()).toBe('sleep');
      process.env.MIDSTEP_GPU_WAIT = 'await';
      expect(defaultWaitMode()).toBe('await');
    } finally {
      if (saved === undefined) delete process.env.MIDSTEP_GPU_WAIT;
      else process.env.MIDSTEP_GPU_WAIT = saved;
    }
  });
});

describe('runs wait quietly', () => {
  let gpu: GpuContext;
  beforeAll(async () => {
    gpu = await testGpu();
  });
  const engines: Engine[] = [];
  afterAll(() => engines.forEach((e) => e.destroy()));

  it('the Node device sleeps; a run uses little of the JS thread and equals the awaited run', async () => {
    expect(gpu.waitMode).toBe('sleep');
    const target = loadTarget('gmm64');
    const settings = { target, sampler: 'ddpm', nfe: 10, particles: 4000, seed: 5 } as const;
    const measure = async (mode: 'sleep' | 'await') => {
      const engine = new Engine(gpu, { gpuWait: mode });
      engines.push(engine);
      await engine.sample(settings); // compiles the kernels
      const c0 = threadCpuSeconds(), t0 = performance.now();
      const r = await engine.sample(settings);
      return { samples: r.samples!, wall: (performance.now() - t0) / 1000, cpu: threadCpuSeconds() - c0 };
    };
    const sleep = await measure('sleep');
    const awaited = await measure('await');
    console.log(`JS thread CPU / wall during a run: sleep ${(sleep.cpu / sleep.wall).toFixed(2)} (${sleep.wall.toFixed(2)} s), await ${(awaited.cpu / awaited.wall).toFixed(2)} (${awaited.wall.toFixed(2)} s)`);
    expect(sleep.wall).toBeGreaterThan(0.1); // long enough for the tick counts to mean something
    expect(sleep.cpu / sleep.wall).toBeLessThan(0.35);
    expect(sleep.samples).toEqual(awaited.samples);
  });
});
