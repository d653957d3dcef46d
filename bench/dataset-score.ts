/**
 * Throughput of the exact dataset score: fused into the sampler kernel (score-dataset.wgsl) vs the
 * tiled batch kernel as an external model (dataset-score-batch.wgsl), ddim, on this machine's adapter.
 * Point-pair evaluations per second = particles x nfe x N / seconds (the second of two runs, so
 * pipeline compilation is not counted).
 *   npx tsx bench/dataset-score.ts [--dims 2,16] [--n 2000] [--particles 1024] [--out bench/results/dataset-score]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';
import { DatasetScorePipeline, datasetExternalModel } from '../src/scores/dataset-batch.js';
import { datasetScoreModel, type Dataset } from '../src/scores/dataset-score.js';

const { values } = parseArgs({ options: { dims: { type: 'string', default: '2,16' }, n: { type: 'string', default: '2000' }, particles: { type: 'string', default: '1024' }, nfe: { type: 'string', default: '10' }, out: { type: 'string' } } });
const N = Number(values.n), P = Number(values.particles), nfe = Number(values.nfe);
const engine = new Engine(await acquireNodeDevice());
const rows: { dim: number; kernel: string; seconds: number; pairsPerSecond: number }[] = [];
for (const d of values.dims!.split(',').map(Number)) {
  const data: Dataset = { name: `wave${d}`, n: N, dim: d, points: Float32Array.from({ length: N * d }, (_, i) => Math.sin(0.37 * i) + 0.3 * Math.cos(1.3 * i)) };
  const pipe = await DatasetScorePipeline.create(engine.gpu.device, data);
  for (const [kernel, model] of [['fused', datasetScoreModel(data)], ['tiled external', datasetExternalModel(pipe)]] as const) {
    const req = { target: model, sampler: 'ddim', nfe, particles: P, seed: 1 };
    await engine.sample(req);
    const r = await engine.sample(req);
    rows.push({ dim: d, kernel, seconds: r.seconds, pairsPerSecond: (P * nfe * N) / r.seconds });
    console.log(`d ${d} ${kernel.padEnd(15)} ${r.seconds.toFixed(3)} s  ${(rows.at(-1)!.pairsPerSecond / 1e6).toFixed(2)} M pairs/s`);
  }
  pipe.destroy();
}
const adapter = engine.adapterName;
const cmd = `npx tsx bench/dataset-score.ts --dims ${values.dims} --n ${N} --particles ${P} --nfe ${nfe}${values.out ? ` --out ${values.out}` : ''}`;
if (values.out) {
  writeFileSync(`${values.out}.json`, JSON.stringify({ date: new Date().toISOString(), adapter, command: cmd, n: N, particles: P, nfe, rows }, null, 1));
  writeFileSync(`${values.out}.md`, [`# Dataset score throughput (N = ${N}, ${P} particles, ddim nfe ${nfe})`, '', `${new Date().toISOString().slice(0, 10)}, ${adapter}. Command: \`${cmd}\``, '',
    '| d | kernel | seconds | point pairs / s |', '|---|---|---|---|', ...rows.map((r) => `| ${r.dim} | ${r.kernel} | ${r.seconds.toFixed(3)} | ${(r.pairsPerSecond / 1e6).toFixed(2)} M |`), ''].join('\n'));
}
engine.destroy();
