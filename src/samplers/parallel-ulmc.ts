/**
 * Parallel underdamped Langevin corrector (ALGORITHMS.md 3.5, "parallel corrector"; Picard rounds
 * over exponential-integrator ULMC as in Anari, Chewi and Vuong 2024). Our reconstruction [R]: the
 * paper's constants were not available. The step, schedule and noise are those of the sequential
 * `ulmc` corrector of randomized-midpoint (same Philox streams, keyed by the start row's step), so
 * with `picard = steps` it reproduces that corrector exactly; with fewer rounds it spends
 * steps x picard evaluations in `picard` sequential rounds.
 *
 * Unrolled recursion (shaders/parallel-ulmc.wgsl):
 *   x_m = xfree_m + sum_{j<m} w_{m-1-j} g_j,   w_q = ((eta - phi) + phi (1 - e^{-q gamma eta})) / gamma,
 * with xfree the drift-free path from (x_0, v_0) under the same increments, g_j = s(x_j, t*).
 */
import { Stream } from '../rng/philox.js';
import { correctorRow } from './randomized-midpoint.js';
import type { KernelSpec, PlanBuffer, ReferenceContext, StepRow } from './types.js';

/** Settings of the parallel corrector. */
export interface ParallelUlmc {
  /** M: ULMC steps per call. */
  steps: number;
  /** Picard rounds per call (= sequential depth). */
  picard: number;
  /** Run time in units of sigma_t*. */
  time: number;
  /** Friction in units of 1 / sigma_t*. */
  friction: number;
}

const FIRST = 1;
const READ_PARITY = 2;

/** Evaluations per call. */
export const parallelUlmcEvals = (c: ParallelUlmc) => c.steps * c.picard;

/** The three kernels (start, round, end); `firstBinding` is the binding of the first of its two buffers. */
export function parallelUlmcKernels(c: ParallelUlmc, firstBinding: number): KernelSpec[] {
  return [0, 1, 2].map((k) => ({
    shader: 'parallel-ulmc',
    defines: { PU_START: k === 0, PU_ROUND: k === 1, PU_STEPS: c.steps, PU_BINDING: firstBinding, PU_BINDING2: firstBinding + 1 },
    wantScore: true,
    wantX0: false,
    lanes: k === 1 ? c.steps : 1,
    evals: k === 1 ? 1 : 0,
  }));
}

/** Its plan buffers: the drift-free path and two parities of scores. */
export function parallelUlmcBuffers(c: ParallelUlmc, dim: number): PlanBuffer[] {
  return [
    { name: 'cfree', floatsPerParticle: (c.steps + 1) * dim },
    { name: 'cg', floatsPerParticle: 2 * c.steps * dim },
  ];
}

/**
 * Rows of one call at time tStar: start, `picard` rounds, end. `kernel0` is the index of the start
 * kernel in the plan; `next()` hands out step numbers; the start row's step keys the noise.
 */
export function parallelUlmcRows(c: ParallelUlmc, tStar: number, kernel0: number, next: () => number): StepRow[] {
  const proto = correctorRow(0, { kind: 'ulmc', steps: c.steps, time: c.time, friction: c.friction, every: 1 }, tStar);
  const keyStep = next();
  const row = (step: number, kernel: number, flags: number, rounds: number): StepRow => {
    const r: StepRow = { ...proto, c: proto.c.slice(), step, kernel: kernel0 + kernel, flags: flags | (keyStep << 4) };
    r.rounds = rounds;
    return r;
  };
  const rows = [row(keyStep, 0, 0, 0)];
  let parity = 0; // the first round writes parity 0
  for (let k = 0; k < c.picard; k++) {
    rows.push(row(next(), 1, k === 0 ? FIRST : parity ? READ_PARITY : 0, 1));
    if (k > 0) parity = 1 - parity;
  }
  rows.push(row(next(), 2, parity ? READ_PARITY : 0, 0));
  return rows;
}

/** Float64 reference of one row (mirrors shaders/parallel-ulmc.wgsl); `kernel` is 0, 1 or 2 within the corrector. */
export function parallelUlmcReference(c: ParallelUlmc, kernel: number, x: Float64Array, row: StepRow, ctx: ReferenceContext): void {
  const d = ctx.dim, M = c.steps;
  const free = ctx.buffers.cfree!, cg = ctx.buffers.cg!;
  const gamma = row.c[0]!, eta = row.c[1]!, decay = row.c[2]!, phi = row.c[3]!, tStar = row.c[4]!;
  const keyStep = row.flags >>> 4;
  const gIndex = (parity: number, m: number) => (parity * M + m) * d;
  const rp = (row.flags & READ_PARITY) !== 0 ? 1 : 0;
  const withScores = (m: number, out: Float64Array) => {
    out.set(free.subarray(m * d, (m + 1) * d));
    for (let j = 0; j < m; j++) {
      const w = row.c[8]! + (phi * -Math.expm1(-gamma * eta * (m - 1 - j))) / gamma;
      for (let k = 0; k < d; k++) out[k]! += w * cg[gIndex(rp, j) + k]!;
    }
  };
  if (kernel === 0) {
    const [v, z1, z2] = ctx.scratch as [Float64Array, Float64Array, Float64Array];
    const xs = Float64Array.from(x.subarray(0, d));
    ctx.rng.fillNormals(v, 0, d, ctx.particle, keyStep, Stream.stepNoise);
    for (let m = 0; m <= M; m++) {
      free.set(xs, m * d);
      if (m === M) break;
      ctx.rng.fillNormals(z1, 0, d, ctx.particle, keyStep, Stream.corrector + 4 * m);
      ctx.rng.fillNormals(z2, 0, d, ctx.particle, keyStep, Stream.corrector + 4 * m + 1);
      for (let k = 0; k < d; k++) {
        xs[k] = xs[k]! + phi * v[k]! + row.c[9]! * z1[k]! + row.c[10]! * z2[k]!;
        v[k] = decay * v[k]! + row.c[11]! * z1[k]! + row.c[12]! * z2[k]!;
      }
    }
    return;
  }
  if (kernel === 2) {
    const out = new Float64Array(d);
    withScores(M, out);
    x.set(out);
    return;
  }
  const first = (row.flags & FIRST) !== 0;
  const wp = first ? 0 : 1 - rp;
  const next = new Float64Array(M * d);
  const xm = new Float64Array(d), g = new Float64Array(d);
  for (let m = 0; m < M; m++) {
    if (first) xm.set(free.subarray(m * d, (m + 1) * d));
    else withScores(m, xm);
    ctx.model(xm, 0, tStar, g, null);
    next.set(g, m * d);
  }
  cg.set(next, gIndex(wp, 0));
}
