/**
 * midstep: diffusion-model samplers as WebGPU compute shaders. This entry works in browsers and
 * Node; `midstep/node` adds Node's WebGPU (Dawn) with the SwiftShader fallback and file helpers.
 */
export * from './errors.js';
export { Engine, WORKGROUP_SIZE, type SampleRequest, type SampleResult, type RunProgress, type EngineOptions, type NonFiniteReport } from './engine.js';
export type { Checkpoint } from './checkpoint.js';
export type { NonFinitePolicy } from './gpu/fault-check.js';
export { BufferTracker } from './gpu/buffer-tracker.js';
export { runBuffers, checkRunMemory, type BufferNeed } from './gpu/run-memory.js';
export { faultInjectionModel, type FaultInjection } from './scores/fault-injection.js';
export { acquireDevice, describeAdapter, type GpuContext } from './gpu/device.js';
export { settle, defaultWaitMode, WAIT_SLICE_MS, type GpuWaitMode } from './gpu/quiet-wait.js';
export type { SnapshotOptions, SnapshotFrame, RunSnapshots } from './snapshots.js';
export { sampleReference, type ReferenceRequest, type ReferenceResult } from './reference.js';
export { resolveRun, RUN_DEFAULTS, MAX_NFE, type RunSettings } from './run-request.js';
export { SAMPLERS, getSampler, resolveOptions } from './samplers/index.js';
export { poissonMidpointNfe, type PmmNfeQuery } from './samplers/poisson-midpoint.js';
export type { SamplerDefinition, SamplerOptionSpec, SamplerPlan } from './samplers/types.js';
export { GaussianMixture, type GmmJson } from './targets/gmm.js';
export { PRESETS, loadTarget, listPresets } from './targets/presets.js';
export { gmmScoreModel } from './scores/gmm-score.js';
export type { ScoreModel, ScoreBindings, ScoreRunContext } from './scores/types.js';
export { datasetScoreModel, datasetEval, type Dataset } from './scores/dataset-score.js';
export { userScoreModel, type UserScoreOptions, type UserBinding } from './scores/user-score.js';
export { bananaScoreModel, bananaScore, sampleBanana, BANANA, type BananaParams } from './scores/banana.js';
export { mlpScoreModel, parseMlp, mlpForward, type MlpWeights } from './scores/mlp-score.js';
export { parseSafetensors, encodeSafetensors, type Safetensors, type Tensor } from './io/safetensors.js';
export { externalScoreModel, EXTERNAL_SAMPLERS, type ExternalRound, type ExternalScoreOptions, type ExternalOutput } from './scores/external-score.js';
export { DatasetScorePipeline, datasetExternalModel, datasetLayout, datasetScoreOnDevice, wideShape, WIDE_MIN_DIM, type DatasetLayout, type DatasetPipelineOptions, type DeviceDatasetScore, type WideShape } from './scores/dataset-batch.js';
export { toyDataset, TOY_DATASETS, type ToyDatasetName } from './data/toy2d.js';
export { MixtureScoreKernel } from './scores/mixture-score-kernel.js';
export { gmmPassScoreModel, PASS_SAMPLERS } from './scores/gmm-pass-score.js';
export { gmmStagedScoreModel, gmmPointsTable, MixturePointsKernel, pointsChunk, pointsFit, POINTS_SPLINE } from './scores/gmm-points-score.js';
export { gmmTimeTable } from './scores/gmm-time-table.js';
export { chooseScoreLayout, chooseScorePlacement, gemmChunkCoordinates, PASS_MIN_DIM, STAGED_MIN_DIM, adapterTraits, type ScoreLayout, type AdapterTraits, type ScorePlacement } from './gpu/kernel-select.js';
export { chooseUpdateLayout, resolveUpdateLayout, BLOCK_MIN_DIM_SOFTWARE, BLOCK_MIN_DIM_HARDWARE, type UpdateLayout } from './gpu/update-layout.js';
export { planChunks, runFootprint, RunMemoryError, type ChunkPlan, type BufferLimits } from './gpu/chunk-plan.js';
export { Philox, Stream } from './rng/philox.js';
export { timeGrid, GRID_NAMES, type GridName } from './math/grids.js';
export * as ou from './math/ou.js';
export * from './metrics/index.js';
export { encodeNpy, decodeNpy } from './io/npy.js';
