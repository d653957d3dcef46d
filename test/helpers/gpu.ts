/**
 * One WebGPU device per test file. There is no skip: a machine without an adapter fails here with
 * the reason, as CI must.
 */
import { acquireNodeDevice } from '../../src/gpu/node-device.js';
import { Engine } from '../../src/engine.js';
import type { GpuContext } from '../../src/gpu/device.js';

let ctx: Promise<GpuContext> | null = null;

/** The shared device (SwiftShader on machines without a GPU). */
export function testGpu(): Promise<GpuContext> {
  ctx ??= acquireNodeDevice();
  return ctx;
}

/** An engine on the shared device. */
export async function testEngine(): Promise<Engine> {
  return new Engine(await testGpu());
}

/** Reads a GPU buffer back (test helper). */
export async function readBuffer(device: GPUDevice, src: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, read, 0, bytes);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const out = read.getMappedRange().slice(0);
  read.unmap();
  read.destroy();
  return out;
}
