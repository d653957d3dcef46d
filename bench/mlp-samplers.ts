/**
 * Sliced W2 between the samples of the shipped two-moons MLP and fresh draws of the dataset, for
 * every sampler at nfe 50, on the float64 reference (--backend cpu, default) or the GPU.
 *   npx tsx bench/mlp-samplers.ts [--backend cpu|webgpu] [--particles 1000] [--out bench/results/mlp-samplers]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { toyDataset } from '../src/data/toy2d.js';
import { Engine } from '../src/engine.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';
import { loadMlpScoreFile } from '../src/io/mlp-file.js';
import { slicedW2 } from '../src/metrics/sliced-w2.js';
import { sampleReference } from '../src/reference.js';
import { SAMPLERS } from '../src/samplers/index.js';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'cpu' }, particles: { type: 'string', default: '1000' }, out: { type: 'string' }, nfe: { type: 'string', default: '50' } } });
const P = Number(values.particles), nfe = Number(values.nfe);
const model = loadMlpScoreFile('models/two-moons.safetensors');
const data = toyDataset('two-moons', P, 77);
const floor = slicedW2(toyDataset('two-moons', P, 78), P, 2, data, P, { seed: 1 });
const engine = values.backend === 'webgpu' ? new Engine(await acquireNodeDevice()) : null;
const rows: { sampler: string; sw2: number; seconds: number }[] = [];
for (const s of SAMPLERS) {
  const req = { target: model, sampler: s.name, nfe, particles: P, seed: 21 };
  const r = engine ? await engine.sample(req) : sampleReference(req);
  rows.push({ sampler: s.name, sw2: slicedW2(r.samples!, P, 2, data, P, { seed: 1 }), seconds: r.seconds });
  console.log(s.name.padEnd(22), rows.at(-1)!.sw2.toFixed(4), `${r.seconds.toFixed(2)} s`);
}
console.log('floor (two independent draws of the data)', floor.toFixed(4));
const adapter = engine ? engine.adapterName : 'float64 CPU reference';
if (values.out) {
  const cmd = `npx tsx bench/mlp-samplers.ts --backend ${values.backend} --particles ${P} --nfe ${nfe} --out ${values.out}`;
  writeFileSync(`${values.out}.json`, JSON.stringify({ date: new Date().toISOString(), adapter, command: cmd, particles: P, nfe, floor, rows }, null, 1));
  writeFileSync(`${values.out}.md`, [`# Shipped two-moons MLP: sliced W2 to the data at nfe ${nfe}`, '', `${new Date().toISOString().slice(0, 10)}, ${adapter}, ${P} particles. Command: \`${cmd}\``, '',
    `Floor (two independent draws of ${P} data points): ${floor.toFixed(4)}`, '', '| sampler | sliced W2 | seconds |', '|---|---|---|',
    ...rows.map((r) => `| ${r.sampler} | ${r.sw2.toFixed(4)} | ${r.seconds.toFixed(2)} |`), ''].join('\n'));
}
engine?.destroy();
