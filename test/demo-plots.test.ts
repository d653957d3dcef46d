/** The demo's plotting math: the window around a target, and the x1-x2 marginal shown for d > 2. */
import { describe, expect, it } from 'vitest';
import { firstTwoMarginal, targetExtent } from '../demo/plots.js';
import { parseNfeList } from '../demo/controls.js';
import { loadTarget } from '../src/targets/presets.js';

describe('demo plots', () => {
  it('frames every component of ring2d in a square window', () => {
    const e = targetExtent(loadTarget('ring2d'));
    // modes at radius 2, scale 0.2: mean +- 3.5 sd reaches 2.7
    expect(e.x0).toBeCloseTo(-2.7, 10);
    expect(e.x1).toBeCloseTo(2.7, 10);
    expect(e.y1 - e.y0).toBeCloseTo(e.x1 - e.x0, 10);
  });

  it('gives the exact x1-x2 marginal of a 16-D mixture (moments of 200,000 exact samples)', () => {
    const target = loadTarget('aniso16');
    const m2 = firstTwoMarginal(target);
    expect(m2.dim).toBe(2);
    const n = 200_000, t = 1e-3;
    const X = target.sample(n, t, 11), Y = m2.sample(n, t, 12);
    const moments = (Z: Float64Array, d: number) => {
      let a = 0, b = 0, aa = 0, ab = 0, bb = 0;
      for (let i = 0; i < n; i++) {
        const x = Z[i * d]!, y = Z[i * d + 1]!;
        a += x; b += y; aa += x * x; ab += x * y; bb += y * y;
      }
      a /= n; b /= n;
      return [a, b, aa / n - a * a, ab / n - a * b, bb / n - b * b];
    };
    const mx = moments(X, 16), my = moments(Y, 2);
    // Monte Carlo error of these moments at n = 200,000 is below 0.01 for variances of order 1
    for (let k = 0; k < 5; k++) expect(Math.abs(mx[k]! - my[k]!), `moment ${k}: ${mx[k]} vs ${my[k]}`).toBeLessThan(0.03);
    // and its density integrates to 1 over a wide grid
    const e = targetExtent(m2), S = 200, h = ((e.x1 - e.x0) + 4) / S;
    const pts = new Float64Array(S * S * 2);
    for (let r = 0; r < S; r++) for (let c = 0; c < S; c++) {
      pts[2 * (r * S + c)] = e.x0 - 2 + (c + 0.5) * h;
      pts[2 * (r * S + c) + 1] = e.y0 - 2 + (r + 0.5) * h;
    }
    const mass = m2.logpdf(pts, t).reduce((s, v) => s + Math.exp(v) * h * h, 0);
    expect(mass).toBeCloseTo(1, 2);
  });

  it('parses the sweep nfe list and names the field when it is bad', () => {
    expect(parseNfeList('40, 5,10 ;20 10')).toEqual([5, 10, 20, 40]);
    expect(() => parseNfeList('5, 0')).toThrow('sweep nfe list: got "5, 0", expected comma-separated integers in 1 .. 100000');
    expect(() => parseNfeList('')).toThrow(/sweep nfe list/);
  });
});
