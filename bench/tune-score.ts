/**
 * Tuning harness for the mixture-score pass on one adapter: WGSL variants of the tiled kernel
 * (files given on the command line, same bindings and defines as shaders/score-gmm-tiled.wgsl) and
 * of the FMA micro-benchmark, each timed in pairs against the FMA micro-benchmark. With
 * `--table gemm` the variants read the GEMM-form table (shaders/score-gmm-gemm.wgsl's bindings and
 * defines) and evaluate `--seq` particles per invocation one after another (use `--ppt 1`).
 *   npx tsx bench/tune-score.ts --dim 64 --particles 20000 [--ppt 4] [--wg 64] variant.wgsl ...
 *   npx tsx bench/tune-score.ts --table gemm --uniform 0 --ppt 1 --wg 4 --seq 128 shaders/score-gmm-gemm.wgsl
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { measureFmaPeak } from '../src/bench/microbench.js';
import { pairedRatio } from '../src/bench/paired.js';
import { benchMixture } from '../src/bench/targets.js';
import { GpuTimer } from '../src/bench/timing.js';
import { composeShader } from '../src/gpu/compose.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';
import { gmmGemmTable, gmmTimeTable } from '../src/scores/gmm-time-table.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dim: { type: 'string', default: '64' }, particles: { type: 'string', default: '20000' }, ppt: { type: 'string', default: '4' }, wg: { type: 'string', default: '64' }, pairs: { type: 'string', default: '3' }, K: { type: 'string', default: '16' }, uniform: { type: 'string', default: '1' }, table: { type: 'string', default: 'tiled' }, seq: { type: 'string', default: '1' } },
});
const gpu = await acquireNodeDevice();
const device = gpu.device;
const dim = Number(values.dim), P = Number(values.particles), K = Number(values.K), pairs = Number(values.pairs);
const target = benchMixture(dim, K), t = Number(process.env.TUNE_T ?? 0.3);
const x = new Float32Array(P * dim);
for (let i = 0; i < x.length; i++) x[i] = 2.5 * Math.sin(i * 12.9898 + Number(process.env.TUNE_PHASE ?? 0.5));
const bytes = P * dim * 4;
const xs = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
const out = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
device.queue.writeBuffer(xs, 0, x);
const tab = values.table === 'gemm' ? gmmGemmTable(target, t) : gmmTimeTable(target, t);
const flops = 8 * K * dim * P;
const invocations = Math.min(262144, Math.max(4096, 64 * Math.round(flops / (256 * 64) / 64)));
const timer = new GpuTimer(device);
const peak = async () => 1 / (await measureFmaPeak(device, { runs: 1, invocations })).gflops;
console.log(`adapter ${gpu.adapterName}; d ${dim} K ${K} P ${P}`);
for (const file of positionals) {
  const [path, ...kv] = file.split(':');
  const defs: Record<string, number | boolean | string> = { DIM: dim, DIM4: Math.ceil(dim / 4), NCOMP: K, PPT: Number(values.ppt), WG_SIZE: Number(values.wg), STAGE: false, TABLE_UNIFORM: values.uniform === '1', NSEQ: Number(values.seq), SPLIT: 1, CH4: Math.ceil(dim / 4), KP: 8 * Math.ceil(K / 8), K4: 2 * Math.ceil(K / 8), KB: Math.ceil(K / 8), DP16: Math.ceil(dim / 16) };
  for (const s of kv) { const [k, v] = s.split('='); defs[k!] = Number(v); }
  const lit = (v: number) => (Number.isFinite(v) ? (Number.isInteger(v) ? `${v}.0` : `${v}`) : v > 0 ? '3.0e38' : '-3.0e38');
  (defs as Record<string, unknown>).TABLE = Array.from({ length: tab.length / 4 }, (_, q) => `vec4<f32>(${Array.from(tab.subarray(4 * q, 4 * q + 4), (v) => lit(Math.fround(v))).join(', ')})`).join(', ');
  const name = basename(path!, '.wgsl');
  const code = composeShader(name, defs, { [name]: readFileSync(path!, 'utf8') });
  const t0 = performance.now();
  const module = device.createShaderModule({ code });
  const info = await module.getCompilationInfo();
  const errs = info.messages.filter((m) => m.type === 'error');
  if (errs.length) { console.log(name, 'ERR', errs.map((e) => `${e.lineNum}: ${e.message}`).join('; ')); continue; }
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const compileOnly = (performance.now() - t0) / 1000;
  const table = device.createBuffer({ size: tab.byteLength, usage: (defs.TABLE_UNIFORM ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE) | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(table, 0, tab);
  const perGroup = (Number(defs.WG_SIZE) / Number(defs.SPLIT)) * Number(defs.PPT) * Number(defs.NSEQ);
  const groups = Math.ceil(P / perGroup);
  const gx = Math.min(groups, device.limits.maxComputeWorkgroupsPerDimension), gy = Math.ceil(groups / gx);
  const params = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(params, 0, new Uint32Array([P, gx * Number(defs.WG_SIZE), Number(defs.NSEQ), 0]));
  const bg = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: params } }, { binding: 1, resource: { buffer: xs } }, { binding: 2, resource: { buffer: out } }, { binding: 3, resource: { buffer: table } }] });
  const run = async () => (await timer.once((_e, pass) => { const c = pass(); c.setPipeline(pipeline); c.setBindGroup(0, bg); c.dispatchWorkgroups(gx, gy); c.end(); })) / (flops / 1e9);
  const r = await pairedRatio(peak, run, pairs);
  const compile = (performance.now() - t0) / 1000;
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(out, 0, read, 0, bytes);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const got = new Float32Array(read.getMappedRange().slice(0));
  read.unmap();
  let e = 0;
  const ref = new Float64Array(dim);
  for (let i = 0; i < P; i += Math.max(1, Math.floor(P / 400))) {
    target.evalPoint(x, i * dim, t, ref, null);
    for (let j = 0; j < dim; j++) e = Math.max(e, Math.abs(got[i * dim + j]! - ref[j]!) / (1 + Math.abs(ref[j]!)));
  }
  console.log(`${file}: ${(100 * r.ratio).toFixed(1)}% of peak (${(1 / r.a).toFixed(3)} GFLOP/s peak, ${(1 / r.b).toFixed(3)} kernel), err ${e.toExponential(1)}, compile ${compileOnly.toFixed(1)} s, total ${compile.toFixed(1)} s`);
  device.queue.submit([(() => { const en = device.createCommandEncoder(); en.clearBuffer(out); return en.finish(); })()]);
  table.destroy(); params.destroy();
}
process.exit(0);
