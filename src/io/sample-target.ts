/**
 * Resolves the `--target` of `midstep sample` in Node: everything {@link loadTargetSpec} takes
 * (Gaussian-mixture presets and JSON files), plus score models without an analytic target:
 * `mnist` (the exact empirical score of the 10,000 digits of the `mnist` package) and
 * `*.safetensors` files (an MLP score network, see src/scores/mlp-score.ts). On the GPU the CLI
 * runs a dataset target at large d through the wide batch kernel ({@link loadSampleDataset},
 * src/scores/dataset-batch.ts `datasetScoreOnDevice`).
 */
import { loadMnist } from '../data/mnist-node.js';
import { datasetScoreModel, type Dataset } from '../scores/dataset-score.js';
import type { ScoreModel } from '../scores/types.js';
import type { GaussianMixture } from '../targets/gmm.js';
import { loadMlpScoreFile } from './mlp-file.js';
import { loadTargetSpec } from './target-file.js';

/** Names of the dataset targets `midstep sample --target` knows. */
export const DATASET_TARGETS = ['mnist'] as const;

/** The dataset behind a dataset target name (`mnist`), or null for any other spec. */
export function loadSampleDataset(spec: string): Dataset | null {
  return spec === 'mnist' ? loadMnist() : null;
}

/** A target for sampling: a mixture preset or file, `mnist`, or an MLP `.safetensors` file. */
export function loadSampleTarget(spec: string): GaussianMixture | ScoreModel {
  const data = loadSampleDataset(spec);
  if (data) return datasetScoreModel(data);
  if (spec.endsWith('.safetensors')) return loadMlpScoreFile(spec);
  return loadTargetSpec(spec);
}
