/**
 * Heun's second-order method in EDM variables (Karras et al. 2022, Algorithm 1; ALGORITHMS.md B6):
 * x~ = e^t x, rho = sqrt(expm1(2t)), d = (x~ - D(x~; rho)) / rho with D = x0hat; an Euler step to
 * rho_{i+1}, then the trapezoidal correction with the derivative there. Two sequential evaluations
 * per step; an odd nfe budget makes the first step a plain Euler step (nfe = 2N - 1).
 */
import { timeGrid } from '../math/grids.js';
import { edmSigma, signalScale } from '../math/ou.js';
import { newRow, setTime, type SamplerDefinition, type StepRow } from './types.js';

/** Row flag: Euler step only. */
export const HEUN_EULER_ONLY = 1;

export const heun: SamplerDefinition = {
  name: 'heun',
  description: "Heun's method (EDM sampler, deterministic): trapezoidal rule on the probability-flow ODE in EDM variables.",
  source: 'Karras et al. 2022, Algorithm 1; ALGORITHMS.md B6',
  nfePerStep: '2',
  roundsPerStep: '2',
  minNfe: 1,
  options: [],
  plan({ nfe, tMax, delta, grid }) {
    const steps = Math.ceil(nfe / 2);
    const ts = timeGrid(grid, steps, tMax, delta);
    const rows: StepRow[] = [];
    for (let i = 0; i < steps; i++) {
      const t = ts[i]!, s = ts[i + 1]!;
      const eulerOnly = i === 0 && nfe % 2 === 1;
      const row = newRow(i + 1, eulerOnly ? HEUN_EULER_ONLY : 0);
      row.evals = eulerOnly ? 1 : 2;
      row.c[0] = 1 / signalScale(t); // x~ = x / m_t
      row.c[1] = signalScale(s);
      row.c[2] = edmSigma(t);
      row.c[3] = edmSigma(s);
      setTime(row, 1, t);
      setTime(row, 2, s);
      rows.push(row);
    }
    return {
      rows,
      nfe,
      rounds: nfe,
      grid: ts,
      kernels: [{ shader: 'heun', defines: {}, wantScore: false, wantX0: true, evals: 2 }],
      buffers: [],
      reference: heunReference,
    };
  },
};

/** Float64 reference of one Heun row for one particle (mirrors shaders/heun.wgsl). */
function heunReference(x: Float64Array, row: StepRow, ctx: { dim: number; model: import('./types.js').ModelEval; scratch: Float64Array[] }): void {
  const d = ctx.dim;
  const [d0, xt, xe] = ctx.scratch as [Float64Array, Float64Array, Float64Array, Float64Array];
  const d1 = ctx.scratch[3]!;
  const invMt = row.c[0]!, ms = row.c[1]!, rhoT = row.c[2]!, rhoS = row.c[3]!;
  const dr = rhoS - rhoT;
  ctx.model(x, 0, row.c[4]!, null, d0);
  for (let j = 0; j < d; j++) {
    xt[j] = x[j]! * invMt;
    d0[j] = (xt[j]! - d0[j]!) / rhoT;
    xe[j] = xt[j]! + dr * d0[j]!;
  }
  if ((row.flags & HEUN_EULER_ONLY) === 0) {
    const xin = x; // x is overwritten at the end anyway
    for (let j = 0; j < d; j++) xin[j] = ms * xe[j]!;
    ctx.model(xin, 0, row.c[8]!, null, d1);
    for (let j = 0; j < d; j++) xe[j] = xt[j]! + 0.5 * dr * (d0[j]! + (xe[j]! - d1[j]!) / rhoS);
  }
  for (let j = 0; j < d; j++) x[j] = ms * xe[j]!;
}
