/**
 * The exact empirical score of a dataset for a batch of points, as its own compute pipeline, with
 * the dataset streamed in tiles and a running-max log-sum-exp, in one of two layouts:
 * - 'thread' (shaders/dataset-score-batch.wgsl): one invocation per point, tiles of data points in
 *   workgroup memory; each invocation keeps its point and weighted sum in private arrays of d floats.
 * - 'wide' (shaders/dataset-score-wide.wgsl): a workgroup per point; each invocation owns d / WG
 *   of the coordinates, adds its partial squared distances to a tile's data points in workgroup
 *   memory (summed into the logits by one invocation per data point) and accumulates its
 *   coordinates of the weighted sum, so private state stays small at large d.
 * It is a complete example of an external model: {@link datasetExternalModel} plugs it into the
 * engine through {@link externalScoreModel}, and {@link DatasetScorePipeline.encode} can be used on
 * its own to score any batch.
 */
import { composeShader, type ShaderDefines } from '../gpu/compose.js';
import { MidstepError } from '../errors.js';
import { checkDataset, datasetEval, datasetScoreModel, packDataset, type Dataset } from './dataset-score.js';
import { externalScoreModel, type ExternalRound } from './external-score.js';
import type { ScoreModel } from './types.js';

/** Invocations (points) per workgroup. */
export const BATCH_WG_SIZE = 64;

/** Points per tile: as many as fit 16 KiB of workgroup memory (the WebGPU default limit), at most 64. */
export function tilePoints(dim: number, workgroupBytes = 16384): number {
  return Math.max(1, Math.min(64, Math.floor(workgroupBytes / (16 * Math.ceil(dim / 4)))));
}

/**
 * Shape of the wide kernel: invocations per point, data points per tile, and the most workgroups
 * of one dispatch (each scores points g, g + groups, ...).
 */
export interface WideShape {
  workgroupSize: number;
  tile: number;
  maxWorkgroups: number;
}

/**
 * Default wide shape: on a GPU, 64 invocations per point, tiles of 32 points and a workgroup per
 * point; on a software adapter (SwiftShader), 8 invocations, tiles of 256 points and at most 16
 * workgroups, since there each workgroup of a kernel with barriers starts its invocations as
 * coroutines and every barrier switches between them (measured at d = 784, N = 1000: 8
 * invocations and tiles of 256 about 2x faster than 64 and 32, and 16 unrolled invocations no
 * faster than 8). Both keep the partial sums at 8 KiB.
 */
export function wideShape(software: boolean): WideShape {
  return software ? { workgroupSize: 8, tile: 256, maxWorkgroups: 16 } : { workgroupSize: 64, tile: 32, maxWorkgroups: 65535 };
}

/**
 * Smallest d at which `layout: 'auto'` picks the wide layout on a GPU: from d = 128 a thread's
 * private point and weighted sum (2 d floats) exceed a GPU thread's register budget (255 registers
 * on NVIDIA), so the thread layout spills. Not yet measured on a GPU. On a software adapter 'auto'
 * stays 'thread': on SwiftShader the wide kernel was no faster at any d from 2 to 784
 * (bench/results/dataset-score-wide-swiftshader.md).
 */
export const WIDE_MIN_DIM = 128;

/** Kernel layout of a {@link DatasetScorePipeline}: see the module comment and {@link datasetLayout}. */
export type DatasetLayout = 'auto' | 'thread' | 'wide';

/** Options of {@link DatasetScorePipeline.create}. */
export interface DatasetPipelineOptions {
  /** Kernel layout (default 'auto', see {@link datasetLayout}). */
  layout?: DatasetLayout;
  /** Data points per tile (default: 'thread' as many as fit, {@link tilePoints}; 'wide' {@link wideShape}). */
  tilePoints?: number;
  /** Invocations per point of the 'wide' layout (default: {@link wideShape}). */
  workgroupSize?: number;
  /** Most workgroups one dispatch of the 'wide' layout uses (default: {@link wideShape}). */
  maxWorkgroups?: number;
}

/**
 * The layout `layout` resolves to for dimension `dim`: 'auto' is 'wide' from {@link WIDE_MIN_DIM}
 * dimensions on a GPU, else 'thread' (always 'thread' on a software adapter, where it measured faster).
 * @throws MidstepError for a layout that is none of auto, thread, wide.
 */
export function datasetLayout(dim: number, layout: DatasetLayout = 'auto', software = false): 'thread' | 'wide' {
  if (layout !== 'auto' && layout !== 'thread' && layout !== 'wide') throw new MidstepError(`dataset batch score: layout ${String(layout)}, expected auto, thread or wide`);
  return layout === 'auto' ? (!software && dim >= WIDE_MIN_DIM ? 'wide' : 'thread') : layout;
}

