/** Engine `snapshots`: the first k particles after every submitted batch, for replaying a run. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { RunOptionError } from '../src/errors.js';
import { resolveRun } from '../src/run-request.js';
import { Philox, Stream } from '../src/rng/philox.js';
import type { ReferenceContext } from '../src/samplers/types.js';
import { toScoreModel } from '../src/engine.js';
import { loadTarget } from '../src/targets/presets.js';
import { testEngine } from './helpers/gpu.js';
import { maxRelDiff } from './helpers/compare.js';
import { sampleReference } from '../src/reference.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

const target = loadTarget('ring2d');

/** The float64 reference state of particle `i` after each of the plan's rows (index 0: x_T). */
function referencePath(settings: { sampler: string; nfe: number; particles: number; seed: number }, i: number): Float64Array[] {
  const model = toScoreModel(target);
  const run = resolveRun(settings, 2);
  const rng = new Philox(run.seed);
  const x = new Float64Array(2);
  rng.fillNormals(x, 0, 2, i, 0, Stream.init);
  const ctx: ReferenceContext = { dim: 2, particle: i, rng, model: model.evalPoint, buffers: {}, scratch: Array.from({ length: 6 }, () => new Float64Array(2)) };
  const path = [Float64Array.from(x)];
  for (const row of run.plan.rows) {
    run.plan.reference(x, row, ctx);
    path.push(Float64Array.from(x));
  }
  return path;
}

describe('Engine.sample snapshots', () => {
  it('records x_T and the first k particles after each batch, matching the float64 path', async () => {
    const s = { sampler: 'ddim', nfe: 12, particles: 300, seed: 5 };
    const r = await engine.sample({ target, ...s, snapshots: { particles: 40 }, stepsPerSubmit: 5 });
    const snaps = r.snapshots!;
    expect(snaps.particles).toBe(40);
    expect(snaps.dim).toBe(2);
    // x_T, then batches ending at steps 5, 10, 12
    expect(snaps.frames.map((f) => f.stepsDone)).toEqual([0, 5, 10, 12]);
    expect(snaps.frames.map((f) => f.roundsDone)).toEqual([0, 5, 10, 12]);
    // the last frame is the result's first 40 particles, bit for bit
    expect(Array.from(snaps.frames[3]!.x)).toEqual(Array.from(r.samples!.subarray(0, 80)));
    let maxErr = 0, moved = 0;
    for (let i = 0; i < 40; i++) {
      const path = referencePath(s, i);
      for (const f of snaps.frames) {
        for (let j = 0; j < 2; j++) maxErr = Math.max(maxErr, Math.abs(f.x[2 * i + j]! - path[f.stepsDone]![j]!));
      }
      moved += Math.hypot(snaps.frames[2]!.x[2 * i]! - snaps.frames[1]!.x[2 * i]!, snaps.frames[2]!.x[2 * i + 1]! - snaps.frames[1]!.x[2 * i + 1]!);
    }
    expect(maxErr).toBeLessThan(1e-4);
    // the frames differ: particles move between batches
    expect(moved / 40).toBeGreaterThan(0.05);
  });

  it('defaults to about 20 batches, and is absent when not asked for', async () => {
    const s = { target, sampler: 'randomized-midpoint', nfe: 80, particles: 64, seed: 2 };
    const r = await engine.sample({ ...s, snapshots: { particles: 64 } });
    // 40 rows of 2 rounds each, in batches of 2 rows
    expect(r.snapshots!.frames.length).toBe(21);
    expect(r.snapshots!.frames[20]!.roundsDone).toBe(80);
    expect(Array.from(r.snapshots!.frames[20]!.x)).toEqual(Array.from(r.samples!));
    const plain = await engine.sample(s);
    expect(plain.snapshots).toBeNull();
    expect(Array.from(plain.samples!)).toEqual(Array.from(r.samples!));
  });

  it('rejects a snapshot size outside 1 .. particles, naming the field', async () => {
    const s = { target, sampler: 'ddim', nfe: 4, particles: 10, seed: 1 };
    await expect(engine.sample({ ...s, snapshots: { particles: 11 } })).rejects.toThrow(RunOptionError);
    await expect(engine.sample({ ...s, snapshots: { particles: 0 } })).rejects.toThrow(/snapshots\.particles: got 0, expected an integer in 1 \.\. particles = 10/);
  });
  it('the float64 reference records the same frames at the same marks (the CPU fallback\'s replay)', async () => {
    // heun: 2 rounds per row, 13 rows -> batches of 1 row (ceil(13 / 20)); randomized-midpoint: rounds per row from the plan
    for (const sampler of ['heun', 'randomized-midpoint']) {
      const s = { sampler, nfe: 26, particles: 50, seed: 9 };
      const gpu = (await engine.sample({ target, ...s, snapshots: { particles: 12 } })).snapshots!;
      const cpu = sampleReference({ target, ...s, snapshots: { particles: 12 } }).snapshots!;
      expect(cpu.frames.map((f) => [f.stepsDone, f.roundsDone]), sampler).toEqual(gpu.frames.map((f) => [f.stepsDone, f.roundsDone]));
      expect(cpu.frames.length, sampler).toBeGreaterThan(5);
      const err = Math.max(...cpu.frames.map((f, i) => maxRelDiff(gpu.frames[i]!.x, f.x)));
      expect(err, sampler).toBeLessThan(1e-3);
    }
    expect(sampleReference({ target, sampler: 'ddim', nfe: 5, particles: 10, seed: 1 }).snapshots).toBeNull();
    expect(() => sampleReference({ target, sampler: 'ddim', nfe: 5, particles: 10, seed: 1, snapshots: { particles: 11 } })).toThrow(RunOptionError);
  });
});
