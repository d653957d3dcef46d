/**
 * Heun's second-order method in EDM variables (Karras et al. 2022, Algorithm 1; ALGORITHMS.md B6):
 * x~ = x / m_t, rho = sqrt(expm1(2t)), d = (x~ - D(x~; rho)) / rho with D = x0hat; an Euler step to
 * rho_{i+1}, then the trapezoidal correction with the derivative there. Two sequential evaluations
 * per step; an odd nfe budget makes the first step a plain Euler step (nfe = 2N - 1).
 *
 * Both halves are linear in the state and the denoiser outputs, so each is one row of the shared
 * linear step x' = a x + b D + b_prev D_prev (shaders/exponential-step.wgsl) with D = x0hat, kept
 * in `prev` between them. With rho_t, rho_s the EDM noise levels of the step's ends,
 * dr = rho_s - rho_t and m = e^{-t}:
 *   predictor (Euler, Algorithm 1 line 5):  x' = (m_s / m_t)(rho_s / rho_t) x - m_s (dr / rho_t) D(x, t)
 *   corrector (trapezoid, line 8):          x_{i+1} = x' + m_s dr / (2 rho_s) (D(x, t) - D(x', s))
 * (x~' = x~ + dr d_i gives d' - d_i = (D(x, t) - D(x', s)) / rho_s, and
 * x~_{i+1} = x~ + dr (d_i + d') / 2 = x~' + dr (d' - d_i) / 2). So heun runs with the score pass and
 * the blocked update layouts like the other linear samplers; each half is a row (steps = nfe).
 * Measured against the float64 reference (fused score, aniso16, nfe 3): 5e-5 in this form, 8e-4
 * in the score form (D replaced by -sigma s), 4e-4 with the former single kernel.
 */
import { timeGrid } from '../math/grids.js';
import { edmSigma, signalScale } from '../math/ou.js';
import { linearPlan, linearRow } from './exponential-step.js';
import type { SamplerDefinition, StepRow } from './types.js';

export const heun: SamplerDefinition = {
  name: 'heun',
  description: "Heun's method (EDM sampler, deterministic): trapezoidal rule on the probability-flow ODE in EDM variables.",
  source: 'Karras et al. 2022, Algorithm 1; ALGORITHMS.md B6',
  nfePerStep: '2',
  roundsPerStep: '2',
  minNfe: 1,
  options: [],
  plan({ dim, nfe, tMax, delta, grid }) {
    const steps = Math.ceil(nfe / 2);
    const ts = timeGrid(grid, steps, tMax, delta);
    const rows: StepRow[] = [];
    for (let i = 0; i < steps; i++) {
      const t = ts[i]!, s = ts[i + 1]!;
      const rt = edmSigma(t), rs = edmSigma(s), dr = rs - rt, ms = signalScale(s);
      // Euler step to rho_s (Algorithm 1, line 5), in x = m x~
      rows.push(linearRow(i + 1, { t, a: (ms / signalScale(t)) * (rs / rt), b: (-ms * dr) / rt, bPrev: 0, c: 0 }));
      // the trapezoidal correction (line 8); skipped on an odd budget's first step
      if (!(i === 0 && nfe % 2 === 1)) rows.push(linearRow(i + 1, { t: s, a: 1, b: (-ms * dr) / (2 * rs), bPrev: (ms * dr) / (2 * rs), c: 0 }));
    }
    return linearPlan(rows, ts, nfe, dim, { field: 'x0', usePrev: true, noisy: false });
  },
};
