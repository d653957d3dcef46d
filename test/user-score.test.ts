/** User WGSL scores: the banana example against its float64 version, and a user mixture against the built-in one. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { MidstepError } from '../src/errors.js';
import { Philox } from '../src/rng/philox.js';
import { sampleReference } from '../src/reference.js';
import { BANANA, bananaLogDensity, bananaScore, bananaScoreModel, sampleBanana } from '../src/scores/banana.js';
import { userScoreModel } from '../src/scores/user-score.js';
import { slicedW2 } from '../src/metrics/sliced-w2.js';
import { loadTarget } from '../src/targets/presets.js';
import { maxRelDiff } from './helpers/compare.js';
import { testEngine } from './helpers/gpu.js';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});
afterAll(() => engine?.destroy());

// The ring2d mixture (8 isotropic modes of scale 0.2) written as user WGSL, means in a storage binding.
const RING_WGSL = /* wgsl */ `
@group(1) @binding(0) var<storage, read> means: array<vec2<f32>>;
fn score(x: Point, tp: TimeParams) -> Point {
  let p = vec2<f32>(x[0], x[1]);
  let c = tp.m * tp.m * 0.04 + tp.sig2;
  var best = -3.0e38;
  var sum = 0.0;
  var acc = vec2<f32>(0.0);
  for (var k = 0u; k < 8u; k++) {
    let r = p - tp.m * means[k];
    let ell = -0.5 * dot(r, r) / c;
    let grow = ell > best;
    let decay = exp(-abs(ell - best));
    let rescale = select(1.0, decay, grow);
    let w = select(decay, 1.0, grow);
    sum = sum * rescale + w;
    acc = acc * rescale - w * r / c;
    best = max(best, ell);
  }
  return Point(acc.x / sum, acc.y / sum);
}`;

describe('user WGSL score', () => {
  it('the banana float64 score is the gradient of its log-density', () => {
    const s = new Float64Array(2);
    for (const t of [0.02, 0.4, 2]) {
      for (const x of [[0.3, -0.2], [-1.2, 0.9], [1.5, 0.1]]) {
        bananaScore(BANANA, x, t, s);
        for (let j = 0; j < 2; j++) {
          const h = 1e-5, xp = [...x], xm = [...x];
          xp[j]! += h;
          xm[j]! -= h;
          const fd = (bananaLogDensity(BANANA, xp, t) - bananaLogDensity(BANANA, xm, t)) / (2 * h);
          expect(Math.abs(s[j]! - fd), `t ${t} x ${x} j ${j}`).toBeLessThan(1e-4 * (1 + Math.abs(fd)));
        }
      }
    }
  });

  it('the banana on the GPU matches its float64 version, in score and in x0 form', async () => {
    const target = bananaScoreModel();
    for (const sampler of ['euler-maruyama', 'ddim']) {
      const s = { sampler, nfe: 20, particles: 64, seed: 3 };
      const g = await engine.sample({ target, ...s });
      const r = sampleReference({ target, ...s });
      expect(maxRelDiff(g.samples!, r.samples), sampler).toBeLessThan(1e-3);
    }
  });

  it('samples of the banana land on the banana', async () => {
    const P = 800;
    const g = await engine.sample({ target: bananaScoreModel(), sampler: 'dpmpp-2m', nfe: 40, particles: P, seed: 8 });
    const exact = sampleBanana(BANANA, P, new Philox(99));
    const exact2 = sampleBanana(BANANA, P, new Philox(100));
    const sw = slicedW2(g.samples!, P, 2, exact, P, { seed: 1 });
    const floor = slicedW2(exact2, P, 2, exact, P, { seed: 1 });
    // the residual x2 - b x1^2 - c has the banana's conditional spread s2 = 0.35
    let r2 = 0;
    for (let i = 0; i < P; i++) {
      const x1 = g.samples![2 * i]!, x2 = g.samples![2 * i + 1]!;
      r2 += (x2 - BANANA.b * x1 * x1 - BANANA.c) ** 2;
    }
    expect(Math.sqrt(r2 / P)).toBeGreaterThan(0.3);
    expect(Math.sqrt(r2 / P)).toBeLessThan(0.42);
    expect(sw).toBeLessThan(2 * floor + 0.02);
  });

  it('gives the same samples as the built-in score of the same function', async () => {
    const ring = loadTarget('ring2d');
    const means = new Float32Array(ring.means);
    const user = userScoreModel({ name: 'ring2d-user', dim: 2, wgsl: RING_WGSL, bindings: [{ binding: 0, type: 'read-only-storage', data: means }] });
    for (const sampler of ['ddpm', 'heun']) {
      const s = { sampler, nfe: 20, particles: 256, seed: 12 };
      const a = await engine.sample({ target: user, ...s });
      const b = await engine.sample({ target: ring, ...s });
      expect(maxRelDiff(a.samples!, b.samples!), sampler).toBeLessThan(1e-4);
    }
  });

  it('names what is wrong with a malformed user model', () => {
    expect(() => userScoreModel({ name: 'u', dim: 2, wgsl: 'fn f() {}' })).toThrow(/must define fn score/);
    expect(() => userScoreModel({ name: 'u', dim: 0, wgsl: 'fn score() {}' })).toThrow(MidstepError);
    expect(() =>
      userScoreModel({ name: 'u', dim: 2, wgsl: 'fn score() {}', bindings: [{ binding: 0, type: 'uniform' }] }),
    ).toThrow(/exactly one of data or buffer/);
    const m = userScoreModel({ name: 'u', dim: 2, wgsl: 'fn score() {}' });
    expect(() => m.evalPoint([0, 0], 0, 1, new Float64Array(2), null)).toThrow(/no float64 reference/);
  });
});
