/**
 * Timing of GPU work for the benchmarks: GPU timestamp queries where the adapter has the
 * 'timestamp-query' feature (the time between the first pass's start and the last pass's end),
 * wall time from submit to `onSubmittedWorkDone` otherwise; warm-up runs, then the median.
 */

import { defaultWaitMode, settle, type GpuWaitMode } from '../gpu/quiet-wait.js';

/** How a measurement was timed. */
export type TimingSource = 'timestamp-query' | 'wall';

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : 0.5 * (s[h - 1]! + s[h]!);
}

/** Encodes the work to time: `pass(label)` opens a compute pass whose time counts. */
export type EncodeWork = (encoder: GPUCommandEncoder, pass: () => GPUComputePassEncoder) => void;

/** Times GPU work on one device, with timestamp queries when the device has them. */
export class GpuTimer {
  readonly source: TimingSource;
  private readonly querySet: GPUQuerySet | null;
  private readonly resolve: GPUBuffer | null;
  private readonly read: GPUBuffer | null;

  /** @param waitMode how to wait for the GPU (default: this environment's, src/gpu/quiet-wait.ts). */
  constructor(private readonly device: GPUDevice, private readonly waitMode: GpuWaitMode = defaultWaitMode()) {
    this.source = device.features.has('timestamp-query') ? 'timestamp-query' : 'wall';
    if (this.source === 'timestamp-query') {
      this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
      this.resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      this.read = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    } else {
      this.querySet = this.resolve = this.read = null;
    }
  }

  /** Seconds the work takes once. */
  async once(work: EncodeWork): Promise<number> {
    const encoder = this.device.createCommandEncoder({ label: 'timed work' });
    const passes: GPUComputePassEncoder[] = [];
    const qs = this.querySet;
    // every pass gets timestamp writes: the first pass's begin and the last one's end are kept
    const pass = () => {
      const p = encoder.beginComputePass(qs ? { timestampWrites: { querySet: qs, beginningOfPassWriteIndex: passes.length === 0 ? 0 : undefined, endOfPassWriteIndex: 1 } } : {});
      passes.push(p);
      return p;
    };
    work(encoder, pass);
    if (qs) {
      encoder.resolveQuerySet(qs, 0, 2, this.resolve!, 0);
      encoder.copyBufferToBuffer(this.resolve!, 0, this.read!, 0, 16);
    }
    const start = performance.now();
    this.device.queue.submit([encoder.finish()]);
    await settle(this.device.queue.onSubmittedWorkDone(), this.waitMode);
    const wall = (performance.now() - start) / 1000;
    if (!qs) return wall;
    await settle(this.read!.mapAsync(GPUMapMode.READ), this.waitMode);
    const t = new BigUint64Array(this.read!.getMappedRange().slice(0));
    this.read!.unmap();
    const ns = Number(t[1]! - t[0]!);
    // some drivers report zeros or wrap: fall back to the wall time then
    return Number.isFinite(ns) && ns > 0 ? ns / 1e9 : wall;
  }

  /** Median seconds of `runs` timed runs after `warmup` untimed ones. */
  async median(work: EncodeWork, runs = 5, warmup = 1): Promise<number> {
    for (let i = 0; i < warmup; i++) await this.once(work);
    const ts: number[] = [];
    for (let i = 0; i < runs; i++) ts.push(await this.once(work));
    return median(ts);
  }

  destroy(): void {
    this.querySet?.destroy();
    this.resolve?.destroy();
    this.read?.destroy();
  }
}

/** Median wall seconds of `fn` over `runs` runs after `warmup` untimed ones. */
export async function medianWall(fn: () => unknown | Promise<unknown>, runs = 3, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ts.push((performance.now() - t0) / 1000);
  }
  return median(ts);
}
