/**
 * High-order Lagrange interpolation with successive refinement, after Li, Zhou, Wei, Chen 2025
 * ("Faster Diffusion Models via Higher-Order Approximation"; the label HEROISM is from a summary).
 * [R] The paper's algorithm box was not available: this is the collocation / Picard
 * reconstruction of ALGORITHMS.md 4.3, run in the data-prediction form that 10.1 item 3 found
 * stable (the score form diverges on long intervals).
 *
 * One interval t -> s of log-SNR length H = lambda_s - lambda_t, p nodes y_0 = 0 < ... < y_{p-1} = 1
 * (Chebyshev-Lobatto; equispaced for p <= 3), node times t_i with lambda(t_i) = lambda_t + H y_i:
 *   (I-x0)  x(y)/sigma(y) = x_t/sigma_t + int_{lambda_t}^{lambda(y)} e^lambda x0hat dlambda           (ALGORITHMS.md 1.2)
 *   x0hat ~ sum_j l_j(y) g_j  (Lagrange basis on the nodes)                                           (4.3)
 *   => x_i = (sigma_i / sigma_t) x_t + m_i sum_j w_ij g_j,  w_ij = H int_0^{y_i} e^{-H(y_i - y)} l_j(y) dy
 *   g_0 = x0hat(x_t, t);  g_j^(0) = g_0  (DDIM predictions)
 *   pass k = 1..K:  g_i^(k) = x0hat(x_i(g^(k-1)), t_i),  i = 1..p-1   (Jacobi: all p-1 nodes in one dispatch)
 *   x_s = x_{p-1}(g^(K))
 * Measured on a Gaussian (test/issue4-math.test.ts): one-interval error O(h^min(K+2, p+1)) or
 * better (Lobatto nodes superconverge: p = 3 behaves like Simpson's rule, h^5).
 * Weights in float64 by Gauss-Legendre (src/math/lagrange.ts). Cost per interval: 1 + (p-1) K
 * evaluations in 1 + K rounds; the run uses floor(nfe / (1 + (p-1) K)) intervals and reports the
 * nfe it actually spends.
 */
import { RunOptionError } from '../errors.js';
import { chebyshevLobatto01, expLagrangeWeights } from '../math/lagrange.js';
import { timeGrid } from '../math/grids.js';
import { logSnr, noiseStd, signalScale, timeFromLogSnr } from '../math/ou.js';
import { COEF_TABLE_KERNEL, tableRows, tableWords } from './coef-table.js';
import { newRow, setTime, type ReferenceContext, type SamplerDefinition, type StepRow } from './types.js';

/** Advance-row flags: combine the previous interval's nodes into x; evaluate g_0 at x; which half holds the last pass. */
const COMBINE = 1, EVAL = 2, PARITY = 4;
/** Largest order: the advance row carries 4 + p coefficients. */
export const HEROISM_MAX_ORDER = 12;

/** Float64 coefficients of one interval. */
export interface HeroismInterval {
  /** Node times t_0 = t .. t_{p-1} = s. */
  times: Float64Array;
  /** sigma_i / sigma_t per node. */
  a: Float64Array;
  /** C[i][j] = m_i w_ij (row i = node i). */
  C: Float64Array[];
  /** sigma_s / sigma_t and m_s w_j(1): the end of the interval (node p-1 when p >= 2). */
  aEnd: number;
  CEnd: Float64Array;
}

/** The coefficients of interval t -> s with nodes y (on [0, 1]). */
export function heroismInterval(t: number, s: number, nodes: Float64Array): HeroismInterval {
  const lt = logSnr(t), H = logSnr(s) - lt;
  const p = nodes.length;
  const times = Float64Array.from(nodes, (y, i) => (i === 0 ? t : i === p - 1 ? s : timeFromLogSnr(lt + H * y)));
  const a = Float64Array.from(times, (ti) => noiseStd(ti) / noiseStd(t));
  const C = Array.from(times, (ti, i) => expLagrangeWeights(nodes, H, nodes[i]!).map((w) => signalScale(ti) * w));
  const CEnd = expLagrangeWeights(nodes, H, 1).map((w) => signalScale(s) * w);
  return { times, a, C, aEnd: noiseStd(s) / noiseStd(t), CEnd };
}

