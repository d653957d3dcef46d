/** Sample-quality metrics against the exact marginals q_t of Gaussian-mixture targets. */
export { DEFAULT_METRIC_SEED, deriveSeed, sortFloat64, type SampleArray } from './common.js';
export * from './normal-cdf.js';
export * from './sliced-w2.js';
export * from './mmd.js';
export * from './moments.js';
export * from './mode-tv.js';
export * from './hist-tv.js';
export * from './radius-w2.js';
export * from './evaluate.js';
