/**
 * Heun's second-order method in EDM variables (Karras et al. 2022, Algorithm 1; ALGORITHMS.md B6):
 * x~ = x / m_t, rho = sqrt(expm1(2t)), d = (x~ - D(x~; rho)) / rho with D = x0hat; an Euler step to
 * rho_{i+1}, then the trapezoidal correction with the derivative there. Two sequential evaluations
 * per step; an odd nfe budget makes the first step a plain Euler step (nfe = 2N - 1).
 *
 * Both halves are linear in the state and the score, so each is one row of the shared linear step
 * x' = a x + b F + b_prev F_prev (shaders/exponential-step.wgsl) with F the score, kept in `prev`
 * between them. In the score, d = (x~ - D) / rho = -sigma_t s_t(x) (D = (x + sigma^2 s) / m and
 * rho = sigma / m), so with rho_t, rho_s the EDM noise levels of the step's ends, dr = rho_s - rho_t,
 * m = e^{-t} and sigma^2 = 1 - e^{-2t}:
 *   predictor (Euler, Algorithm 1 line 5):  x' = (m_s / m_t) x - m_s dr sigma_t s_t(x)
 *   corrector (trapezoid, line 8):          x_{i+1} = x' + (m_s dr / 2) (sigma_t s_t(x) - sigma_s s_s(x'))
 * (x~_{i+1} = x~ + dr (d_i + d') / 2 = x~' + dr (d' - d_i) / 2). The score form, not x0hat: the
 * corrector multiplies the first evaluation by about m_s rho_t / 2, large after the first big
 * step, and x0hat derived from an f32 score at large t (the score pass) is 1e-3 off, which that
 * factor would amplify; the score itself is accurate to f32 rounding. So heun runs with the score
 * pass and the blocked update layouts like the other linear samplers; each half is a row
 * (steps = nfe).
 */
import { timeGrid } from '../math/grids.js';
import { edmSigma, noiseStd, signalScale } from '../math/ou.js';
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
      const dr = edmSigma(s) - edmSigma(t), ms = signalScale(s), st = noiseStd(t), ss = noiseStd(s);
      // Euler step to rho_s (Algorithm 1, line 5), in x = m x~ and d = -sigma s
      rows.push(linearRow(i + 1, { t, a: ms / signalScale(t), b: -ms * dr * st, bPrev: 0, c: 0 }));
      // the trapezoidal correction (line 8); skipped on an odd budget's first step
      if (!(i === 0 && nfe % 2 === 1)) rows.push(linearRow(i + 1, { t: s, a: 1, b: (-ms * dr * ss) / 2, bPrev: (ms * dr * st) / 2, c: 0 }));
    }
    return linearPlan(rows, ts, nfe, dim, { field: 'score', usePrev: true, noisy: false });
  },
};
