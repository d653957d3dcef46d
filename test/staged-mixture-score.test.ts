/**
 * The staged mixture score (shaders/score-gmm-points.wgsl): points with their own times, score
 * and x0hat outputs, against the float64 mixture; its spline table against its definition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchMixture } from '../src/bench/targets.js';
import type { GpuContext } from '../src/gpu/device.js';
import type { Engine } from '../src/engine.js';
import { sampleReference } from '../src/reference.js';
import { gmmPointsTable, MixturePointsKernel, pointsChunk, POINTS_SPLINE } from '../src/scores/gmm-points-score.js';
import { loadTarget } from '../src/targets/presets.js';
import { compareParticles } from './helpers/compare.js';
import { readBuffer, testEngine, testGpu } from './helpers/gpu.js';

let gpu: GpuContext;
let engine: Engine;
beforeAll(async () => {
  gpu = await testGpu();
  engine = await testEngine();
});
afterAll(() => gpu?.device.destroy());

describe('points table', () => {
  it('holds log w, the centred spline of F_k(v) = sum_j log(1 + e^v lam_kj) and its derivative, lam and mu', () => {
    const g = benchMixture(20, 3), kp = 8, nv = POINTS_SPLINE.nv;
    const tab = gmmPointsTable(g, pointsChunk(20, 3));
    expect(pointsChunk(20, 3)).toBe(32);
    const F = (k: number, v: number) => { let f = 0; for (let j = 0; j < 20; j++) f += Math.log1p(Math.exp(v) * g.eigenvalues[k * 20 + j]!); return f; };
    const i = 640, v = POINTS_SPLINE.v0 + i * POINTS_SPLINE.hv;
    const mean = (F(0, v) + F(1, v) + F(2, v)) / 3;
    expect(tab[2]).toBeCloseTo(Math.log(g.weights[2]!), 6);
    expect(tab[5]).toBeLessThan(-1e29);
    expect(tab[kp + i * kp + 1]).toBeCloseTo(F(1, v) - mean, 3);
    const h = 1e-4, dF = (F(1, v + h) - F(1, v - h)) / (2 * h) - ((F(0, v + h) - F(0, v - h)) + (F(1, v + h) - F(1, v - h)) + (F(2, v + h) - F(2, v - h))) / (6 * h);
    expect(tab[kp + nv * kp + i * kp + 1]).toBeCloseTo(dF, 3);
    const lm = kp + 2 * nv * kp;
    expect(tab[lm + 16 * 7 + 2]).toBeCloseTo(g.eigenvalues[2 * 20 + 7]!, 6);
    expect(tab[lm + 16 * 7 + 8 + 2]).toBeCloseTo(g.means[2 * 20 + 7]!, 6);
    expect(tab[lm + 16 * 25]).toBe(0);
  });
});

async function stagedErr(dim: number, K: number, P: number, output: 'score' | 'x0') {
  const device = gpu.device, target = benchMixture(dim, K);
  const x = new Float32Array(P * dim), tm = new Float32Array(4 * P);
  for (let i = 0; i < x.length; i++) x[i] = 2.5 * Math.sin(i * 12.9898 + dim);
  // per-point times from 0.005 to 8, log-spaced and shuffled
  for (let i = 0; i < P; i++) {
    const t = 0.005 * Math.pow(1600, ((i * 7919) % P) / (P - 1));
    tm.set([t, Math.exp(-t), -Math.expm1(-2 * t), 0], 4 * i);
  }
  const buf = (data: Float32Array<ArrayBuffer>) => {
    const b = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    device.queue.writeBuffer(b, 0, data);
    return b;
  };
  const xs = buf(x), times = buf(tm), out = buf(new Float32Array(P * dim));
  const k = await MixturePointsKernel.create(device, target, output);
  const enc = device.createCommandEncoder();
  k.encode(enc, xs, times, out, P);
  device.queue.submit([enc.finish()]);
  const got = new Float32Array(await readBuffer(device, out, x.byteLength));
  k.destroy(); xs.destroy(); times.destroy(); out.destroy();
  let maxErr = 0, maxRef = 0;
  const s = new Float64Array(dim), x0 = new Float64Array(dim);
  for (let i = 0; i < P; i++) {
    target.evalPoint(x, i * dim, tm[4 * i]!, s, x0);
    const ref = output === 'x0' ? x0 : s;
    for (let j = 0; j < dim; j++) {
      maxErr = Math.max(maxErr, Math.abs(got[i * dim + j]! - ref[j]!) / (1 + Math.abs(ref[j]!)));
      maxRef = Math.max(maxRef, Math.abs(ref[j]!));
    }
  }
  return { maxErr, maxRef };
}

describe('staged kernel equals the float64 mixture at points with their own times', () => {
  it.each([
    { dim: 40, K: 5, P: 4133, output: 'score' as const },
    { dim: 40, K: 5, P: 203, output: 'x0' as const },
    { dim: 784, K: 16, P: 131, output: 'score' as const },
    { dim: 784, K: 16, P: 131, output: 'x0' as const },
  ])('d = $dim, K = $K, $P points, $output', async ({ dim, K, P, output }) => {
    const { maxErr, maxRef } = await stagedErr(dim, K, P, output);
    expect(maxRef).toBeGreaterThan(1);
    expect(maxErr).toBeLessThan(dim > 256 ? 5e-4 : 2e-4);
  });
});

describe('samplers with the staged mixture score equal the float64 reference', () => {
  const gmm = loadTarget('gmm64');
  it.each(['randomized-midpoint', 'parallel-midpoint', 'heroism', 'accelerated-sde', 'poisson-midpoint'])('%s on gmm64', async (sampler) => {
    // parallel-midpoint's default width 8 and 2 Picard rounds need nfe >= 25
    const settings = { sampler, nfe: sampler === 'parallel-midpoint' ? 30 : 12, particles: 64, seed: 7, offset: 1000 };
    const run = await engine.sample({ target: gmm, ...settings, scoreLayout: 'staged' });
    expect(run.scoreLayout).toBe('staged');
    const ref = sampleReference({ target: gmm, ...settings });
    expect(run.nfe).toBe(ref.nfe);
    const { maxErr, badFraction } = compareParticles(run.samples!, ref.samples, gmm.dim, 5e-4);
    expect(badFraction, `max error ${maxErr}`).toBeLessThanOrEqual(1 / 64 + 1e-9);
  });

  it('a chunked staged run equals the unchunked one, and its cache is planned with the chunks', async () => {
    const settings = { target: gmm, sampler: 'randomized-midpoint', nfe: 12, particles: 100, seed: 5, scoreLayout: 'staged' as const };
    const whole = await engine.sample(settings);
    const parts = await engine.sample({ ...settings, maxChunkParticles: 40 });
    expect(parts.chunks).toBe(3);
    expect(Array.from(parts.samples!)).toEqual(Array.from(whole.samples!));
    // a device budget that holds the state but not two evaluations' cache of 100 particles forces chunks
    const budgeted = await engine.sample({ ...settings, deviceBudgetBytes: 100 * 64 * 4 * 6 });
    expect(budgeted.chunks).toBeGreaterThan(1);
    expect(Array.from(budgeted.samples!)).toEqual(Array.from(whole.samples!));
  });

  it('is what auto picks for them on a software adapter from d = 128, and is refused where it cannot run', async () => {
    const big = benchMixture(128, 16), small = benchMixture(64, 16);
    const base = { sampler: 'heroism', nfe: 6, particles: 8, seed: 1 };
    expect((await engine.sample({ target: big, ...base })).scoreLayout).toBe(gpu.isSoftware ? 'staged' : 'fused');
    expect((await engine.sample({ target: small, ...base })).scoreLayout).toBe('fused');
    expect((await engine.sample({ target: big, ...base, sampler: 'ddim', nfe: 10 })).scoreLayout).toBe('pass');
    await expect(engine.sample({ target: loadTarget('aniso16'), ...base, scoreLayout: 'staged' })).rejects.toThrow(/staged mixture score needs an axis-aligned mixture .* got full covariances/);
    await expect(engine.sample({ target: benchMixture(64, 17), ...base, scoreLayout: 'staged' })).rejects.toThrow(/K <= 16 .* K = 17/);
  });
});
