/**
 * The reproducibility promise (README, "Reliability"): on one adapter the same seed gives the same
 * bits whatever the chunking (stepsPerSubmit), the particle offset split, the batch size, the fault
 * check, and however often it is run; two runs in flight on one engine do not interfere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, SampleRequest } from '../src/engine.js';
import { SAMPLERS } from '../src/samplers/index.js';
import { loadTarget } from '../src/targets/presets.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

const target = loadTarget('ring2d');
const d = 2, P = 48;
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
/** A small budget each sampler accepts. */
const NFE: Record<string, number> = { 'parallel-midpoint': 25, heroism: 9, 'poisson-midpoint': 6 };
const OPTIONS: Record<string, Record<string, number>> = { 'poisson-midpoint': { fine: 60 } };

describe('same seed, same bits', () => {
  it.each(SAMPLERS.map((s) => s.name))('%s: chunkings, offsets, batch sizes, fault check and repeats agree bit for bit', async (sampler) => {
    const s: SampleRequest = { target, sampler, nfe: NFE[sampler] ?? 8, particles: P, seed: 77, options: OPTIONS[sampler] };
    const base = await engine.sample(s);
    expect(base.samples!.every(Number.isFinite)).toBe(true);
    const want = bits(base.samples!);
    const runs: [string, SampleRequest][] = [
      ['repeat', s],
      ['one step per submit', { ...s, stepsPerSubmit: 1 }],
      ['3 steps per submit with progress', { ...s, stepsPerSubmit: 3, onProgress: () => {} }],
      ['without the fault check', { ...s, onNonFinite: 'ignore' }],
      ['a check after every step', { ...s, faultCheckEvery: 1 }],
    ];
    for (const [name, r] of runs) expect(bits((await engine.sample(r)).samples!), name).toEqual(want);
    // a bigger batch: its first P rows are this run
    const bigger = await engine.sample({ ...s, particles: 2 * P + 5 });
    expect(bits(bigger.samples!.subarray(0, P * d)), 'batch size').toEqual(want);
    // an offset split: [0, 17) ++ [17, P)
    const a = await engine.sample({ ...s, particles: 17 });
    const b = await engine.sample({ ...s, particles: P - 17, offset: 17 });
    expect([...bits(a.samples!), ...bits(b.samples!)], 'offset split').toEqual(want);
  });
});

describe('runs in flight together', () => {
  it('two (and four) runs started together on one engine give the bits of the same runs alone', async () => {
    const reqs: SampleRequest[] = [
      { target, sampler: 'ddpm', nfe: 20, particles: 300, seed: 1, stepsPerSubmit: 2, onProgress: () => {} },
      { target: loadTarget('bimodal1d'), sampler: 'dpmpp-2m', nfe: 12, particles: 100, seed: 2, stepsPerSubmit: 3, onProgress: () => {} },
      { target, sampler: 'heun', nfe: 10, particles: 64, seed: 3 },
      { target, sampler: 'ddpm', nfe: 20, particles: 300, seed: 4 },
    ];
    const alone: number[][] = [];
    for (const r of reqs) alone.push(bits((await engine.sample(r)).samples!));
    const [x, y] = await Promise.all([engine.sample(reqs[0]!), engine.sample(reqs[1]!)]);
    expect(bits(x.samples!)).toEqual(alone[0]);
    expect(bits(y.samples!)).toEqual(alone[1]);
    const all = await Promise.all(reqs.map((r) => engine.sample(r)));
    all.forEach((r, i) => expect(bits(r.samples!), `run ${i}`).toEqual(alone[i]));
    expect(alone[0]).not.toEqual(alone[3]); // different seeds do differ
  });
});
