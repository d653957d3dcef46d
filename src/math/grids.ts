/**
 * Time grids from t_max down to the early-stopping time delta (ALGORITHMS.md 1.6).
 * Pure functions returning float64 arrays of steps + 1 decreasing OU times, first = tMax, last = delta.
 */
import { RunOptionError } from '../errors.js';
import { edmSigma, logSnr, timeFromEdmSigma, timeFromLogSnr } from './ou.js';

/** Names of the available grids. */
export const GRID_NAMES = ['logsnr', 'uniform', 'edm'] as const;
/** A time-grid name: uniform in log-SNR (default), uniform in OU time, or EDM's rho^(1/7) grid. */
export type GridName = (typeof GRID_NAMES)[number];

/** EDM's schedule exponent. */
export const EDM_RHO = 7;

/**
 * `steps + 1` OU times from `tMax` down to `delta`.
 * - `logsnr`: uniform in the half log-SNR lambda (DPM-Solver).
 * - `uniform`: uniform in t (the theory papers).
 * - `edm`: sigma_i = (sigma_max^{1/7} + i/N (sigma_min^{1/7} - sigma_max^{1/7}))^7 with sigma = rho_t (Karras et al. 2022).
 */
export function timeGrid(grid: GridName, steps: number, tMax: number, delta: number): Float64Array {
  if (!Number.isInteger(steps) || steps < 1) throw new RunOptionError('steps', steps, 'an integer >= 1');
  if (!(delta > 0 && tMax > delta)) throw new RunOptionError('delta', delta, `a number in (0, t-max = ${tMax})`);
  const out = new Float64Array(steps + 1);
  for (let i = 0; i <= steps; i++) {
    const f = i / steps;
    if (grid === 'uniform') out[i] = tMax + f * (delta - tMax);
    else if (grid === 'logsnr') out[i] = timeFromLogSnr(logSnr(tMax) + f * (logSnr(delta) - logSnr(tMax)));
    else if (grid === 'edm') {
      const a = edmSigma(tMax) ** (1 / EDM_RHO), b = edmSigma(delta) ** (1 / EDM_RHO);
      out[i] = timeFromEdmSigma((a + f * (b - a)) ** EDM_RHO);
    } else throw new RunOptionError('grid', grid, `one of ${GRID_NAMES.join(', ')}`);
  }
  out[0] = tMax;
  out[steps] = delta;
  return out;
}
