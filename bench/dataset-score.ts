/**
 * Throughput of the exact dataset score, ddim, on this machine's adapter, by kernel:
 *   fused   the score inside the sampler kernel (score-dataset.wgsl, thread per particle);
 *   thread  the tiled batch kernel as an external model, thread per point (dataset-score-batch.wgsl);
 *   wide    the batch kernel as an external model, workgroup per point (dataset-score-wide.wgsl);
 *   cpu     the float64 reference (sampleReference, one core; on --cpu-particles particles).
 * Point-pair evaluations per second = particles x nfe x N / seconds; seconds is the median of
 * --reps runs after one warm-up run (so pipeline compilation is not counted).
 *   npx tsx bench/dataset-score.ts [--dims 2,16,64,256,784] [--n 1000] [--particles 256] [--nfe 2]
 *     [--kernels fused,thread,wide,cpu] [--reps 3] [--cpu-particles 16] [--out bench/results/dataset-score-wide-swiftshader]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';
import { sampleReference } from '../src/reference.js';
import { DatasetScorePipeline, datasetExternalModel } from '../src/scores/dataset-batch.js';
import { datasetScoreModel, type Dataset } from '../src/scores/dataset-score.js';
import type { ScoreModel } from '../src/scores/types.js';

const { values } = parseArgs({
  options: {
    dims: { type: 'string', default: '2,16,64,256,784' }, n: { type: 'string', default: '1000' }, particles: { type: 'string', default: '256' },
    nfe: { type: 'string', default: '2' }, kernels: { type: 'string', default: 'fused,thread,wide,cpu' }, reps: { type: 'string', default: '3' },
    'cpu-particles': { type: 'string', default: '16' }, out: { type: 'string' },
  },
});
const N = Number(values.n), P = Number(values.particles), nfe = Number(values.nfe), reps = Number(values.reps), cpuP = Number(values['cpu-particles']);
const kernels = values.kernels!.split(',');
const engine = new Engine(await acquireNodeDevice());
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
type Row = { dim: number; kernel: string; particles: number; seconds: number; pairsPerSecond: number; compileSeconds: number };
const rows: Row[] = [];
const record = (dim: number, kernel: string, particles: number, times: number[], compileSeconds: number) => {
  const seconds = median(times);
  rows.push({ dim, kernel, particles, seconds, pairsPerSecond: (particles * nfe * N) / seconds, compileSeconds });
  console.log(`d ${String(dim).padStart(4)} ${kernel.padEnd(7)} ${seconds.toFixed(3)} s  ${(rows.at(-1)!.pairsPerSecond / 1e6).toFixed(3)} M pairs/s  (first run ${compileSeconds.toFixed(1)} s)`);
};
for (const d of values.dims!.split(',').map(Number)) {
  const data: Dataset = { name: `wave${d}`, n: N, dim: d, points: Float32Array.from({ length: N * d }, (_, i) => Math.sin(0.37 * i) + 0.3 * Math.cos(1.3 * i)) };
  for (const kernel of kernels) {
    const t0 = performance.now();
    if (kernel === 'cpu') {
      const req = { target: datasetScoreModel(data), sampler: 'ddim', nfe, particles: cpuP, seed: 1 };
      const times = Array.from({ length: reps }, () => {
        const s = performance.now();
        sampleReference(req);
        return (performance.now() - s) / 1000;
      });
      record(d, kernel, cpuP, times, times[0]!);
      continue;
    }
    let pipe: DatasetScorePipeline | undefined;
    let model: ScoreModel;
    if (kernel === 'fused') model = datasetScoreModel(data);
    else {
      pipe = await DatasetScorePipeline.create(engine.gpu.device, data, 'x0', { layout: kernel as 'thread' | 'wide' });
      model = datasetExternalModel(pipe);
    }
    const req = { target: model, sampler: 'ddim', nfe, particles: P, seed: 1 };
    await engine.sample(req);
    const compileSeconds = (performance.now() - t0) / 1000;
    const times: number[] = [];
    for (let k = 0; k < reps; k++) times.push((await engine.sample(req)).seconds);
    record(d, kernel, P, times, compileSeconds);
    pipe?.destroy();
  }
}
const adapter = engine.adapterName;
const cmd = `npx tsx bench/dataset-score.ts --dims ${values.dims} --n ${N} --particles ${P} --nfe ${nfe} --kernels ${values.kernels} --reps ${reps} --cpu-particles ${cpuP}${values.out ? ` --out ${values.out}` : ''}`;
if (values.out) {
  const date = new Date().toISOString();
  writeFileSync(`${values.out}.json`, JSON.stringify({ date, adapter, command: cmd, n: N, particles: P, nfe, reps, rows }, null, 1));
  writeFileSync(`${values.out}.md`, [`# Dataset score throughput by kernel (N = ${N}, ddim nfe ${nfe})`, '',
    `${date.slice(0, 10)}, ${adapter}. Command: \`${cmd}\``, '',
    `Seconds: median of ${reps} runs after a warm-up (first run: the warm-up, with pipeline compilation). fused = score in the sampler kernel; thread / wide = DatasetScorePipeline layouts as an external model; cpu = float64 sampleReference on ${cpuP} particles.`, '',
    '| d | kernel | particles | seconds | point pairs / s | first run (s) |', '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.dim} | ${r.kernel} | ${r.particles} | ${r.seconds.toFixed(3)} | ${(r.pairsPerSecond / 1e6).toFixed(3)} M | ${r.compileSeconds.toFixed(1)} |`), ''].join('\n'));
}
engine.destroy();
