// An external score: the app's own compute pipeline writes the scores each round. Here the app's
// pipeline is midstep's tiled dataset kernel (DatasetScorePipeline); any pipeline that reads
// round.points and round.times and writes round.scores works the same way.
// Run: npx tsx examples/external-score.ts
import { acquireNodeDevice, DatasetScorePipeline, Engine, externalScoreModel, toyDataset } from 'midstep/node';

const engine = new Engine(await acquireNodeDevice());
const device = engine.gpu.device;                       // the app's work must run on the engine's device
const data = { name: 'moons', n: 500, dim: 2, points: toyDataset('two-moons', 500, 4) };
const net = await DatasetScorePipeline.create(device, data, 'x0');   // writes x0hat(x, t)

const batches: number[] = [];
const model = externalScoreModel({
  name: 'my-network', dim: 2, output: 'x0',
  encode: (encoder, round) => {
    batches.push(round.count);
    // round.points: count x d points (read only); round.times: count x vec4(t, m, sig2, 0), one per
    // point; write count x d outputs into round.scores. Called once per round, between the sampler's dispatches.
    net.encode(encoder, round);
  },
});
const r = await engine.sample({ target: model, sampler: 'ddim', nfe: 30, particles: 2000, seed: 1 });
console.log(`${r.particles} samples, nfe ${r.nfe}, rounds ${r.rounds}, first ${Array.from(r.samples!.slice(0, 2), (v) => v.toFixed(3))}`);
// every sampler works: parallel-midpoint's R x P midpoint evaluations of a Picard round are one batch
batches.length = 0;
const p = await engine.sample({ target: model, sampler: 'parallel-midpoint', nfe: 50, particles: 2000, seed: 1 });
console.log(`parallel-midpoint: nfe ${p.nfe}, rounds ${p.rounds}, batch sizes ${[...new Set(batches)].join(', ')} (${batches.length} batches)`);
net.destroy();
engine.destroy();
