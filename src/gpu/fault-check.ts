/**
 * The on-GPU numerical-fault check of a run: every few steps a small kernel
 * (shaders/fault-check.wgsl) counts the particles with a non-finite coordinate into one counter
 * per check and marks them in a bitmask. The dispatches are encoded into the run's own command
 * buffers and the counters are read back once, with the result, so checking costs no round trip.
 * The first check that saw a fault gives the round and the particle count a run reports.
 */
import { NumericalError, RunOptionError } from '../errors.js';
import { composeShader } from './compose.js';

/** What a run does when particles go non-finite: fail (default), drop them, or not check at all. */
export type NonFinitePolicy = 'error' | 'exclude' | 'ignore';
export const NON_FINITE_POLICIES: readonly NonFinitePolicy[] = ['error', 'exclude', 'ignore'];

/** Most checks a run makes by default (plus one after the last step). */
export const DEFAULT_CHECKS = 16;
const SLOT_BYTES = 256;

/** Creates a GPU buffer (the engine passes its tracked factory). */
export type BufferFactory = (desc: GPUBufferDescriptor) => GPUBuffer;

/** The settings of the check, validated. */
export interface FaultCheckSettings {
  policy: NonFinitePolicy;
  /** Steps between checks. */
  every: number;
}

/**
 * Validates `onNonFinite` and `faultCheckEvery` of a request for a plan of `steps` rows.
 * @throws RunOptionError naming the field.
 */
export function resolveFaultCheck(policy: unknown, every: unknown, steps: number): FaultCheckSettings {
  const p = policy ?? 'error';
  if (!NON_FINITE_POLICIES.includes(p as NonFinitePolicy)) throw new RunOptionError('onNonFinite', p, `one of ${NON_FINITE_POLICIES.join(', ')}`);
  const e = every ?? Math.max(1, Math.ceil(steps / DEFAULT_CHECKS));
  if (typeof e !== 'number' || !Number.isInteger(e) || e < 1) throw new RunOptionError('faultCheckEvery', e, 'a positive integer number of steps');
  return { policy: p as NonFinitePolicy, every: e };
}

/** The step rows after which a check runs: every `every`-th, and always the last (pure). */
export function checkRows(steps: number, every: number): number[] {
  const out: number[] = [];
  for (let i = every - 1; i < steps; i += every) out.push(i);
  if (steps > 0 && out.at(-1) !== steps - 1) out.push(steps - 1);
  return out;
}

/** What the checks found. */
export interface FaultReport {
  /** Non-finite particles seen by each check, in order. */
  counts: number[];
  /** Index of the first check that saw one, -1 when none did. */
  firstCheck: number;
  /** Local indices (0 .. P-1) of the particles that were non-finite at any check, ascending. */
  bad: number[];
}

/** Reads the counters and the mask into a report (pure). */
export function interpretFaults(counts: Uint32Array, mask: Uint32Array, particles: number): FaultReport {
  const c = Array.from(counts);
  const bad: number[] = [];
  for (let w = 0; w < mask.length; w++) {
    let bits = mask[w]!;
    while (bits !== 0) {
      const b = 31 - Math.clz32(bits & -bits);
      const i = w * 32 + b;
      if (i < particles) bad.push(i);
      bits &= bits - 1;
    }
  }
  bad.sort((a, b) => a - b);
  return { counts: c, firstCheck: c.findIndex((n) => n > 0), bad };
}

/** The error a run fails with when `report` shows faults (pure). `roundAt(i)` is rounds done after step row i. */
export function faultError(report: FaultReport, rows: readonly number[], roundAt: (row: number) => number, rounds: number, particles: number, what: string): NumericalError {
  const k = report.firstCheck;
  const round = roundAt(rows[k]!);
  const before = k > 0 ? `; the check at round ${roundAt(rows[k - 1]!)} found none` : '';
  return new NumericalError(
    `${what}: non-finite values (NaN or Inf) in ${report.counts[k]} of ${particles} particles at round ${round} of ${rounds} ` +
      `(after step ${rows[k]! + 1})${before}; ${report.bad.length} particles in all. ` +
      'Pass onNonFinite: "exclude" to drop them, or check the score model and the settings (delta, tMax, nfe).',
    round, report.counts[k]!,
  );
}

/** A built check kernel: its pipeline and bind group layout. */
export interface FaultCheckKernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/** The check kernels of one device, one per state dimension, built once per engine. */
export class FaultCheckKernels {
  private readonly kernels = new Map<number, Promise<FaultCheckKernel>>();
  constructor(private readonly device: GPUDevice, private readonly workgroupSize: number) {}

