/**
 * Chunked runs: the memory plan as a pure function (4,000,000 particles at d = 64 on an adapter
 * with 1 GiB bindings, smaller bindings, runs that cannot fit), and on the device a run split into
 * forced small chunks equals the same run in one piece, bit for bit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchMixture } from '../src/bench/targets.js';
import { Engine } from '../src/engine.js';
import { ResourceLimitError } from '../src/errors.js';
import { BUFFER_HEADROOM, planChunks, runFootprint, RunMemoryError, type BufferLimits } from '../src/gpu/chunk-plan.js';
import { resolveRun } from '../src/run-request.js';
import { loadTarget } from '../src/targets/presets.js';
import { runTableBytes } from '../src/scores/mixture-score-kernel.js';
import { testEngine, testGpu } from './helpers/gpu.js';

const GiB = 2 ** 30;
const limits1G: BufferLimits = { maxStorageBufferBindingSize: GiB, maxBufferSize: GiB, maxComputeWorkgroupsPerDimension: 65535 };

function footprint(sampler: string, dim: number, nfe = 20) {
  const run = resolveRun({ sampler, nfe, particles: 1 }, dim);
  return runFootprint(run.plan, dim);
}

describe('chunk planning (pure)', () => {
  it('4,000,000 particles at d = 64 fit 1 GiB bindings: DDIM in one chunk', () => {
    const p = planChunks(4_000_000, footprint('ddim', 64), limits1G);
    expect(p.chunks).toEqual([{ start: 0, particles: 4_000_000 }]);
    // state and readback, 256 B per particle each, plus the step table
    expect(p.deviceBytesPerChunk).toBe(2 * 256 * 4_000_000 + 21 * 256);
    expect(p.hostBytes).toBe(1_024_000_000);
  });

  it('4,000,000 particles at d = 64 with 128 MiB bindings: 8 chunks of at most 524,032 (128 MiB less the headroom, 256 B each)', () => {
    const p = planChunks(4_000_000, footprint('dpmpp-2m', 64), { ...limits1G, maxStorageBufferBindingSize: 128 * 2 ** 20 });
    expect(p.particlesPerChunk).toBe(524_032);
    expect(p.chunks.length).toBe(8);
    expect(p.chunks.reduce((s, c) => s + c.particles, 0)).toBe(4_000_000);
    expect(p.chunks[7]).toEqual({ start: 7 * 524_032, particles: 4_000_000 - 7 * 524_032 });
    expect(p.limitedBy).toMatch(/particles/);
  });

  it('the score pass adds its P x d score buffer and its per-row tables to a run', () => {
    const run = resolveRun({ sampler: 'ddim', nfe: 20, particles: 1 }, 64);
    const tableBytes = runTableBytes(64, 16, run.plan.rows.length, 256);
    // 20 rows of 16 * (1 + 2 * 16) vec4s = 8448 bytes each, padded to 8448 (a multiple of 256), + 16 B parameters
    expect(tableBytes).toBe(20 * 8448 + 16);
    const fp = runFootprint(run.plan, 64, { scorePass: { tableBytes } });
    expect(fp.buffers.find((b) => b.name === 'score pass scores')).toEqual({ name: 'score pass scores', bytesPerParticle: 256, fixedBytes: 0, storage: true });
    const p = planChunks(4_000_000, fp, limits1G);
    // state, scores and readback at 256 B per particle each, the step table and the score tables
    expect(p.deviceBytesPerChunk).toBe(3 * 256 * 4_000_000 + 21 * 256 + tableBytes);
    expect(p.deviceBytesPerChunk - planChunks(4_000_000, footprint('ddim', 64), limits1G).deviceBytesPerChunk).toBe(256 * 4_000_000 + tableBytes);
  });

  it('a sampler with large per-particle buffers is bounded by its largest buffer', () => {
    const fp = footprint('parallel-midpoint', 64, 40);
    const largest = Math.max(...fp.buffers.map((b) => b.bytesPerParticle));
    const p = planChunks(4_000_000, fp, limits1G);
    expect(p.particlesPerChunk).toBe(Math.floor((GiB - BUFFER_HEADROOM) / largest));
    expect(p.chunks.length).toBe(Math.ceil(4_000_000 / Math.floor((GiB - BUFFER_HEADROOM) / largest)));
    for (const c of p.chunks) expect(c.particles * largest).toBeLessThanOrEqual(GiB - BUFFER_HEADROOM);
  });

  it('the dispatch grid and a forced chunk size bound the chunks too', () => {
    const small = { ...limits1G, maxComputeWorkgroupsPerDimension: 16 };
    expect(planChunks(100_000, footprint('ddim', 2), small).particlesPerChunk).toBe(16 * 16 * 64);
    const forced = planChunks(1000, footprint('ddim', 2), limits1G, { maxChunkParticles: 300 });
    expect(forced.chunks.map((c) => c.particles)).toEqual([300, 300, 300, 100]);
  });

  it('a run that cannot fit says so, naming the buffer and the sizes', () => {
    // one particle of d = 2^28 floats is 1 GiB: more than a 512 MiB binding
    const huge = { ...limits1G, maxStorageBufferBindingSize: GiB / 2 };
    expect(() => planChunks(10, footprint('ddim', 2 ** 28), huge)).toThrow(RunMemoryError);
    expect(() => planChunks(10, footprint('ddim', 2 ** 28), huge)).toThrow(/"particles" needs 1073741824 bytes per particle, more than this adapter's limit of 536870912/);
    expect(() => planChunks(1000, footprint('ddim', 64), limits1G, { deviceBudgetBytes: 1000 })).toThrow(/one particle needs \d+ device bytes, more than the budget of 1000/);
    expect(() => planChunks(20_000_000, footprint('ddim', 256), limits1G)).toThrow(/20480000000 host bytes/);
    // one error type for every "does not fit": a ResourceLimitError carrying the bytes and the limit
    const err = (() => { try { planChunks(10, footprint('ddim', 2 ** 28), huge); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ResourceLimitError);
    expect([(err as ResourceLimitError).bytes, (err as ResourceLimitError).limit]).toEqual([GiB, GiB / 2 - BUFFER_HEADROOM]);
  });
});

describe('chunked runs on the device', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await testEngine();
  });
  afterAll(() => engine?.destroy());

  it.each([
    ['ddim', 'ring2d'],
    ['dpmpp-2m', 'grid2d'],
    ['randomized-midpoint', 'ring2d'],
  ])('%s on %s: 4 forced chunks equal one piece', async (sampler, name) => {
    const target = loadTarget(name);
    const settings = { target, sampler, nfe: 6, particles: 700, seed: 11, offset: 5 };
    const whole = await engine.sample(settings);
    const split = await engine.sample({ ...settings, maxChunkParticles: 200 });
    expect(whole.chunks).toBe(1);
    expect(split.chunks).toBe(4);
    expect(split.particles).toBe(700);
    expect(split.offset).toBe(5);
    expect(split.samples!.length).toBe(700 * target.dim);
    expect(Array.from(split.samples!)).toEqual(Array.from(whole.samples!));
    expect(whole.samples!.some((v) => v !== 0)).toBe(true);
  });

  it('keepBuffer with a run that needs chunks is refused before allocating', async () => {
    await expect(engine.sample({ target: loadTarget('ring2d'), sampler: 'ddim', nfe: 4, particles: 100, keepBuffer: true, maxChunkParticles: 40 }))
      .rejects.toThrow(/keepBuffer needs the run in one buffer, but 100 particles need 3 chunks/);
  });

  it('a score-pass run counts its score buffer: a device budget splits it into more chunks than the fused run, and the memory budget refuses it before allocating', async () => {
    const target = benchMixture(16, 4);
    const settings = { target, sampler: 'ddim', nfe: 4, particles: 1000, seed: 3 };
    const fixed = 5 * 256 + runTableBytes(16, 4, 4, (await testGpu()).device.limits.minUniformBufferOffsetAlignment);
    // room for 400 particles of the pass layout (state, scores, readback: 192 B each), 600 of the fused one
    const deviceBudgetBytes = fixed + 400 * 192;
    const fused = await engine.sample({ ...settings, scoreLayout: 'fused', deviceBudgetBytes });
    const pass = await engine.sample({ ...settings, scoreLayout: 'pass', deviceBudgetBytes });
    const whole = await engine.sample({ ...settings, scoreLayout: 'pass' });
    expect(fused.chunks).toBe(2);
    expect(pass.chunks).toBe(3);
    expect(whole.chunks).toBe(1);
    expect(Array.from(pass.samples!)).toEqual(Array.from(whole.samples!));
    // an engine whose memory budget holds the fused run but not the pass's extra 64 B per particle
    const tight = new Engine(await testGpu(), { memoryBudget: 1000 * 128 + fixed + 64 * 1000 - 1 });
    await expect(tight.sample({ ...settings, scoreLayout: 'pass' })).rejects.toThrow(ResourceLimitError);
    await expect(tight.sample({ ...settings, scoreLayout: 'pass' })).rejects.toThrow(/score pass scores 64000/);
    expect((await tight.sample({ ...settings, scoreLayout: 'fused' })).particles).toBe(1000);
    tight.destroy();
  });
});
