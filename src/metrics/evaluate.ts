/**
 * Scores a sample against the exact q_t of a Gaussian-mixture target with every applicable metric,
 * and reports the finite-sample floor: the same metrics on exact samples of the same size.
 */
import { radiusW2 } from './radius-w2.js';
import { RunOptionError } from '../errors.js';
import type { GaussianMixture } from '../targets/gmm.js';
import { checkSamples, DEFAULT_METRIC_SEED, deriveSeed, type SampleArray } from './common.js';
import { exactBins, histTV } from './hist-tv.js';
import { mmd2Against, prepareMmdTarget } from './mmd.js';
import { modeFrequencies } from './mode-tv.js';
import { momentErrors } from './moments.js';
import { slicedW2Many } from './sliced-w2.js';

/** The metric names, in report order. */
export const METRIC_NAMES = ['sw2', 'mmd2', 'meanErr', 'covErr', 'modeTV', 'modeTVsoft', 'radiusW2', 'histTV'] as const;

/** A metric name. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** One line per metric: what it measures. */
export const METRIC_DESCRIPTIONS: Record<MetricName, string> = {
  /** Sliced W2: sqrt of the mean 1-D W2^2 over 256 random directions, against an exact sample of the same size. */
  sw2: 'sliced Wasserstein-2 over 256 random directions vs an exact sample of the same size',
  /** Unbiased MMD^2, Gaussian kernel with l^2 = median squared distance of an exact sample; target terms exact; <= 4000 points. */
  mmd2: 'unbiased MMD^2 vs q_t, Gaussian kernel (median bandwidth of an exact sample), target terms in closed form, <= 4000 points',
  /** |mean(X) - E_q x|, Euclidean. */
  meanErr: 'Euclidean error of the sample mean vs the exact mean of q_t',
  /** |Cov(X) - Cov_q|_F / |Cov_q|_F. */
  covErr: 'relative Frobenius error of the sample covariance vs the exact covariance of q_t',
  /** TV of hard component-assignment frequencies vs the weights. */
  modeTV: 'TV between hard component-assignment frequencies and the mixture weights',
  /** TV of mean responsibilities vs the weights (unbiased). */
  modeTVsoft: 'TV between mean responsibilities and the mixture weights',
  /** W2 of whitened radii to the most responsible component: adds up error over coordinates. */
  radiusW2: 'W2 of the whitened distance to the most responsible component vs an exact sample (adds up error over coordinates, for dimension studies)',
  /** d <= 2: TV of the histogram (100 or 50x50 bins + outside) vs exact bin probabilities. */
  histTV: 'histogram TV vs exact bin probabilities (d <= 2; 100 or 50x50 bins plus an outside bin)',
};

/** Options of {@link evaluateSamples}. */
export interface EvaluateOptions {
  /** Time of q_t to compare against (default 1e-3, the usual early-stopping delta). */
  t?: number;
  /** Seed of the metrics' own randomness (reference and floor samples, directions, subsets). */
  seed?: number;
  /** Exact draws averaged for the floor (default 5; 0 skips the floor). */
  floorDraws?: number;
  /** Metrics to compute (default: all that apply; histTV only for d <= 2). */
  metrics?: MetricName[];
  /** Sliced-W2 directions (default 256). */
  directions?: number;
  /** MMD points per side (default 4000). */
  mmdPoints?: number;
}

/** Result of {@link evaluateSamples}. */
export interface Evaluation {
  /** Number of samples judged. */
  n: number;
  /** Dimension. */
  dim: number;
  /** Time of the reference q_t. */
  t: number;
  /** Metric values of the sample. */
  metrics: Record<string, number>;
  /** Mean of the same metrics over exact samples of the same size (|mmd2| for MMD). */
  floor: Record<string, number>;
}

/** The default metric list for a dimension. */
export function defaultMetrics(dim: number): MetricName[] {
  return METRIC_NAMES.filter((m) => m !== 'histTV' || dim <= 2);
}

/**
 * Scores `n` samples X (row-major, d = target.dim) against q_t. The exact reference sample and
 * the floor draws come from seeds derived from `opts.seed`, far from any seed a run would use, so
 * they are never the samples being judged.
 */
