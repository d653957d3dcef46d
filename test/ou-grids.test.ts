/** The OU parameterisations and the time grids (ALGORITHMS.md 1.1, 1.3, 1.6). */
import { describe, expect, it } from 'vitest';
import * as ou from '../src/math/ou.js';
import { timeGrid } from '../src/math/grids.js';

describe('OU conversions', () => {
  const ts = [1e-6, 1e-3, 0.1, 1, 5, 10];
  it('m^2 + sigma^2 = 1 and sigma is accurate at small t', () => {
    for (const t of ts) expect(ou.signalScale(t) ** 2 + ou.noiseVariance(t)).toBeCloseTo(1, 14);
    // sigma^2 = 2t - 2t^2 + ... at small t, without cancellation
    expect(ou.noiseVariance(1e-9) / 2e-9).toBeCloseTo(1, 8);
  });
  it('log-SNR, EDM sigma, alpha-bar and VP-SDE time round-trip', () => {
    for (const t of ts) {
      expect(ou.timeFromLogSnr(ou.logSnr(t)) / t).toBeCloseTo(1, 9);
      expect(ou.timeFromEdmSigma(ou.edmSigma(t)) / t).toBeCloseTo(1, 9);
      expect(ou.timeFromAlphaBar(ou.alphaBar(t)) / t).toBeCloseTo(1, 9);
      const u = ou.vpSdeFromTime(t);
      expect(ou.timeFromVpSde(u) / t).toBeCloseTo(1, 9);
    }
  });
  it('matches the published schedule endpoints (ALGORITHMS.md 1.3)', () => {
    expect(ou.timeFromVpSde(1)).toBeCloseTo(5.025, 10);
    // linear beta in [1e-4, 0.02], N = 1000: alpha-bar_N = 4.04e-5, t_N = 5.059
    let abar = 1;
    for (let n = 0; n < 1000; n++) abar *= 1 - (1e-4 + (n / 999) * (0.02 - 1e-4));
    expect(ou.timeFromAlphaBar(abar)).toBeCloseTo(5.059, 2);
    // EDM sigma in [0.002, 80] is t in [2.0e-6, 4.382]
    expect(ou.timeFromEdmSigma(80)).toBeCloseTo(4.382, 3);
    expect(ou.timeFromEdmSigma(0.002) / 2e-6).toBeCloseTo(1, 4);
    // x_t / m_t has noise level rho: the EDM state
    expect(ou.edmSigma(1)).toBeCloseTo(ou.noiseStd(1) / ou.signalScale(1), 14);
  });
});

describe('time grids', () => {
  it.each(['logsnr', 'uniform', 'edm'] as const)('%s runs from t-max down to delta', (g) => {
    const grid = timeGrid(g, 17, 10, 1e-3);
    expect(grid.length).toBe(18);
    expect(grid[0]).toBe(10);
    expect(grid[17]).toBe(1e-3);
    for (let i = 1; i < grid.length; i++) expect(grid[i]!).toBeLessThan(grid[i - 1]!);
  });
  it('logsnr steps are equal in lambda, uniform in t, edm in rho^(1/7)', () => {
    const l = Array.from(timeGrid('logsnr', 8, 10, 1e-3), ou.logSnr);
    const u = Array.from(timeGrid('uniform', 8, 10, 1e-3));
    const e = Array.from(timeGrid('edm', 8, 10, 1e-3), (t) => ou.edmSigma(t) ** (1 / 7));
    for (const seq of [l, u, e]) {
      const h = seq[1]! - seq[0]!;
      for (let i = 1; i < seq.length; i++) expect((seq[i]! - seq[i - 1]!) / h).toBeCloseTo(1, 8);
    }
  });
  it('rejects bad settings with the field named', () => {
    expect(() => timeGrid('logsnr', 0, 10, 1e-3)).toThrow(/steps/);
    expect(() => timeGrid('logsnr', 4, 1, 2)).toThrow(/delta/);
    expect(() => timeGrid('cosine' as never, 4, 10, 1e-3)).toThrow(/grid: got "cosine"/);
  });
});
