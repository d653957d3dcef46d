/**
 * Counts the GPU buffers an engine creates and destroys, so leaks show as a number: `live` must
 * come back to where it was after every run, cancelled, failed or not. Buffers handed to the caller
 * (`keepBuffer`) stay live until the caller destroys them.
 */

/** Live buffer counts of one engine. */
export class BufferTracker {
  /** Buffers created and not yet destroyed. */
  live = 0;
  /** Their bytes. */
  liveBytes = 0;
  /** Buffers created in all. */
  created = 0;

  /** Creates a buffer on `device` whose `destroy()` (by anyone, once) updates the counts. */
  create(device: GPUDevice, desc: GPUBufferDescriptor): GPUBuffer {
    return this.track(device.createBuffer(desc));
  }

  /** Counts `buffer` as live until its `destroy()` is first called. */
  track(buffer: GPUBuffer): GPUBuffer {
    const size = buffer.size;
    const destroy = buffer.destroy;
    let done = false;
    this.live++;
    this.liveBytes += size;
    this.created++;
    Object.defineProperty(buffer, 'destroy', {
      configurable: true,
      value: () => {
        if (!done) {
          done = true;
          this.live--;
          this.liveBytes -= size;
        }
        destroy.call(buffer);
      },
    });
    return buffer;
  }

  /**
   * `device` as seen by code the engine does not own (a score model's `createBindings`): the same
   * device, with its `createBuffer` tracked.
   */
  trackedDevice(device: GPUDevice): GPUDevice {
    return new Proxy(device, {
      get: (target, key) => {
        if (key === 'createBuffer') return (desc: GPUBufferDescriptor) => this.create(target, desc);
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}
