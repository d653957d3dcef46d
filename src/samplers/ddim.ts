/**
 * DDIM (eta = 0) = DPM-Solver++(1), the exponential integrator with the denoiser frozen
 * (Song, Meng, Ermon 2021; Lu et al. 2022; ALGORITHMS.md B5), one step t -> s:
 *   x_s = (sigma_s / sigma_t) x_t - m_s expm1(-h_lambda) x0hat(x_t, t),   h_lambda = lambda_s - lambda_t.
 */
import { timeGrid } from '../math/grids.js';
import { logSnr, noiseStd, signalScale } from '../math/ou.js';
import { linearPlan, linearRow } from './exponential-step.js';
import type { SamplerDefinition } from './types.js';

export const ddim: SamplerDefinition = {
  name: 'ddim',
  description: 'DDIM (deterministic, eta = 0): first-order exponential integrator in data prediction.',
  source: 'Song, Meng, Ermon 2021, eq. 12 with sigma = 0; ALGORITHMS.md B5',
  nfePerStep: '1',
  roundsPerStep: '1',
  minNfe: 1,
  options: [],
  plan({ dim, nfe, tMax, delta, grid }) {
    const ts = timeGrid(grid, nfe, tMax, delta);
    const rows = [];
    for (let i = 0; i < nfe; i++) {
      const t = ts[i]!, s = ts[i + 1]!;
      const hl = logSnr(s) - logSnr(t);
      // B5: x_s = (sigma_s/sigma_t) x_t - m_s expm1(-h_lambda) x0hat
      rows.push(linearRow(i + 1, { t, a: noiseStd(s) / noiseStd(t), b: -signalScale(s) * Math.expm1(-hl), bPrev: 0, c: 0 }));
    }
    return linearPlan(rows, ts, nfe, dim, { field: 'x0', usePrev: false, noisy: false });
  },
};
