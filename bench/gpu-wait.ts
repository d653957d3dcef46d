/**
 * What waiting for the GPU costs in Node (src/gpu/quiet-wait.ts): one fixed dispatch (the register
 * variant of shaders/bench-access.wgsl over `--invocations`), submitted and waited for with a plain
 * `await queue.onSubmittedWorkDone()` (Dawn's binding busy-polls the JS thread meanwhile) and with
 * `settle(..., 'sleep')`, in alternating pairs. Reports the wall time of each wait and the JS
 * thread's own CPU time (/proc/thread-self/stat); on a software adapter the busy thread competes
 * with the adapter's worker threads for the cores.
 *   npx tsx bench/gpu-wait.ts [--pairs 7] [--invocations 1048576] [--out bench/results/perf-swiftshader-gpu-wait]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { median } from '../src/bench/timing.js';
import { composeShader } from '../src/gpu/compose.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';
import { settle, type GpuWaitMode } from '../src/gpu/quiet-wait.js';

const { values } = parseArgs({ options: { pairs: { type: 'string', default: '7' }, invocations: { type: 'string', default: '1048576' }, out: { type: 'string' } } });
const pairs = Number(values.pairs), n = Number(values.invocations), wg = 64;
const gpu = await acquireNodeDevice({ waitMode: 'await' });
const device = gpu.device;

const threadCpu = () => {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const processCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const defines: Record<string, number | boolean> = { WG_SIZE: wg, PRIV_ARRAY: false };
for (const f of ['REG', 'PRIV', 'PRIV_DYN', 'UNI', 'UNI_DYN', 'UNI_S', 'STO', 'WG', 'LIT']) defines[f] = f === 'REG';
const module = device.createShaderModule({ label: 'bench-access REG', code: composeShader('bench-access', defines) });
const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
const groups = n / wg;
const gx = Math.min(groups, device.limits.maxComputeWorkgroupsPerDimension), gy = Math.ceil(groups / gx);
const out = device.createBuffer({ size: gx * gy * wg * 16, usage: GPUBufferUsage.STORAGE });
const params = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
device.queue.writeBuffer(params, 0, new Float32Array([0.999, 1e-3, gx * wg, 0]));
const bg = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }, { binding: 1, resource: { buffer: params } }] });

const once = async (mode: GpuWaitMode) => {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bg);
  pass.dispatchWorkgroups(gx, gy);
  pass.end();
  const t0 = performance.now(), c0 = threadCpu(), p0 = processCpu();
  device.queue.submit([encoder.finish()]);
  await settle(device.queue.onSubmittedWorkDone(), mode);
  return { wall: (performance.now() - t0) / 1000, thread: threadCpu() - c0, process: processCpu() - p0 };
};
await once('await');
await once('sleep');
const rows: Record<GpuWaitMode, { wall: number; thread: number; process: number }[]> = { await: [], sleep: [] };
const ratios: number[] = [];
for (let i = 0; i < pairs; i++) {
  const a = await once('await'), s = await once('sleep');
  rows.await.push(a);
  rows.sleep.push(s);
  ratios.push(a.wall / s.wall);
}
const summary = (mode: GpuWaitMode) => ({
  mode,
  wallSeconds: median(rows[mode].map((r) => r.wall)),
  jsThreadCpuSeconds: median(rows[mode].map((r) => r.thread)),
  processCpuSeconds: median(rows[mode].map((r) => r.process)),
});
const result = [summary('await'), summary('sleep')];
const date = new Date().toISOString();
const command = `npx tsx bench/gpu-wait.ts --pairs ${pairs} --invocations ${n}${values.out ? ` --out ${values.out}` : ''}`;
const md = [
  '# Waiting for the GPU in Node', '', `- date: ${date}`, `- adapter: ${gpu.adapterName}`, `- cores: ${cpus().length}`, `- command: \`${command}\``,
  `- one dispatch of ${n} invocations (shaders/bench-access.wgsl, registers), ${pairs} alternating pairs, medians`, '',
  '| wait | wall s | JS thread CPU s | process CPU s |', '|---|---|---|---|',
  ...result.map((r) => `| ${r.mode === 'await' ? 'plain await (Dawn busy-polls)' : "settle(..., 'sleep')"} | ${r.wallSeconds.toFixed(3)} | ${r.jsThreadCpuSeconds.toFixed(2)} | ${r.processCpuSeconds.toFixed(2)} |`),
  '', `Wall time await / sleep, median of the pairs: **${median(ratios).toFixed(2)}x**.`, '',
].join('\n');
console.log(md);
if (values.out) {
  mkdirSync(values.out, { recursive: true });
  writeFileSync(`${values.out}/gpu-wait.json`, JSON.stringify({ date, adapter: gpu.adapterName, cores: cpus().length, command, invocations: n, pairs, result, ratios }, null, 2));
  writeFileSync(`${values.out}/gpu-wait.md`, md);
}
process.exit(0);
