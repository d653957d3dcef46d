/**
 * Device loss, checkpoints and limits: a device destroyed mid-run rejects the run with a
 * DeviceLostError and frees its buffers; a new engine resumes from the last checkpoint with the
 * same bits as an uninterrupted run; runs that need more memory than allowed fail before any
 * allocation, saying how many particles fit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../src/checkpoint.js';
import { Engine } from '../src/engine.js';
import { CheckpointError, DeviceError, DeviceLostError, ResourceLimitError } from '../src/errors.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';
import { checkRunMemory, runBuffers } from '../src/gpu/run-memory.js';
import { BUFFER_HEADROOM, planChunks, runFootprint } from '../src/gpu/chunk-plan.js';
import { resolveRun } from '../src/run-request.js';
import { loadTarget } from '../src/targets/presets.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

const target = loadTarget('ring2d');
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('checkpoints', () => {
  it.each([
    ['dpmpp-2m', 24, {}, 200], // multistep: the previous denoiser lives in a plan buffer
    ['ddpm', 24, {}, 200], // noise keyed by step
    ['poisson-midpoint', 6, { fine: 100 }, 64], // compacted work lists and indirect arguments
    ['heroism', 13, {}, 200],
  ] as const)('%s resumed from a mid-run checkpoint equals the uninterrupted run, bit for bit', async (sampler, nfe, options, particles) => {
    const s = { target, sampler, nfe, particles, seed: 21, options };
    const whole = await engine.sample(s);
    const cps: Checkpoint[] = [];
    const every = Math.max(2, Math.ceil(whole.steps / 7));
    const checkpointed = await engine.sample({ ...s, stepsPerSubmit: every, onCheckpoint: (cp) => { cps.push(cp); } });
    expect(bits(checkpointed.samples!)).toEqual(bits(whole.samples!));
    expect(cps.length).toBe(Math.ceil(whole.steps / every) - 1);
    const mid = cps[Math.floor(cps.length / 2)]!;
    expect(mid.stepsDone).toBeGreaterThan(0);
    expect(mid.stepsDone).toBeLessThan(whole.steps);
    const resumed = await engine.sample({ ...s, resumeFrom: structuredClone(mid) });
    expect(bits(resumed.samples!)).toEqual(bits(whole.samples!));
  });

  it('a checkpoint of another run is refused, naming what differs', async () => {
    const cps: Checkpoint[] = [];
    await engine.sample({ target, sampler: 'ddim', nfe: 6, particles: 16, seed: 1, stepsPerSubmit: 2, onCheckpoint: (cp) => { cps.push(cp); } });
    const err = await engine.sample({ target, sampler: 'ddim', nfe: 6, particles: 16, seed: 2, resumeFrom: cps[0] }).catch((e) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.message).toMatch(/^resumeFrom: the checkpoint belongs to another run.*"seed",1.*"seed",2/);
  });
});

describe('device loss', () => {
  it('device.destroy() mid-run rejects the run with a DeviceLostError; a new engine resumes from the last checkpoint with identical bits', async () => {
    const s = { target, sampler: 'dpmpp-2m', nfe: 30, particles: 300, seed: 8 };
    const doomed = new Engine(await acquireNodeDevice());
    let last: Checkpoint | null = null;
    let batches = 0;
    const err = await doomed.sample({
      ...s, stepsPerSubmit: 4,
      onCheckpoint: (cp) => { last = cp; },
      onProgress: () => { if (++batches === 3) doomed.gpu.device.destroy(); },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(DeviceLostError);
    expect(err.message).toMatch(/^the WebGPU device was lost during a dpmpp-2m run after (12|16) of 30 steps \(destroyed: .*\); create a new Engine on a new device, then resume from the last checkpoint \(step 12\)/);
    expect(last!.stepsDone).toBe(12);
    expect(doomed.lost).toBe(true);
    expect(doomed.buffers.live).toBe(0); // the failed run freed what it had
    await expect(doomed.sample({ ...s, nfe: 3 })).rejects.toBeInstanceOf(DeviceError);

    const fresh = new Engine(await acquireNodeDevice());
    try {
      const resumed = await fresh.sample({ ...s, resumeFrom: last! });
      const whole = await engine.sample(s);
      expect(bits(resumed.samples!)).toEqual(bits(whole.samples!));
      expect(fresh.buffers.live).toBe(0);
    } finally {
      fresh.destroy();
    }
  });
});

describe('adapter choice', () => {
  it('requireHardware refuses SwiftShader with the reason, or returns a hardware adapter where there is one', async () => {
    const shared = await acquireNodeDevice();
    const got = await acquireNodeDevice({ requireHardware: true }).then((ctx) => ({ ctx, err: null }), (err: Error) => ({ ctx: null, err }));
    if (shared.isSoftware) {
      expect(got.err).toBeInstanceOf(DeviceError);
      expect(got.err!.message).toMatch(/no hardware WebGPU adapter .* SwiftShader is not allowed|only WebGPU adapter found in Node is a software one/);
    } else {
      expect(got.ctx!.isSoftware).toBe(false);
      got.ctx!.device.destroy();
    }
    shared.device.destroy();
  });
});

describe('device errors during a run', () => {
  it('a WebGPU validation error raised while a run is in flight becomes a DeviceError on that run; the engine keeps working', async () => {
    let injected = false;
    const err = await engine.sample({
      target, sampler: 'ddim', nfe: 12, particles: 64, stepsPerSubmit: 3,
      onProgress: () => {
        if (injected) return;
        injected = true;
        engine.gpu.device.createBuffer({ label: 'invalid on purpose', size: 16, usage: 0 }).destroy();
      },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect(err.message).toMatch(/^WebGPU error during ddim run: .*usage/i);
    expect(engine.buffers.live).toBe(0);
    const ok = await engine.sample({ target, sampler: 'ddim', nfe: 4, particles: 16 });
    expect(ok.samples!.every(Number.isFinite)).toBe(true);
  });
});

describe('memory and limits before dispatch', () => {
  const plan = resolveRun({ sampler: 'parallel-midpoint', nfe: 25, particles: 1000 }, 2).plan;

  it('counts every buffer of a run (pure)', () => {
    const needs = runBuffers(plan, 1000, 2, { readback: true, faultCheck: true });
    const byName = Object.fromEntries(needs.map((n) => [n.name, n.bytes]));
    expect(byName.particles).toBe(1000 * 2 * 4);
    expect(byName.gbuf).toBe(1000 * 2 * 8 * 2 * 4); // 2 R d floats per particle, R = width 8
    expect(byName.readback).toBe(8000);
    expect(byName['fault-check mask']).toBe(4 * Math.ceil(1000 / 32));
    const limits = { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 20, budget: Infinity };
    expect(() => checkRunMemory(needs, limits, 1000)).not.toThrow();
    const big = runBuffers(plan, 10_000, 2, { readback: true, faultCheck: true });
    expect(() => checkRunMemory(big, limits, 10_000)).toThrow(/^buffer "gbuf" of this run needs 1280000 bytes, more than the device's maxStorageBufferBindingSize of 1048576 bytes; at most 8192 particles fit \(got 10000\)/);
    expect(() => checkRunMemory(needs, { ...limits, budget: 100_000 }, 1000)).toThrow(ResourceLimitError);
  });

  it("a run over the engine's memory budget fails before allocating anything", async () => {
    const small = new Engine(engine.gpu, { memoryBudget: 50_000 });
    const before = small.buffers.created;
    const err = await small.sample({ target, sampler: 'ddim', nfe: 4, particles: 10_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceLimitError);
    expect(err.bytes).toBeGreaterThan(50_000);
    expect(err.message).toMatch(/more than the engine's budget of 50000 bytes; at most \d+ particles fit \(got 10000\)/);
    expect(small.buffers.created).toBe(before);
    const fit = Number(/at most (\d+) particles/.exec(err.message)![1]);
    const ok = await small.sample({ target, sampler: 'ddim', nfe: 4, particles: fit });
    expect(ok.samples!.length).toBe(2 * fit);
    await expect(small.sample({ target, sampler: 'ddim', nfe: 4, particles: fit + 1 })).rejects.toBeInstanceOf(ResourceLimitError);
  });

  it("a plan buffer over the device's storage binding limit is found before allocating, and such a run is chunked", () => {
    const lim = engine.gpu.device.limits;
    const perParticle = 2 * 8 * 2 * 4; // gbuf of parallel-midpoint, d = 2
    const P = Math.floor(Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize) / perParticle) + 1;
    expect(P).toBeLessThan(engine.maxParticles(2)); // the state alone would fit
    const run = resolveRun({ sampler: 'parallel-midpoint', nfe: 25, particles: P }, 2);
    // the per-chunk check: one piece of P particles cannot be allocated
    let err: unknown = null;
    try {
      checkRunMemory(runBuffers(run.plan, P, 2, { readback: true, faultCheck: true }),
        { maxBufferSize: lim.maxBufferSize, maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize, budget: Infinity }, P);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ResourceLimitError);
    expect((err as Error).message).toMatch(new RegExp(`^buffer "gbuf" of this run needs ${P * perParticle} bytes.*at most ${P - 1} particles fit`));
    // so Engine.sample splits the run: two chunks, limited by gbuf, each under the binding limit
    const split = planChunks(P, runFootprint(run.plan, 2, { readback: true }), lim);
    expect(split.chunks.length).toBe(2);
    expect(split.limitedBy).toMatch(/^buffer "gbuf"/);
    expect(split.chunks[0]!.particles * perParticle).toBeLessThanOrEqual(lim.maxStorageBufferBindingSize - BUFFER_HEADROOM);
    expect(split.chunks[0]!.particles + split.chunks[1]!.particles).toBe(P);
  });
});
