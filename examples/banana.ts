// The banana density through the user-score API (shaders/user-banana.wgsl), against exact draws.
// Run: npx tsx examples/banana.ts
import { acquireNodeDevice, BANANA, bananaScoreModel, Engine, Philox, sampleBanana, slicedW2 } from 'midstep/node';

const engine = new Engine(await acquireNodeDevice());
const P = 2000;
const r = await engine.sample({ target: bananaScoreModel(BANANA), sampler: 'dpmpp-2m', nfe: 50, particles: P, seed: 3 });
const exact = sampleBanana(BANANA, P, new Philox(7));
console.log(`sliced W2 to exact banana draws: ${slicedW2(r.samples!, P, 2, exact, P).toFixed(3)}`,
  `(two exact draws: ${slicedW2(sampleBanana(BANANA, P, new Philox(8)), P, 2, exact, P).toFixed(3)})`);
engine.destroy();