  get(dim: number): Promise<FaultCheckKernel> {
    let p = this.kernels.get(dim);
    if (!p) {
      const device = this.device;
      const code = composeShader('fault-check', { DIM: dim, WG_SIZE: this.workgroupSize });
      const module = device.createShaderModule({ label: 'fault-check', code });
      const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
      const layout = device.createBindGroupLayout({
        label: 'fault-check',
        entries: [
          { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
          storage(1, 'read-only-storage'), storage(2, 'storage'), storage(3, 'storage'),
        ],
      });
      p = device.createComputePipelineAsync({
        label: `fault-check d=${dim}`,
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: 'main' },
      }).then((pipeline) => ({ pipeline, layout }));
      this.kernels.set(dim, p);
      p.catch(() => this.kernels.delete(dim));
    }
    return p;
  }
}

/** The check buffers of one run: one counter per check, a bit per particle, and their readback. */
export class FaultCheck {
  readonly rows: number[];
  private readonly at = new Map<number, number>();
  private readonly counts: GPUBuffer;
  private readonly mask: GPUBuffer;
  private readonly read: GPUBuffer;
  private readonly group: GPUBindGroup;
  private readonly maskWords: number;

  /**
   * @param state the particle buffer (P x dim f32), bound read-only.
   * @param grid the run's dispatch grid for P invocations.
   */
  constructor(
    device: GPUDevice, private readonly kernel: FaultCheckKernel, create: BufferFactory,
    state: GPUBuffer, private readonly particles: number, steps: number, every: number,
    private readonly grid: { x: number; y: number; rowStride: number },
  ) {
    this.rows = checkRows(steps, every);
    this.rows.forEach((r, k) => this.at.set(r, k));
    const n = Math.max(1, this.rows.length);
    this.maskWords = Math.ceil(particles / 32);
    const params = create({ label: 'fault-check params', size: n * SLOT_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const table = new Uint32Array((n * SLOT_BYTES) / 4);
    for (let k = 0; k < n; k++) table.set([particles, grid.rowStride, k, 0], (k * SLOT_BYTES) / 4);
    device.queue.writeBuffer(params, 0, table);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.counts = create({ label: 'fault-check counts', size: 4 * n, usage });
    this.mask = create({ label: 'fault-check mask', size: 4 * this.maskWords, usage });
    this.read = create({ label: 'fault-check readback', size: 4 * (n + this.maskWords), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.group = device.createBindGroup({
      layout: kernel.layout,
      entries: [
        { binding: 0, resource: { buffer: params, size: 16 } },
        { binding: 1, resource: { buffer: state } },
        { binding: 2, resource: { buffer: this.counts } },
        { binding: 3, resource: { buffer: this.mask } },
      ],
    });
  }

  /** The buffers a checkpoint must keep for the checks to continue where they were. */
  get stateBuffers(): { name: string; buffer: GPUBuffer }[] {
    return [{ name: 'fault-check counts', buffer: this.counts }, { name: 'fault-check mask', buffer: this.mask }];
  }

  /** Encodes the check that follows step row `row`, if one is due there; says whether it did. */
  encodeAfter(pass: GPUComputePassEncoder, row: number): boolean {
    const k = this.at.get(row);
    if (k === undefined) return false;
    pass.setPipeline(this.kernel.pipeline);
    pass.setBindGroup(0, this.group, [k * SLOT_BYTES]);
    pass.dispatchWorkgroups(this.grid.x, this.grid.y);
    return true;
  }

  /** Encodes the copy of the counters and mask into the readback buffer (with the result's readback). */
  copyOut(encoder: GPUCommandEncoder): void {
    encoder.copyBufferToBuffer(this.counts, 0, this.read, 0, this.counts.size);
    encoder.copyBufferToBuffer(this.mask, 0, this.read, this.counts.size, 4 * this.maskWords);
  }

  /** Reads what the checks submitted so far found (one small copy and map), between batches. */
  async peek(device: GPUDevice): Promise<FaultReport> {
    const enc = device.createCommandEncoder({ label: 'fault-check peek' });
    this.copyOut(enc);
    device.queue.submit([enc.finish()]);
    return this.report();
  }

  /** Maps the readback (after the copy was submitted) and interprets it. */
  async report(): Promise<FaultReport> {
    await this.read.mapAsync(GPUMapMode.READ);
    const words = new Uint32Array(this.read.getMappedRange().slice(0));
    this.read.unmap();
    const n = this.counts.size / 4;
    return interpretFaults(words.subarray(0, this.rows.length), words.subarray(n), this.particles);
  }
}

/**
 * Applies the policy to a finished run's report: throws for 'error' when a check saw a fault; for
 * 'exclude' returns the samples without the bad particles (pure).
 */
export function dropParticles(samples: Float32Array, dim: number, bad: readonly number[]): Float32Array {
  if (bad.length === 0) return samples;
  const P = samples.length / dim;
  const out = new Float32Array((P - bad.length) * dim);
  let o = 0, b = 0;
  for (let i = 0; i < P; i++) {
    if (b < bad.length && bad[b] === i) { b++; continue; }
    out.set(samples.subarray(i * dim, (i + 1) * dim), o);
    o += dim;
  }
  return out;
}
