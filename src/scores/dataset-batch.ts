/**
 * The exact empirical score of a dataset for a batch of points, as its own compute pipeline
 * (shaders/dataset-score-batch.wgsl: the dataset streamed through workgroup memory in tiles, with
 * a running-max log-sum-exp). It is a complete example of an external model: {@link
 * datasetExternalModel} plugs it into the engine through {@link externalScoreModel}, and
 * {@link DatasetScorePipeline.encode} can be used on its own to score any batch.
 */
import { composeShader } from '../gpu/compose.js';
import { MidstepError } from '../errors.js';
import { checkDataset, datasetEval, packDataset, type Dataset } from './dataset-score.js';
import { externalScoreModel, type ExternalRound } from './external-score.js';
import type { ScoreModel } from './types.js';

/** Invocations (points) per workgroup. */
export const BATCH_WG_SIZE = 64;

/** Points per tile: as many as fit 16 KiB of workgroup memory (the WebGPU default limit), at most 64. */
export function tilePoints(dim: number, workgroupBytes = 16384): number {
  return Math.max(1, Math.min(64, Math.floor(workgroupBytes / (16 * Math.ceil(dim / 4)))));
}

/** A compiled batch-score pipeline for one dataset on one device. */
export class DatasetScorePipeline {
  readonly pipeline: GPUComputePipeline;
  readonly tile: number;
  private readonly data: GPUBuffer;
  /** The batch uniform (count, row stride) of each batch size seen: rounds of one run differ in size, and queue.writeBuffer lands before all of them. */
  private readonly params = new Map<number, GPUBuffer>();

  private constructor(readonly device: GPUDevice, readonly dataset: Dataset, pipeline: GPUComputePipeline, tile: number, readonly output: 'score' | 'x0') {
    this.pipeline = pipeline;
    this.tile = tile;
    const packed = packDataset(dataset);
    this.data = device.createBuffer({ label: `dataset ${dataset.name}`, size: packed.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(this.data, 0, packed);
  }

  /**
   * Compiles the kernel for `dataset` on `device` and uploads the data. It writes x0hat by default
   * (the form that loses no digits at large t; the score follows from it), or the score.
   * `tilePointsOverride` sets the points per tile (default: as many as fit, {@link tilePoints}).
   * Note: SwiftShader takes minutes to compile this kernel for d in the hundreds (its barriers keep
   * each invocation's private arrays live); GPUs compile it in well under a second.
   * @throws MidstepError when the WGSL does not compile on this device.
   */
  static async create(device: GPUDevice, dataset: Dataset, output: 'score' | 'x0' = 'x0', tilePointsOverride?: number): Promise<DatasetScorePipeline> {
    checkDataset(dataset);
    const tile = tilePointsOverride ?? tilePoints(dataset.dim, device.limits.maxComputeWorkgroupStorageSize);
    const code = composeShader('dataset-score-batch', { DIM: dataset.dim, DIM4: Math.ceil(dataset.dim / 4), NPOINTS: dataset.n, TILE: tile, WG_SIZE: BATCH_WG_SIZE, OUT_X0: output === 'x0' });
    const module = device.createShaderModule({ label: 'dataset-score-batch', code });
    const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
    if (errors.length) throw new MidstepError(`WGSL of dataset-score-batch does not compile: ${errors.map((e) => `line ${e.lineNum}: ${e.message}`).join('; ')}`);
    const pipeline = await device.createComputePipelineAsync({ label: 'dataset-score-batch', layout: 'auto', compute: { module, entryPoint: 'main' } });
    return new DatasetScorePipeline(device, dataset, pipeline, tile, output);
  }

  /** Encodes the scores (or x0hat, per `output`) of `round.count` points, each at its own time, into `round.scores`. */
  encode(encoder: GPUCommandEncoder, round: ExternalRound): void {
    if (round.dim !== this.dataset.dim) throw new MidstepError(`dataset batch score: points of dim ${round.dim}, expected ${this.dataset.dim}`);
    const groups = Math.ceil(round.count / BATCH_WG_SIZE);
    const maxX = this.device.limits.maxComputeWorkgroupsPerDimension;
    const gx = Math.min(groups, maxX), gy = Math.ceil(groups / gx);
    let params = this.params.get(round.count);
    if (!params) {
      params = this.device.createBuffer({ label: `dataset batch params ${round.count}`, size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      this.device.queue.writeBuffer(params, 0, new Uint32Array([round.count, gx * BATCH_WG_SIZE, 0, 0]));
      this.params.set(round.count, params);
    }
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
    const pass = encoder.beginComputePass({ label: 'dataset-score-batch' });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(gx, gy);
    pass.end();
  }

  destroy(): void {
    this.data.destroy();
    for (const b of this.params.values()) b.destroy();
    this.params.clear();
  }
}

/** The dataset's exact score computed by a {@link DatasetScorePipeline} acting as an external model. */
export function datasetExternalModel(pipeline: DatasetScorePipeline): ScoreModel {
  const data = pipeline.dataset;
  const scratch = new Float64Array(data.dim);
  return externalScoreModel({
    name: `${data.name} (external)`,
    dim: data.dim,
    output: pipeline.output,
    encode: (encoder, round) => pipeline.encode(encoder, round),
    reference: (x, t, out) => datasetEval(data, x, 0, t, out, null, scratch),
  });
}
