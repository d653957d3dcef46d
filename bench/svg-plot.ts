/**
 * A tiny log-log line-plot writer (SVG text, no dependencies) for the benchmark results.
 */

/** One line of a plot. */
export interface Series {
  name: string;
  points: { x: number; y: number }[];
  /** Dashed (e.g. a floor or a reference level). */
  dashed?: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Powers of ten (and 2, 5 between them when the range is short) inside [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const few = Math.log10(hi / lo) < 2.5;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of few ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

/** An SVG log-log plot of `series` with axis labels and a legend. */
export function logLogPlot(title: string, xLabel: string, yLabel: string, series: Series[], width = 640, height = 420): string {
  const pts = series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.y));
  const x0 = Math.min(...pts.map((p) => p.x)) / 1.15, x1 = Math.max(...pts.map((p) => p.x)) * 1.15;
  const y0 = Math.min(...pts.map((p) => p.y)) / 1.3, y1 = Math.max(...pts.map((p) => p.y)) * 1.3;
  const L = 70, R = 190, T = 36, B = 50;
  const X = (x: number) => L + ((Math.log(x) - Math.log(x0)) / (Math.log(x1) - Math.log(x0))) * (width - L - R);
  const Y = (y: number) => height - B - ((Math.log(y) - Math.log(y0)) / (Math.log(y1) - Math.log(y0))) * (height - T - B);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${width / 2 - R / 2}" y="20" text-anchor="middle" font-size="13">${esc(title)}</text>`);
  out.push(`<rect x="${L}" y="${T}" width="${width - L - R}" height="${height - T - B}" fill="none" stroke="#333"/>`);
  for (const v of ticks(x0, x1)) {
    out.push(`<line x1="${X(v)}" y1="${height - B}" x2="${X(v)}" y2="${T}" stroke="#eee"/>`);
    out.push(`<text x="${X(v)}" y="${height - B + 14}" text-anchor="middle">${v}</text>`);
  }
  for (const v of ticks(y0, y1)) {
    out.push(`<line x1="${L}" y1="${Y(v)}" x2="${width - R}" y2="${Y(v)}" stroke="#eee"/>`);
    out.push(`<text x="${L - 4}" y="${Y(v) + 4}" text-anchor="end">${v.toPrecision(1)}</text>`);
  }
  out.push(`<text x="${(L + width - R) / 2}" y="${height - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text x="16" y="${(T + height - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(T + height - B) / 2})">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]!;
    const p = s.points.filter((q) => q.x > 0 && q.y > 0 && Number.isFinite(q.y));
    if (p.length === 0) return;
    const dash = s.dashed ? ' stroke-dasharray="5,4"' : '';
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="1.6"${dash} points="${p.map((q) => `${X(q.x).toFixed(1)},${Y(q.y).toFixed(1)}`).join(' ')}"/>`);
    if (!s.dashed) for (const q of p) out.push(`<circle cx="${X(q.x).toFixed(1)}" cy="${Y(q.y).toFixed(1)}" r="2.5" fill="${c}"/>`);
    const ly = T + 14 + 16 * i;
    out.push(`<line x1="${width - R + 10}" y1="${ly - 4}" x2="${width - R + 30}" y2="${ly - 4}" stroke="${c}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${width - R + 34}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
