// A user WGSL score with its own bindings: an isotropic Gaussian N(mu, s^2 I) in 2-D, whose OU
// score is exact: s_t(x) = -(x - m mu) / (m^2 s^2 + sigma^2).   Run: npx tsx examples/user-score.ts
import { acquireNodeDevice, Engine, userScoreModel } from 'midstep/node';

const mu = [1.5, -0.5], s = 0.3;
const model = userScoreModel({
  name: 'gaussian',
  dim: 2,
  wgsl: /* wgsl */ `
    struct Params { mu: vec2<f32>, s2: f32, pad: f32 }
    @group(1) @binding(0) var<uniform> prm: Params;
    fn score(x: Point, tp: TimeParams) -> Point {
      let c = tp.m * tp.m * prm.s2 + tp.sig2;
      return Point(-(x[0] - tp.m * prm.mu.x) / c, -(x[1] - tp.m * prm.mu.y) / c);
    }`,
  bindings: [{ binding: 0, type: 'uniform', data: new Float32Array([mu[0]!, mu[1]!, s * s, 0]) }],
  // the same function in float64, for sampleReference / --backend cpu
  reference: (x, t, out) => {
    const m = Math.exp(-t), c = m * m * s * s - Math.expm1(-2 * t);
    for (let j = 0; j < 2; j++) out[j] = -(x[j]! - m * mu[j]!) / c;
  },
});
const engine = new Engine(await acquireNodeDevice());
const r = await engine.sample({ target: model, sampler: 'dpmpp-2m', nfe: 20, particles: 4000, seed: 1 });
const mean = [0, 1].map((j) => r.samples!.filter((_, i) => i % 2 === j).reduce((a, v) => a + v, 0) / r.particles);
console.log(`mean ${mean.map((v) => v.toFixed(3))} (expected ${mu}) on ${r.adapter}`);
engine.destroy();
