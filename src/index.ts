/**
 * midstep: diffusion-model samplers as WebGPU compute shaders. This entry works in browsers and
 * Node; `midstep/node` adds Node's WebGPU (Dawn) with the SwiftShader fallback and file helpers.
 */
export * from './errors.js';
export { Engine, WORKGROUP_SIZE, type SampleRequest, type SampleResult, type RunProgress } from './engine.js';
export { acquireDevice, describeAdapter, type GpuContext } from './gpu/device.js';
export { sampleReference, type ReferenceRequest, type ReferenceResult } from './reference.js';
export { resolveRun, RUN_DEFAULTS, MAX_NFE, type RunSettings } from './run-request.js';
export { SAMPLERS, getSampler, resolveOptions } from './samplers/index.js';
export { poissonMidpointNfe, type PmmNfeQuery } from './samplers/poisson-midpoint.js';
export type { SamplerDefinition, SamplerOptionSpec, SamplerPlan } from './samplers/types.js';
export { GaussianMixture, type GmmJson } from './targets/gmm.js';
export { PRESETS, loadTarget, listPresets } from './targets/presets.js';
export { gmmScoreModel } from './scores/gmm-score.js';
export type { ScoreModel, ScoreBindings } from './scores/types.js';
export { Philox, Stream } from './rng/philox.js';
export { timeGrid, GRID_NAMES, type GridName } from './math/grids.js';
export * as ou from './math/ou.js';
export * from './metrics/index.js';
export { encodeNpy, decodeNpy } from './io/npy.js';
