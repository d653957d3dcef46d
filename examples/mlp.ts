// The shipped MLP score network (trained on two moons by scripts/train-mlp.ts) with any sampler.
// Run: npx tsx examples/mlp.ts
import { acquireNodeDevice, Engine, loadMlpScoreFile, slicedW2, toyDataset } from 'midstep/node';

const model = loadMlpScoreFile('models/two-moons.safetensors');
const engine = new Engine(await acquireNodeDevice());
const P = 1000, data = toyDataset('two-moons', P, 1);
for (const sampler of ['ddpm', 'dpmpp-2m', 'poisson-midpoint']) {
  const r = await engine.sample({ target: model, sampler, nfe: 50, particles: P, seed: 2 });
  console.log(sampler.padEnd(18), `sliced W2 to the data ${slicedW2(r.samples!, P, 2, data, P).toFixed(3)}`);
}
engine.destroy();
