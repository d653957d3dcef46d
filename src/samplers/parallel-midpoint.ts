/**
 * Parallel randomized midpoint (Gupta, Cai, Chen 2024, the parallel predictor after Shen and Lee
 * 2019), in the data-prediction form that a float64 check found stable (ALGORITHMS.md 3.5 with 3.7
 * and 10.1 item 2). The formulas are our reconstruction [R]: the paper's algorithm box, R, K and
 * window lengths were not available.
 *
 * With y = x / sigma and E = e^lambda, the probability-flow ODE reads dy/dE = x0hat(x). Each window
 * [a, b] of the time grid is split into R sub-intervals, uniform in lambda, with one midpoint each,
 * uniform in E (so that dE_i x0hat(midpoint) is an unbiased estimate of the sub-interval's integral).
 * K Picard rounds refine the midpoint states; the R evaluations of a round are one dispatch, and the
 * prefix sums over the sub-intervals are a GPU scan (one dispatch between rounds, no evaluations).
 *   start:    g_a = x0hat(x_a)                                                          1 round
 *   round 0:  y_i = y_a + (E_mid_i - E_a) g_a,            g_i = x0hat(y_i at t_mid_i)  1 round
 *   round k:  y_i = y_a + sum_{j<i} dE_j g_j + (E_mid_i - E_{i-1}) g_i,  g_i = ...     1 round each (K)
 *   end:      y_b = y_a + sum_i dE_i g_i                                                no evaluation
 * Cost per window: 1 + R (K + 1) evaluations in K + 2 sequential rounds.
 *
 * Corrector (`corrector=ulmc`): the parallel underdamped Langevin corrector of src/samplers/parallel-ulmc.ts
 * at the end of every `corrector-every`-th window: M = corrector-steps EI-ULMC steps solved by
 * corrector-picard Picard rounds, M evaluations per round in one dispatch.
 */
import { SamplerOptionError } from '../errors.js';
import { timeGrid } from '../math/grids.js';
import { logSnr, noiseStd } from '../math/ou.js';
import { Stream } from '../rng/philox.js';
import { parallelUlmcBuffers, parallelUlmcEvals, parallelUlmcKernels, parallelUlmcReference, parallelUlmcRows, type ParallelUlmc } from './parallel-ulmc.js';
import { newRow, setTime, type ReferenceContext, type SamplerDefinition, type StepRow } from './types.js';

const FIRST = 1;
const READ_PARITY = 2;
const FINAL_SCAN = 4;

/**
 * The rows of one window from t_a to t_b: start, round 0, then K times (scan, round), then the final
 * scan, which writes x_b. Scans evaluate nothing (rounds 0).
 */
function windowRows(window: number, ta: number, tb: number, R: number, K: number, next: () => number): StepRow[] {
  const dl = (logSnr(tb) - logSnr(ta)) / R;
  const base = (kernel: number, flags: number, rounds: number) => {
    const row = newRow(next(), flags | (window << 4), kernel);
    row.c[0] = Math.exp(logSnr(ta));
    row.c[1] = dl;
    row.c[2] = Math.expm1(dl);
    row.c[3] = 1 / noiseStd(ta);
    setTime(row, 1, ta);
    row.c[8] = noiseStd(tb);
    row.rounds = rounds;
    return row;
  };
  const rows = [base(0, 0, 1), base(1, FIRST, 1)];
  let parity = 0; // round 0 writes parity 0
  for (let k = 1; k <= K; k++) {
    const read = parity ? READ_PARITY : 0;
    rows.push(base(2, read, 0), base(1, read, 1));
    parity = 1 - parity;
  }
  rows.push(base(2, FINAL_SCAN | (parity ? READ_PARITY : 0), 0));
  return rows;
}

/** Float64 reference of one row for one particle (mirrors shaders/parallel-midpoint.wgsl). */
function reference(R: number, x: Float64Array, row: StepRow, ctx: ReferenceContext): void {
  const d = ctx.dim;
  const ga = ctx.buffers.ga!, gbuf = ctx.buffers.gbuf!, gpre = ctx.buffers.gpre!;
  const ea = row.c[0]!, dl = row.c[1]!, em1 = row.c[2]!, invSigA = row.c[3]!;
  const gIndex = (parity: number, lane: number) => (parity * R + lane) * d;
  const lo = (j: number) => ea * Math.exp(j * dl);
  const rp = (row.flags & READ_PARITY) !== 0 ? 1 : 0;
  if (row.kernel === 0) {
    ctx.model(x, 0, row.c[4]!, null, ga);
    return;
  }
  if (row.kernel === 2) {
    // exclusive scan S_0 = y_a, S_{j+1} = S_j + (E_j - E_{j-1}) g_j; the final scan writes x_b = sigma_b S_R
    const final = (row.flags & FINAL_SCAN) !== 0;
    for (let k = 0; k < d; k++) {
      let acc = x[k]! * invSigA;
      for (let j = 0; j < R; j++) {
        if (!final) gpre[j * d + k] = acc;
        acc += lo(j) * em1 * gbuf[gIndex(rp, j) + k]!;
      }
      if (final) x[k] = row.c[8]! * acc;
      else gpre[R * d + k] = acc;
    }
    return;
  }
  const first = (row.flags & FIRST) !== 0;
  const wp = first ? 0 : 1 - rp;
  const window = row.flags >>> 4;
  const y = ctx.scratch[0]!, g = ctx.scratch[1]!;
  const out = new Float64Array(R * d);
  for (let lane = 0; lane < R; lane++) {
    const u = ctx.rng.uniform(ctx.particle, window, Stream.scalar, lane);
    const eLo = lo(lane), eMid = eLo + u * eLo * em1;
    for (let j = 0; j < d; j++) {
      y[j] = first ? x[j]! * invSigA + (eMid - ea) * ga[j]! : gpre[lane * d + j]! + (eMid - eLo) * gbuf[gIndex(rp, lane) + j]!;
    }
    const mid = fromE(eMid);
    for (let j = 0; j < d; j++) y[j] = mid.sigma * y[j]!;
    ctx.model(y, 0, mid.t, null, g);
    out.set(g.subarray(0, d), lane * d);
  }
  gbuf.set(out, gIndex(wp, 0));
}

