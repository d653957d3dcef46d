/**
 * Randomized-midpoint sampler (Gupta, Cai, Chen 2024, "Faster Diffusion Sampling with Randomized
 * Midpoints: Sequential and Parallel"): the probability-flow ODE discretised with Shen and Lee's
 * randomized midpoint, optionally interleaved with an underdamped Langevin corrector.
 *
 * Predictor (ALGORITHMS.md 3.2; the paper's formulas as found in the official code's comments):
 *   x_mid = e^{alpha h} x_t + expm1(alpha h) s_t(x_t),  x_s = e^h x_t + h e^{(1-alpha)h} s_{t-alpha h}(x_mid),
 * alpha ~ U[0,1] per particle and step. E_alpha of the second term is the exact integral of (I-score)
 * along the path. The forms `eps` and `x0` (3.7) integrate the same step in EDM and data-prediction
 * variables; `x0` is the default because the score form blows up at small nfe on long log-SNR steps
 * (section 10.1 item 1).
 * Corrector (3.3): `ulmc` (exponential integrator, as in Chen et al. 2023) or `rm-ulmc` (randomized
 * midpoint), at the end time of a predictor step, fresh velocity at each call. Its schedule
 * (gamma = friction / sigma_t, run time = corrector-time * sigma_t, i.e. L_t ~ 1 / sigma_t^2) is
 * ours [R]: the paper's constants were not available. Default `none`: a float64 check found the
 * corrector added bias at the suggested defaults (10.1 item 8).
 */
import { timeGrid } from '../math/grids.js';
import { edmSigma, logSnr, noiseStd, signalScale } from '../math/ou.js';
import { eiUlmcStep, lMinusPhi, rmUlmcIncrements, ulmcPhi } from '../math/ulmc.js';
import { Stream } from '../rng/philox.js';
import { newRow, setTime, type ReferenceContext, type SamplerDefinition, type SamplerPlan, type StepRow } from './types.js';

/** Row flag of the predictor: a single-evaluation step (alpha = 1). */
export const RM_SINGLE = 1;
export const FORMS = ['score', 'eps', 'x0'] as const;
export type Form = (typeof FORMS)[number];

/** Corrector settings resolved from the options. */
interface Corrector {
  kind: 'none' | 'ulmc' | 'rm-ulmc';
  steps: number;
  time: number;
  friction: number;
  every: number;
}

/** Evaluations per corrector call. */
const correctorEvals = (c: Corrector) => (c.kind === 'none' ? 0 : c.kind === 'ulmc' ? c.steps : 2 * c.steps);

/** The predictor row of step t -> s in form `form` (coefficients in float64). */
export function predictorRow(step: number, form: Form, t: number, s: number, single: boolean): StepRow {
  const row = newRow(step, single ? RM_SINGLE : 0, 0);
  setTime(row, 1, t);
  if (form === 'score') {
    const h = t - s;
    row.c[0] = h;
    row.c[1] = Math.exp(h);
  } else if (form === 'eps') {
    row.c[0] = edmSigma(t);
    row.c[1] = edmSigma(s);
    row.c[2] = 1 / signalScale(t);
    row.c[3] = signalScale(s);
  } else {
    const et = Math.exp(logSnr(t)), es = Math.exp(logSnr(s));
    row.c[0] = et;
    row.c[1] = es - et;
    row.c[2] = 1 / noiseStd(t);
    row.c[8] = noiseStd(s) / noiseStd(t); // DDIM from t to s
    row.c[9] = -signalScale(s) * Math.expm1(-(logSnr(s) - logSnr(t)));
  }
  row.rounds = single ? 1 : 2;
  row.evals = single ? 1 : 2;
  return row;
}

/** The corrector row at time tStar: gamma = friction / sigma, eta = time * sigma / steps. */
export function correctorRow(step: number, c: Corrector, tStar: number): StepRow {
  const row = newRow(step, 0, 1);
  const sigma = noiseStd(tStar);
  const gamma = c.friction / sigma;
  const eta = (c.time * sigma) / c.steps;
  const k = eiUlmcStep(gamma, eta);
  row.c.set([gamma, eta, k.decay, k.phi], 0);
  setTime(row, 1, tStar);
  row.c.set([k.gradX, k.nx1, k.nx2, k.nv1], 8);
  row.c.set([k.nv2, Math.sqrt(2 * gamma), 0, 0], 12);
  row.rounds = correctorEvals(c);
  return row;
}

/** f64 time parameters of a midpoint, as the kernel forms them. */
function midpointTime(form: Form, row: StepRow, u: number): { t: number; m: number; sigma: number } {
  if (form === 'score') {
    const t = row.c[4]! - u * row.c[0]!;
    return { t, m: Math.exp(-t), sigma: Math.sqrt(-Math.expm1(-2 * t)) };
  }
  if (form === 'eps') {
    const rho = row.c[0]! + u * (row.c[1]! - row.c[0]!);
    return { t: 0.5 * Math.log1p(rho * rho), m: 1 / Math.sqrt(1 + rho * rho), sigma: rho / Math.sqrt(1 + rho * rho) };
  }
  const e = row.c[0]! + u * row.c[1]!;
  return { t: 0.5 * Math.log1p(1 / (e * e)), m: e / Math.sqrt(1 + e * e), sigma: 1 / Math.sqrt(1 + e * e) };
}

