/**
 * The mixture-score pass (shaders/score-gmm-gemm, -gemm-chunked, -tiled, -stream or -split.wgsl, by layout) as a
 * thin GPU resource: one pipeline per layout, a per-time table buffer, and `encode` to evaluate the score of every
 * particle of a state buffer at one time into an output buffer.
 */
import { MidstepError } from '../errors.js';
import { composeShader } from '../gpu/compose.js';
import type { ScoreLayout } from '../gpu/kernel-select.js';
import type { GaussianMixture } from '../targets/gmm.js';
import { gemmComponents, gemmCoordinates, gmmGemmTable, gmmTimeTable } from './gmm-time-table.js';
import { tableBytes } from '../gpu/kernel-select.js';

/** Bytes of one per-time table record of a run, padded to the dynamic-offset alignment. */
export function tableRecordBytes(dim: number, K: number, align: number, gemm = false, chunk = 16): number {
  return Math.ceil(tableBytes(dim, K, gemm, chunk) / align) * align;
}

/** Fixed device bytes {@link MixtureScoreKernel.runTimes} allocates for `times` times (tables and parameters). */
export function runTableBytes(dim: number, K: number, times: number, align: number, gemm = false, chunk = 16): number {
  return tableRecordBytes(dim, K, align, gemm, chunk) * Math.max(1, times) + 16;
}

/** Coordinates the GEMM table of `layout` is padded to a multiple of (16 unless chunked). */
export function layoutChunk(layout: ScoreLayout): number {
  return layout.gemmChunk ?? 16;
}

/**
 * Particles one invocation of the GEMM kernel evaluates one after another: enough to pay for its
 * private copy of the table (a run-time-indexed private store costs about 90 mul-adds on
 * SwiftShader, so the copy costs about as much as 10 particles), while leaving at least 32
 * invocations to share out (at P = 1000, d = 64: 31 per invocation measured 5.6% of the FMA
 * peak, 15 per invocation 4.3%, the tiled kernel 4.2%). Results do not depend on it.
 */
export function gemmSequence(particles: number): number {
  return Math.max(1, Math.min(GEMM_MAX_SEQUENCE, Math.floor(particles / 32)));
}

/** Most particles one invocation of a GEMM kernel evaluates in sequence. */
export const GEMM_MAX_SEQUENCE = 128;

/** Workgroup grid for `groups` workgroups: (x, y) with x at most `maxPerDim`. */
function grid(groups: number, maxPerDim: number): { x: number; y: number } {
  const x = Math.max(1, Math.min(groups, maxPerDim));
  return { x, y: Math.ceil(groups / x) };
}

/** The score passes of one run: one per time, recorded by index. */
export interface MixtureScoreRun {
  /** Records the pass of time `i` into `pass`. */
  encode(pass: GPUComputePassEncoder, i: number): void;
  destroy(): void;
}

/** Score passes of one axis-aligned mixture on one device, for one layout. */
export class MixtureScoreKernel {
  private constructor(
    private readonly device: GPUDevice,
    readonly target: GaussianMixture,
    readonly layout: ScoreLayout,
    /** The bindings, the table at a dynamic offset (one bind group for all times of a run). */
    private readonly bindLayout: GPUBindGroupLayout,
    private readonly pipeline: GPUComputePipeline,
    private readonly table: GPUBuffer,
    private readonly params: GPUBuffer,
  ) {}