/** Whether `device` runs on a software adapter (SwiftShader and the like), from its adapter info where the implementation has it. */
export function isSoftwareDevice(device: GPUDevice): boolean {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  if (!info) return false;
  return /swiftshader|llvmpipe|lavapipe|software/i.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`) || (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
}

/** A compiled batch-score pipeline for one dataset on one device. */
export class DatasetScorePipeline {
  readonly pipeline: GPUComputePipeline;
  readonly tile: number;
  private readonly data: GPUBuffer;
  /** The batch uniform (count, row stride) of each batch size seen: rounds of one run differ in size, and queue.writeBuffer lands before all of them. */
  private readonly params = new Map<number, GPUBuffer>();
  /** The bind group of each batch size, reused while the run hands over the same buffers (every round of a run). */
  private readonly groups = new Map<number, { times: GPUBuffer; points: GPUBuffer; scores: GPUBuffer; group: GPUBindGroup }>();

  private constructor(readonly device: GPUDevice, readonly dataset: Dataset, pipeline: GPUComputePipeline, tile: number, readonly output: 'score' | 'x0', readonly layout: 'thread' | 'wide', private readonly maxGroups: number) {
    this.pipeline = pipeline;
    this.tile = tile;
    const packed = packDataset(dataset);
    this.data = device.createBuffer({ label: `dataset ${dataset.name}`, size: packed.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(this.data, 0, packed);
  }

  /**
   * Compiles the kernel for `dataset` on `device` and uploads the data. It writes x0hat by default
   * (the form that loses no digits at large t; the score follows from it), or the score.
   * `options` picks the layout (default 'auto', {@link datasetLayout}: on a GPU thread per point
   * below {@link WIDE_MIN_DIM} dimensions, workgroup per point from there) and the shape; a number
   * is the points per tile (of the 'auto' layout).
   * Note: SwiftShader takes minutes to compile the 'thread' kernel for d in the hundreds (its
   * barriers keep each invocation's private arrays live); the 'wide' one compiles in about a second.
   * @throws MidstepError for an unknown layout, a tile size that is not a positive integer, a wide
   * shape whose partial sums exceed the device's workgroup memory, or WGSL that does not compile.
   */
  static async create(device: GPUDevice, dataset: Dataset, output: 'score' | 'x0' = 'x0', options: DatasetPipelineOptions | number = {}): Promise<DatasetScorePipeline> {
    checkDataset(dataset);
    const o = typeof options === 'number' ? { tilePoints: options } : options;
    const software = isSoftwareDevice(device);
    const layout = datasetLayout(dataset.dim, o.layout, software);
    if (o.tilePoints !== undefined && (!Number.isInteger(o.tilePoints) || o.tilePoints < 1)) throw new MidstepError(`dataset batch score: tilePoints ${o.tilePoints}, expected a positive integer`);
    const dim = dataset.dim;
    const shape = wideShape(software);
    const wg = o.workgroupSize ?? shape.workgroupSize;
    const tile = o.tilePoints ?? (layout === 'wide' ? shape.tile : tilePoints(dim, device.limits.maxComputeWorkgroupStorageSize));
    const wgBytes = 4 * wg * tile + 8 * tile;
    if (layout === 'wide' && wgBytes > device.limits.maxComputeWorkgroupStorageSize) {
      throw new MidstepError(`dataset batch score: workgroupSize ${wg} x tilePoints ${tile} needs ${wgBytes} bytes of workgroup memory, expected at most ${device.limits.maxComputeWorkgroupStorageSize}`);
    }
    const name = layout === 'wide' ? 'dataset-score-wide' : 'dataset-score-batch';
    const defines: ShaderDefines = layout === 'wide'
      ? { DIM: dim, NPOINTS: dataset.n, TILE: tile, WG_SIZE: wg, OWN: Math.ceil(Math.ceil(dim / 4) / wg), OUT_X0: output === 'x0' }
      : { DIM: dim, DIM4: Math.ceil(dim / 4), NPOINTS: dataset.n, TILE: tile, WG_SIZE: BATCH_WG_SIZE, OUT_X0: output === 'x0' };
    const module = device.createShaderModule({ label: name, code: composeShader(name, defines) });
    const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
    if (errors.length) throw new MidstepError(`WGSL of ${name} does not compile: ${errors.map((e) => `line ${e.lineNum}: ${e.message}`).join('; ')}`);
    const pipeline = await device.createComputePipelineAsync({ label: name, layout: 'auto', compute: { module, entryPoint: 'main' } });
    const maxGroups = o.maxWorkgroups ?? shape.maxWorkgroups;
    return new DatasetScorePipeline(device, dataset, pipeline, tile, output, layout, maxGroups);
  }

  /** Encodes the scores (or x0hat, per `output`) of `round.count` points, each at its own time, into `round.scores`. */
  encode(encoder: GPUCommandEncoder, round: ExternalRound): void {
    if (round.dim !== this.dataset.dim) throw new MidstepError(`dataset batch score: points of dim ${round.dim}, expected ${this.dataset.dim}`);
    // 'thread': a workgroup per BATCH_WG_SIZE points, row stride in invocations; 'wide': a workgroup per point, row stride in workgroups
    const wide = this.layout === 'wide';
    const groups = wide ? Math.min(round.count, this.maxGroups) : Math.ceil(round.count / BATCH_WG_SIZE);
    const maxX = this.device.limits.maxComputeWorkgroupsPerDimension;
    const gx = Math.min(groups, maxX), gy = Math.ceil(groups / gx);
    let params = this.params.get(round.count);
    if (!params) {
      params = this.device.createBuffer({ label: `dataset batch params ${round.count}`, size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      this.device.queue.writeBuffer(params, 0, new Uint32Array([round.count, wide ? gx : gx * BATCH_WG_SIZE, groups, 0]));
      this.params.set(round.count, params);
    }
    let cached = this.groups.get(round.count);
    if (!cached || cached.times !== round.times || cached.points !== round.points || cached.scores !== round.scores) {
      const group = this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: params } },
          { binding: 1, resource: { buffer: round.times } },
          { binding: 2, resource: { buffer: round.points } },
          { binding: 3, resource: { buffer: this.data } },
          { binding: 4, resource: { buffer: round.scores } },
        ],
      });
      cached = { times: round.times, points: round.points, scores: round.scores, group };
      this.groups.set(round.count, cached);
    }
    const group = cached.group;
    const pass = encoder.beginComputePass({ label: wide ? 'dataset-score-wide' : 'dataset-score-batch' });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(gx, gy);
    pass.end();
  }

  destroy(): void {
    this.data.destroy();
    for (const b of this.params.values()) b.destroy();
    this.params.clear();
    this.groups.clear();
  }
}

/** The dataset's exact score computed by a {@link DatasetScorePipeline} acting as an external model (named `name`, default "<dataset> (external)"). */
export function datasetExternalModel(pipeline: DatasetScorePipeline, name = `${pipeline.dataset.name} (external)`): ScoreModel {
  const data = pipeline.dataset;
  const scratch = new Float64Array(data.dim);
  return externalScoreModel({
    name,
    dim: data.dim,
    output: pipeline.output,
    encode: (encoder, round) => pipeline.encode(encoder, round),
    reference: (x, t, out) => datasetEval(data, x, 0, t, out, null, scratch),
  });
}

/** A dataset's exact score prepared for one device: the model, how it runs, and what frees it. */
export interface DeviceDatasetScore {
  model: ScoreModel;
  /** 'fused': {@link datasetScoreModel} in the sampler kernels; 'wide': a wide {@link DatasetScorePipeline} as an external model. */
  kind: 'fused' | 'wide';
  /** Frees the pipeline's buffers (nothing for 'fused'). Call it after the last run. */
  destroy(): void;
}

/**
 * The exact score of `data` in the fastest form for its dimension on `device`: where
 * {@link datasetLayout} says 'thread' (below {@link WIDE_MIN_DIM} dimensions, and on a software
 * adapter, where the fused kernel measured fastest) the fused {@link datasetScoreModel}; else the
 * wide batch kernel as an external model (every sampler takes it; same samples to f32 rounding).
 * The model keeps the dataset's name. For the CPU reference use datasetScoreModel.
 */
export async function datasetScoreOnDevice(device: GPUDevice, data: Dataset, options: DatasetPipelineOptions = {}): Promise<DeviceDatasetScore> {
  checkDataset(data);
  if (datasetLayout(data.dim, options.layout, isSoftwareDevice(device)) === 'thread') return { model: datasetScoreModel(data), kind: 'fused', destroy: () => {} };
  const pipe = await DatasetScorePipeline.create(device, data, 'x0', { ...options, layout: 'wide' });
  return { model: datasetExternalModel(pipe, data.name), kind: 'wide', destroy: () => pipe.destroy() };
}
