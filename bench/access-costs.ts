/**
 * What one operand access costs on this adapter, in multiply-adds: the kernel of
 * shaders/bench-access.wgsl (1024 vec4 mul-adds per invocation, two chains) with its operands
 * from registers, private arrays, uniform, storage or workgroup buffers, each timed in
 * alternation with the register variant. The figure kept is the median paired time ratio; the
 * cost of one access is then (ratio - 1) x (mul-adds per access) in register mul-add times.
 * This is why the mixture-score kernels are shaped as they are on SwiftShader (README,
 * "Performance"): there a buffer load costs tens of mul-adds, a private read at a constant index
 * about one.
 *   npx tsx bench/access-costs.ts [--rounds 5] [--out bench/results/perf-swiftshader-access-costs]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GpuTimer, median } from '../src/bench/timing.js';
import { composeShader } from '../src/gpu/compose.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, out: { type: 'string' } } });
const gpu = await acquireNodeDevice();
const device = gpu.device;
const rounds = Number(values.rounds);
const FLAGS = ['REG', 'PRIV', 'PRIV_DYN', 'UNI', 'UNI_DYN', 'UNI_S', 'STO', 'WG', 'LIT'] as const;
type Flag = (typeof FLAGS)[number];
/** Per variant: what is read, and how many vec4 mul-adds share one access (scalar reads count 1/4). */
const VARIANTS: { flag: Flag; what: string; perAccess: number }[] = [
  { flag: 'REG', what: 'registers (reference)', perAccess: Infinity },
  { flag: 'PRIV', what: 'private array, constant index (vec4)', perAccess: 1 },
  { flag: 'PRIV_DYN', what: 'private array, run-time uniform index (vec4)', perAccess: 2 },
  { flag: 'UNI', what: 'uniform buffer, constant index (vec4)', perAccess: 1 },
  { flag: 'UNI_DYN', what: 'uniform buffer, run-time uniform index (vec4)', perAccess: 2 },
  { flag: 'UNI_S', what: 'uniform buffer, constant index (scalar, broadcast)', perAccess: 2 },
  { flag: 'STO', what: 'storage buffer, per-lane address (scalar)', perAccess: 2 },
  { flag: 'WG', what: 'workgroup memory, constant index (vec4)', perAccess: 1 },
  { flag: 'LIT', what: 'shader literals, a different vec4 per step', perAccess: 1 },
];

const n = 65536, wg = 64, groups = n / wg;
const out = device.createBuffer({ size: n * 16, usage: GPUBufferUsage.STORAGE });
const params = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
device.queue.writeBuffer(params, 0, new Float32Array([0.999, 1e-3, groups * wg, 0]));
const table = device.createBuffer({ size: 32 * 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
device.queue.writeBuffer(table, 0, new Float32Array(128).map((_, i) => (i < 64 ? 0.999 - 1e-5 * i : 1e-3)));
const xs = device.createBuffer({ size: 4096 * 16 * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
device.queue.writeBuffer(xs, 0, new Float32Array(4096 * 16).fill(1e-3));
const timer = new GpuTimer(device);

interface Built { flag: Flag; what: string; perAccess: number; p: GPUComputePipeline; bg: GPUBindGroup; compile: number; ratios: number[]; seconds: number[] }
const built: Built[] = [];
for (const v of VARIANTS) {
  const defines: Record<string, number | boolean> = { WG_SIZE: wg };
  for (const f of FLAGS) defines[f] = f === v.flag;
  defines.PRIV_ARRAY = v.flag === 'PRIV' || v.flag === 'PRIV_DYN';
  const t0 = performance.now();
  const module = device.createShaderModule({ label: v.flag, code: composeShader('bench-access', defines) });
  const p = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const compile = (performance.now() - t0) / 1000;
  const layout = p.getBindGroupLayout(0);
  // 'auto' layouts keep only the bindings the variant uses
  const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: out } }, { binding: 1, resource: { buffer: params } }];
  if (['PRIV', 'PRIV_DYN', 'UNI', 'UNI_DYN', 'UNI_S', 'WG'].includes(v.flag)) entries.push({ binding: 2, resource: { buffer: table } });
  if (v.flag === 'STO') entries.push({ binding: 3, resource: { buffer: xs } });
  const bg = device.createBindGroup({ layout, entries });
  built.push({ ...v, p, bg, compile, ratios: [] as number[], seconds: [] as number[] });
}
const time = (b: Built) => timer.once((_e, pass) => {
  const c = pass();
  c.setPipeline(b.p);
  c.setBindGroup(0, b.bg);
  c.dispatchWorkgroups(groups);
  c.end();
});
const ref = built[0]!;
for (const b of built) await time(b);
for (let r = 0; r < rounds; r++) {
  for (const b of built.slice(1)) {
    const tr = await time(ref), tb = await time(b);
    b.ratios.push(tb / tr);
    b.seconds.push(tb);
    ref.seconds.push(tr);
  }
}
const flops = n * 1024 * 8;
const rows = built.map((b) => {
  const ratio = b === ref ? 1 : median(b.ratios);
  return { variant: b.flag, reads: b.what, gflops: flops / median(b.seconds) / 1e9, timeOverRegisters: ratio, accessCostInMulAdds: b === ref ? 0 : (ratio - 1) * b.perAccess, compileSeconds: b.compile };
});
const date = new Date().toISOString();
const command = `npx tsx bench/access-costs.ts --rounds ${rounds}${values.out ? ` --out ${values.out}` : ''}`;
const md = [
  '# Operand access costs', '', `- date: ${date}`, `- adapter: ${gpu.adapterName}`, `- command: \`${command}\``,
  `- ${rounds} rounds, each variant timed right after the register variant; time ratio = median of the pairs`, '',
  '| variant | operands from | GFLOP/s | time / registers | one access costs (vec4 mul-adds) | compile s |', '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.variant} | ${r.reads} | ${r.gflops.toFixed(2)} | ${r.timeOverRegisters.toFixed(2)}x | ${r.variant === 'REG' ? '' : r.accessCostInMulAdds.toFixed(1)} | ${r.compileSeconds.toFixed(1)} |`),
  '', 'A vec4 mul-add is 4 lanes x 2 flops. "One access costs": extra time per access in units of one register vec4 mul-add.', '',
].join('\n');
console.log(md);
if (values.out) {
  mkdirSync(values.out, { recursive: true });
  writeFileSync(`${values.out}/access-costs.json`, JSON.stringify({ date, adapter: gpu.adapterName, command, rows }, null, 2));
  writeFileSync(`${values.out}/access-costs.md`, md);
}
process.exit(0);
