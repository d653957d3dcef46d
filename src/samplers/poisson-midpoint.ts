/**
 * The Poisson midpoint method (Kandasamy and Nagaraj 2024, arXiv 2405.17068; ALGORITHMS.md 6.2-6.3
 * with the corrections of 10.1 items 4-6). One coarse step stands for K fine steps of a base chain:
 *   H_i ~ Bernoulli(1/K) per particle, i = 1..K-1 (index 0 would coincide with the start; skipped)   (6.2, 10.1.6)
 *   X+_i = alpha_i X_0 + beta_i F_0 + A_i S(c_i)   (F frozen at the start; for DDPM F = x0hat, 10.1.4)   (6.3)
 *   X_K  = alpha_K X_0 + beta_K F_0 + sum_{H_i = 1} g_i (F(X+_i, t_i) - F_0) + A_K S(c_K)               (6.2)
 * with one Brownian path S shared by midpoints and step (10.1.6); coefficients in src/math/poisson-midpoint.ts.
 * Base chains: `ddpm` (the DDPM posterior chain, x0hat frozen in the midpoints; [D] instantiation, the
 * paper's own DDPM coefficient variants were not retrieved) and `overdamped` (Euler-Maruyama on the
 * reverse SDE, i.e. overdamped Langevin with the time-varying drift x + 2 s_t(x); [D]) here, and
 * `underdamped` (state (x, v): probability-flow transport plus underdamped Langevin at the current
 * time with the EI-ULMC operators of 3.3; [R], the paper's own ULMC rule for diffusion sampling was
 * not available) in src/samplers/poisson-midpoint-uld.ts. The fine chain has `fine` steps on the
 * run's grid (K = `k`, or fine / coarse steps when k = 0).
 *
 * GPU: per coarse step, START evaluates F_0 for every particle, draws its indicators and appends
 * its active (particle, i) pairs to a compacted list (one atomicAdd per particle reserves a
 * contiguous block); MID evaluates all listed midpoints (one invocation per pair, in one dispatch);
 * FINISH sums each particle's block in index order (so results are deterministic) and resets the
 * counter. MID is dispatched over `CAP_LANES` x particles invocations that stop at the list's count
 * (a fixed-size dispatch; the engine's indirect dispatch is not used here); a pair that does not
 * fit the list (only possible for tiny particle counts) is evaluated by FINISH itself, still with
 * inputs from the start point only, so every coarse step is 2 rounds.
 *
 * nfe: the realised count per particle is random, 1 + N per coarse step with E[N] = (K-1)/K. The
 * plan's `nfe` is its expectation M (2 - 1/K) (at most the budget); {@link poissonMidpointNfe}
 * counts the realised mean exactly from the seed (the draws are pure functions of it).
 */
import { timeGrid } from '../math/grids.js';
import { bernoulliThreshold, pmmBlock, type PmmBlock, type PmmChain } from '../math/poisson-midpoint.js';
import { Philox } from '../rng/philox.js';
import { PMM_CAP_LANES, pmmActive, pmmCoefTable, pmmGapThresholds, pmmIncrement } from './poisson-midpoint-draws.js';
import { planPoissonMidpointUld } from './poisson-midpoint-uld.js';
export { PMM_CAP_LANES, pmmActive, pmmGapThresholds, pmmIncrement } from './poisson-midpoint-draws.js';
import { newRow, setTime, type ReferenceContext, type SamplerDefinition, type StepRow } from './types.js';

/** Floats per fine index in the table: t, m, sig2, alpha, beta, A, c, g, T (gap threshold). */
const STRIDE = 9;

/** Coarse steps M and fine steps per coarse step K for a budget. */
export function pmmSchedule(nfe: number, k: number, fine: number): { M: number; K: number } {
  let K = k > 0 ? k : 1;
  let M = 1;
  for (let it = 0; it < 8; it++) {
    M = Math.max(1, Math.floor(nfe / (2 - 1 / K)));
    if (k > 0) break;
    K = Math.max(1, Math.round(fine / M));
  }
  M = Math.max(1, Math.floor(nfe / (2 - 1 / K)));
  return { M, K };
}

