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
/** Round 0 without a start evaluation: r_a = 0 in the first window, the previous window's last residual (left in ga by its final scan) after it. */
const FREE_START = 8;

/**
 * The Gaussian-reference change of variables (ours [D]). For data N(0, c I) the flow is
 * y(E) = y_a sqrt((1 + c E^2) / (1 + c E_a^2)); with z = y / sqrt(1 + c E^2) and u = F(E) =
 * asinh(sqrt(c) E) / sqrt(c), the ODE becomes dz/du = r = x0hat - c E z / sqrt(1 + c E^2), the
 * residual of x0hat against the reference's (linear) x0hat. Picard then iterates only on the residual,
 * whose Lipschitz integral over the whole trajectory is about |ln(s^2 / c)| / 2 for a component of
 * variance s^2 instead of ln(1 + s^2 E^2) / 2. c = 0 is the plain (I-x0) scheme (z = y, u = E, r = x0hat).
 */
export const gaussRef = {
  /** sqrt(1 + c E^2): y = z cosh. */
  cosh: (c: number, e: number) => Math.sqrt(1 + c * e * e),
  /** c E / sqrt(1 + c E^2): the reference x0hat per unit z. */
  gain: (c: number, e: number) => (c * e) / Math.sqrt(1 + c * e * e),
  /** F(E_lo + de) - F(E_lo), without cancellation: asinh(x2 sqrt(1 + x1^2) - x1 sqrt(1 + x2^2)) / sqrt(c). */
  width(c: number, eLo: number, de: number): number {
    if (c === 0) return de;
    const q = Math.sqrt(c), x1 = q * eLo, x2 = q * (eLo + de);
    return Math.asinh((q * de * (x1 + x2)) / (x2 * Math.sqrt(1 + x1 * x1) + x1 * Math.sqrt(1 + x2 * x2))) / q;
  },
  /** E with F(E) = F(E_lo) + w: E_lo cosh(sqrt(c) w) + sqrt(1 + c E_lo^2) sinh(sqrt(c) w) / sqrt(c). */
  inverse(c: number, eLo: number, w: number): number {
    if (c === 0) return eLo + w;
    const q = Math.sqrt(c);
    return eLo * Math.cosh(q * w) + (Math.sqrt(1 + c * eLo * eLo) * Math.sinh(q * w)) / q;
  },
};

/**
 * The rows of one window from t_a to t_b: [start,] round 0, then K times (scan, round), then the final
 * scan, which writes x_b. Scans evaluate nothing (rounds 0).
 */
