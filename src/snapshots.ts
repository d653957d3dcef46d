/**
 * Intermediate snapshots of a GPU run, for replaying it (the demo's slider): after each submitted
 * batch of steps the first k particles are copied into one readback buffer, inside the same command
 * buffer as the steps, and the buffer is mapped once when the run ends. So snapshots add no CPU-GPU
 * round trip: a run without `onProgress` or `signal` still waits on the GPU only once.
 *
 * Frame 0 is x_T ~ N(0, I) of those particles, drawn on the CPU from the same Philox stream the
 * init kernel uses (equal to the GPU's x_T to f32 rounding), so the engine's first pass need not be split.
 */
import { RunOptionError } from './errors.js';
import { Philox, Stream } from './rng/philox.js';

/** What to snapshot (the `snapshots` field of a sample request). */
export interface SnapshotOptions {
  /** How many particles to keep per frame: the first k of the run (1 .. particles). */
  particles: number;
}

/** One snapshot: the first k particles after `stepsDone` steps. */
export interface SnapshotFrame {
  /** Steps (dispatches) done; 0 for x_T. */
  stepsDone: number;
  /** Sequential score-evaluation rounds done. */
  roundsDone: number;
  /** k x d row-major float32. */
  x: Float32Array;
}

/** The snapshots of a run, in order; the last frame is the first k particles of the result. */
export interface RunSnapshots {
  particles: number;
  dim: number;
  frames: SnapshotFrame[];
}

/** Checks `options.particles` against the run's particle count. @throws RunOptionError */
export function snapshotParticles(options: SnapshotOptions, particles: number): number {
  const k = options.particles;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > particles) {
    throw new RunOptionError('snapshots.particles', k, `an integer in 1 .. particles = ${particles}`);
  }
  return k;
}

/** x_T of particles offset .. offset + k - 1, exactly as the init kernel draws it (Philox stream 0, step 0). */
export function initialState(seed: number, offset: number, k: number, dim: number): Float32Array {
  const rng = new Philox(seed);
  const x = new Float64Array(dim);
  const out = new Float32Array(k * dim);
  for (let i = 0; i < k; i++) {
    rng.fillNormals(x, 0, dim, offset + i, 0, Stream.init);
    out.set(x, i * dim);
  }
  return out;
}

/**
 * Where the frames of a run of `rows` fall when it is submitted in batches of `batch` rows: the
 * steps and rounds done at the end of each batch (the engine's frames; the float64 reference
 * records its frames at the same marks). Rows without their own `rounds` share the plan's evenly.
 */
export function snapshotMarks(rows: readonly { rounds?: number }[], planRounds: number, batch: number): { stepsDone: number; roundsDone: number }[] {
  const even = planRounds / Math.max(1, rows.length);
  const marks: { stepsDone: number; roundsDone: number }[] = [];
  let rounds = 0;
  rows.forEach((r, i) => {
    rounds += r.rounds ?? even;
    if ((i + 1) % batch === 0 || i === rows.length - 1) marks.push({ stepsDone: i + 1, roundsDone: Math.round(rounds) });
  });
  return marks;
}

/** Records snapshots of one run into a single MAP_READ buffer with one slot per batch. */
export class SnapshotRecorder {
  private readonly frameBytes: number;
  private readonly buffer: GPUBuffer;
  private readonly marks: { stepsDone: number; roundsDone: number }[] = [];
  /** Particles per frame. */
  readonly k: number;

  /**
   * @param batches the number of batches the run will submit (slots to allocate).
   * @param run the run's seed, first particle index and dimension (for frame 0).
   */
  constructor(
    private readonly device: GPUDevice,
    options: SnapshotOptions,
    particles: number,
    batches: number,
    private readonly run: { seed: number; offset: number; dim: number },
  ) {
    this.k = snapshotParticles(options, particles);
    this.frameBytes = this.k * run.dim * 4;
    this.buffer = device.createBuffer({
      label: 'snapshots',
      size: Math.max(1, batches) * this.frameBytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  /** Encodes the copy of the first k particles of `state` after a batch that ends at `stepsDone`. */
  record(encoder: GPUCommandEncoder, state: GPUBuffer, stepsDone: number, roundsDone: number): void {
    encoder.copyBufferToBuffer(state, 0, this.buffer, this.marks.length * this.frameBytes, this.frameBytes);
    this.marks.push({ stepsDone, roundsDone });
  }

  /** Maps the buffer (once, after the run's last submit) and returns x_T plus every recorded frame. */
  async read(): Promise<RunSnapshots> {
    const { seed, offset, dim } = this.run;
    const frames: SnapshotFrame[] = [{ stepsDone: 0, roundsDone: 0, x: initialState(seed, offset, this.k, dim) }];
    if (this.marks.length) {
      await this.buffer.mapAsync(GPUMapMode.READ, 0, this.marks.length * this.frameBytes);
      const all = new Float32Array(this.buffer.getMappedRange(0, this.marks.length * this.frameBytes).slice(0));
      this.buffer.unmap();
      this.marks.forEach((m, i) => frames.push({ ...m, x: all.subarray(i * this.k * dim, (i + 1) * this.k * dim) }));
    }
    return { particles: this.k, dim, frames };
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
