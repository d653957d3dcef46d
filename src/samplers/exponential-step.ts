/**
 * The one-evaluation linear step x' = a x + b F(x, t) + b_prev F_prev + c z shared by
 * Euler-Maruyama, DDPM, DDIM and DPM-Solver++(2M) (kernel `shaders/exponential-step.wgsl`; for a
 * score already in a buffer and large d also `shaders/exponential-step-blocked.wgsl`, one invocation
 * per (particle, vec4 block)).
 * Row layout: c0 = (a, b, b_prev, c), c1 = TimeParams of t.
 */
import { newRow, setTime, type ReferenceContext, type SamplerPlan, type StepRow } from './types.js';
import { Stream } from '../rng/philox.js';

/** The large-d layout of the linear step (shaders/exponential-step-blocked.wgsl): one invocation per (particle, vec4 block). */
export const BLOCKED_LINEAR_KERNEL = 'exponential-step-blocked';

/** Coefficients of one linear step from time t. */
export interface LinearStep {
  t: number;
  a: number;
  b: number;
  bPrev: number;
  c: number;
}

/** The row of one linear step. */
export function linearRow(step: number, s: LinearStep): StepRow {
  const row = newRow(step);
  row.c[0] = s.a;
  row.c[1] = s.b;
  row.c[2] = s.bPrev;
  row.c[3] = s.c;
  setTime(row, 1, s.t);
  return row;
}

/** How the linear-step kernel is specialised. */
export interface LinearKernelOptions {
  /** F is the score (true) or the denoiser x0hat (false). */
  field: 'score' | 'x0';
  /** Keeps F in a second buffer for the next step (multistep methods). */
  usePrev: boolean;
  /** Adds c z with the step's Philox noise. */
  noisy: boolean;
}

/** Kernel and reference parts of a plan made of linear steps. */
export function linearPlan(rows: StepRow[], grid: Float64Array, nfe: number, dim: number, k: LinearKernelOptions): SamplerPlan {
  const wantScore = k.field === 'score';
  const defines = { FIELD_SCORE: wantScore, USE_PREV_BUFFER: k.usePrev, NOISY: k.noisy };
  return {
    rows,
    nfe,
    rounds: nfe,
    grid,
    kernels: [{
      shader: 'exponential-step',
      defines,
      wantScore,
      wantX0: !wantScore,
      // one invocation per (particle, vec4 block), for a score already in a buffer
      blocked: { shader: BLOCKED_LINEAR_KERNEL, defines, wantScore, wantX0: !wantScore, lanes: Math.ceil(dim / 4) },
    }],
    buffers: k.usePrev ? [{ name: 'prev', floatsPerParticle: dim }] : [],
    reference: (x, row, ctx) => linearReference(x, row, ctx, k),
  };
}

/** Float64 reference of the linear step for one particle (mirrors the WGSL line by line). */
export function linearReference(x: Float64Array, row: StepRow, ctx: ReferenceContext, k: LinearKernelOptions): void {
  const d = ctx.dim;
  const [f, z] = ctx.scratch as [Float64Array, Float64Array];
  if (k.field === 'score') ctx.model(x, 0, row.c[4]!, f, null);
  else ctx.model(x, 0, row.c[4]!, null, f);
  if (k.noisy) ctx.rng.fillNormals(z, 0, d, ctx.particle, row.step, Stream.stepNoise);
  const a = row.c[0]!, b = row.c[1]!, bPrev = row.c[2]!, c = row.c[3]!;
  for (let j = 0; j < d; j++) {
    let v = a * x[j]! + b * f[j]!;
    if (k.usePrev) {
      const prev = ctx.buffers.prev!;
      v += bPrev * prev[j]!;
      prev[j] = f[j]!;
    }
    if (k.noisy) v += c * z[j]!;
    x[j] = v;
  }
}