function windowRows(window: number, ta: number, tb: number, R: number, K: number, c: number, free: boolean, next: () => number): StepRow[] {
  const dl = (logSnr(tb) - logSnr(ta)) / R;
  const ea = Math.exp(logSnr(ta)), eb = Math.exp(logSnr(tb));
  const base = (kernel: number, flags: number, rounds: number) => {
    const row = newRow(next(), flags | (window << 4), kernel);
    row.c[0] = ea;
    row.c[1] = dl;
    row.c[2] = Math.expm1(dl);
    row.c[3] = 1 / (noiseStd(ta) * gaussRef.cosh(c, ea)); // z_a = c0.w x_a
    setTime(row, 1, ta);
    row.c[8] = noiseStd(tb) * gaussRef.cosh(c, eb); // x_b = c2.x z_b
    row.c[9] = c;
    row.c[10] = Math.sqrt(c);
    row.c[11] = gaussRef.gain(c, ea);
    row.rounds = rounds;
    return row;
  };
  const rows = free ? [base(1, FIRST | FREE_START, 1)] : [base(0, 0, 1), base(1, FIRST, 1)];
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
  const ea = row.c[0]!, dl = row.c[1]!, em1 = row.c[2]!, zScale = row.c[3]!, c = row.c[9]!;
  const gIndex = (parity: number, lane: number) => (parity * R + lane) * d;
  const lo = (j: number) => ea * Math.exp(j * dl);
  const rp = (row.flags & READ_PARITY) !== 0 ? 1 : 0;
  if (row.kernel === 0) {
    // r_a = x0hat(x_a) - gain_a z_a
    ctx.model(x, 0, row.c[4]!, null, ga);
    for (let k = 0; k < d; k++) ga[k] = ga[k]! - row.c[11]! * zScale * x[k]!;
    return;
  }
  if (row.kernel === 2) {
    // exclusive scan S_0 = z_a, S_{j+1} = S_j + W_j r_j; the final scan writes x_b = c2.x S_R
    const final = (row.flags & FINAL_SCAN) !== 0;
    const W = Array.from({ length: R }, (_, j) => gaussRef.width(c, lo(j), lo(j) * em1));
    for (let k = 0; k < d; k++) {
      let acc = x[k]! * zScale;
      for (let j = 0; j < R; j++) {
        if (!final) gpre[j * d + k] = acc;
        acc += W[j]! * gbuf[gIndex(rp, j) + k]!;
      }
      if (final) x[k] = row.c[8]! * acc;
      else gpre[R * d + k] = acc;
      // the last sub-interval's residual: r_a of the next window under start=free
      if (final) ga[k] = gbuf[gIndex(rp, R - 1) + k]!;
    }
    return;
  }
  const first = (row.flags & FIRST) !== 0;
  const free = (row.flags & FREE_START) !== 0;
  const wp = first ? 0 : 1 - rp;
  const window = row.flags >>> 4;
  const z = ctx.scratch[0]!, g = ctx.scratch[1]!;
  const out = new Float64Array(R * d);
  for (let lane = 0; lane < R; lane++) {
    const u = ctx.rng.uniform(ctx.particle, window, Stream.scalar, lane);
    const eLo = lo(lane), partial = u * gaussRef.width(c, eLo, eLo * em1);
    const eMid = gaussRef.inverse(c, eLo, partial);
    if (first) {
      // round 0: z_i = z_a + (F(E_mid) - F(E_a)) r_a
      const wa = gaussRef.width(c, ea, eMid - ea);
      for (let j = 0; j < d; j++) {
        const ra = free && window === 1 ? 0 : ga[j]!;
        z[j] = x[j]! * zScale + wa * ra;
      }
    } else {
      for (let j = 0; j < d; j++) z[j] = gpre[lane * d + j]! + partial * gbuf[gIndex(rp, lane) + j]!;
    }
    const mid = fromE(eMid), ch = gaussRef.cosh(c, eMid), gain = gaussRef.gain(c, eMid);
    const xm = ctx.scratch[2]!;
    for (let j = 0; j < d; j++) xm[j] = mid.sigma * ch * z[j]!;
    ctx.model(xm, 0, mid.t, null, g);
    for (let j = 0; j < d; j++) out[lane * d + j] = g[j]! - gain * z[j]!;
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
  minNfeFor: (o) => {
    const perWindow = (o.start === 'free' ? 0 : 1) + (o.width as number) * ((o.picard as number) + 1);
    const corrector = o.corrector === 'ulmc' && o['corrector-every'] === 1 ? (o['corrector-steps'] as number) * (o['corrector-picard'] as number) : 0;
    return perWindow + corrector;
  },
  options: [
    { name: 'width', type: 'integer', default: 8, min: 1, max: 256, description: 'R: random midpoints (parallel evaluations) per window' },
    { name: 'picard', type: 'integer', default: 2, min: 0, max: 64, description: 'K: Picard refinement rounds per window' },
    { name: 'ref-variance', type: 'number', default: 0, min: 0, max: 1e4, description: 'c: integrate the residual against the flow of N(0, c I) (0: plain x0 form); about the data variance per coordinate' },
    { name: 'start', type: 'enum', default: 'eval', values: ['eval', 'free'], description: 'eval: window start x0hat(x_a) (1 round); free: no start evaluation, r_a = 0 in the first window, the previous window\'s last residual after it' },
    { name: 'corrector', type: 'enum', default: 'none', values: ['none', 'ulmc'], description: 'parallel underdamped Langevin corrector (Picard over EI-ULMC) after windows' },
    { name: 'corrector-steps', type: 'integer', default: 4, min: 1, max: 64, description: 'M: ULMC steps per corrector call (parallel evaluations per round)' },
    { name: 'corrector-picard', type: 'integer', default: 2, min: 1, max: 64, description: 'Picard rounds per corrector call (= M gives the sequential ULMC chain exactly)' },
    { name: 'corrector-time', type: 'number', default: 1, min: 1e-4, max: 100, description: 'corrector run time in units of sigma_t' },
    { name: 'friction', type: 'number', default: 2, min: 1e-3, max: 1000, description: 'friction gamma in units of 1 / sigma_t' },
    { name: 'corrector-every', type: 'integer', default: 1, min: 1, max: 10_000, description: 'run the corrector after every n-th window' },
  ],
  plan({ dim, nfe, tMax, delta, grid, options }) {
    const R = options.width as number, K = options.picard as number;
    const c = options['ref-variance'] as number, free = options.start === 'free';
    const startCost = free ? 0 : 1;
    const perWindow = startCost + R * (K + 1);
    const corr: ParallelUlmc | null = options.corrector === 'ulmc'
      ? { steps: options['corrector-steps'] as number, picard: options['corrector-picard'] as number, time: options['corrector-time'] as number, friction: options.friction as number }
      : null;
    const every = options['corrector-every'] as number;
    const cost = (w: number) => w * perWindow + (corr ? Math.floor(w / every) * parallelUlmcEvals(corr) : 0);
    if (nfe < cost(1)) {
      throw new SamplerOptionError('nfe', nfe, `at least ${startCost ? '1 + ' : ''}width (picard + 1) = ${perWindow} for parallel-midpoint with width ${R}, picard ${K}` +
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
      rows.push(...windowRows(w + 1, ts[w]!, ts[w + 1]!, R, K, c, free, next));
      if (corr && (w + 1) % every === 0) {
        rows.push(...parallelUlmcRows(corr, ts[w + 1]!, 3, next));
        corrections++;
      }
    }
    const PM_BUFFERS = 3;
    return {
      rows,
      nfe: cost(windows),
      rounds: windows * (K + 1 + startCost) + (corr ? corrections * corr.picard : 0),
      grid: ts,
      kernels: [
        ...[0, 1, 2].map((k) => ({
          shader: 'parallel-midpoint', defines: { PM_START: k === 0, PM_ROUND: k === 1, PM_WIDTH: R }, wantScore: false, wantX0: true,
          lanes: k === 1 ? R : k === 2 ? Math.ceil(dim / 4) : 1, evals: k === 2 ? 0 : 1,
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
