/**
 * Is the FMA micro-benchmark a fair peak? Times variants of a register-only mul-add kernel (number
 * of independent chains, vector width, chain steps per loop iteration), each in alternation with
 * the old benchmark kernel (8 vec4 chains, one step per iteration), and reports the median ratio
 * and GFLOP/s. shaders/bench-fma.wgsl is the 2 x vec4, 16-deep variant.
 *   npx tsx bench/fma-variants.ts [--rounds 5] [--out bench/results/perf-swiftshader-fma-variants]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GpuTimer, median } from '../src/bench/timing.js';
import { acquireNodeDevice } from '../src/gpu/node-device.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, out: { type: 'string' } } });
const gpu = await acquireNodeDevice();
const device = gpu.device;
const started = performance.now();

/** Loop iterations of a variant: about 256 x 32 mul-adds per invocation in all. */
const iterations = (chains: number, width: number, depth: number) => Math.round((256 * 32) / (chains * width * depth));

/** WGSL of `chains` independent chains of vec`width`, `depth` steps per loop iteration. */
function shader(chains: number, width: number, depth: number): string {
  const T = width === 1 ? 'f32' : `vec${width}<f32>`;
  const init = Array.from({ length: chains }, (_, j) => `var a${j} = ${T}(s + ${(j * 0.01).toFixed(2)});`).join('\n  ');
  const body = Array.from({ length: depth }, () => Array.from({ length: chains }, (_, j) => `a${j} = a${j} * b + c;`).join(' ')).join('\n    ');
  const sum = Array.from({ length: chains }, (_, j) => `a${j}`).join(' + ');
  const lanes = width === 1 ? `vec4<f32>(${sum})` : width === 4 ? `${sum}` : `vec4<f32>((${sum}).x)`;
  return `@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(1) var<uniform> params: vec4<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u32(params.z);
  let b = ${T}(params.x);
  let c = ${T}(params.y);
  let s = f32(i & 255u) * 1e-3;
  ${init}
  for (var it = 0u; it < ${iterations(chains, width, depth)}u; it++) {
    ${body}
  }
  out[i] = ${lanes};
}`;
}

const n = 65536, groups = n / 64;
const out = device.createBuffer({ size: n * 16, usage: GPUBufferUsage.STORAGE });
const params = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
device.queue.writeBuffer(params, 0, new Float32Array([0.999, 1e-3, groups * 64, 0]));
const timer = new GpuTimer(device);
const variants: [number, number, number][] = [[8, 4, 1], [2, 4, 1], [4, 4, 1], [1, 4, 16], [2, 4, 4], [2, 4, 16], [3, 4, 8], [4, 4, 4], [8, 1, 1], [12, 1, 4]];
interface Variant { chains: number; width: number; depth: number; p: GPUComputePipeline; bg: GPUBindGroup; ratios: number[]; gflops: number[] }
const kernels: Variant[] = [];
for (const [chains, width, depth] of variants) {
  const module = device.createShaderModule({ code: shader(chains, width, depth) });
  const p = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bg = device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }, { binding: 1, resource: { buffer: params } }] });
  kernels.push({ chains, width, depth, p, bg, ratios: [], gflops: [] });
}
const time = (k: Variant) => timer.once((_e, pass) => {
  const c = pass();
  c.setPipeline(k.p);
  c.setBindGroup(0, k.bg);
  c.dispatchWorkgroups(groups);
  c.end();
});
for (const k of kernels) await time(k);
for (let r = 0; r < Number(values.rounds); r++) {
  for (const k of kernels) {
    const old = await time(kernels[0]!);
    const t = await time(k);
    k.ratios.push((old / t) * (iterations(k.chains, k.width, k.depth) * k.chains * k.width * k.depth) / (256 * 32));
    k.gflops.push((n * 2 * iterations(k.chains, k.width, k.depth) * k.chains * k.width * k.depth) / t / 1e9);
  }
}
const rows = kernels.map((k) => ({ chains: k.chains, width: k.width, depth: k.depth, overOld: median(k.ratios), gflops: median(k.gflops) }));
const command = `npx tsx bench/fma-variants.ts ${process.argv.slice(2).join(' ')}`.trim();
const date = new Date().toISOString();
const md = [
  '# FMA micro-benchmark variants', '',
  `- date: ${date}`, `- adapter: ${gpu.adapterName}`, `- command: \`${command}\``,
  `- timing: ${timer.source}; each variant timed in alternation with the old kernel (8 x vec4, depth 1), ${values.rounds} rounds, medians`,
  '- note: a shared 2-core machine: GFLOP/s move with the load, the ratio to the old kernel is what counts.',
  `- total time: ${((performance.now() - started) / 1000).toFixed(0)} s`, '',
  '| chains | width | chain steps per loop iteration | speed vs old kernel | GFLOP/s |', '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.chains} | vec${r.width} | ${r.depth} | ${r.overOld.toFixed(2)}x | ${r.gflops.toFixed(2)} |`), '',
].join('\n');
process.stdout.write(md);
if (values.out) {
  mkdirSync(values.out, { recursive: true });
  writeFileSync(`${values.out}/fma-variants.json`, JSON.stringify({ date, adapter: gpu.adapterName, command, rounds: Number(values.rounds), rows }, null, 2) + '\n');
  writeFileSync(`${values.out}/fma-variants.md`, md);
}
process.exit(0);
