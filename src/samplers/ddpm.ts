/**
 * DDPM ancestral sampling (Ho et al. 2020) in OU variables (ALGORITHMS.md B3), one step t -> s:
 *   mean = (sigma_s / sigma_t) e^{-h_lambda} x_t - m_s expm1(-2 h_lambda) x0hat(x_t, t),
 *   var  = sigma_s^2 (-expm1(-2 h_lambda))   ("posterior", beta-tilde; default)
 *        = -expm1(-2h)                        ("beta"),
 *   x_s  = mean + sqrt(var) z,   h_lambda = lambda_s - lambda_t,  h = t - s.
 */
import { timeGrid } from '../math/grids.js';
import { logSnr, noiseStd, signalScale } from '../math/ou.js';
import { linearPlan, linearRow } from './exponential-step.js';
import type { SamplerDefinition } from './types.js';

export const ddpm: SamplerDefinition = {
  name: 'ddpm',
  description: 'DDPM ancestral sampler: the exact posterior step with the denoiser frozen.',
  source: 'Ho et al. 2020, Algorithm 2; ALGORITHMS.md B3',
  nfePerStep: '1',
  roundsPerStep: '1',
  minNfe: 1,
  options: [
    {
      name: 'variance', type: 'enum', default: 'posterior', values: ['posterior', 'beta'],
      description: 'step variance: posterior (beta-tilde) or beta',
    },
  ],
  plan({ dim, nfe, tMax, delta, grid, options }) {
    const ts = timeGrid(grid, nfe, tMax, delta);
    const rows = [];
    for (let i = 0; i < nfe; i++) {
      const t = ts[i]!, s = ts[i + 1]!;
      const hl = logSnr(s) - logSnr(t);
      const sigS = noiseStd(s), sigT = noiseStd(t);
      const a = (sigS / sigT) * Math.exp(-hl);
      const b = -signalScale(s) * Math.expm1(-2 * hl);
      const variance = options.variance === 'beta' ? -Math.expm1(-2 * (t - s)) : sigS * sigS * -Math.expm1(-2 * hl);
      rows.push(linearRow(i + 1, { t, a, b, bPrev: 0, c: Math.sqrt(variance) }));
    }
    return linearPlan(rows, ts, nfe, dim, { field: 'x0', usePrev: false, noisy: true });
  },
};