export const heroism: SamplerDefinition = {
  name: 'heroism',
  description:
    '[R] High-order Lagrange interpolation of x0hat over log-SNR with p nodes per interval and K Picard passes ' +
    '(our collocation reconstruction of the paper, data-prediction form). nfe = intervals x (1 + (p-1) K), as spent.',
  source: 'Li, Zhou, Wei, Chen 2025 (arXiv 2506.24042) [R: reconstruction, ALGORITHMS.md 4.3 and 10.1 item 3]',
  nfePerStep: '1 + (p-1) K per interval',
  roundsPerStep: '1 + K per interval',
  minNfe: 1,
  minNfeFor: (o) => (o.order === 1 ? 1 : 1 + ((o.order as number) - 1) * (o.passes as number)),
  options: [
    { name: 'order', type: 'integer', default: 3, min: 1, max: HEROISM_MAX_ORDER, description: 'p: interpolation nodes per interval (Chebyshev-Lobatto, incl. both ends); 1 = DDIM' },
    { name: 'passes', type: 'integer', default: 2, min: 1, max: 8, description: 'K: successive-refinement (Picard) passes per interval; one-interval error O(h^min(K+2, p+1)) or better' },
  ],
  plan({ dim, nfe, tMax, delta, grid, options }) {
    const p = options.order as number, K = p === 1 ? 0 : (options.passes as number);
    const cost = 1 + (p - 1) * K;
    const n = Math.floor(nfe / cost);
    if (n < 1) throw new RunOptionError('nfe', nfe, `at least ${cost} for heroism with order ${p} and ${K} passes (1 + (p-1) K per interval)`);
    const ts = timeGrid(grid, n, tMax, delta);
    const nodes = chebyshevLobatto01(p);
    const intervals = Array.from({ length: n }, (_, i) => heroismInterval(ts[i]!, ts[i + 1]!, nodes));
    const KERNEL_LOAD = 0, KERNEL_ADVANCE = 1, KERNEL_PASS = 2;
    const stride = 4 + p;
    const rows: StepRow[] = [];
    const advance = (i: number) => {
      // combine interval i - 1 (if any), evaluate g_0 at the start of interval i (if any)
      const row = newRow(i + 1, (i > 0 ? COMBINE : 0) | (i < n ? EVAL : 0) | (K % 2 === 1 ? PARITY : 0), KERNEL_ADVANCE);
      row.evals = i < n ? 1 : 0;
      if (i < n) setTime(row, 0, ts[i]!);
      if (i > 0) {
        const prev = intervals[i - 1]!;
        row.c[3] = prev.aEnd;
        row.c.set(prev.CEnd, 4);
      }
      row.rounds = i < n ? 1 : 0;
      return row;
    };
    for (let i = 0; i < n; i++) {
      rows.push(advance(i));
      if (K === 0) continue;
      const iv = intervals[i]!;
      const table = new Float64Array((p - 1) * stride);
      for (let k = 1; k < p; k++) {
        const o = (k - 1) * stride, ti = iv.times[k]!;
        table.set([iv.a[k]!, ti, signalScale(ti), -Math.expm1(-2 * ti)], o);
        table.set(iv.C[k]!, o + 4);
      }
      rows.push(...tableRows(table, KERNEL_LOAD, i + 1));
      for (let k = 1; k <= K; k++) {
        const row = newRow(i + 1, (k - 1) % 2, KERNEL_PASS); // read half (k-1) % 2, write the other
        row.rounds = 1;
        rows.push(row);
      }
    }
    rows.push(advance(n));
    const defines = { NODES: p };
    return {
      rows,
      nfe: n * cost,
      rounds: n * (1 + K),
      grid: ts,
      kernels: [
        COEF_TABLE_KERNEL,
        { shader: 'heroism', defines: { ...defines, PHASE_PASS: false }, wantScore: false, wantX0: true },
        { shader: 'heroism', defines: { ...defines, PHASE_PASS: true }, wantScore: false, wantX0: true, lanes: Math.max(1, p - 1) },
      ],
      buffers: [
        { name: 'table', words: tableWords((p - 1) * stride) },
        { name: 'nodes', floatsPerParticle: 2 * p * dim },
      ],
      reference: (x, row, ctx) => heroismReference(x, row, ctx, intervals, p),
    };
  },
};

/** Float64 reference of one heroism row for one particle (mirrors shaders/heroism.wgsl). */
function heroismReference(x: Float64Array, row: StepRow, ctx: ReferenceContext, intervals: HeroismInterval[], p: number): void {
  const d = ctx.dim, G = ctx.buffers.nodes!;
  const half = (h: number, j: number) => (h * p + j) * d;
  if (row.kernel === 0) return; // table load: the reference reads `intervals` directly
  if (row.kernel === 1) {
    if (row.flags & COMBINE) {
      const h = row.flags & PARITY ? 1 : 0, a = row.c[3]!;
      for (let e = 0; e < d; e++) {
        let v = a * x[e]!;
        for (let j = 0; j < p; j++) v += row.c[4 + j]! * G[half(h, j) + e]!;
        x[e] = v;
      }
    }
    if (row.flags & EVAL) {
      const g = ctx.scratch[0]!;
      ctx.model(x, 0, row.c[0]!, null, g);
      for (let j = 0; j < p; j++) G.set(g, half(0, j));
      G.set(g, half(1, 0));
    }
    return;
  }
  // pass: node i reads half r (all nodes), writes half 1 - r at slot i
  const iv = intervals[row.step - 1]!, r = row.flags & 1;
  const xi = ctx.scratch[1]!, g = ctx.scratch[2]!;
  const out: Float64Array[] = [];
  for (let i = 1; i < p; i++) {
    for (let e = 0; e < d; e++) {
      let v = iv.a[i]! * x[e]!;
      for (let j = 0; j < p; j++) v += iv.C[i]![j]! * G[half(r, j) + e]!;
      xi[e] = v;
    }
    ctx.model(xi, 0, iv.times[i]!, null, g);
    out.push(Float64Array.from(g));
  }
  out.forEach((v, k) => G.set(v, half(1 - r, k + 1)));
}
