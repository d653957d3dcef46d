/**
 * Mode-weight diagnostics: assign each sample to its most responsible component of q_t and take
 * the total variation between the assignment frequencies and the weights (modeTV); the soft
 * variant uses the mean responsibilities instead, which are unbiased (E_q[r_k] = w_k).
 * Non-finite samples are assigned to no component, so they count fully against the TV.
 */
import type { GaussianMixture } from '../targets/gmm.js';
import { checkSamples, rowNonFinite, type SampleArray } from './common.js';

/** Rows evaluated per batch (bounds the n*K responsibility buffer). */
const CHUNK = 4096;

/** Assignment frequencies of X under q_t. */
export interface ModeFrequencies {
  /** Fraction of samples whose most responsible component is k (K). */
  hard: Float64Array;
  /** Mean responsibility of component k (K). */
  soft: Float64Array;
  /** Fraction of samples with a non-finite entry. */
  bad: number;
}

/** Hard and soft component frequencies of X (n rows) under q_t. */
export function modeFrequencies(target: GaussianMixture, X: SampleArray, n: number, t: number): ModeFrequencies {
  const d = target.dim, K = target.K;
  checkSamples(X, n, d);
  const hard = new Float64Array(K), soft = new Float64Array(K);
  let bad = 0;
  for (let start = 0; start < n; start += CHUNK) {
    const rows = Math.min(CHUNK, n - start);
    const R = target.responsibilities(X.subarray(start * d, (start + rows) * d), t);
    for (let i = 0; i < rows; i++) {
      if (rowNonFinite(X, start + i, d)) {
        bad++;
        continue;
      }
      let best = 0;
      for (let k = 0; k < K; k++) {
        const r = R[i * K + k]!;
        soft[k]! += r;
        if (r > R[i * K + best]!) best = k;
      }
      hard[best]!++;
    }
  }
  for (let k = 0; k < K; k++) {
    hard[k]! /= n;
    soft[k]! /= n;
  }
  return { hard, soft, bad: bad / n };
}

/** TV between frequencies and weights, with the mass `bad` of unassigned samples counted in full. */
function tv(freq: Float64Array, weights: Float64Array, bad: number): number {
  let s = bad;
  for (let k = 0; k < weights.length; k++) s += Math.abs(freq[k]! - weights[k]!);
  return 0.5 * s;
}

/** Mode TV: TV between the hard-assignment frequencies of X under q_t and the weights. */
export function modeTV(target: GaussianMixture, X: SampleArray, n: number, t: number): number {
  const f = modeFrequencies(target, X, n, t);
  return tv(f.hard, target.weights, f.bad);
}

/** Soft mode TV: TV between the mean responsibilities of X under q_t and the weights. */
export function modeTVsoft(target: GaussianMixture, X: SampleArray, n: number, t: number): number {
  const f = modeFrequencies(target, X, n, t);
  return tv(f.soft, target.weights, f.bad);
}
