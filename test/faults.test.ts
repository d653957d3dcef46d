/**
 * Numerical faults: the on-GPU check finds NaN/Inf particles provoked by a fault-injecting score
 * model, reports the first round and the particle count, fails with a NumericalError by default and
 * drops exactly the bad particles on request; extreme but valid settings give finite results.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { NumericalError, RunOptionError, ValidationError } from '../src/errors.js';
import { BASELINE_NAMES, SAMPLERS } from '../src/samplers/index.js';
import { checkRows, dropParticles, interpretFaults, resolveFaultCheck } from '../src/gpu/fault-check.js';
import { sampleReference } from '../src/reference.js';
import { resolveRun } from '../src/run-request.js';
import { faultInjectionModel } from '../src/scores/fault-injection.js';
import { GaussianMixture } from '../src/targets/gmm.js';
import { loadTarget } from '../src/targets/presets.js';
import { testEngine } from './helpers/gpu.js';

describe('fault-check bookkeeping (pure)', () => {
  it('checks every k-th step and always after the last', () => {
    expect(checkRows(10, 3)).toEqual([2, 5, 8, 9]);
    expect(checkRows(10, 1)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(checkRows(4, 10)).toEqual([3]);
    expect(checkRows(0, 2)).toEqual([]);
    expect(resolveFaultCheck(undefined, undefined, 320)).toEqual({ policy: 'error', every: 20 });
    expect(() => resolveFaultCheck('drop', undefined, 10)).toThrow(/^onNonFinite: got "drop", expected one of error, exclude, ignore/);
    expect(() => resolveFaultCheck('error', 0, 10)).toThrow(/^faultCheckEvery: got 0, expected a positive integer/);
  });

  it('reads the mask into particle indices and drops those rows', () => {
    const r = interpretFaults(Uint32Array.from([0, 0, 3, 5]), Uint32Array.from([0b1001, 1 << 31, 0b10]), 66);
    expect(r.firstCheck).toBe(2);
    expect(r.bad).toEqual([0, 3, 63, 65]);
    expect(interpretFaults(Uint32Array.from([0, 0]), Uint32Array.from([0]), 5)).toEqual({ counts: [0, 0], firstCheck: -1, bad: [] });
    const s = Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(Array.from(dropParticles(s, 2, [1, 3]))).toEqual([0, 0, 2, 2]);
  });
});

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

const P = 256, d = 2;
const settings = { sampler: 'ddim', nfe: 10, particles: P, seed: 11, faultCheckEvery: 1 };
/** The first step whose evaluation time (f32) is below tFault: its check is the first to see NaN. */
function firstPoisonedRound(tFault: number): number {
  const grid = resolveRun(settings, d).plan.grid;
  return grid.findIndex((t) => Math.fround(t) < Math.fround(tFault)) + 1;
}