/** Float64 reference of one predictor row (mirrors shaders/randomized-midpoint.wgsl); draws alpha from Philox. */
export function predictorReference(form: Form, x: Float64Array, row: StepRow, ctx: ReferenceContext): void {
  const single = (row.flags & RM_SINGLE) !== 0;
  predictorStep(form, x, row, ctx, single ? 1 : ctx.rng.uniform(ctx.particle, row.step, Stream.scalar, 0));
}

/** One predictor row for a given midpoint fraction `u` (alpha), in float64. */
export function predictorStep(form: Form, x: Float64Array, row: StepRow, ctx: Pick<ReferenceContext, 'dim' | 'model' | 'scratch'>, u: number): void {
  const d = ctx.dim;
  const [f0, xm, f1, xt] = ctx.scratch as [Float64Array, Float64Array, Float64Array, Float64Array];
  const single = (row.flags & RM_SINGLE) !== 0;
  const t = row.c[4]!;
  const mid = midpointTime(form, row, u);
  if (form === 'score') {
    ctx.model(x, 0, t, f0, null);
    const h = row.c[0]!, ah = u * h;
    for (let j = 0; j < d; j++) xm[j] = Math.exp(ah) * x[j]! + Math.expm1(ah) * f0[j]!;
    if (single) return void x.set(xm.subarray(0, d));
    ctx.model(xm, 0, mid.t, f1, null);
    const w = h * Math.exp((1 - u) * h);
    for (let j = 0; j < d; j++) x[j] = row.c[1]! * x[j]! + w * f1[j]!;
  } else if (form === 'eps') {
    ctx.model(x, 0, t, null, f0);
    const rhoT = row.c[0]!, drho = row.c[1]! - rhoT, invMt = row.c[2]!, ms = row.c[3]!;
    const rhoM = rhoT + u * drho;
    for (let j = 0; j < d; j++) {
      xt[j] = x[j]! * invMt;
      xm[j] = mid.m * (xt[j]! + u * drho * ((xt[j]! - f0[j]!) / rhoT));
    }
    if (single) return void x.set(xm.subarray(0, d));
    ctx.model(xm, 0, mid.t, null, f1);
    for (let j = 0; j < d; j++) x[j] = ms * (xt[j]! + drho * ((xm[j]! / mid.m - f1[j]!) / rhoM));
  } else {
    ctx.model(x, 0, t, null, f0);
    const e = row.c[0]! + u * row.c[1]!;
    const aMid = mid.sigma * row.c[2]!, bMid = (mid.m * u * row.c[1]!) / e;
    for (let j = 0; j < d; j++) xm[j] = aMid * x[j]! + bMid * f0[j]!;
    if (single) return void x.set(xm.subarray(0, d));
    ctx.model(xm, 0, mid.t, null, f1);
    for (let j = 0; j < d; j++) x[j] = row.c[8]! * x[j]! + row.c[9]! * f1[j]!;
  }
}

/** Float64 reference of one corrector call (mirrors shaders/ulmc-corrector.wgsl). */
export function correctorReference(rm: boolean, steps: number, x: Float64Array, row: StepRow, ctx: ReferenceContext): void {
  const d = ctx.dim;
  const [g, v, z1, z2, z3, z4] = ctx.scratch as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const gamma = row.c[0]!, eta = row.c[1]!, decay = row.c[2]!, phi = row.c[3]!, tStar = row.c[4]!;
  ctx.rng.fillNormals(v, 0, d, ctx.particle, row.step, Stream.stepNoise);
  const xm = new Float64Array(d);
  for (let j = 0; j < steps; j++) {
    ctx.model(x, 0, tStar, g, null);
    const base = Stream.corrector + 4 * j;
    ctx.rng.fillNormals(z1, 0, d, ctx.particle, row.step, base);
    ctx.rng.fillNormals(z2, 0, d, ctx.particle, row.step, base + 1);
    if (rm) {
      ctx.rng.fillNormals(z3, 0, d, ctx.particle, row.step, base + 2);
      ctx.rng.fillNormals(z4, 0, d, ctx.particle, row.step, base + 3);
      const a = ctx.rng.uniform(ctx.particle, row.step, Stream.scalar, j) * eta;
      const w = new Float64Array(3 * d);
      for (let k = 0; k < d; k++) {
        const [w1, w2, w3] = rmUlmcIncrements(gamma, eta, a, z1[k]!, z2[k]!, z3[k]!, z4[k]!);
        w[3 * k] = w1; w[3 * k + 1] = w2; w[3 * k + 2] = w3;
        xm[k] = x[k]! + ulmcPhi(gamma, a) * v[k]! + (lMinusPhi(gamma, a) / gamma) * g[k]! + w1;
      }
      ctx.model(xm, 0, tStar, g, null);
      const cx = (eta * -Math.expm1(-gamma * (eta - a))) / gamma, cv = eta * Math.exp(-gamma * (eta - a));
      for (let k = 0; k < d; k++) {
        x[k] = x[k]! + phi * v[k]! + cx * g[k]! + w[3 * k + 1]!;
        v[k] = decay * v[k]! + cv * g[k]! + w[3 * k + 2]!;
      }
    } else {
      for (let k = 0; k < d; k++) {
        const xiX = row.c[9]! * z1[k]! + row.c[10]! * z2[k]!;
        const xiV = row.c[11]! * z1[k]! + row.c[12]! * z2[k]!;
        x[k] = x[k]! + phi * v[k]! + row.c[8]! * g[k]! + xiX;
        v[k] = decay * v[k]! + phi * g[k]! + xiV;
      }
    }
  }
}

