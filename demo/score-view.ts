/**
 * Drawing and measuring samples of the score-model targets: a grid of sampled MNIST digits (the
 * data's [0, 1] pixel values, white ink on black, clamped), and each sample's distance to its
 * nearest reference point (training digit) — the measure that replaces the analytic metrics there.
 */
import type { Dataset } from '../src/scores/dataset-score.js';
import { MNIST_SIDE } from './score-targets.js';

/** Screen pixels per image pixel and the gap between cells of the digit grid. */
const ZOOM = 2, GAP = 2;

/** A canvas for a grid of n digits (columns ceil(sqrt(n))); `data-cells`, `data-cols`, `data-cell` describe the layout. */
export function digitCanvas(title: string, n: number): HTMLCanvasElement {
  const cols = Math.ceil(Math.sqrt(n)), rows = Math.ceil(n / cols), cell = MNIST_SIDE * ZOOM;
  const c = document.createElement('canvas');
  c.width = cols * (cell + GAP) + GAP;
  c.height = rows * (cell + GAP) + GAP;
  c.className = 'digits';
  c.dataset.title = title;
  c.dataset.cells = String(n);
  c.dataset.cols = String(cols);
  c.dataset.cell = String(cell);
  c.dataset.gap = String(GAP);
  return c;
}

/** Draws the first n digits of x (n x 784, values on the [0, 1] scale, clamped) into the grid. */
export function drawDigits(canvas: HTMLCanvasElement, x: Float32Array, n: number): void {
  const cols = Number(canvas.dataset.cols), cell = Number(canvas.dataset.cell), d = MNIST_SIDE * MNIST_SIDE;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(canvas.width, canvas.height);
  img.data.fill(255); // white gaps
  const cells = Math.min(n, Number(canvas.dataset.cells));
  for (let k = 0; k < cells; k++) {
    const ox = GAP + (k % cols) * (cell + GAP), oy = GAP + Math.floor(k / cols) * (cell + GAP);
    for (let py = 0; py < cell; py++) for (let px = 0; px < cell; px++) {
      const v = x[k * d + Math.floor(py / ZOOM) * MNIST_SIDE + Math.floor(px / ZOOM)]!;
      const g = Math.round(255 * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)));
      const o = 4 * ((oy + py) * canvas.width + ox + px);
      img.data[o] = img.data[o + 1] = img.data[o + 2] = g;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** Euclidean distance of each of the first n rows of x to its nearest point of `data`. */
export function nearestDistances(data: Dataset, x: Float32Array, n: number): number[] {
  const d = data.dim, pts = data.points;
  return Array.from({ length: n }, (_, p) => {
    let best = Infinity;
    for (let i = 0; i < data.n; i++) {
      let s = 0;
      for (let j = 0; j < d && s < best; j++) {
        const v = x[p * d + j]! - pts[i * d + j]!;
        s += v * v;
      }
      best = Math.min(best, s);
    }
    return Math.sqrt(best);
  });
}

/** Median of a non-empty list. */
export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b), h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}