describe('non-finite particles on the GPU', () => {
  it('by default the run fails with a NumericalError naming the first round and the particle count', async () => {
    const model = faultInjectionModel({ dim: d, tFault: 1, threshold: 0.5 });
    const round = firstPoisonedRound(1);
    expect(round).toBeGreaterThan(1);
    expect(round).toBeLessThan(10);
    const err = await engine.sample({ target: model, ...settings }).catch((e) => e);
    expect(err).toBeInstanceOf(NumericalError);
    expect(err.round).toBe(round);
    expect(err.particles).toBeGreaterThan(P / 10);
    expect(err.particles).toBeLessThan(P / 2);
    expect(err.message).toMatch(new RegExp(`non-finite values \\(NaN or Inf\\) in ${err.particles} of ${P} particles at round ${round} of 10`));
    expect(err.message).toMatch(/the check at round \d+ found none/);
  });

  it("onNonFinite: 'exclude' drops exactly the particles the float64 reference finds non-finite, and leaves the others' bits alone", async () => {
    const model = faultInjectionModel({ dim: d, tFault: 1, threshold: 0.5 });
    const r = await engine.sample({ target: model, ...settings, onNonFinite: 'exclude' });
    const ref = sampleReference({ target: model, ...settings, onNonFinite: 'ignore' });
    const refBad: number[] = [];
    for (let i = 0; i < P; i++) if (!Number.isFinite(ref.samples[i * d]!) || !Number.isFinite(ref.samples[i * d + 1]!)) refBad.push(i);
    // the reference's own policies: exclude drops the same particles, error names the first
    const refExcluded = sampleReference({ target: model, ...settings, onNonFinite: 'exclude' });
    expect(refExcluded.nonFinite!.excludedIndices).toEqual(refBad);
    expect(refExcluded.particles).toBe(P - refBad.length);
    expect(refExcluded.samples.every(Number.isFinite)).toBe(true);
    expect(() => sampleReference({ target: model, ...settings })).toThrow(new RegExp(`particle ${refBad[0]} ended with non-finite values`));
    const gpuBad = r.nonFinite!.excludedIndices;
    expect(r.nonFinite!.excluded).toBe(gpuBad.length);
    expect(gpuBad.length).toBeGreaterThan(P / 10);
    const symDiff = gpuBad.filter((i) => !refBad.includes(i)).length + refBad.filter((i) => !gpuBad.includes(i)).length;
    expect(symDiff).toBeLessThanOrEqual(2); // f32 vs float64 at the threshold
    expect(r.particles).toBe(P - gpuBad.length);
    expect(r.samples!.length).toBe(r.particles * d);
    expect(r.samples!.every(Number.isFinite)).toBe(true);
    // counts per check: zero before the poisoned round, then non-zero
    const round = firstPoisonedRound(1);
    expect(r.nonFinite!.counts.slice(0, round - 1).every((c) => c === 0)).toBe(true);
    expect(r.nonFinite!.counts[round - 1]).toBeGreaterThan(0);
    // the kept particles are bit-identical to the same particles of a clean run
    const clean = await engine.sample({ target: faultInjectionModel({ dim: d, tFault: -1 }), ...settings });
    expect(clean.nonFinite!.excluded).toBe(0);
    const keep = Array.from({ length: P }, (_, i) => i).filter((i) => !gpuBad.includes(i));
    const expected = new Float32Array(keep.length * d);
    keep.forEach((i, k) => expected.set(clean.samples!.subarray(i * d, (i + 1) * d), k * d));
    expect(Array.from(new Uint32Array(r.samples!.buffer))).toEqual(Array.from(new Uint32Array(expected.buffer)));
  });

  it('a batched run (progress or signal) stops at the first batch boundary after the fault', async () => {
    const model = faultInjectionModel({ dim: d, tFault: 1, threshold: 0.5 });
    const round = firstPoisonedRound(1);
    const seen: number[] = [];
    const err = await engine.sample({ target: model, ...settings, stepsPerSubmit: 2, onProgress: (p) => seen.push(p.stepsDone) }).catch((e) => e);
    expect(err).toBeInstanceOf(NumericalError);
    expect(err.round).toBe(round);
    // progress stopped at the last boundary before the fault: the rest of the run was not spent
    expect(seen.at(-1)).toBe(2 * Math.floor((round - 1) / 2));
    expect(seen.at(-1)).toBeLessThan(10);
  });

  it('an Inf in every particle (default check interval) is reported for all of them', async () => {
    const model = faultInjectionModel({ dim: 3, tFault: 0.5, threshold: -1e30, poison: Infinity });
    const err = await engine.sample({ target: model, sampler: 'dpmpp-2m', nfe: 40, particles: 100, seed: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(NumericalError);
    expect(err.particles).toBe(100);
    expect(err.round).toBeGreaterThan(0);
    expect(err.round).toBeLessThanOrEqual(40);
  });

  it("onNonFinite: 'ignore' does not check: the NaNs come back as they are", async () => {
    const model = faultInjectionModel({ dim: d, tFault: 1, threshold: 0.5 });
    const r = await engine.sample({ target: model, ...settings, onNonFinite: 'ignore' });
    expect(r.nonFinite).toBeNull();
    expect(r.particles).toBe(P);
    expect(r.samples!.some(Number.isNaN)).toBe(true);
  });

  it("'exclude' with keepBuffer, and batch sizes that would hang or skip steps, are refused before the run", async () => {
    const s = { target: loadTarget('ring2d'), sampler: 'ddim', nfe: 3, particles: 8 };
    await expect(engine.sample({ ...s, keepBuffer: true, onNonFinite: 'exclude' })).rejects.toThrow(RunOptionError);
    const created = engine.buffers.created;
    await expect(engine.sample({ ...s, stepsPerSubmit: 0 })).rejects.toThrow(/^stepsPerSubmit: got 0, expected a positive integer/);
    await expect(engine.sample({ ...s, stepsPerSubmit: NaN })).rejects.toThrow(/^stepsPerSubmit: got NaN/);
    expect(engine.buffers.created).toBe(created);
  });
});

describe('extreme but valid settings give finite results or a clear error', () => {
  const ring = loadTarget('ring2d');
  // ring2d's components with tiny and huge scales (same kernels as ring2d, so no new compilation)
  const rescaled = (scale: number) => GaussianMixture.fromJSON({ ...ring.toJSON(), scales: ring.toJSON().scales!.map(() => scale) });
  const tiny = rescaled(1e-4), huge = rescaled(1e4);
  const cases: [string, object][] = [
    ['delta = 1e-6', { target: ring, nfe: 20, delta: 1e-6 }],
    ['t-max = 20', { target: ring, nfe: 20, tMax: 20 }],
    ['t-max = 50, delta = 1e-6', { target: ring, nfe: 30, tMax: 50, delta: 1e-6 }],
    ['nfe = 2', { target: ring, nfe: 2 }],
    ['variances 1e-8', { target: tiny, nfe: 20 }],
    ['variances 1e8', { target: huge, nfe: 20 }],
  ];
  it.each(cases)('%s, every sampler: finite, or (only for a budget below its minimum) an nfe error', async (_name, c) => {
    for (const sampler of SAMPLERS.map((x) => x.name)) {
      const s = { sampler, particles: 64, seed: 5, ...c } as Parameters<Engine['sample']>[0];
      let r;
      try {
        r = await engine.sample(s);
      } catch (e) {
        expect(e, `${sampler}: ${(e as Error).message}`).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).field).toBe('nfe');
        expect(BASELINE_NAMES).not.toContain(sampler);
        continue;
      }
      expect(r.samples!.every(Number.isFinite), sampler).toBe(true);
      expect(r.nonFinite!.counts.every((n) => n === 0)).toBe(true);
      expect(r.nonFinite!.counts.length).toBeGreaterThan(0);
    }
  });

  it('the spread of the samples around their nearest mode follows tiny and huge variances', async () => {
    for (const [target, scale] of [[tiny, 1e-4], [huge, 1e4]] as const) {
      const n = 400, delta = 1e-6, m = Math.exp(-delta);
      const r = await engine.sample({ target, sampler: 'dpmpp-2m', nfe: 30, particles: n, seed: 2, delta });
      let ss = 0;
      for (let i = 0; i < n; i++) {
        let best = Infinity;
        for (let k = 0; k < target.K; k++) {
          const dx = r.samples![2 * i]! - m * target.means[2 * k]!, dy = r.samples![2 * i + 1]! - m * target.means[2 * k + 1]!;
          best = Math.min(best, dx * dx + dy * dy);
        }
        ss += best;
      }
      // q_delta's components have variance m^2 scale^2 + sigma^2 per coordinate
      const want = Math.sqrt(m * m * scale * scale - Math.expm1(-2 * delta));
      const rms = Math.sqrt(ss / (2 * n));
      expect(rms / want, `scale ${scale}`).toBeGreaterThan(0.5);
      expect(rms / want, `scale ${scale}`).toBeLessThan(2);
    }
  });

  it('a mixture beyond the f32 range is refused, naming the field', async () => {
    const far = GaussianMixture.fromJSON({ kind: 'gmm', weights: [1], means: [[0, 1e20]], scales: [1] });
    await expect(engine.sample({ target: far, sampler: 'ddim', nfe: 3, particles: 8 })).rejects.toThrow(/^means\[0\]\[1\]: got 100000000000000000000, expected a number in/);
  });
});