  /** Compiles the kernel of `layout` for `target` (axis-aligned mixtures only). */
  static async create(device: GPUDevice, target: GaussianMixture, layout: ScoreLayout): Promise<MixtureScoreKernel> {
    if (target.eigenvectors !== null) throw new MidstepError(`the tiled mixture score needs an axis-aligned mixture; ${target.name} has full covariances`);
    const split = layout.split ?? 1;
    const shader = layout.gemm ? (layout.gemmChunk ? 'score-gmm-gemm-chunked' : 'score-gmm-gemm') : layout.stream ? 'score-gmm-stream' : split > 1 ? 'score-gmm-split' : 'score-gmm-tiled';
    if (layout.gemm && (split !== 1 || layout.ppt !== 1 || layout.stage || layout.uniformTable || layout.stream)) {
      throw new MidstepError(`a gemm layout needs ppt 1, split 1, no staging, a storage table and no stream; got ${JSON.stringify(layout)}`);
    }
    if (layout.gemmChunk !== undefined && (!layout.gemm || !Number.isInteger(layout.gemmChunk) || layout.gemmChunk < 16 || layout.gemmChunk % 16 !== 0)) {
      throw new MidstepError(`gemmChunk must be a positive multiple of 16 with gemm true; got ${JSON.stringify(layout)}`);
    }
    if (layout.stream && (split !== 1 || layout.stage)) throw new MidstepError(`a stream layout needs split 1 and no staging; got ${JSON.stringify(layout)}`);
    if (split > 1 && (layout.ppt !== 1 || layout.stage || layout.wgSize % split !== 0)) {
      throw new MidstepError(`a split layout needs ppt 1, no staging and a workgroup size divisible by split; got ${JSON.stringify(layout)}`);
    }
    const code = composeShader(shader, { DIM: target.dim, DIM4: Math.ceil(target.dim / 4), NCOMP: target.K, PPT: layout.ppt, WG_SIZE: layout.wgSize, STAGE: layout.stage, TABLE_UNIFORM: !!layout.uniformTable, SPLIT: split, CH4: Math.ceil(Math.ceil(target.dim / 4) / split),
      KP: gemmComponents(target.K), K4: gemmComponents(target.K) / 4, KB: gemmComponents(target.K) / 8, DP16: gemmCoordinates(target.dim) / 16,
      CH16: layoutChunk(layout) / 16, NCH: gemmCoordinates(target.dim, layoutChunk(layout)) / layoutChunk(layout), SEQMAX: GEMM_MAX_SEQUENCE });
    const module = device.createShaderModule({ label: shader, code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) throw new MidstepError(`WGSL of ${shader} does not compile: ${errors.map((e) => `line ${e.lineNum}: ${e.message}`).join('; ')}`);
    // one pipeline (each one compiles the shader again: a minute for the large kernels on SwiftShader)
    const buf = (type: GPUBufferBindingType, hasDynamicOffset = false): GPUBufferBindingLayout => ({ type, hasDynamicOffset });
    const bindLayout = device.createBindGroupLayout({
      label: shader,
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: buf('uniform') },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: buf('read-only-storage') },
        { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: buf('storage') },
        { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: buf(layout.uniformTable ? 'uniform' : 'read-only-storage', true) },
      ],
    });
    const pipeline = await device.createComputePipelineAsync({
      label: shader,
      layout: device.createPipelineLayout({ bindGroupLayouts: [bindLayout] }),
      compute: { module, entryPoint: 'main' },
    });
    const table = device.createBuffer({ label: 'gmm time table', size: tableBytes(target.dim, target.K, !!layout.gemm, layoutChunk(layout)), usage: (layout.uniformTable ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE) | GPUBufferUsage.COPY_DST });
    const params = device.createBuffer({ label: 'score params', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    return new MixtureScoreKernel(device, target, layout, bindLayout, pipeline, table, params);
  }

  /** Uploads the per-time table of time `t` and the particle count (queue writes, before the next submit). */
  setTime(t: number, particles: number): { x: number; y: number } {
    const { g, seq } = this.grid(particles);
    this.device.queue.writeBuffer(this.table, 0, this.timeTable(t));
    this.device.queue.writeBuffer(this.params, 0, new Uint32Array([particles, g.x * this.layout.wgSize, seq, 0]));
    return g;
  }

  /** The per-time table this layout reads. */
  private timeTable(t: number): Float32Array<ArrayBuffer> {
    return this.layout.gemm ? gmmGemmTable(this.target, t, layoutChunk(this.layout)) : gmmTimeTable(this.target, t);
  }

  /** Workgroup grid for `particles` particles, and the particles per invocation of the GEMM kernel. */
  private grid(particles: number): { g: { x: number; y: number }; seq: number } {
    const seq = this.layout.gemm ? gemmSequence(particles) : 1;
    const perGroup = (this.layout.wgSize / (this.layout.split ?? 1)) * this.layout.ppt * seq;
    return { g: grid(Math.ceil(particles / perGroup), this.device.limits.maxComputeWorkgroupsPerDimension), seq };
  }

  /** A bind group reading states from `xs` and writing scores to `out` (both P x d f32). */
  bindGroup(xs: GPUBuffer, out: GPUBuffer): GPUBindGroup {
    return this.device.createBindGroup({
      layout: this.bindLayout,
      entries: [
        { binding: 0, resource: { buffer: this.params } },
        { binding: 1, resource: { buffer: xs } },
        { binding: 2, resource: { buffer: out } },
        { binding: 3, resource: { buffer: this.table, offset: 0, size: tableBytes(this.target.dim, this.target.K, !!this.layout.gemm, layoutChunk(this.layout)) } },
      ],
    });
  }

  /** Records the pass into `pass` (after {@link setTime} gave the grid). */
  encode(pass: GPUComputePassEncoder, group: GPUBindGroup, g: { x: number; y: number }): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group, [0]);
    pass.dispatchWorkgroups(g.x, g.y);
  }

  /**
   * Per-run resources for scoring the `particles` states of `xs` into `out` at each of `times`:
   * one table record per time, computed now in float64 and written once (so every row of one
   * command buffer reads its own time, unlike {@link setTime}), and one bind group for all of
   * them, the record of time i chosen by a dynamic offset.
   * `create` makes the buffers (the engine passes its tracked allocator).
   */
  runTimes(xs: GPUBuffer, out: GPUBuffer, particles: number, times: readonly number[], create: (d: GPUBufferDescriptor) => GPUBuffer): MixtureScoreRun {
    const { g, seq } = this.grid(particles);
    const gemm = !!this.layout.gemm;
    const bytes = tableBytes(this.target.dim, this.target.K, gemm, layoutChunk(this.layout));
    const align = this.layout.uniformTable ? this.device.limits.minUniformBufferOffsetAlignment : this.device.limits.minStorageBufferOffsetAlignment;
    const record = tableRecordBytes(this.target.dim, this.target.K, align, gemm, layoutChunk(this.layout));
    const all = new Float32Array((record / 4) * Math.max(1, times.length));
    times.forEach((t, i) => all.set(this.timeTable(t), (i * record) / 4));
    const table = create({ label: 'gmm time tables', size: all.byteLength, usage: (this.layout.uniformTable ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE) | GPUBufferUsage.COPY_DST });
    const params = create({ label: 'score params', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(table, 0, all);
    this.device.queue.writeBuffer(params, 0, new Uint32Array([particles, g.x * this.layout.wgSize, seq, 0]));
    const group = this.device.createBindGroup({
      layout: this.bindLayout,
      entries: [
        { binding: 0, resource: { buffer: params } },
        { binding: 1, resource: { buffer: xs } },
        { binding: 2, resource: { buffer: out } },
        { binding: 3, resource: { buffer: table, offset: 0, size: bytes } },
      ],
    });
    return {
      encode: (pass, i) => {
        pass.setPipeline(this.pipeline);
        pass.setBindGroup(0, group, [i * record]);
        pass.dispatchWorkgroups(g.x, g.y);
      },
      destroy: () => {
        table.destroy();
        params.destroy();
      },
    };
  }

  destroy(): void {
    this.table.destroy();
    this.params.destroy();
  }
}
