/**
 * Sampling all 10,000 MNIST digits with their exact empirical score: class histogram of the nearest
 * training digit against the data's, and distances to it, on the float64 reference or the GPU.
 *   npx tsx bench/mnist-classes.ts [--backend cpu|webgpu] [--particles 200] [--nfe 10] [--out bench/results/mnist-classes-cpu]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadMnist, nearestPoint } from '../src/data/mnist-node.js';
import { Engine } from '../src/engine.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';
import { sampleReference } from '../src/reference.js';
import { datasetScoreModel } from '../src/scores/dataset-score.js';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'cpu' }, particles: { type: 'string', default: '200' }, nfe: { type: 'string', default: '10' }, out: { type: 'string' }, sampler: { type: 'string', default: 'ddim' } } });
const P = Number(values.particles), nfe = Number(values.nfe), delta = 1e-4;
const mnist = loadMnist();
const target = datasetScoreModel(mnist);
const req = { target, sampler: values.sampler!, nfe, particles: P, seed: 1, delta };
const engine = values.backend === 'webgpu' ? new Engine(await acquireNodeDevice()) : null;
const r = engine ? await engine.sample(req) : sampleReference(req);
const hist = new Array<number>(10).fill(0), dataHist = new Array<number>(10).fill(0);
for (const l of mnist.labels) dataHist[l]!++;
const dists: number[] = [];
const used = new Set<number>();
for (let p = 0; p < P; p++) {
  const { index, distance } = nearestPoint(mnist, r.samples!, p * 784);
  hist[mnist.labels[index]!]!++;
  dists.push(distance);
  used.add(index);
}
const tv = hist.reduce((a, c, k) => a + Math.abs(c / P - dataHist[k]! / mnist.n), 0) / 2;
// the TV of P exact draws from the data's class frequencies, for scale (multinomial Monte Carlo)
let u = 12345;
const rand = () => ((u = (Math.imul(u, 1103515245) + 12345) >>> 0) / 4294967296);
let tvFloor = 0;
const cdf = dataHist.map((_, k) => dataHist.slice(0, k + 1).reduce((a, b) => a + b, 0) / mnist.n);
for (let rep = 0; rep < 2000; rep++) {
  const h = new Array<number>(10).fill(0);
  for (let i = 0; i < P; i++) { const x = rand(); h[cdf.findIndex((c) => x < c)]!++; }
  tvFloor += h.reduce((a, c, k) => a + Math.abs(c / P - dataHist[k]! / mnist.n), 0) / 2 / 2000;
}
dists.sort((a, b) => a - b);
const noise = Math.sqrt(-Math.expm1(-2 * delta) * 784);
const adapter = engine ? engine.adapterName : 'float64 CPU reference';
const result = {
  date: new Date().toISOString(), adapter, sampler: values.sampler, nfe, particles: P, delta, seconds: r.seconds,
  classHistogram: hist, dataHistogram: dataHist, classTV: tv, classTVOfExactDraws: tvFloor,
  nearestDistance: { min: dists[0], median: dists[P >> 1], max: dists[P - 1], noiseScale: noise }, distinctDigits: used.size,
  command: `npx tsx bench/mnist-classes.ts --backend ${values.backend} --particles ${P} --nfe ${nfe}${values.out ? ` --out ${values.out}` : ''}`,
};
console.log(JSON.stringify(result, null, 1));
if (values.out) {
  writeFileSync(`${values.out}.json`, JSON.stringify(result, null, 1));
  writeFileSync(`${values.out}.md`, [`# MNIST (all 10,000 digits), exact empirical score, ${values.sampler} nfe ${nfe}, delta ${delta}`, '',
    `${result.date.slice(0, 10)}, ${adapter}, ${P} particles, ${r.seconds.toFixed(1)} s. Command: \`${result.command}\``, '',
    `Nearest training digit: distance min ${dists[0]!.toFixed(3)}, median ${dists[P >> 1]!.toFixed(3)}, max ${dists[P - 1]!.toFixed(3)} (noise scale sigma_delta sqrt(d) = ${noise.toFixed(3)}); ${used.size} distinct digits.`, '',
    `Class histogram of the nearest digit: TV to the data's class frequencies ${tv.toFixed(3)} (TV of ${P} exact draws, mean: ${tvFloor.toFixed(3)}).`, '',
    '| class | samples | data fraction x P |', '|---|---|---|', ...hist.map((c, k) => `| ${k} | ${c} | ${((dataHist[k]! / mnist.n) * P).toFixed(1)} |`), ''].join('\n'));
}
engine?.destroy();