export const poissonMidpoint: SamplerDefinition = {
  name: 'poisson-midpoint',
  description:
    'Poisson midpoint method: each coarse step = K fine steps of a base chain (ddpm, overdamped Langevin, or underdamped Langevin [R]), ' +
    'with Bernoulli(1/K) midpoints per particle on the same Brownian path. nfe = expected evaluations M (2 - 1/K); the realised count is random.',
  source: 'Kandasamy, Nagaraj 2024 (arXiv 2405.17068), PLMC recursion [S]; DDPM instantiation with x0hat frozen [D]; underdamped chain = flow + EI-ULMC (3.3) [R]; ALGORITHMS.md 6.2-6.3, 10.1 items 4-6',
  nfePerStep: '1 + N per coarse step, N ~ Bin(K-1, 1/K)',
  roundsPerStep: '2',
  minNfe: 2,
  options: [
    { name: 'chain', type: 'enum', default: 'ddpm', values: ['ddpm', 'overdamped', 'underdamped'], description: 'base chain: DDPM posterior chain (x0hat), Euler-Maruyama reverse SDE (overdamped Langevin), or flow + underdamped Langevin (x, v) [R]' },
    { name: 'k', type: 'integer', default: 0, min: 0, max: 1000, description: 'fine steps per coarse step; 0 = fine / coarse steps' },
    { name: 'fine', type: 'integer', default: 1000, min: 1, max: 100000, description: 'fine steps of the chain to approximate (when k = 0)' },
    { name: 'gamma', type: 'number', default: 2, min: 1e-3, max: 100, description: 'friction of the underdamped chain (per unit OU time)' },
  ],
  plan({ dim, nfe, tMax, delta, grid, options }) {
    const { M, K } = pmmSchedule(nfe, options.k as number, options.fine as number);
    const ts = timeGrid(grid, M * K, tMax, delta);
    const { thr, w } = bernoulliThreshold(K);
    const gaps = pmmGapThresholds(K, thr);
    if (options.chain === 'underdamped') return planPoissonMidpointUld({ dim, M, K, grid: ts, thr, w, gaps, gamma: options.gamma as number });
    const chain = options.chain as PmmChain;
    const blocks = Array.from({ length: M }, (_, b) => pmmBlock(chain, ts.subarray(b * K, b * K + K + 1), w));
    const START = 0, MID = 1, FINISH = 2;
    const table = pmmCoefTable(M, K, STRIDE, (b, i) => {
      const blk = blocks[b]!, t = blk.times[i]!;
      return [t, Math.exp(-t), -Math.expm1(-2 * t), blk.alpha[i]!, blk.beta[i]!, blk.A[i]!, blk.c[i]!, blk.g[i]!, gaps[i - 1]!];
    });
    const rows: StepRow[] = [];
    blocks.forEach((blk, b) => {
      const step = b + 1;
      const row = (kernel: number, rounds: number) => {
        const r = newRow(step, 0, kernel);
        setTime(r, 0, blk.times[0]!);
        r.c[3] = K;
        r.c.set([thr, blk.alpha[K]!, blk.beta[K]!, blk.A[K]!, blk.c[K]!], 4);
        r.rounds = rounds;
        return r;
      };
      rows.push(row(START, 1));
      if (K > 1) rows.push(row(MID, 1));
      // FINISH evaluates only pairs that overflowed the list (possible only for tiny particle counts);
      // a staged external score replays it once (evals 0) and turns such a particle non-finite
      rows.push(Object.assign(row(FINISH, 0), { evals: 0 }));
    });
    const wantScore = chain === 'overdamped';
    const k = (phase: number, lanes = 1) => ({
      shader: 'poisson-midpoint', wantScore, wantX0: !wantScore, lanes,
      defines: { PHASE_START: phase === 0, PHASE_MID: phase === 1, PHASE_FINISH: phase === 2, PHASE_LATER: phase > 0, FIELD_DRIFT: wantScore, CAP_LANES: PMM_CAP_LANES },
    });
    return {
      rows,
      nfe: K > 1 ? M * (2 - 1 / K) : M,
    // table words 1 (low) and 2 (high): the run's midpoint evaluations, 64-bit (START adds each particle's count)
    evalCounter: { buffer: 'table', word: 1, base: M },
      rounds: K > 1 ? 2 * M : M,
      grid: ts,
      kernels: [k(0), k(1, PMM_CAP_LANES), k(2)],
      buffers: [
        { name: 'table', words: table.length, init: table },
        { name: 'pstate', floatsPerParticle: dim + 1 },
        { name: 'plist', floatsPerParticle: 2 * PMM_CAP_LANES },
        { name: 'pmid', floatsPerParticle: PMM_CAP_LANES * dim },
      ],
      reference: (x, r, ctx) => {
        if (r.kernel === START) pmmReferenceBlock(x, blocks[r.step - 1]!, r.step, thr, gaps, chain, ctx);
      },
    };
  },
};