export const randomizedMidpoint: SamplerDefinition = {
  name: 'randomized-midpoint',
  description:
    'Randomized-midpoint probability-flow ODE (two sequential evaluations per step), optional underdamped Langevin corrector. ' +
    'Forms: x0 (default, stable), eps, score (the paper\'s step; unstable at small nfe). Corrector schedule is ours [R].',
  source: 'Gupta, Cai, Chen 2024 (arXiv 2406.00924), predictor as in the official code\'s commented formulas; corrector Chen et al. 2023 / Shen & Lee 2019; ALGORITHMS.md 3.2, 3.3, 3.7',
  nfePerStep: '2 (+ corrector-steps, x2 for rm-ulmc, every corrector-every steps)',
  roundsPerStep: 'same as nfe',
  minNfe: 1,
  options: [
    { name: 'form', type: 'enum', default: 'x0', values: FORMS, description: 'which integral is randomized: x0 (data prediction, uniform in e^lambda), eps (uniform in EDM sigma), score (the paper, uniform in t)' },
    { name: 'corrector', type: 'enum', default: 'none', values: ['none', 'ulmc', 'rm-ulmc'], description: 'underdamped Langevin corrector after predictor steps' },
    { name: 'corrector-steps', type: 'integer', default: 2, min: 1, max: 64, description: 'corrector steps per call' },
    { name: 'corrector-time', type: 'number', default: 1, min: 1e-4, max: 100, description: 'corrector run time in units of sigma_t (~ 1 / sqrt(L_t))' },
    { name: 'friction', type: 'number', default: 2, min: 1e-3, max: 1000, description: 'friction gamma in units of 1 / sigma_t (~ sqrt(L_t))' },
    { name: 'corrector-every', type: 'integer', default: 1, min: 1, max: 10_000, description: 'run the corrector after every n-th predictor step' },
  ],
  plan({ nfe, tMax, delta, grid, options }): SamplerPlan {
    const form = options.form as Form;
    const corr: Corrector = {
      kind: options.corrector as Corrector['kind'],
      steps: options['corrector-steps'] as number,
      time: options['corrector-time'] as number,
      friction: options.friction as number,
      every: options['corrector-every'] as number,
    };
    const k = correctorEvals(corr);
    // Without a corrector an odd budget makes the first step a single evaluation (alpha = 1).
    const steps = k === 0 ? Math.ceil(nfe / 2) : Math.max(1, Math.floor(nfe / (2 + k / corr.every)));
    const ts = timeGrid(grid, steps, tMax, delta);
    const rows: StepRow[] = [];
    let used = 0;
    for (let i = 0; i < steps; i++) {
      const single = k === 0 && i === 0 && nfe % 2 === 1;
      rows.push(predictorRow(rows.length + 1, form, ts[i]!, ts[i + 1]!, single));
      used += single ? 1 : 2;
      if (k > 0 && (i + 1) % corr.every === 0) {
        rows.push(correctorRow(rows.length + 1, corr, ts[i + 1]!));
        used += k;
      }
    }
    return {
      rows,
      nfe: used,
      rounds: used,
      grid: ts,
      kernels: [
        { shader: 'randomized-midpoint', defines: { FORM_SCORE: form === 'score', FORM_EPS: form === 'eps' }, wantScore: form === 'score', wantX0: form !== 'score', evals: 2 },
        { shader: 'ulmc-corrector', defines: { CORR_RM: corr.kind === 'rm-ulmc', CORR_STEPS: corr.steps }, wantScore: true, wantX0: false, evals: (corr.kind === 'rm-ulmc' ? 2 : 1) * corr.steps },
      ],
      buffers: [],
      reference: (x, row, ctx) =>
        row.kernel === 0 ? predictorReference(form, x, row, ctx) : correctorReference(corr.kind === 'rm-ulmc', corr.steps, x, row, ctx),
    };
  },
};
