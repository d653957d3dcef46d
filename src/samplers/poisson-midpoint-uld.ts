/**
 * The Poisson midpoint method on the underdamped Langevin base chain (`poisson-midpoint`
 * chain=underdamped): the plan and its float64 reference. Mathematics and equations in
 * src/math/poisson-midpoint-uld.ts; ALGORITHMS.md 6.2 (general PLMC recursion, ULMC operators of
 * 3.3). The base process (probability-flow transport plus underdamped Langevin at the current time)
 * and the Euler treatment of the flow drift are ours [D/R]: the paper's ULMC instantiation for
 * diffusion sampling was not available.
 *
 * State: x in the particle buffer, v in the plan buffer `pvel` (d floats per particle), drawn
 * v ~ N(0, I) (Philox step 0, stream stepNoise) by the first coarse step and dropped at the end.
 * Per coarse step, as for the other chains: START evaluates s_0 at the start point and lists the
 * particle's active midpoints, MID evaluates every listed midpoint in one dispatch, FINISH applies
 * the corrections and the end noise. The path N = (Nx, Nv) is advanced segment by segment between
 * the active indices and K with two normals per coordinate (streams stepNoise2 and stepNoise, block
 * segEnd * ceil(d/4) + b), so midpoints and end share one Brownian path.
 */
import { pmmUldBlock, pmmUldCoarseStep, uldPathAdvance, type PmmUldBlock, type UldNoise } from '../math/poisson-midpoint-uld.js';
import { Stream, type Philox } from '../rng/philox.js';
import { PMM_CAP_LANES, pmmActive, pmmCoefTable, pmmIncrement } from './poisson-midpoint-draws.js';
import { newRow, setTime, type ReferenceContext, type SamplerPlan, type StepRow } from './types.js';

/** Floats per fine index in the table: t, m, sig2, tau, phi, cs, gF, gxs, gvs, T (gap threshold). */
export const ULD_STRIDE = 10;

/**
 * The path values N at the active indices and at K for one particle's coarse step: N starts at 0
 * and is advanced over each segment [tau_prev, tau_i] with that segment's own pair of normals.
 */
export function pmmUldPath(rng: Philox, particle: number, step: number, blk: PmmUldBlock, active: readonly number[], d: number): Map<number, UldNoise> {
  const path = new Map<number, UldNoise>();
  const N: UldNoise = { x: new Float64Array(d), v: new Float64Array(d) };
  const z1 = new Float64Array(d), z2 = new Float64Array(d);
  let tauPrev = 0;
  for (const i of [...active, blk.K]) {
    pmmIncrement(rng, particle, step, i, d, z1, Stream.stepNoise2);
    pmmIncrement(rng, particle, step, i, d, z2, Stream.stepNoise);
    uldPathAdvance(blk.gamma, blk.tau[i]! - tauPrev, N, z1, z2);
    tauPrev = blk.tau[i]!;
    path.set(i, { x: Float64Array.from(N.x), v: Float64Array.from(N.v) });
  }
  return path;
}

/** What the underdamped plan needs from the shared `poisson-midpoint` planning. */
export interface UldPlanInput {
  dim: number;
  M: number;
  K: number;
  /** The fine grid, M K + 1 times, decreasing. */
  grid: Float64Array;
  thr: number;
  w: number;
  /** Gap thresholds of the active-index draws (pmmGapThresholds). */
  gaps: Float64Array;
  gamma: number;
}

/** The plan of `poisson-midpoint` with chain=underdamped. */
export function planPoissonMidpointUld({ dim, M, K, grid, thr, w, gaps, gamma }: UldPlanInput): SamplerPlan {
  const blocks = Array.from({ length: M }, (_, b) => pmmUldBlock(grid.subarray(b * K, b * K + K + 1), gamma, w));
  const START = 0, MID = 1, FINISH = 2;
  const table = pmmCoefTable(M, K, ULD_STRIDE, (b, i) => {
    const blk = blocks[b]!, t = blk.times[i]!;
    return [t, Math.exp(-t), -Math.expm1(-2 * t), blk.tau[i]!, blk.phi[i]!, blk.cs[i]!, blk.gF[i]!, blk.gxs[i]!, blk.gvs[i]!, gaps[i - 1]!];
  });
  const rows: StepRow[] = [];
  blocks.forEach((blk, b) => {
    const step = b + 1;
    const row = (kernel: number, rounds: number) => {
      const r = newRow(step, 0, kernel);
      setTime(r, 0, blk.times[0]!);
      r.c[3] = K;
      r.c.set([thr, gamma, b === 0 ? 1 : 0, blk.tau[K]!, blk.phi[K]!, blk.cs[K]!, blk.decay[K]!], 4);
      r.rounds = rounds;
      return r;
    };
    rows.push(row(START, 1));
    if (K > 1) rows.push(row(MID, 1));
    // FINISH evaluates only pairs that overflowed the list (possible only for tiny particle counts);
    // a staged external score replays it once (evals 0) and turns such a particle non-finite
    rows.push(Object.assign(row(FINISH, 0), { evals: 0 }));
  });
  const k = (phase: number, lanes = 1) => ({
    shader: 'poisson-midpoint-uld', wantScore: true, wantX0: false, lanes,
    defines: { PHASE_START: phase === 0, PHASE_MID: phase === 1, PHASE_FINISH: phase === 2, PHASE_LATER: phase > 0, CAP_LANES: PMM_CAP_LANES },
  });
  return {
    rows,
    nfe: K > 1 ? M * (2 - 1 / K) : M,
    // table words 1 (low) and 2 (high): the run's midpoint evaluations, 64-bit (START adds each particle's count)
    evalCounter: { buffer: 'table', word: 1, base: M },
    rounds: K > 1 ? 2 * M : M,
    grid,
    kernels: [k(0), k(1, PMM_CAP_LANES), k(2)],
    buffers: [
      { name: 'table', words: table.length, init: table },
      { name: 'pstate', floatsPerParticle: dim + 1 },
      { name: 'plist', floatsPerParticle: 2 * PMM_CAP_LANES },
      { name: 'pmid', floatsPerParticle: PMM_CAP_LANES * dim },
      { name: 'pvel', floatsPerParticle: dim },
    ],
    reference: (x, r, ctx) => {
      if (r.kernel === START) uldReferenceBlock(x, blocks[r.step - 1]!, r.step, thr, gaps, ctx);
    },
  };
}

/** Float64 reference of one coarse step for one particle (same draws as shaders/poisson-midpoint-uld.wgsl). */
function uldReferenceBlock(x: Float64Array, blk: PmmUldBlock, step: number, thr: number, gaps: Float64Array, ctx: ReferenceContext): void {
  const d = ctx.dim;
  const v = ctx.buffers.pvel!;
  if (step === 1) ctx.rng.fillNormals(v, 0, d, ctx.particle, 0, Stream.stepNoise);
  const active = pmmActive(ctx.rng, ctx.particle, step, blk.K, thr, gaps);
  const path = pmmUldPath(ctx.rng, ctx.particle, step, blk, active, d);
  const score = (y: Float64Array, t: number) => {
    const s = new Float64Array(d);
    ctx.model(y, 0, t, s, null);
    return s;
  };
  const out = pmmUldCoarseStep(blk, Float64Array.from(x), Float64Array.from(v), score, active, (i) => path.get(i)!);
  x.set(out.x);
  v.set(out.v);
}
