/**
 * DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2; k-diffusion `sample_dpmpp_2m`; ALGORITHMS.md B7).
 * Step i from t_i to t_{i+1}, h_i = lambda_{i+1} - lambda_i, r = h_{i-1} / h_i:
 *   D = (1 + 1/(2r)) x0hat_i - 1/(2r) x0hat_{i-1}     (D = x0hat_i on the first step),
 *   x_{i+1} = (sigma_{i+1} / sigma_i) x_i - m_{i+1} expm1(-h_i) D.
 * The previous x0hat lives in a second buffer. No lower-order final step (the grid ends at delta > 0).
 */
import { timeGrid } from '../math/grids.js';
import { logSnr, noiseStd, signalScale } from '../math/ou.js';
import { linearPlan, linearRow } from './exponential-step.js';
import type { SamplerDefinition } from './types.js';

export const dpmpp2m: SamplerDefinition = {
  name: 'dpmpp-2m',
  description: 'DPM-Solver++(2M): second-order multistep exponential integrator in data prediction.',
  source: 'Lu et al. 2022 (DPM-Solver++), Algorithm 2; k-diffusion sample_dpmpp_2m; ALGORITHMS.md B7',
  nfePerStep: '1',
  roundsPerStep: '1',
  minNfe: 1,
  options: [],
  plan({ dim, nfe, tMax, delta, grid }) {
    const ts = timeGrid(grid, nfe, tMax, delta);
    const rows = [];
    let hPrev = 0;
    for (let i = 0; i < nfe; i++) {
      const t = ts[i]!, s = ts[i + 1]!;
      const h = logSnr(s) - logSnr(t);
      const base = -signalScale(s) * Math.expm1(-h); // m_{i+1} (1 - e^{-h})
      let b = base, bPrev = 0;
      if (i > 0) {
        const r = hPrev / h;
        b = base * (1 + 1 / (2 * r));
        bPrev = -base / (2 * r);
      }
      rows.push(linearRow(i + 1, { t, a: noiseStd(s) / noiseStd(t), b, bPrev, c: 0 }));
      hPrev = h;
    }
    return linearPlan(rows, ts, nfe, dim, { field: 'x0', usePrev: true, noisy: false });
  },
};
