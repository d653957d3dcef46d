/**
 * Checkpoints of a GPU run: after a completed batch of steps, the contents of every buffer that
 * carries state from one step to the next (the particles, the plan's extra buffers, the fault-check
 * counters) are read back with the number of steps done. A run resumed from a checkpoint, on the
 * same engine or on a new one after a device loss, replays the remaining steps on the restored
 * buffers and gives the same bits as the uninterrupted run (the noise is keyed by step, not by
 * time of submission).
 */
import { CheckpointError } from './errors.js';

/** A run's state after `stepsDone` steps. Plain data: it can be stored (e.g. structuredClone, IndexedDB). */
export interface Checkpoint {
  /** Identifies the run it belongs to (sampler, settings, target, particles); see {@link runKey}. */
  readonly key: string;
  readonly stepsDone: number;
  readonly steps: number;
  readonly roundsDone: number;
  /** The bytes of each stateful buffer, by name. */
  readonly buffers: readonly { name: string; data: Uint8Array }[];
}

/** A named GPU buffer of a run. */
export interface NamedBuffer {
  name: string;
  buffer: GPUBuffer;
}

/** The identity of a run: everything its bits depend on (pure; JSON text). */
export function runKey(parts: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(parts).sort().map((k) => [k, parts[k]]));
}

/**
 * Reads `buffers` back after the work submitted so far (one copy, one map).
 * @param create makes the staging buffer (destroyed here).
 */
export async function captureCheckpoint(
  device: GPUDevice, create: (d: GPUBufferDescriptor) => GPUBuffer, buffers: readonly NamedBuffer[],
  meta: { key: string; stepsDone: number; steps: number; roundsDone: number },
): Promise<Checkpoint> {
  const total = buffers.reduce((s, b) => s + b.buffer.size, 0);
  const staging = create({ label: 'checkpoint', size: Math.max(4, total), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const enc = device.createCommandEncoder({ label: 'checkpoint' });
    let off = 0;
    for (const b of buffers) {
      enc.copyBufferToBuffer(b.buffer, 0, staging, off, b.buffer.size);
      off += b.buffer.size;
    }
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const all = new Uint8Array(staging.getMappedRange().slice(0));
    staging.unmap();
    off = 0;
    const out = buffers.map((b) => {
      const data = all.slice(off, off + b.buffer.size);
      off += b.buffer.size;
      return { name: b.name, data };
    });
    return { ...meta, buffers: out };
  } finally {
    staging.destroy();
  }
}

/**
 * Checks that `cp` belongs to the run `key` of `steps` steps and writes its buffers into `buffers`.
 * @throws CheckpointError naming what does not match.
 */
export function restoreCheckpoint(device: GPUDevice, cp: Checkpoint, buffers: readonly NamedBuffer[], key: string, steps: number): void {
  if (typeof cp !== 'object' || cp === null || typeof cp.key !== 'string' || !Array.isArray(cp.buffers)) {
    throw new CheckpointError('resumeFrom: got something that is not a Checkpoint, expected the object a run passed to its onCheckpoint');
  }
  if (cp.key !== key) {
    throw new CheckpointError(`resumeFrom: the checkpoint belongs to another run (its settings ${cp.key}), expected one of this run (${key})`);
  }
  if (!Number.isInteger(cp.stepsDone) || cp.stepsDone < 0 || cp.stepsDone > steps || cp.steps !== steps) {
    throw new CheckpointError(`resumeFrom: stepsDone ${cp.stepsDone} of ${cp.steps}, expected 0 .. ${steps} of ${steps}`);
  }
  for (const b of buffers) {
    const saved = cp.buffers.find((s) => s.name === b.name);
    if (!saved || saved.data.byteLength !== b.buffer.size) {
      throw new CheckpointError(`resumeFrom: buffer "${b.name}" has ${saved ? saved.data.byteLength : 'no'} bytes in the checkpoint, expected ${b.buffer.size}`);
    }
    device.queue.writeBuffer(b.buffer, 0, saved.data);
  }
}
