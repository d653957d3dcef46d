/** The generated 2-D training datasets and the Gauss-Hermite rule behind the banana score. */
import { describe, expect, it } from 'vitest';
import { toyDataset } from '../src/data/toy2d.js';
import { gaussHermite } from '../src/math/gauss-hermite.js';

describe('generated 2-D datasets', () => {
  const n = 4000;
  it('checkerboard points lie in the 8 black squares of [-2, 2]^2, evenly', () => {
    const x = toyDataset('checkerboard', n, 1);
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const c = Math.floor(x[2 * i]! + 2), r = Math.floor(x[2 * i + 1]! + 2);
      expect(c >= 0 && c < 4 && r >= 0 && r < 4 && (r + c) % 2 === 0).toBe(true);
      counts.set(`${r},${c}`, (counts.get(`${r},${c}`) ?? 0) + 1);
    }
    expect(counts.size).toBe(8);
    for (const v of counts.values()) expect(Math.abs(v / n - 1 / 8)).toBeLessThan(0.02);
  });

  it('two moons: two unit half circles, centred; swiss roll: radius s / 5 for s in [1.5 pi, 4.5 pi]', () => {
    const m = toyDataset('two-moons', n, 2);
    let mx = 0, my = 0, off = 0;
    for (let i = 0; i < n; i++) {
      const x = m[2 * i]! + 0.5, y = m[2 * i + 1]! + 0.25;
      mx += m[2 * i]! / n;
      my += m[2 * i + 1]! / n;
      // distance to the nearer circle (upper: centre (0, 0); lower: centre (1, 0.5)) is the noise
      off = Math.max(off, Math.min(Math.abs(Math.hypot(x, y) - 1), Math.abs(Math.hypot(x - 1, y - 0.5) - 1)));
    }
    expect(Math.abs(mx)).toBeLessThan(0.05);
    expect(Math.abs(my)).toBeLessThan(0.05);
    expect(off).toBeLessThan(0.25);
    const s = toyDataset('swiss-roll', n, 3);
    for (let i = 0; i < n; i++) {
      const r = Math.hypot(s[2 * i]!, s[2 * i + 1]!);
      expect(r).toBeGreaterThan((1.5 * Math.PI) / 5 - 0.3);
      expect(r).toBeLessThan((4.5 * Math.PI) / 5 + 0.3);
    }
    expect(Array.from(toyDataset('two-moons', 10, 2))).toEqual(Array.from(m.subarray(0, 20)));
  });
});

describe('Gauss-Hermite quadrature', () => {
  it('integrates e^{-x^2} x^{2k} exactly up to degree 2n - 1', () => {
    const { nodes, weights } = gaussHermite(12);
    const moment = (p: number) => nodes.reduce((a, x, k) => a + weights[k]! * x ** p, 0);
    // integral of e^{-x^2} x^{2k} = Gamma(k + 1/2)
    const gammaHalf = [Math.sqrt(Math.PI), Math.sqrt(Math.PI) / 2, (3 * Math.sqrt(Math.PI)) / 4, (15 * Math.sqrt(Math.PI)) / 8, (105 * Math.sqrt(Math.PI)) / 16];
    gammaHalf.forEach((g, k) => expect(moment(2 * k)).toBeCloseTo(g, 10));
    expect(moment(7)).toBeCloseTo(0, 10);
  });
});
