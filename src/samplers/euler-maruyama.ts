/**
 * Euler-Maruyama on the reverse SDE dY = [Y + 2 s(Y)] dtau + sqrt(2) dW (ALGORITHMS.md B1):
 *   x_s = x_t + h (x_t + 2 s_t(x_t)) + sqrt(2h) z,   h = t - s.
 */
import { timeGrid } from '../math/grids.js';
import { linearPlan, linearRow } from './exponential-step.js';
import type { SamplerDefinition } from './types.js';

export const eulerMaruyama: SamplerDefinition = {
  name: 'euler-maruyama',
  description: 'Euler-Maruyama discretisation of the reverse SDE (score form).',
  source: 'Song et al. 2021, reverse SDE; ALGORITHMS.md B1',
  nfePerStep: '1',
  roundsPerStep: '1',
  minNfe: 1,
  options: [],
  plan({ dim, nfe, tMax, delta, grid }) {
    const ts = timeGrid(grid, nfe, tMax, delta);
    const rows = [];
    for (let i = 0; i < nfe; i++) {
      const h = ts[i]! - ts[i + 1]!;
      // B1: x_s = (1 + h) x_t + 2h s_t(x_t) + sqrt(2h) z
      rows.push(linearRow(i + 1, { t: ts[i]!, a: 1 + h, b: 2 * h, bPrev: 0, c: Math.sqrt(2 * h) }));
    }
    return linearPlan(rows, ts, nfe, dim, { field: 'score', usePrev: false, noisy: true });
  },
};
