import { describe, expect, it } from 'vitest';
import { Philox, philox4x32, mulhi32, seedKey } from '../src/rng/philox.js';
import { composeShader } from '../src/gpu/compose.js';
import { readBuffer, testGpu } from './helpers/gpu.js';

describe('Philox4x32-10 (TypeScript)', () => {
  it('matches the Random123 known-answer vectors', () => {
    expect([...philox4x32(0, 0, 0, 0, 0, 0)]).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    const f = 0xffffffff;
    expect([...philox4x32(f, f, f, f, f, f)]).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
    expect([...philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0)]).toEqual([
      0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1,
    ]);
  });

  it('mulhi32 equals the BigInt product', () => {
    const vals = [0, 1, 0xffff, 0x10000, 0xd2511f53, 0xcd9e8d57, 0xffffffff, 0x80000000, 123456789];
    for (const a of vals) for (const b of vals) {
      expect(mulhi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    }
  });

  it('splits seeds above 2^32 into two key words', () => {
    expect(seedKey(2 ** 32 + 5)).toEqual([5, 1]);
    expect(seedKey(7)).toEqual([7, 0]);
  });

  it('gives standard normals', () => {
    const rng = new Philox(42);
    const n = 40000;
    let s = 0, s2 = 0, s4 = 0;
    const z = new Float64Array(8);
    for (let i = 0; i < n / 8; i++) {
      rng.fillNormals(z, 0, 8, i, 3, 1);
      for (const v of z) { s += v; s2 += v * v; s4 += v ** 4; }
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.15);
    // element j of fillNormals equals normal(..., j)
    rng.fillNormals(z, 0, 7, 9, 2, 5);
    for (let j = 0; j < 7; j++) expect(z[j]).toBe(rng.normal(9, 2, 5, j));
  });
});

describe('Philox4x32-10 (WGSL)', () => {
  it('is bit-identical to the TypeScript generator, and its normals agree to f32 precision', async () => {
    const { device } = await testGpu();
    const module = device.createShaderModule({ code: composeShader('philox-dump') });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const count = 4096;
    const seed = 2 ** 40 + 12345;
    const [k0, k1] = seedKey(seed);
    const step = 77, stream = 1;
    const prm = device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(prm, 0, new Uint32Array([k0, k1, step, stream, count, 0, 0, 0]));
    const words = device.createBuffer({ size: count * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const normals = device.createBuffer({ size: count * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const bg = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: prm } }, { binding: 1, resource: { buffer: words } }, { binding: 2, resource: { buffer: normals } }],
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(count / 64);
    pass.end();
    device.queue.submit([enc.finish()]);
    const w = new Uint32Array(await readBuffer(device, words, count * 16));
    const z = new Float32Array(await readBuffer(device, normals, count * 16));
    const rng = new Philox(seed);
    let maxErr = 0, mismatches = 0;
    for (let i = 0; i < count; i++) {
      const particle = i >> 2, block = i & 3;
      const ref = rng.block(particle, step, stream, block);
      for (let e = 0; e < 4; e++) if (w[4 * i + e] !== ref[e]) mismatches++;
      for (let e = 0; e < 4; e++) {
        const zr = rng.normal(particle, step, stream, block * 4 + e);
        maxErr = Math.max(maxErr, Math.abs(z[4 * i + e]! - zr) / Math.max(1, Math.abs(zr)));
      }
    }
    expect(mismatches).toBe(0);
    expect(maxErr).toBeLessThan(2e-5);
    for (const b of [prm, words, normals]) b.destroy();
  });
});