/** Midpoint time parameters from E = e^lambda (float64). */
const fromE = (e: number) => ({ t: 0.5 * Math.log1p(1 / (e * e)), sigma: 1 / Math.sqrt(1 + e * e) });

export const parallelMidpoint: SamplerDefinition = {
  name: 'parallel-midpoint',
  description:
    'Parallel randomized midpoint in data-prediction form [R]: windows of R random midpoints refined by K Picard rounds, ' +
    'the R evaluations of a round in one dispatch; 1 + R(K+1) evaluations and K + 2 rounds per window. ' +
    'Optional parallel underdamped Langevin corrector (Picard rounds over EI-ULMC) [R].',
  source: 'Gupta, Cai, Chen 2024 (arXiv 2406.00924), parallel predictor after Shen & Lee 2019; our (I-x0) reconstruction, ALGORITHMS.md 3.5, 3.7, 10.1',
  nfePerStep: '1 + R (K + 1) per window (+ corrector-steps x corrector-picard per corrector call)',
  roundsPerStep: 'K + 2 per window (+ corrector-picard per corrector call)',
  minNfe: 1,
  options: [
    { name: 'width', type: 'integer', default: 8, min: 1, max: 256, description: 'R: random midpoints (parallel evaluations) per window' },
    { name: 'picard', type: 'integer', default: 2, min: 0, max: 64, description: 'K: Picard refinement rounds per window' },
    { name: 'corrector', type: 'enum', default: 'none', values: ['none', 'ulmc'], description: 'parallel underdamped Langevin corrector (Picard over EI-ULMC) after windows' },
    { name: 'corrector-steps', type: 'integer', default: 4, min: 1, max: 64, description: 'M: ULMC steps per corrector call (parallel evaluations per round)' },
    { name: 'corrector-picard', type: 'integer', default: 2, min: 1, max: 64, description: 'Picard rounds per corrector call (= M gives the sequential ULMC chain exactly)' },
    { name: 'corrector-time', type: 'number', default: 1, min: 1e-4, max: 100, description: 'corrector run time in units of sigma_t' },
    { name: 'friction', type: 'number', default: 2, min: 1e-3, max: 1000, description: 'friction gamma in units of 1 / sigma_t' },
    { name: 'corrector-every', type: 'integer', default: 1, min: 1, max: 10_000, description: 'run the corrector after every n-th window' },
  ],
  plan({ dim, nfe, tMax, delta, grid, options }) {
    const R = options.width as number, K = options.picard as number;
    const perWindow = 1 + R * (K + 1);
    const corr: ParallelUlmc | null = options.corrector === 'ulmc'
      ? { steps: options['corrector-steps'] as number, picard: options['corrector-picard'] as number, time: options['corrector-time'] as number, friction: options.friction as number }
      : null;
    const every = options['corrector-every'] as number;
    const cost = (w: number) => w * perWindow + (corr ? Math.floor(w / every) * parallelUlmcEvals(corr) : 0);
    if (nfe < cost(1)) {
      throw new SamplerOptionError('nfe', nfe, `at least 1 + width (picard + 1) = ${perWindow} for parallel-midpoint with width ${R}, picard ${K}` +
        (corr && every === 1 ? ` (plus ${parallelUlmcEvals(corr)} for the corrector)` : ''));
    }
    let windows = 1;
    while (cost(windows + 1) <= nfe) windows++;
    const ts = timeGrid(grid, windows, tMax, delta);
    const rows: StepRow[] = [];
    let step = 0;
    const next = () => ++step;
    let corrections = 0;
    for (let w = 0; w < windows; w++) {
      rows.push(...windowRows(w + 1, ts[w]!, ts[w + 1]!, R, K, next));
      if (corr && (w + 1) % every === 0) {
        rows.push(...parallelUlmcRows(corr, ts[w + 1]!, 3, next));
        corrections++;
      }
    }
    const PM_BUFFERS = 3;
    return {
      rows,
      nfe: cost(windows),
      rounds: windows * (K + 2) + (corr ? corrections * corr.picard : 0),
      grid: ts,
      kernels: [
        ...[0, 1, 2].map((k) => ({
          shader: 'parallel-midpoint', defines: { PM_START: k === 0, PM_ROUND: k === 1, PM_WIDTH: R }, wantScore: false, wantX0: true,
          lanes: k === 1 ? R : k === 2 ? Math.ceil(dim / 4) : 1,
        })),
        ...(corr ? parallelUlmcKernels(corr, 3 + PM_BUFFERS) : []),
      ],
      buffers: [
        { name: 'ga', floatsPerParticle: dim },
        { name: 'gbuf', floatsPerParticle: 2 * R * dim },
        { name: 'gpre', floatsPerParticle: (R + 1) * dim },
        ...(corr ? parallelUlmcBuffers(corr, dim) : []),
      ],
      reference: (x, row, ctx) => (row.kernel < 3 ? reference(R, x, row, ctx) : parallelUlmcReference(corr!, row.kernel - 3, x, row, ctx)),
    };
  },
};
