/**
 * Histogram total variation (d <= 2): TV between the sample histogram and the exact bin
 * probabilities of q_t on a box covering every component +- 5 sd (100 bins in 1-D, 50 x 50 in
 * 2-D), plus one "outside" bin that also receives non-finite samples.
 */
import { RunOptionError } from '../errors.js';
import type { GaussianMixture } from '../targets/gmm.js';
import { checkSamples, rowNonFinite, type SampleArray } from './common.js';
import { normalInterval } from './normal-cdf.js';

/** Bins per axis by dimension. */
const BINS: Record<number, number> = { 1: 100, 2: 50 };
/** Half-width of the box in component standard deviations. */
const BOX_SDS = 5;
/** Midpoint-rule sub-points per axis within a bin, for full 2-D covariances. */
const SUB = 8;

/** The histogram grid and the exact probability of each bin. */
export interface ExactBins {
  /** Dimension (1 or 2). */
  d: number;
  /** Bins per axis. */
  bins: number;
  /** Lower corner of the box (d). */
  lo: Float64Array;
  /** Upper corner of the box (d). */
  hi: Float64Array;
  /**
   * Bin probabilities, bins^d of them (row-major, first axis slowest), then the outside mass
   * at the end.
   */
  probs: Float64Array;
}

/** Marginal standard deviation of component k of q_t along axis i. */
function axisSd(target: GaussianMixture, k: number, i: number, t: number): number {
  const d = target.dim, m = Math.exp(-t), s2 = -Math.expm1(-2 * t);
  const S = target.covariance(k);
  return Math.sqrt(m * m * S[i * d + i]! + s2);
}

/** The grid on q_t (a box of every component +- 5 sd) and its exact bin probabilities. */
export function exactBins(target: GaussianMixture, t: number): ExactBins {
  const d = target.dim;
  if (d > 2) throw new RunOptionError('metrics', 'histTV', 'a metric of targets with dim <= 2', `this target has dim ${d}`);
  const bins = BINS[d]!, K = target.K, m = Math.exp(-t);
  const lo = new Float64Array(d).fill(Infinity), hi = new Float64Array(d).fill(-Infinity);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < d; i++) {
      const c = m * target.means[k * d + i]!, sd = axisSd(target, k, i, t);
      lo[i] = Math.min(lo[i]!, c - BOX_SDS * sd);
      hi[i] = Math.max(hi[i]!, c + BOX_SDS * sd);
    }
  }
  const nb = bins ** d, probs = new Float64Array(nb + 1);
  const edge = (i: number, b: number) => lo[i]! + ((hi[i]! - lo[i]!) * b) / bins;
  const mass = new Float64Array(d * bins);
  for (let k = 0; k < K; k++) {
    const w = target.weights[k]!;
    if (target.covKind !== 'full' || d === 1) {
      // Axis-aligned: a product of normal interval probabilities.
      for (let i = 0; i < d; i++) {
        const c = m * target.means[k * d + i]!, sd = axisSd(target, k, i, t);
        for (let b = 0; b < bins; b++) mass[i * bins + b] = normalInterval((edge(i, b) - c) / sd, (edge(i, b + 1) - c) / sd);
      }
      if (d === 1) for (let b = 0; b < bins; b++) probs[b]! += w * mass[b]!;
      else {
        for (let a = 0; a < bins; a++) for (let b = 0; b < bins; b++) probs[a * bins + b]! += w * mass[a]! * mass[bins + b]!;
      }
    } else {
      addFullComponent2d(target, k, t, bins, lo, hi, probs);
    }
  }
  let inside = 0;
  for (let b = 0; b < nb; b++) inside += probs[b]!;
  probs[nb] = Math.max(0, 1 - inside);
  return { d, bins, lo, hi, probs };
}

/** Adds w_k N(m mu_k, C_k) integrated over each 2-D bin by the midpoint rule on SUB x SUB points. */
function addFullComponent2d(
  target: GaussianMixture, k: number, t: number, bins: number, lo: Float64Array, hi: Float64Array, probs: Float64Array,
): void {
  const m = Math.exp(-t), s2 = -Math.expm1(-2 * t), S = target.covariance(k);
  const c00 = m * m * S[0]! + s2, c01 = m * m * S[1]!, c11 = m * m * S[3]! + s2;
  const det = c00 * c11 - c01 * c01;
  const i00 = c11 / det, i01 = -c01 / det, i11 = c00 / det;
  const mx = m * target.means[2 * k]!, my = m * target.means[2 * k + 1]!;
  const hx = (hi[0]! - lo[0]!) / (bins * SUB), hy = (hi[1]! - lo[1]!) / (bins * SUB);
  const norm = (target.weights[k]! * hx * hy) / (2 * Math.PI * Math.sqrt(det));
  for (let a = 0; a < bins * SUB; a++) {
    const dx = lo[0]! + (a + 0.5) * hx - mx, ba = Math.floor(a / SUB) * bins;
    for (let b = 0; b < bins * SUB; b++) {
      const dy = lo[1]! + (b + 0.5) * hy - my;
      const q = i00 * dx * dx + 2 * i01 * dx * dy + i11 * dy * dy;
      probs[ba + Math.floor(b / SUB)]! += norm * Math.exp(-0.5 * q);
    }
  }
}

/** Histogram of X on the grid of `grid`: frequencies of each bin, the outside bin last. */
export function sampleHistogram(grid: ExactBins, X: SampleArray, n: number): Float64Array {
  const { d, bins, lo, hi } = grid, nb = bins ** d, counts = new Float64Array(nb + 1);
  for (let r = 0; r < n; r++) {
    if (rowNonFinite(X, r, d)) {
      counts[nb]!++;
      continue;
    }
    let idx = 0, outside = false;
    for (let i = 0; i < d; i++) {
      const v = X[r * d + i]!;
      if (v < lo[i]! || v > hi[i]!) {
        outside = true;
        break;
      }
      const b = Math.min(bins - 1, Math.floor(((v - lo[i]!) / (hi[i]! - lo[i]!)) * bins));
      idx = idx * bins + b;
    }
    counts[outside ? nb : idx]!++;
  }
  for (let b = 0; b <= nb; b++) counts[b]! /= n;
  return counts;
}

/** TV between the histogram of X and the exact bin probabilities of q_t (d <= 2). */
export function histTV(target: GaussianMixture, X: SampleArray, n: number, t: number, grid?: ExactBins): number {
  checkSamples(X, n, target.dim);
  const g = grid ?? exactBins(target, t);
  const freq = sampleHistogram(g, X, n);
  let s = 0;
  for (let b = 0; b < freq.length; b++) s += Math.abs(freq[b]! - g.probs[b]!);
  return 0.5 * s;
}
