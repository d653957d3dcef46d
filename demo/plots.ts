/**
 * The demo's plots: particle densities beside the exact target density (Canvas2D images inside
 * Observable Plot axes) and the error-against-nfe charts (Observable Plot, SVG). Only Canvas2D and
 * SVG, which screenshot reliably in headless Chromium.
 */
import * as Plot from '@observablehq/plot';
import { GaussianMixture } from '../src/targets/gmm.js';

/** The plotted window: [x0, x1] x [y0, y1] in the first two coordinates. */
export interface Extent {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Pixels of a density image (square). */
export const IMAGE_SIZE = 240;
const MARGIN = { left: 36, right: 8, top: 8, bottom: 28 };
/** Colours of the samplers' lines, in the order they are chosen. */
export const SAMPLER_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** A square window around every component (mean +- 3.5 sd in the first two coordinates). */
export function targetExtent(target: GaussianMixture): Extent {
  const d = target.dim;
  let lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
  for (let k = 0; k < target.K; k++) {
    const S = target.covariance(k);
    for (let j = 0; j < Math.min(2, d); j++) {
      const m = target.means[k * d + j]!, s = 3.5 * Math.sqrt(Math.max(S[j * d + j]!, 1e-6));
      lo[j] = Math.min(lo[j]!, m - s);
      hi[j] = Math.max(hi[j]!, m + s);
    }
  }
  if (d === 1) (lo = [lo[0]!, 0]), (hi = [hi[0]!, 1]);
  const half = Math.max(hi[0]! - lo[0]!, d === 1 ? 0 : hi[1]! - lo[1]!) / 2;
  const cx = (lo[0]! + hi[0]!) / 2, cy = (lo[1]! + hi[1]!) / 2;
  return d === 1 ? { x0: lo[0]!, x1: hi[0]!, y0: 0, y1: 1 } : { x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
}

/** The marginal of the first two coordinates (the mixture of the 2 x 2 blocks), for plotting d > 2. */
export function firstTwoMarginal(target: GaussianMixture): GaussianMixture {
  if (target.dim <= 2) return target;
  const d = target.dim;
  return GaussianMixture.fromJSON({
    kind: 'gmm', name: `${target.name} (x1, x2)`, weights: Array.from(target.weights),
    means: Array.from({ length: target.K }, (_, k) => [target.means[k * d]!, target.means[k * d + 1]!]),
    covariances: Array.from({ length: target.K }, (_, k) => {
      const S = target.covariance(k);
      return [[S[0]!, S[1]!], [S[d]!, S[d + 1]!]];
    }),
  });
}

/** A figure: Plot axes with a canvas over the plot area. `data-extent` says what the canvas shows. */
export function densityFigure(title: string, extent: Extent, xLabel = 'x1', yLabel = 'x2'): { figure: HTMLElement; canvas: HTMLCanvasElement } {
  const svg = Plot.plot({
    width: IMAGE_SIZE + MARGIN.left + MARGIN.right, height: IMAGE_SIZE + MARGIN.top + MARGIN.bottom,
    marginLeft: MARGIN.left, marginRight: MARGIN.right, marginTop: MARGIN.top, marginBottom: MARGIN.bottom,
    x: { domain: [extent.x0, extent.x1], label: xLabel, ticks: 5 }, y: { domain: [extent.y0, extent.y1], label: yLabel, ticks: 5 },
    marks: [Plot.frame()],
  });
  const canvas = document.createElement('canvas');
  canvas.width = IMAGE_SIZE;
  canvas.height = IMAGE_SIZE;
  canvas.className = 'density';
  canvas.style.left = `${MARGIN.left}px`;
  canvas.style.top = `${MARGIN.top}px`;
  canvas.dataset.title = title;
  canvas.dataset.extent = JSON.stringify(extent);
  const box = document.createElement('div');
  box.className = 'plotbox';
  box.append(svg, canvas);
  const figure = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.textContent = title;
  figure.append(box, cap);
  return { figure, canvas };
}

/** Blue ramp for a value v in [0, 1] (0 = white). */
function ramp(v: number): [number, number, number] {
  return [255 - 235 * v, 255 - 195 * v, 255 - 95 * v];
}

/** Draws the first n particles (first two coordinates) as a 2-D histogram, one bin per pixel, square-root colour scale. */
export function drawParticles(canvas: HTMLCanvasElement, x: Float32Array, n: number, dim: number, extent: Extent): void {
  const S = canvas.width, counts = new Uint32Array(S * S);
  const sx = S / (extent.x1 - extent.x0), sy = S / (extent.y1 - extent.y0);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const c = Math.floor((x[i * dim]! - extent.x0) * sx);
    const r = dim === 1 ? -1 : Math.floor((extent.y1 - x[i * dim + 1]!) * sy);
    if (c < 0 || c >= S || r < 0 || r >= S) continue;
    const v = ++counts[r * S + c]!;
    if (v > max) max = v;
  }
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(S, S);
  // square-root colour scale, with a floor so that single particles stay visible
  const scale = 1 / Math.max(max, 1);
  for (let p = 0; p < counts.length; p++) {
    const c = counts[p]!;
    const v = c === 0 ? 0 : Math.max(0.15, Math.sqrt(c * scale));
    const [r, g, b] = ramp(Math.min(1, v));
    img.data.set([r, g, b, 255], 4 * p);
  }
  ctx.putImageData(img, 0, 0);
}

/** Draws the exact density of a 2-D mixture (at time t) on the canvas, linear colour scale. */
export function drawDensity(canvas: HTMLCanvasElement, target2d: GaussianMixture, t: number, extent: Extent): void {
  const S = canvas.width, pts = new Float64Array(S * S * 2);
  for (let r = 0; r < S; r++) for (let c = 0; c < S; c++) {
    pts[2 * (r * S + c)] = extent.x0 + ((c + 0.5) / S) * (extent.x1 - extent.x0);
    pts[2 * (r * S + c) + 1] = extent.y1 - ((r + 0.5) / S) * (extent.y1 - extent.y0);
  }
  const logp = target2d.logpdf(pts, t);
  let max = -Infinity;
  for (const v of logp) max = Math.max(max, v);
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(S, S);
  for (let i = 0; i < logp.length; i++) {
    const [r, g, b] = ramp(Math.exp(logp[i]! - max));
    img.data.set([r, g, b, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}

/** A 1-D histogram of samples beside the exact density (SVG), for one-dimensional targets. */
export function histogram1d(title: string, target: GaussianMixture, t: number, extent: Extent, x: Float32Array | null, n: number): HTMLElement {
  const bins = 60, w = (extent.x1 - extent.x0) / bins;
  const marks: Plot.Markish[] = [Plot.frame()];
  if (x) {
    const counts = new Float64Array(bins);
    for (let i = 0; i < n; i++) {
      const b = Math.floor((x[i]! - extent.x0) / w);
      if (b >= 0 && b < bins) counts[b]! += 1;
    }
    marks.push(Plot.rectY(Array.from(counts, (c, b) => ({ x1: extent.x0 + b * w, x2: extent.x0 + (b + 1) * w, y: c / (n * w) })), { x1: 'x1', x2: 'x2', y: 'y', fill: '#9ab' }));
  }
  const grid = Float64Array.from({ length: 300 }, (_, i) => extent.x0 + ((i + 0.5) / 300) * (extent.x1 - extent.x0));
  const logp = target.logpdf(grid, t);
  marks.push(Plot.line(Array.from(grid, (g, i) => ({ x: g, y: Math.exp(logp[i]!) })), { x: 'x', y: 'y', stroke: '#c33' }));
  const svg = Plot.plot({ width: IMAGE_SIZE + MARGIN.left + MARGIN.right, height: IMAGE_SIZE + MARGIN.top + MARGIN.bottom, x: { domain: [extent.x0, extent.x1], label: 'x' }, y: { label: 'density' }, marks });
  const figure = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.textContent = title;
  figure.append(svg, cap);
  return figure;
}

/** One point of the error-against-nfe chart. */
export interface ErrorPoint {
  sampler: string;
  nfe: number;
  value: number;
}

/** The finite-sample floor of a metric: mean and range over exact draws. */
export interface FloorBand {
  mean: number;
  lo: number;
  hi: number;
}

/** Error against nfe for several samplers, log-log (or log-linear), with the floor as a grey band. */
export function errorChart(label: string, points: ErrorPoint[], band: FloorBand | null, samplers: string[], nfes: number[], yLog: boolean): SVGSVGElement {
  const x0 = Math.min(...nfes), x1 = Math.max(...nfes);
  const marks: Plot.Markish[] = [];
  if (band) {
    const b = [{ nfe: x0, lo: band.lo, hi: band.hi }, { nfe: x1, lo: band.lo, hi: band.hi }];
    marks.push(Plot.areaY(b, { x: 'nfe', y1: 'lo', y2: 'hi', fill: '#bbb', fillOpacity: 0.45 }));
    marks.push(Plot.ruleY([band.mean], { stroke: '#888', strokeDasharray: '4 3' }));
    marks.push(Plot.text([{ nfe: x0, y: band.hi }], { x: 'nfe', y: 'y', text: () => 'floor (exact samples)', textAnchor: 'start', dy: -6, fill: '#666' }));
  }
  marks.push(
    Plot.line(points, { x: 'nfe', y: 'value', z: 'sampler', stroke: 'sampler', marker: 'circle' }),
  );
  const values = points.map((p) => p.value).concat(band ? [band.lo, band.hi] : []).filter((v) => v > 0 && Number.isFinite(v));
  const ymin = values.length ? Math.min(...values) : 1e-3, ymax = values.length ? Math.max(...values) : 1;
  // a label at each line's end, pushed down where it would overprint the one above (axis fraction < 5 %)
  const frac = (v: number) => (yLog ? Math.log(v / ymin) / Math.log(ymax / ymin || 2) : v / (ymax || 1));
  const ends = samplers.map((name) => points.filter((p) => p.sampler === name).pop()).filter((p): p is ErrorPoint => !!p).sort((a, b) => b.value - a.value);
  const labels = ends.map((p, i) => ({ ...p, dy: 0, i }));
  for (let i = 1; i < labels.length; i++) {
    const prev = labels[i - 1]!, cur = labels[i]!;
    if (frac(prev.value) - frac(cur.value) < 0.05) cur.dy = prev.dy + 11 - (frac(prev.value) - frac(cur.value)) * 220;
  }
  for (const l of labels) marks.push(Plot.text([l], { x: 'nfe', y: 'value', text: 'sampler', textAnchor: 'start', dx: 6, dy: l.dy, fill: 'sampler' }));
  return Plot.plot({
    width: 430, height: 300, marginRight: 130, marginLeft: 52,
    x: { type: 'log', domain: [x0 / 1.15, x1 * 1.15], ticks: nfes, tickFormat: (d: number) => String(d), label: 'nfe (score evaluations per particle)' },
    y: yLog ? { type: 'log', domain: [ymin / 1.3, ymax * 1.3], label, tickFormat: '~g' } : { domain: [0, ymax * 1.15], label, tickFormat: '~g' },
    color: { domain: samplers, range: SAMPLER_COLORS },
    grid: true,
    marks,
  }) as SVGSVGElement;
}