export function evaluateSamples(target: GaussianMixture, X: SampleArray, n: number, opts: EvaluateOptions = {}): Evaluation {
  const d = target.dim, t = opts.t ?? 1e-3, seed = opts.seed ?? DEFAULT_METRIC_SEED;
  const floorDraws = opts.floorDraws ?? 5;
  checkSamples(X, n, d, 2);
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new RunOptionError('t', t, 'a finite time >= 0');
  if (!Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) throw new RunOptionError('seed', seed, 'an integer in [0, 2^53)');
  if (!Number.isInteger(floorDraws) || floorDraws < 0 || floorDraws > 100) throw new RunOptionError('floorDraws', floorDraws, 'an integer in [0, 100]');
  const names = opts.metrics ?? defaultMetrics(d);
  for (const name of names) {
    if (!(METRIC_NAMES as readonly string[]).includes(name)) throw new RunOptionError('metrics', name, `one of ${METRIC_NAMES.join(', ')}`);
  }
  const want = new Set<MetricName>(names);

  const floors: Float64Array[] = [];
  for (let r = 0; r < floorDraws; r++) floors.push(target.sample(n, t, deriveSeed(seed, 100 + r)));
  const metrics: Record<string, number> = {}, floorSum: Record<string, number> = {};
  const put = (name: MetricName, value: number, floorValues: number[]) => {
    metrics[name] = value;
    if (floorDraws > 0) floorSum[name] = floorValues.reduce((a, b) => a + b, 0) / floorDraws;
  };

  if (want.has('sw2')) {
    const Y = target.sample(n, t, deriveSeed(seed, 1));
    const v = slicedW2Many([X, ...floors], n, d, Y, n, { seed: deriveSeed(seed, 2), directions: opts.directions });
    put('sw2', v[0]!, v.slice(1));
  }
  if (want.has('mmd2')) {
    const ref = prepareMmdTarget(target, t, { seed: deriveSeed(seed, 3), maxPoints: opts.mmdPoints });
    put('mmd2', mmd2Against(ref, X, n), floors.map((F) => Math.abs(mmd2Against(ref, F, n))));
  }
  if (want.has('meanErr') || want.has('covErr')) {
    const main = momentErrors(target, X, n, t), fl = floors.map((F) => momentErrors(target, F, n, t));
    if (want.has('meanErr')) put('meanErr', main.meanErr, fl.map((e) => e.meanErr));
    if (want.has('covErr')) put('covErr', main.covErr, fl.map((e) => e.covErr));
  }
  if (want.has('modeTV') || want.has('modeTVsoft')) {
    const tv = (f: Float64Array, bad: number) => {
      let s = bad;
      for (let k = 0; k < target.K; k++) s += Math.abs(f[k]! - target.weights[k]!);
      return 0.5 * s;
    };
    const main = modeFrequencies(target, X, n, t), fl = floors.map((F) => modeFrequencies(target, F, n, t));
    if (want.has('modeTV')) put('modeTV', tv(main.hard, main.bad), fl.map((f) => tv(f.hard, f.bad)));
    if (want.has('modeTVsoft')) put('modeTVsoft', tv(main.soft, main.bad), fl.map((f) => tv(f.soft, f.bad)));
  }
  if (want.has('radiusW2')) {
    const rs = deriveSeed(seed, 4);
    put('radiusW2', radiusW2(target, X, n, t, rs), floors.map((F) => radiusW2(target, F, n, t, rs)));
  }
  if (want.has('histTV')) {
    const grid = exactBins(target, t);
    put('histTV', histTV(target, X, n, t, grid), floors.map((F) => histTV(target, F, n, t, grid)));
  }
  const ordered: Record<string, number> = {}, orderedFloor: Record<string, number> = {};
  for (const name of METRIC_NAMES) {
    if (name in metrics) ordered[name] = metrics[name]!;
    if (name in floorSum) orderedFloor[name] = floorSum[name]!;
  }
  return { n, dim: d, t, metrics: ordered, floor: orderedFloor };
}