/**
 * The path values S(c_i) at the active indices and at K: S jumps by sqrt(c_i - c_prev) xi(i) at each
 * active index and at K, keyed by the segment's end index.
 */
export function pmmPath(rng: Philox, particle: number, step: number, blk: PmmBlock, active: readonly number[], d: number): Map<number, Float64Array> {
  const path = new Map<number, Float64Array>();
  const S = new Float64Array(d), xi = new Float64Array(d);
  let cPrev = 0;
  for (const i of [...active, blk.K]) {
    pmmIncrement(rng, particle, step, i, d, xi);
    const sc = Math.sqrt(blk.c[i]! - cPrev);
    for (let e = 0; e < d; e++) S[e] = S[e]! + sc * xi[e]!;
    cPrev = blk.c[i]!;
    path.set(i, Float64Array.from(S));
  }
  return path;
}

/** Float64 reference of one coarse step for one particle (same draws as shaders/poisson-midpoint.wgsl). */
function pmmReferenceBlock(x: Float64Array, blk: PmmBlock, step: number, thr: number, gaps: Float64Array, chain: PmmChain, ctx: ReferenceContext): void {
  const d = ctx.dim;
  const active = pmmActive(ctx.rng, ctx.particle, step, blk.K, thr, gaps);
  const path = pmmPath(ctx.rng, ctx.particle, step, blk, active, d);
  const field = (y: Float64Array, t: number) => {
    const f = new Float64Array(d);
    if (chain === 'ddpm') ctx.model(y, 0, t, null, f);
    else {
      ctx.model(y, 0, t, f, null);
      for (let e = 0; e < d; e++) f[e] = y[e]! + 2 * f[e]!;
    }
    return f;
  };
  const F0 = field(x, blk.times[0]!);
  const out = new Float64Array(d), xp = new Float64Array(d);
  for (let e = 0; e < d; e++) out[e] = blk.alpha[blk.K]! * x[e]! + blk.beta[blk.K]! * F0[e]!;
  for (const i of active) {
    const S = path.get(i)!;
    for (let e = 0; e < d; e++) xp[e] = blk.alpha[i]! * x[e]! + blk.beta[i]! * F0[e]! + blk.A[i]! * S[e]!;
    const F = field(xp, blk.times[i]!);
    for (let e = 0; e < d; e++) out[e] = out[e]! + blk.g[i]! * (F[e]! - F0[e]!);
  }
  const SK = path.get(blk.K)!;
  for (let e = 0; e < d; e++) x[e] = out[e]! + blk.A[blk.K]! * SK[e]!;
}

/** What {@link poissonMidpointNfe} needs of a run (the sampler's options `k` and `fine`, defaults 0 and 1000). */
export interface PmmNfeQuery {
  nfe: number;
  particles: number;
  seed?: number;
  offset?: number;
  k?: number;
  fine?: number;
}

/**
 * The realised nfe of a poisson-midpoint run: its mean per particle, min and max, counted from the
 * seed exactly as the GPU and the reference draw the indicators (no device needed), beside the
 * planned expectation.
 */
export function poissonMidpointNfe(q: PmmNfeQuery): { mean: number; min: number; max: number; planned: number } {
  const { M, K } = pmmSchedule(q.nfe, q.k ?? 0, q.fine ?? 1000);
  const { thr } = bernoulliThreshold(K);
  const gaps = pmmGapThresholds(K, thr);
  const rng = new Philox(q.seed ?? 0);
  const offset = q.offset ?? 0;
  let sum = 0, min = Infinity, max = 0;
  for (let p = offset; p < offset + q.particles; p++) {
    let n = 0;
    for (let b = 1; b <= M; b++) n += 1 + pmmActive(rng, p, b, K, thr, gaps).length;
    sum += n;
    min = Math.min(min, n);
    max = Math.max(max, n);
  }
  return { mean: sum / q.particles, min, max, planned: K > 1 ? M * (2 - 1 / K) : M };
}
